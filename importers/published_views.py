"""导入已公开的申报表: admins import published forms (PDF, .xlsx, text) in the browser.

The same two steps as ``import_published --dry-run`` then the import: the
upload is read (``loader.parse_file``: the same readers and parser as the
command) and saved in a transaction that is rolled back, so the preview shows
what would be created — the filings, their organisations, their warnings with
the page or cell — and the problems that would refuse the file, before
anything is saved. What was read travels to the confirmation signed
(``django.core.signing``) with the admin's id, and is saved whole or not at all.

Bounded: the upload is read to a limit, a PDF to fewer pages than the command
takes, a workbook through the checks of 导入Excel (``xlsx_upload``).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from audit import log
from filings.access import IMPORT_PUBLISHED, requires
from filings.limits import YEARS
from filings.models import Filing
from importers import loader
from importers.published_files import SourceProblem
from indicators.taxonomy import Taxonomy

SALT = "filings.import_published"
MAX_AGE = 60 * 60  # how long a preview may wait for its confirmation
MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # a district's PDF of forms is a few MB
MAX_PDF_PAGES = 60  # ~0.15 s a page on a busy 2-core machine; the command reads longer files
TEMPLATE = "importers/published/upload.html"
PREVIEW = "importers/published/preview.html"
ENCODINGS = [
    ("", gettext_lazy("自动识别")),
    ("utf-8", "UTF-8"),
    ("gb18030", "GB18030 / GBK"),
    ("utf-16", "UTF-16"),
]


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("文件（PDF、Excel 工作簿或文本）"))
    year = forms.TypedChoiceField(
        label=gettext_lazy("年度"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", gettext_lazy("按表上所写"))] + [(year, str(year)) for year in YEARS],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    money_unit = forms.ChoiceField(
        label=gettext_lazy("金额单位"),
        required=False,
        choices=[("", gettext_lazy("按表上所写")), *Filing.MoneyUnit.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("文本文件的编码"),
        required=False,
        choices=ENCODINGS,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


def _page(request, context, status=200, template=TEMPLATE):
    context.setdefault("form", UploadForm())
    context.setdefault("max_mb", MAX_UPLOAD_BYTES // (1024 * 1024))
    context.setdefault("max_pages", MAX_PDF_PAGES)
    return render(request, template, context, status=status)


def _read(form):
    """(filename, parsed filings) of a valid form's upload, or SourceProblem."""
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD_BYTES:
        raise SourceProblem(
            _("文件太大（%(size).1f MB），上限为 %(limit)s MB。")
            % {"size": upload.size / 1024 / 1024, "limit": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    content = upload.read(MAX_UPLOAD_BYTES + 1)
    if not content:
        raise SourceProblem(_("上传的文件是空的。"))
    parsed = loader.parse_file(
        content,
        upload.name,
        taxonomy=Taxonomy.load(),
        year=form.cleaned_data["year"],
        money_unit=form.cleaned_data["money_unit"] or None,
        encoding=form.cleaned_data["encoding"] or None,
        max_pages=MAX_PDF_PAGES,
    )
    return upload.name, parsed


@login_required
@require_http_methods(["GET", "POST"])
@requires(IMPORT_PUBLISHED)
def upload(request):
    """The file and its options; on POST, the preview of what the import would create."""
    if request.method == "GET":
        return _page(request, {})
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        problems = [error for errors in form.errors.values() for error in errors]
        return _page(request, {"form": form, "problems": problems}, status=400)
    try:
        filename, parsed = _read(form)
    except SourceProblem as exc:
        return _page(request, {"form": form, "problems": [str(exc)]}, status=400)
    saved, error = loader.save_file(parsed, filename, dry_run=True)
    if error:
        return _page(request, {"form": form, "problems": [error]}, status=400)
    payload = signing.dumps(
        {"user": request.user.pk, "file": filename, "filings": parsed},
        salt=SALT,
        compress=True,
    )
    context = {"filename": filename, "filings": saved, "payload": payload}
    return _page(request, context, template=PREVIEW)


@login_required
@require_POST
@requires(IMPORT_PUBLISHED)
def confirm(request):
    """Save what the preview showed, whole or not at all."""
    try:
        payload = signing.loads(request.POST.get("payload", ""), salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        return _page(request, {"problems": [_("预览已超过一小时，请重新上传文件。")]}, 400)
    except signing.BadSignature:
        return _page(request, {"problems": [_("确认信息无效，请重新上传文件。")]}, 400)
    if payload["user"] != request.user.pk:
        return _page(request, {"problems": [_("确认信息无效，请重新上传文件。")]}, 400)
    with transaction.atomic():  # the filings and their audit row, or neither
        saved, error = loader.save_file(payload["filings"], payload["file"])
        if not error:
            log.record(
                log.Action.ADMIN,
                request=request,
                description=_("导入已公开的申报表 %(count)s 份（文件 %(file)s）")
                % {"count": len(saved), "file": payload["file"]},
                details={"names": [data["name"] for data in saved][:50]},
            )
    if error:
        return _page(request, {"problems": [error]}, status=400)
    messages.success(
        request,
        _("已从文件「%(file)s」导入 %(count)s 份申报。")
        % {"file": payload["file"], "count": len(saved)},
    )
    return redirect("filings:list")
