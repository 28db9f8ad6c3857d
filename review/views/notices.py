"""批复 (review.notices): the approver's pages, issuing one, and its PDF.

The approver (a department or finance reviewer, ``ISSUE_APPROVAL``) sees per
organisation and year which approved filings they approve finally are in no
批复 yet, and issues one (POST, with the confirmation dialog). Anyone who sees
the organisation (its filers, its reviewers, admins) downloads the PDF; an
organisation the user does not see is a 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit import log
from exports import ExportUnavailable, approval
from filings.access import ISSUE_APPROVAL, SIGNED_IN, organisations_of, requires
from filings.limits import YEARS
from filings.visibility import notices_visible_to
from review import notices
from review.models import ApprovalNotice


def _organisation(user, organisation_id, year):
    """The organisation among those ``user`` sees, else 404; a year no filing can have, 404."""
    if year not in YEARS:
        raise Http404(_("没有这一年度的批复。"))
    return get_object_or_404(organisations_of(user), pk=organisation_id)


@login_required
@requires(ISSUE_APPROVAL)
def approvals(request):
    """The organisations and years with filings waiting for the user's 批复."""
    return render(
        request, "review/notices/index.html", {"groups": notices.awaiting_groups(request.user)}
    )


@login_required
@requires(ISSUE_APPROVAL)
def approval_page(request, organisation_id, year):
    organisation = _organisation(request.user, organisation_id, year)
    awaiting = notices.awaiting(request.user, organisation, year)
    rows = [notices.describe(filing) for filing in awaiting]
    context = {
        "organisation": organisation,
        "year": year,
        "rows": rows,
        "issued": notices.notices_of(organisation, year),
        "max_filings": notices.MAX_FILINGS,
    }
    return render(request, "review/notices/page.html", context)


@login_required
@require_POST
@requires(ISSUE_APPROVAL)
def issue(request, organisation_id, year):
    organisation = _organisation(request.user, organisation_id, year)
    try:
        notice = notices.issue(request.user, organisation, year)
    except notices.NoticeRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("已签发批复 %(number)s，列入 %(count)s 份申报，已通知填报单位。")
            % {"number": notice.number, "count": notice.items.count()},
        )
    return redirect("review:approval_page", organisation_id=organisation.pk, year=year)


@login_required
@requires(SIGNED_IN)
def notice_pdf(request, pk):
    """The PDF of a 批复 of an organisation the user sees."""
    notices_seen = notices_visible_to(request.user, ApprovalNotice.objects.all())
    notice = get_object_or_404(notices_seen.select_related("organisation", "issuer"), pk=pk)
    try:
        content = approval.notice_pdf(notice)
    except ExportUnavailable as error:
        return render(
            request, "exports/pages/unavailable.html", {"message": str(error)}, status=503
        )
    name = approval.notice_filename(notice)
    log.record(
        log.Action.DOWNLOAD,
        request=request,
        organisation=notice.organisation_id,
        description=_("下载 %(file)s") % {"file": name},
        details={"approval_notice": notice.pk},
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
