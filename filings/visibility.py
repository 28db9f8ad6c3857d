"""What lists and the admin site show a user: the querysets and texts built on ``filings.access``.

A staff user who is not an admin sees in the admin site what the app's pages show
them: the comments and 审核表 they may read (internal ones for the filing's
reviewers only), the rounds of their bureau, the users of the organisations they
see. Filers never read the internal file name an import came from.
"""

from django.db.models import Q

from accounts.models import EVERYWHERE, Organisation, User, organisations_of, reach_of
from filings.access import _is_admin, bureau_id_of, is_finance_reviewer
from filings.models import Filing
from review.models import Transition


def sees_everything(user):
    """An admin: every organisation, filing, user and job (``reach_of``)."""
    return reach_of(user) == EVERYWHERE


def _reviewed_by(user):
    """Among the filings ``user`` sees, those they review: ``COMMENT_INTERNAL`` as a filter.

    A finance reviewer reviews every filing of the bureau (``is_finance_reviewer_of``);
    a department reviewer its units' filings, not the department's own
    (``is_department_reviewer_of``); nobody else any.
    """
    if user.role == User.Role.FINANCE_REVIEWER:
        return Q()
    if user.role == User.Role.DEPARTMENT_REVIEWER:
        return Q(
            filing__organisation__parent_id=user.organisation_id,
            filing__organisation__level=Organisation.Level.UNIT,
        )
    return Q(pk__in=[])


def comments_visible_to(user, comments):
    """The comments of ``comments`` that ``user`` may read.

    Internal comments (among reviewers) only for the filing's reviewers, as on
    the filing's pages (``COMMENT_INTERNAL``): a filer never reads them, even
    given ``is_staff`` in the admin site. Admins, who look after the data,
    see all of them there.
    """
    if _is_admin(user):
        return comments
    comments = comments.filter(filing__in=Filing.objects.visible_to(user).values("pk"))
    return comments.filter(Q(internal=False) | _reviewed_by(user))


def reviews_visible_to(user, reviews):
    """The 审核表 of ``reviews`` that ``user`` may read: an undecided one only its reviewers."""
    if _is_admin(user):
        return reviews
    reviews = reviews.filter(filing__in=Filing.objects.visible_to(user).values("pk"))
    return reviews.filter(Q(decided_at__isnull=False) | _reviewed_by(user))


def source_shown_to(user, filing):
    """The 来源 of ``filing`` that ``user`` may read, or "".

    A copy's origin (复制自 2024年度《…》) is the filer's own; the file an import came
    from (004_74a63c49764ed4be.txt:71) is an internal name that admins alone may see.
    """
    if filing.copied_from_id or _is_admin(user):
        return filing.source
    return ""


def bureaus_managed_by(user):
    """The finance bureaus whose rounds ``user`` manages: their own, or every one for admins."""
    bureaus = Organisation.objects.filter(level=Organisation.Level.BUREAU).order_by("name", "pk")
    if _is_admin(user):
        return bureaus
    if is_finance_reviewer(user):
        return bureaus.filter(pk=bureau_id_of(user.organisation))
    return bureaus.none()


def transition_note_for(user, transition):
    """The note of a log row ``user`` may read: an import's (导入自 004_….txt:71) is the
    same internal file name as its 来源, for admins only (``source_shown_to``)."""
    if transition.action == Transition.Action.IMPORT and not _is_admin(user):
        return ""
    return transition.comment


def rounds_visible_to(user, rounds):
    """The rounds of the finance bureau ``user`` works under (all of them for admins)."""
    if _is_admin(user):
        return rounds
    if not user.is_authenticated or user.organisation_id is None:
        return rounds.none()
    return rounds.filter(bureau_id=bureau_id_of(user.organisation))


def users_visible_to(user, users):
    """The users of the organisations ``user`` sees."""
    if _is_admin(user):
        return users
    return users.filter(organisation__in=organisations_of(user).values("pk"))


def notices_visible_to(user, notices):
    """The 批复 of the organisations ``user`` sees: their filers, reviewers and admins."""
    if _is_admin(user):
        return notices
    return notices.filter(organisation__in=organisations_of(user).values("pk"))
