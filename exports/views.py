"""Downloads: a filing as PDF or Excel, a 审核表 as PDF, and the export page of batch jobs.

Every download of one filing asks ``filings.access`` (outsiders 404). Batch
exports are jobs (exports/jobs.py): the page starts one (POST), polls
its progress (a small JSON endpoint, static/js/export-progress.js) and links
its file when done; a job is its creator's alone, anyone else gets 404.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit import log
from exports import ExportUnavailable, disclosure, dispatch, excel, jobs, pdf, workers
from exports.document import filing_document
from exports.models import ExportJob
from filings.access import (
    EXPORT,
    NONDISCLOSED_LIST,
    SIGNED_IN,
    VIEW,
    may,
    organisations_of,
    require_sheet,
    requires,
)
from filings.models import Filing, FilingVersion
from perfgoals import jsonbody
from review.models import Review

XLSX = jobs.CONTENT_TYPES[".xlsx"]
# How many of the user's jobs the export page lists.
RECENT_JOBS = 20


def _downloaded(request, filename, *, filing=None, organisation=None, details=None):
    """Record the download in the audit log, before the file goes out (audit/log.py)."""
    log.record(
        log.Action.DOWNLOAD,
        request=request,
        filing=filing,
        organisation=organisation,
        description=_("下载 %(file)s") % {"file": filename},
        details=details,
    )


def _attachment(content, filename, content_type):
    response = HttpResponse(content, content_type=content_type)
    # RFC 5987: filename*=utf-8''… carries the Chinese name; browsers all read it.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _unavailable(request, error):
    """The export cannot be made here (no CJK font…): say so in Chinese, not a 500."""
    return render(request, "exports/pages/unavailable.html", {"message": str(error)}, status=503)


def _version(request, filing):
    """The version ``?version=N`` asks for, or None for the default of filing_document."""
    number = request.GET.get("version")
    if not number:
        return None
    # isdigit() alone says yes to "²", which int() refuses.
    if not (number.isascii() and number.isdigit()):
        raise Http404(_("没有这个版本。"))
    return get_object_or_404(FilingVersion, filing=filing, number=int(number))


def filing_filename(filing, document, kind, extension):
    """E.g. 2023年度_残疾人权益保障经费_绩效目标申报表.pdf.

    A version other than the approved one says which (…_第2版); the current
    content of a filing under adjustment says it is not the approved text (…_调整稿).
    """
    parts = [f"{document.year}年度", jobs.safe_name(document.name), kind]
    if document.version_number and not document.official:
        parts.append(f"第{document.version_number}版")
    elif not document.official and filing.approved_version_id:
        parts.append("调整稿")
    return "_".join(parts) + extension


def _document(request, access):
    # ?draft=1: the adjustment being worked on (调整稿), labelled as not the approved text.
    draft = request.GET.get("draft") == "1"
    return filing_document(access.filing, _version(request, access.filing), draft=draft)


@login_required
@requires(VIEW)
def export_pdf(request, access):
    """The filing's official form as PDF (its approved version when it has one)."""
    document = _document(request, access)
    try:
        content = pdf.filing_pdf(document)
    except ExportUnavailable as error:
        return _unavailable(request, error)
    name = filing_filename(access.filing, document, "绩效目标申报表", ".pdf")
    _downloaded(request, name, filing=access.filing, details={"version": document.version_number})
    return _attachment(content, name, "application/pdf")


@login_required
@requires(VIEW)
def export_excel(request, access):
    """The filing's official form as an Excel workbook of one sheet."""
    document = _document(request, access)
    try:
        content = excel.filing_workbook([document])
    except ExportUnavailable as error:
        return _unavailable(request, error)
    name = filing_filename(access.filing, document, "绩效目标申报表", ".xlsx")
    _downloaded(request, name, filing=access.filing, details={"version": document.version_number})
    return _attachment(content, name, XLSX)


@login_required
@requires(VIEW)
def review_sheet_pdf(request, access, review_id):
    """The 绩效目标审核表 of a decided review as PDF (reviewers may print one in progress)."""
    review = get_object_or_404(
        Review.objects.select_related("version", "filing__organisation", "reviewer__organisation"),
        pk=review_id,
        filing_id=access.filing.pk,
    )
    require_sheet(request.user, access, review)
    try:
        content = pdf.review_sheet_pdf(review)
    except ExportUnavailable as error:
        return _unavailable(request, error)
    snapshot = review.version.snapshot
    name = "_".join(
        [
            f"{snapshot.get('year', access.filing.year)}年度",
            jobs.safe_name(snapshot.get("name", access.filing.name)),
            "绩效目标审核表",
            review.get_stage_display(),
        ]
    )
    _downloaded(request, name + ".pdf", filing=access.filing, details={"review": review.pk})
    return _attachment(content, name + ".pdf", "application/pdf")


# --- The export page and its jobs ------------------------------------------------------


class ExportForm(forms.Form):
    """What to export: which organisation (of those the user may see), year, what, which."""

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("组织"),
        queryset=None,
        empty_label=None,
        help_text=gettext_lazy("导出这一组织及其下级单位的申报"),
    )
    year = forms.TypedChoiceField(label=gettext_lazy("年度"), coerce=int)
    kind = forms.ChoiceField(label=gettext_lazy("导出内容"), choices=ExportJob.Kind.choices)
    form = forms.ChoiceField(
        label=gettext_lazy("表式"),
        required=False,
        choices=[("", gettext_lazy("全部表式")), *Filing.Form.choices],
        help_text=gettext_lazy("用于压缩包和Excel；汇总表按所选内容确定表式"),
    )
    # Bundles are what gets filed and stamped: the approved versions, unless asked otherwise.
    filing_status = forms.ChoiceField(
        label=gettext_lazy("申报状态"),
        required=False,
        choices=[("", gettext_lazy("全部状态")), *Filing.Status.choices],
        # The official bundle by default: approved filings, those under adjustment included
        # (in their approved version, see exports.selection.select_filings).
        initial=Filing.Status.APPROVED,
        help_text=gettext_lazy(
            "默认只导出已批复的申报（打印其批复版本）；公开版不含申报为不公开的申报"
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = organisations_of(user).select_related("parent")
        self.fields["organisation"].queryset = organisations
        # A long list of units reads better with its department: 民政局 / 老龄事业发展中心.
        self.fields["organisation"].label_from_instance = _organisation_label
        years = (
            Filing.objects.visible_to(user)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        self.fields["year"].choices = [(year, f"{year}年度") for year in years]
        # 公开版 (绩效目标公开): its list of what it leaves out, by reason, is for reviewers only.
        public = [(disclosure.PUBLIC, gettext_lazy("已批复·公开版（不含不公开的申报）"))]
        if may(user, NONDISCLOSED_LIST):
            public.append(
                (
                    disclosure.PUBLIC_REVIEWER,
                    gettext_lazy("已批复·公开版（审核人员用，末页列出未公开的申报及原因）"),
                )
            )
        self.fields["filing_status"].choices = [*self.fields["filing_status"].choices, *public]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


def _organisation_label(organisation):
    if organisation.parent_id and organisation.level == organisation.Level.UNIT:
        return f"{organisation.parent.name} / {organisation.name}"
    return organisation.name


@login_required
@requires(EXPORT)
def exports(request):
    """导出: start a batch export, follow its progress, download what is done."""
    form = ExportForm(user=request.user)
    return _exports_page(request, form)


def _exports_page(request, form, status=200):
    recent = [jobs.refresh(job) for job in jobs.jobs_of(request.user)[:RECENT_JOBS]]
    return render(
        request,
        "exports/pages/page.html",
        {
            "form": form,
            "jobs": recent,
            "inline": not workers.uses_celery(),
            "keep_hours": settings.EXPORT_KEEP_HOURS,
        },
        status=status,
    )


@login_required
@require_POST
@requires(EXPORT)
def export_start(request):
    """Start a job (POST from the export page), then back to the page that shows it."""
    form = ExportForm(request.POST, user=request.user)
    if not form.is_valid():
        return _exports_page(request, form, status=400)
    data = form.cleaned_data
    try:
        # The job and its audit row together, or neither (audit/log.py).
        with transaction.atomic():
            job = jobs.create_job(
                request.user,
                data["organisation"],
                data["year"],
                data["kind"],
                form=data["form"],
                filing_status=data["filing_status"],
            )
            log.record(
                log.Action.EXPORT,
                request=request,
                organisation=data["organisation"],
                description=_("导出 %(organisation)s %(year)s年度：%(kind)s，共 %(count)s 份")
                % {
                    "organisation": data["organisation"].name,
                    "year": data["year"],
                    "kind": job.get_kind_display(),
                    "count": job.total,
                },
                details={"job": str(job.pk), "form": data["form"], "status": data["filing_status"]},
            )
    except jobs.JobRefused as refusal:
        form.add_error(None, str(refusal))
        return _exports_page(request, form, status=400)
    dispatch.start(job)
    messages.success(
        request,
        _("已开始导出 %(count)s 份申报，完成后可在下方下载。") % {"count": job.total},
    )
    return redirect(reverse("exports:exports") + f"#job-{job.pk}")


def _job(request, pk):
    """The user's own job ``pk``: anyone else's, or an unknown one, is a 404."""
    return get_object_or_404(jobs.jobs_of(request.user), pk=pk)


# A job is its creator's alone (jobs.jobs_of): anyone else's is a 404.


@login_required
@requires(SIGNED_IN)
@jsonbody.endpoint
def export_status(request, pk):
    """The job's progress for the page's poller (JSON)."""
    job = jobs.refresh(_job(request, pk))
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "error": job.error,
            "download_url": (
                reverse("exports:export_download", args=[job.pk])
                if job.status == ExportJob.Status.DONE
                else ""
            ),
            "filename": job.output_name,
        },
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
@requires(SIGNED_IN)
def export_download(request, pk):
    """The finished job's file, from the private EXPORT_ROOT (never served as a static file)."""
    job = _job(request, pk)
    path = jobs.output_file(job)
    if path is None:
        raise Http404(_("导出文件还没有生成，或已过期被删除。"))
    _downloaded(
        request, job.output_name, organisation=job.organisation_id, details={"job": str(job.pk)}
    )
    suffix = path.suffix
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=job.output_name,
        content_type=jobs.CONTENT_TYPES.get(suffix, "application/octet-stream"),
    )
