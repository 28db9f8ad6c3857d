from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from exports.document import page_document
from filings.access import CHECK_PROFILE, SIGNED_IN, VIEW, requires
from filings.checks import ERROR, SEVERITY_LABELS, WARNING, profiles
from filings.forms import FilingFilterForm
from filings.listing import paginate
from filings.models import CheckProfile, Filing
from filings.visibility import bureaus_managed_by
from review import approvers

PAGE_SIZE = 20


@login_required
@requires(SIGNED_IN)
def filing_list(request):
    visible = Filing.objects.visible_to(request.user)
    form = FilingFilterForm(request.GET or None, visible=visible, user=request.user)
    filings = form.filter(visible) if form.is_bound else visible
    # Page first, then count the page's indicators (filings.listing): no join to children.
    page = paginate(request, filings.select_related("organisation"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "filings/filing_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@requires(VIEW)
def filing_detail(request, access):
    filing = access.filing
    context = {
        "access": access,
        "filing": filing,
        "form_document": page_document(filing),
        "approver": approvers.approver_of(filing),
    }
    return render(request, "filings/filing_detail.html", context)


# 审核规则: a bureau's rule profile ----------------------------------------------------


def _managed_bureau(user, bureau_id):
    """The bureau ``bureau_id`` if ``user`` manages it; any other is not there for them (404)."""
    bureau = bureaus_managed_by(user).filter(pk=bureau_id).first()
    if bureau is None:
        raise Http404(_("找不到这个财政局。"))
    return bureau


@login_required
@require_GET
@requires(CHECK_PROFILE)
def check_profiles(request):
    """The reviewer's own bureau's profile; for admins the one picked (?bureau=), or the first."""
    asked = request.GET.get("bureau", "")
    # ASCII digits only: 「²」 passes isdigit() and breaks int().
    if asked.isascii() and asked.isdigit():
        return redirect("filings:check_profile", _managed_bureau(request.user, int(asked)).pk)
    bureau = bureaus_managed_by(request.user).first()
    if bureau is None:
        raise Http404(_("还没有财政局。"))
    return redirect("filings:check_profile", bureau.pk)


@login_required
@require_GET
@requires(CHECK_PROFILE)
def check_profile(request, bureau):
    return _profile_page(request, _managed_bureau(request.user, bureau))


def _profile_page(request, bureau, *, chosen=None, status=200):
    """The bureau's profile page; with ``chosen`` (settings), those rather than the stored."""
    stored = CheckProfile.objects.select_related("updated_by").filter(bureau=bureau).first()
    profile = profiles.of_bureau(bureau) if stored else profiles.DEFAULT
    if chosen is not None:
        profile = profiles.Profile(profile.name, chosen, bureau.pk)
    # A choice of bureaus only for whoever manages more than one (admins).
    bureaus = list(bureaus_managed_by(request.user))
    context = {
        "bureau": bureau,
        "bureaus": bureaus if len(bureaus) > 1 else [],
        "stored": stored,
        "seen": profiles.stamp(stored),
        "rows": profiles.rows(profile),
        "severities": [(ERROR, SEVERITY_LABELS[ERROR]), (WARNING, SEVERITY_LABELS[WARNING])],
    }
    return render(request, "filings/check_profile.html", context, status=status)


@login_required
@require_POST
@requires(CHECK_PROFILE)
def check_profile_save(request, bureau):
    bureau = _managed_bureau(request.user, bureau)
    settings = profiles.settings_from(request.POST, profiles.stored_settings(bureau))
    try:
        profiles.save(
            bureau, request.user, settings, seen=request.POST.get("seen"), request=request
        )
    except profiles.ProfileStale as stale:
        # Someone saved since this page was opened: their profile is not overwritten, and
        # the choices made here come back, to compare and save again.
        messages.error(request, str(stale))
        return _profile_page(request, bureau, chosen=settings, status=409)
    messages.success(
        request, _("已保存审核规则：此后的检查和提交按新规则判断，已提交的申报不重新判断。")
    )
    return redirect("filings:check_profile", bureau.pk)
