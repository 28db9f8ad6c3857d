"""The attachments of a filing: the list, upload, removal and download.

Each view declares what it needs of ``filings.access``: seeing the filing
(``VIEW``: the list and downloads) or editing it (``EDIT``: upload and removal,
a draft's filer only). Outsiders get 404 for the filing's attachments as for the
filing; a frozen filing's attachments are refused there (403), and again by the
content service under the claim should the filing be submitted meanwhile.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attachments import services
from attachments.forms import UploadForm
from attachments.models import Attachment
from audit import log
from filings.access import EDIT, VIEW, requires
from filings.editing import StaleEdit

CONTENT_TYPES = {
    Attachment.FileType.PDF: "application/pdf",
    Attachment.FileType.DOCX: (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    Attachment.FileType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    Attachment.FileType.PNG: "image/png",
    Attachment.FileType.JPEG: "image/jpeg",
}
# A downloaded file is never a page: nothing in it runs, nothing loads, if a browser shows it.
DOWNLOAD_CSP = "default-src 'none'; sandbox; frame-ancestors 'none'"


BACKS = ("detail", "wizard", "list")


def _back(request, filing):
    """Where an upload or a removal returns (a fixed choice, never a posted URL)."""
    back = request.POST.get("back")
    if back == "wizard":
        return reverse("filings:wizard", args=[filing.pk, "review"]) + "#attachments"
    if back == "list":
        return reverse("attachments:list", args=[filing.pk])
    return reverse("filings:detail", args=[filing.pk]) + "#attachments"


def _page(request, access, form=None, status=200):
    # A refused upload is shown here, and the next try still returns where the first came from.
    back = request.POST.get("back") if request.method == "POST" else None
    context = {
        "access": access,
        "filing": access.filing,
        "form": form,
        "back": back if back in BACKS else "list",
    }
    return render(request, "attachments/list.html", context, status=status)


@login_required
@requires(VIEW)
def attachment_list(request, access):
    return _page(request, access)


@login_required
@require_POST
@requires(EDIT)
def upload(request, access):
    filing = access.filing
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.add(
                filing,
                request.user,
                form.cleaned_data["file"],
                form.cleaned_data["kind"],
                form.cleaned_data["description"],
                request=request,
            )
        except services.AttachmentRefused as refused:
            form.add_error("file", str(refused))
        except StaleEdit as stale:
            form.add_error(None, str(stale))
        else:
            messages.success(request, _("已上传附件「%(name)s」。") % {"name": attachment.name})
            return redirect(_back(request, filing))
    # The kind and the description stay as typed; the file must be chosen again.
    return _page(request, access, form, status=400)


def _attachment_of(filing, key):
    attachment = Attachment.objects.filter(filing=filing, key=key).first()
    if attachment is None:
        raise Http404(_("找不到这个附件。"))
    return attachment


@login_required
@require_POST
@requires(EDIT)
def remove(request, access, key):
    filing = access.filing
    attachment = Attachment.objects.filter(filing=filing, key=key).kept().first()
    if attachment is None:
        # The second post of a double click on 删除 (or a page left open): what was asked
        # is done, and the filer is told so rather than shown 找不到.
        messages.info(request, _("这个附件已经删除了。"))
        return redirect(_back(request, filing))
    try:
        services.remove(filing, request.user, attachment, request=request)
    except StaleEdit as stale:
        messages.error(request, str(stale))
    else:
        messages.success(request, _("已删除附件「%(name)s」。") % {"name": attachment.name})
    return redirect(_back(request, filing))


@login_required
@requires(VIEW)
def download(request, access, key):
    """The file, to whoever sees the filing: a kept attachment, or one a version lists."""
    attachment = _attachment_of(access.filing, key)
    if attachment.removed_at is not None and attachment.first_version_id is None:
        raise Http404(_("找不到这个附件。"))
    files = services.storage()
    if not files.exists(attachment.stored_name):
        raise Http404(_("附件的文件不存在，请联系管理员。"))
    log.record(
        log.Action.DOWNLOAD,
        request=request,
        filing=access.filing,
        description=_("下载附件 %(file)s") % {"file": attachment.name},
        details={"attachment": str(attachment.key)},
    )
    response = FileResponse(
        files.open(attachment.stored_name, "rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=CONTENT_TYPES[attachment.file_type],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    response["Cache-Control"] = "private, no-store"
    return response
