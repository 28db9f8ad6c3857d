"""Export jobs: which filings, in chunks, on Celery workers or in a thread; the output file.

The life of a job:

1. ``create_job`` picks the filings, once, from those the user may see
   (``Filing.objects.visible_to``) under the chosen organisation and year,
   in print order, and splits them into chunks (``EXPORT_CHUNK_SIZE``).
2. ``dispatch.start`` sends one task per chunk to the Celery workers when
   ``CELERY_BROKER_URL`` is set, else runs the chunks one after the other in
   a thread of the web process (the demo). This module sends nothing: the
   tasks (``tasks.py``) call it, and ``dispatch.py`` sends them (by name, ``workers.py``).
3. ``run_chunk`` prints its filings and writes them, one file per filing,
   to the job's folder under ``EXPORT_ROOT`` (shared storage when workers run
   on other machines: no big blob goes through Redis). Then it marks its chunk
   done, once, and counts the chunk's filings into the job's progress.
4. The chunk that finds every chunk done runs ``assemble``, which joins
   the parts into the one file the user downloads (a bundle, a zip, a
   workbook) and marks the job done.

Every step can run twice (a worker killed mid-task gets its task delivered
again: ``acks_late``): a chunk rewrites its own part files, a done chunk is not
counted again, and assembling writes the output under a temporary name that
replaces the old. A step that raises marks the job failed with a Chinese
message; a step that keeps killing its worker is given up after
``MAX_ATTEMPTS``; a job whose progress stops for ``EXPORT_STALL_MINUTES`` is
marked failed when next looked at. A job is never left running for ever.

Old files: every ``create_job`` first deletes the jobs (and their folders)
whose ``expires_at`` has passed (``EXPORT_KEEP_HOURS`` after they finished),
and the kept PDFs of versions not printed for ``EXPORT_KEEP_FORMS_DAYS``.
"""

import inspect
import json
import logging
import os
import re
import shutil
import threading
import zipfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import organisations_of
from exports import ExportUnavailable, bundle, disclosure, excel, excel_flat, pdf
from exports.document import build_document, filing_document
from exports.models import ExportChunk, ExportJob
from exports.selection import select_filings
from filings import access
from filings import fields as form_fields
from filings.cleaning import strip_invisible
from filings.models import Filing, FilingVersion
from filings.serialization import export_queryset

logger = logging.getLogger(__name__)

Kind = ExportJob.Kind
Status = ExportJob.Status

# A chunk or an assembly that has started this often without finishing kills its worker
# (out of memory, say): give up rather than loop.
MAX_ATTEMPTS = 3

# Which forms each kind prints; None: the job's own form filter, or every form.
KIND_FORMS = {
    Kind.PROJECT_BUNDLE: (form_fields.PROJECT,),
    Kind.OVERALL_BUNDLE: form_fields.OVERALL,
}
EXTENSIONS = {
    Kind.PROJECT_BUNDLE: ".pdf",
    Kind.OVERALL_BUNDLE: ".pdf",
    Kind.PDF_ZIP: ".zip",
    Kind.FORM_WORKBOOK: ".xlsx",
    Kind.FLAT_WORKBOOK: ".xlsx",
}
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# What build_document takes besides the data (footer, version…): kept with each chunk.
_DOCUMENT_ARGS = [
    parameter.name
    for parameter in inspect.signature(build_document).parameters.values()
    if parameter.kind == parameter.KEYWORD_ONLY
]
# Characters no file name on Windows, macOS or Linux may hold.
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


class JobRefused(Exception):
    """A job that cannot be created; the message is for the user, in Chinese."""


# --- Who may export what -------------------------------------------------------------
# The organisations a user may export are those whose filings they see: organisations_of.


def jobs_of(user):
    """The jobs ``user`` may see and download: their own, of organisations they still see.

    Another user's job is not shown, even to a colleague: it was chosen from
    what its creator may see.
    """
    if not user.is_authenticated:
        return ExportJob.objects.none()
    return ExportJob.objects.filter(
        created_by=user, organisation__in=organisations_of(user)
    ).select_related("organisation")


# --- Choosing the filings ------------------------------------------------------------


def forms_of(kind, form=""):
    """The forms a job of ``kind`` prints (``form`` narrows the kinds that allow it)."""
    if kind in KIND_FORMS:
        return KIND_FORMS[kind]
    return (form,) if form else form_fields.FORMS


def create_job(user, organisation, year, kind, *, form="", filing_status=""):
    """A new job of the filings ``user`` may see; ``JobRefused`` if there are none.

    ``organisation`` must be one of ``organisations_of(user)`` (the
    view's form offers no other; checked again here).
    """
    if not organisations_of(user).filter(pk=organisation.pk).exists():
        raise JobRefused(_("您不能导出这个组织的申报。"))
    if filing_status == disclosure.PUBLIC_REVIEWER and not access.may(
        user, access.NONDISCLOSED_LIST
    ):
        raise JobRefused(access.refusal(access.NONDISCLOSED_LIST))
    cleanup()
    visible = Filing.objects.visible_to(user)
    ids = select_filings(
        visible,
        organisation,
        year,
        forms_of(kind, form),
        filing_status,
    )
    if not ids:
        raise JobRefused(
            _("%(org)s%(year)s年度没有符合条件的申报，没有可导出的内容。")
            % {"org": organisation.name, "year": year}
        )
    return new_job(user, organisation, year, kind, ids, form=form, filing_status=filing_status)


def new_job(user, organisation, year, kind, ids, *, form="", filing_status=""):
    """The job of the filings ``ids`` (chosen by the caller), split into its chunks."""
    # A workbook for analysts is one sheet of rows: one step, nothing to spread out.
    size = len(ids) if kind == Kind.FLAT_WORKBOOK else max(1, settings.EXPORT_CHUNK_SIZE)
    with transaction.atomic():
        job = ExportJob.objects.create(
            created_by=user,
            organisation=organisation,
            year=year,
            kind=kind,
            form=form if kind not in KIND_FORMS else "",
            filing_status=filing_status,
            filing_ids=ids,
            total=len(ids),
        )
        ExportChunk.objects.bulk_create(
            ExportChunk(job=job, index=n, start=start, size=len(ids[start : start + size]))
            for n, start in enumerate(range(0, len(ids), size))
        )
    return job


# --- Running ---------------------------------------------------------------------------
# Sending the work to the workers, or to a thread, is exports/dispatch.py's.


def print_version(version_id):
    """Print a version and keep its PDF (the worker's side of ``workers.keep_printed``)."""
    version = FilingVersion.objects.select_related("filing").filter(pk=version_id).first()
    if version is None:
        return  # its filing was deleted meanwhile: nothing to print
    pdf.filing_pdf(filing_document(version.filing, version))


def run_inline(job_id):
    """Every chunk of the job in turn, then the output: the same steps as on workers."""
    for index in ExportChunk.objects.filter(job_id=job_id).values_list("index", flat=True):
        run_chunk(job_id, index, then_assemble=False)
    if not ExportChunk.objects.filter(job_id=job_id, done_at__isnull=True).exists():
        assemble(job_id)


def run_chunk(job_id, index, *, then_assemble=True):
    """Print chunk ``index`` of the job; safe to run again (see the module's docstring)."""
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    chunk = ExportChunk.objects.filter(job_id=job_id, index=index).first()
    if chunk is None:
        return
    if chunk.done_at is None:
        ExportChunk.objects.filter(pk=chunk.pk).update(attempts=F("attempts") + 1)
        if chunk.attempts + 1 > MAX_ATTEMPTS:
            fail(
                job_id,
                _("第 %(n)s 批申报已尝试导出 %(max)s 次仍未完成（导出进程可能因内存不足退出）。")
                % {"n": index + 1, "max": MAX_ATTEMPTS},
            )
            return
        now = timezone.now()
        ExportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
            status=Status.RUNNING, started_at=now, updated_at=now
        )
        ids = job.filing_ids[chunk.start : chunk.start + chunk.size]
        try:
            _write_parts(job, chunk, ids)
        except ExportUnavailable as exc:
            fail(job_id, str(exc))
            return
        except JobRefused as exc:
            fail(job_id, str(exc))
            return
        except Exception:
            logger.exception("export job %s chunk %s failed", job_id, index)
            fail(
                job_id,
                _("导出第 %(first)s—%(last)s 份申报时出错，任务已停止，请稍后重试。")
                % {"first": chunk.start + 1, "last": chunk.start + chunk.size},
            )
            return
        _mark_done(job_id, chunk)
    pending = ExportChunk.objects.filter(job_id=job_id, done_at__isnull=True)
    if then_assemble and not pending.exists():
        # Every chunk that finds the job complete assembles it, on the worker that ran it:
        # assembling twice is harmless, and a worker killed meanwhile has its chunk's task
        # delivered again, which finds the chunk done and assembles.
        assemble(job_id)


def _mark_done(job_id, chunk):
    now = timezone.now()
    with transaction.atomic():
        # Only the first run of a chunk flips done_at, so only it counts the chunk's filings.
        if ExportChunk.objects.filter(pk=chunk.pk, done_at__isnull=True).update(done_at=now):
            ExportJob.objects.filter(pk=job_id).update(done=F("done") + chunk.size, updated_at=now)


def _write_parts(job, chunk, ids):
    """The chunk's part files: one PDF per filing (PDF kinds) and the chunk's documents."""
    by_pk = {
        filing.pk: filing
        for filing in export_queryset(
            Filing.objects.filter(pk__in=ids).select_related("approved_version")
        )
    }
    missing = [pk for pk in ids if pk not in by_pk]
    if missing:
        raise JobRefused(
            _("有 %(count)s 份申报在导出期间被删除，请重新导出。") % {"count": len(missing)}
        )
    documents = [filing_document(by_pk[pk]) for pk in ids]
    folder = parts_folder(job)
    folder.mkdir(parents=True, exist_ok=True)
    if job.kind in KIND_FORMS:
        # A bundle's chunk is one PDF, its fonts embedded once, and its forms' page counts.
        printed = bundle.chunk_pdf(documents)
        _write_atomic(folder / f"chunk-{chunk.index:05d}.pages", json.dumps(printed.pages).encode())
        _write_atomic(folder / f"chunk-{chunk.index:05d}.pdf", printed.pdf)
    elif job.kind in ExportJob.PDF_KINDS:
        for position, content in enumerate(pdf.render_parts(documents), start=chunk.start):
            _write_atomic(folder / f"{position:06d}.pdf", content)
    # What the assembly needs to print titles and tables of contents, without the database
    # (a filing may change between the chunk and the assembly: the parts are what counts).
    meta = [
        {"data": doc.data, **{name: getattr(doc, name) for name in _DOCUMENT_ARGS}}
        for doc in documents
    ]
    _write_atomic(
        folder / f"chunk-{chunk.index:05d}.json",
        json.dumps(meta, ensure_ascii=False).encode("utf-8"),
    )


def assemble(job_id):
    """Join the parts into the job's one output file and mark the job done."""
    job = ExportJob.objects.select_related("organisation").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return
    ExportJob.objects.filter(pk=job_id).update(
        assemble_attempts=F("assemble_attempts") + 1, updated_at=timezone.now()
    )
    job.refresh_from_db(fields=["assemble_attempts"])
    if job.assemble_attempts > MAX_ATTEMPTS:
        fail(job_id, _("合并导出文件已尝试 %(max)s 次仍未完成。") % {"max": MAX_ATTEMPTS})
        return
    relative = Path("jobs") / str(job.pk) / f"output{EXTENSIONS[job.kind]}"
    target = Path(settings.EXPORT_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary(target)
    try:
        _write_output(job, temporary)
        os.replace(temporary, target)
    except (ExportUnavailable, JobRefused) as exc:
        fail(job_id, str(exc))
        return
    except Exception:
        logger.exception("export job %s: assembling failed", job_id)
        fail(job_id, _("合并导出文件时出错，任务已停止，请稍后重试。"))
        return
    finally:
        temporary.unlink(missing_ok=True)
    now = timezone.now()
    finished = ExportJob.objects.filter(pk=job_id, status__in=(Status.QUEUED, Status.RUNNING))
    finished.update(
        status=Status.DONE,
        done=F("total"),
        output_path=str(relative),
        output_name=output_name(job),
        finished_at=now,
        updated_at=now,
        expires_at=now + timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    shutil.rmtree(parts_folder(job), ignore_errors=True)


def _chunk_meta(job):
    """What the chunks kept of each filing (its data, footer, version…), in print order."""
    meta = []
    for path in sorted(parts_folder(job).glob("chunk-*.json")):
        meta.extend(json.loads(path.read_text(encoding="utf-8")))
    if len(meta) != job.total:
        raise JobRefused(_("部分导出文件缺失，请重新导出。"))
    return meta


def _documents(meta):
    return [build_document(item.pop("data"), **item) for item in meta]


def _write_output(job, path):
    """Write the job's file at ``path`` from its parts."""
    folder = parts_folder(job)
    if job.kind == Kind.FLAT_WORKBOOK:
        by_pk = export_queryset(Filing.objects.filter(pk__in=job.filing_ids)).in_bulk()
        path.write_bytes(
            excel_flat.flat_workbook([by_pk[pk] for pk in job.filing_ids if pk in by_pk])
        )
        return
    meta = _chunk_meta(job)
    if job.kind == Kind.FORM_WORKBOOK:
        path.write_bytes(excel.filing_workbook(_documents(meta)))
        return
    if job.kind == Kind.PDF_ZIP:
        parts = [folder / f"{position:06d}.pdf" for position in range(job.total)]
        # Names are all a zip needs: no grid is built again.
        names = [
            ((item["data"].get("organisation") or [""])[-1], item["data"]["name"]) for item in meta
        ]
        _zip(path, parts, names)
        return
    chunks = [
        bundle.Chunk(part.read_bytes(), json.loads(part.with_suffix(".pages").read_bytes()))
        for part in sorted(folder.glob("chunk-*.pdf"))
    ]
    title = _bundle_title(job)
    content = bundle.assemble_bundle(chunks, _documents(meta), title)
    if job.filing_status == disclosure.PUBLIC_REVIEWER:
        content = disclosure.with_left_out(content, _left_out(job), title)
    path.write_bytes(content)


def _bundle_title(job):
    form = KIND_FORMS[job.kind][0]
    if job.filing_status in disclosure.PUBLIC_STATUSES:
        return disclosure.public_title(job.organisation.name, job.year, form)
    return bundle.bundle_title(job.organisation.name, job.year, form)


def _left_out(job):
    """The approved filings the job's 公开版 leaves out (不公开), as its creator sees them."""
    visible = Filing.objects.visible_to(job.created_by)
    ids = select_filings(
        visible, job.organisation, job.year, KIND_FORMS[job.kind], Filing.Status.APPROVED
    )
    left_out = Filing.objects.filter(pk__in=ids, disclosed=False).select_related(
        "organisation", "approved_version"
    )
    by_pk = left_out.in_bulk()
    return [by_pk[pk] for pk in ids if pk in by_pk]


def _zip(path, parts, names):
    """The zip of the parts, written straight to ``path``: a thousand forms are 300 MB.

    ``names`` are (organisation, filing name) of each part.
    """
    taken = set()
    # Stored, not deflated: PDFs are compressed already, and assembling is the one step
    # that no second worker can share.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for n, (part, (organisation, filing)) in enumerate(zip(parts, names, strict=True), 1):
            name = f"{n:04d}_{safe_name(organisation)}_{safe_name(filing)}.pdf"
            while name in taken:  # the same name under two organisations' paths
                name = name.removesuffix(".pdf") + "_.pdf"
            taken.add(name)
            archive.write(part, name)


def fail(job_id, message):
    """Mark the job failed with ``message`` (Chinese), unless it is finished already."""
    now = timezone.now()
    ExportJob.objects.filter(pk=job_id, status__in=(Status.QUEUED, Status.RUNNING)).update(
        status=Status.FAILED,
        error=message,
        finished_at=now,
        updated_at=now,
        expires_at=now + timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )
    job = ExportJob(pk=job_id)
    shutil.rmtree(parts_folder(job), ignore_errors=True)


def refresh(job):
    """``job`` as it is now; a job without progress for too long is marked failed first."""
    if not job.is_finished and job.updated_at < _stall_limit():
        _fail_stalled(job.pk)
        job.refresh_from_db()
    return job


def _stall_limit():
    return timezone.now() - timedelta(minutes=settings.EXPORT_STALL_MINUTES)


def _fail_stalled(job_id):
    fail(
        job_id,
        _(
            "导出任务超过 %(minutes)s 分钟没有进展，已停止。请重新导出；"
            "如果一再发生，请联系管理员检查导出服务。"
        )
        % {"minutes": settings.EXPORT_STALL_MINUTES},
    )


# --- Files -------------------------------------------------------------------------


def job_folder(job):
    return Path(settings.EXPORT_ROOT) / "jobs" / str(job.pk)


def parts_folder(job):
    return job_folder(job) / "parts"


def output_file(job):
    """The finished job's file, or None when there is none (not done, or deleted)."""
    if job.status != Status.DONE or not job.output_path:
        return None
    path = Path(settings.EXPORT_ROOT) / job.output_path
    return path if path.is_file() else None


def output_name(job):
    """The download's file name, e.g. 上海市残疾人联合会2024年度项目绩效目标汇总表.pdf."""
    org = job.organisation.name
    if job.kind in KIND_FORMS:
        stem = _bundle_title(job)
    elif job.kind == Kind.PDF_ZIP:
        stem = f"{org}{job.year}年度绩效目标申报表PDF"
    elif job.kind == Kind.FORM_WORKBOOK:
        stem = f"{org}{job.year}年度绩效目标申报表"
    else:
        stem = f"{org}{job.year}年度绩效目标明细"
    return safe_name(stem) + EXTENSIONS[job.kind]


def safe_name(text):
    """``text`` fit for a file name: no path separators, control or direction characters.

    Every download, zip entry and job's file name is built here. A right-to-left
    override would make ``项目\u202egpj.exe_….pdf`` read as a picture: the one
    cleaner's invisible characters are dropped, whatever a stored name holds.
    """
    text = strip_invisible(str(text))
    return _UNSAFE_NAME.sub("_", text).strip(" .")[:80] or "export"


def _write_atomic(path, content):
    # Written aside, then renamed: a reader (or a second run of the same step) never sees
    # half a file, and a step that runs twice leaves one whole file.
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _temporary(path)
    temporary.write_bytes(content)
    os.replace(temporary, path)


def _temporary(path):
    """A name beside ``path`` that no other process or thread writes to."""
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def cleanup(now=None):
    """Delete the jobs whose files have expired, with their folders; return how many.

    A job that stalled and nobody looked at is failed here, and so expires in turn.
    """
    now = now or timezone.now()
    unfinished = ExportJob.objects.filter(status__in=(Status.QUEUED, Status.RUNNING))
    for pk in unfinished.filter(updated_at__lt=_stall_limit()).values_list("pk", flat=True):
        _fail_stalled(pk)
    expired = list(ExportJob.objects.filter(expires_at__lt=now).values_list("pk", flat=True))
    for pk in expired:
        shutil.rmtree(job_folder(ExportJob(pk=pk)), ignore_errors=True)
    ExportJob.objects.filter(pk__in=expired).delete()
    pdf.prune_kept((now - timedelta(days=settings.EXPORT_KEEP_FORMS_DAYS)).timestamp())
    return len(expired)
