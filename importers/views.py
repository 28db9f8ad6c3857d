"""导入Excel: upload a filled-in form sheet as a new draft or as a draft's new content.

Two steps each: the upload is read, saved and rolled back to show what it
would change and what the checker finds (``importers.excel.preview``);
the confirmation saves it. What was read travels from the first step to the
second signed (``django.core.signing``), with the user, the filing and the
``lock_version`` it was previewed against, so the confirmation cannot be
pointed at another filing or applied over a newer save.

A confirmation is used once: its digest is kept with the audit row of the
draft it made, so a second click, a resubmitted page or a second tab with the
same preview opens that draft instead of making another.

The organisation is never taken from the file: a new draft belongs to the
uploader's organisation, an update to the filing the uploader may edit
(``filing_access``).
"""

import hashlib
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from audit import log
from audit.models import AuditEvent
from filings.access import EDIT, IMPORT_EXCEL, require_creatable, requires
from filings.editing import StaleEdit
from importers import excel

SALT = "filings.upload_excel"
# How long a preview may wait for its confirmation.
MAX_AGE = 60 * 60
# What a busy server asks the uploader to wait, in seconds (Retry-After).
BUSY_RETRY_AFTER = 5
TEMPLATE = "importers/upload.html"
PREVIEW = "importers/preview.html"


def _read(request):
    """The SheetFiling of the posted file, or ExcelProblem."""
    upload = request.FILES.get("file")
    if upload is None:
        raise excel.ExcelProblem(_("请选择要上传的 .xlsx 文件。"))
    content = excel.check_upload(upload)
    return excel.read_workbook(content, filename=upload.name)


def _payload(request, sheet_filing, filing=None):
    return signing.dumps(
        {
            "user": request.user.pk,
            "filing": filing.pk if filing else None,
            "seen": filing.lock_version if filing else None,
            "data": sheet_filing.data,
            "cells": sheet_filing.cells,
            "labels": sheet_filing.labels,
            "read": sorted(sheet_filing.read),
            "sheet": sheet_filing.sheet,
            "file": sheet_filing.filename,
            # Each preview its own: two uploads of one file are two confirmations.
            "preview": secrets.token_hex(8),
        },
        salt=SALT,
        compress=True,
    )


def _unpack(request, filing=None):
    """The SheetFiling and seen version of a confirmation, or ExcelProblem."""
    try:
        payload = signing.loads(request.POST.get("payload", ""), salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise excel.ExcelProblem(_("预览已超过一小时，请重新上传文件。")) from None
    except signing.BadSignature:
        raise excel.ExcelProblem(_("确认信息无效，请重新上传文件。")) from None
    if payload["user"] != request.user.pk or payload["filing"] != (filing.pk if filing else None):
        raise excel.ExcelProblem(_("确认信息与当前申报不符，请重新上传文件。"))
    sheet_filing = excel.SheetFiling(
        data=payload["data"],
        cells=payload["cells"],
        labels=payload["labels"],
        properties={},
        sheet=payload["sheet"],
        filename=payload["file"],
        read=frozenset(payload["read"]),
    )
    return sheet_filing, payload["seen"]


def _page(request, context, status=200, template=TEMPLATE):
    context.setdefault("max_mb", excel.max_upload_bytes() // (1024 * 1024))
    return render(request, template, context, status=status)


def _busy(request, context):
    """503: other uploads hold every slot of this process; nothing was read or saved."""
    problem = _("系统繁忙：服务器正在处理其他人上传的文件，请约 %(seconds)s 秒后再试。") % {
        "seconds": BUSY_RETRY_AFTER
    }
    response = _page(request, {**context, "problems": [problem]}, status=503)
    response["Retry-After"] = str(BUSY_RETRY_AFTER)
    return response


def _imported(request, filing, sheet_filing, what, confirmation=None):
    details = {"sheet": sheet_filing.sheet}
    if confirmation:
        details["confirmation"] = confirmation
    log.record(
        log.Action.IMPORT_EXCEL,
        request=request,
        filing=filing,
        description=_("%(what)s《%(name)s》（文件 %(file)s）")
        % {"what": what, "name": filing.name, "file": sheet_filing.filename},
        details=details,
    )


def _confirmation(request):
    """The digest of a confirmation's signed payload: the same preview, the same digest."""
    return hashlib.sha256(request.POST.get("payload", "").encode()).hexdigest()


def _draft_made_by(request, confirmation):
    """The draft an earlier use of this confirmation made, if it is still there.

    Called in the confirming transaction after the user's row is locked, so two
    clicks at once are taken one after the other (SQLite serialises writers anyway).
    """
    User.objects.select_for_update().filter(pk=request.user.pk).exists()
    event = (
        AuditEvent.objects.filter(
            action=log.Action.IMPORT_EXCEL,
            user=request.user,
            details__confirmation=confirmation,
            filing__isnull=False,
        )
        .select_related("filing")
        .first()
    )
    return event.filing if event else None


@login_required
@require_http_methods(["GET", "POST"])
@requires(IMPORT_EXCEL)
def upload_new(request):
    """新建申报 › 导入Excel: a new draft in the uploader's organisation."""
    context = {"filing": None}
    if request.method == "GET":
        return _page(request, context)
    try:
        with excel.upload_slot():
            sheet_filing = _read(request)
            require_creatable(request.user, sheet_filing.data["form"])
            result = excel.preview(sheet_filing, organisation=request.user.organisation)
    except excel.Busy:
        return _busy(request, context)
    except excel.ExcelProblem as exc:
        return _page(request, {**context, "problems": exc.problems}, status=400)
    context.update(sheet=sheet_filing, preview=result, payload=_payload(request, sheet_filing))
    return _page(request, context, template=PREVIEW)


@login_required
@require_POST
@requires(IMPORT_EXCEL)
def confirm_new(request):
    try:
        sheet_filing, _seen = _unpack(request)
        require_creatable(request.user, sheet_filing.data["form"])
        confirmation = _confirmation(request)
        with transaction.atomic():  # the draft and its audit row, or neither
            earlier = _draft_made_by(request, confirmation)
            if earlier is None:
                filing = excel.apply(sheet_filing, organisation=request.user.organisation)
                _imported(request, filing, sheet_filing, _("导入Excel新建草稿"), confirmation)
    except excel.ExcelProblem as exc:
        return _page(request, {"filing": None, "problems": exc.problems}, status=400)
    if earlier is not None:
        messages.info(request, _("这份文件已按预览新建过草稿，已为您打开该草稿，没有再新建一份。"))
        return redirect("filings:detail", earlier.pk)
    messages.success(
        request,
        _("已从 Excel 新建草稿《%(name)s》，共 %(count)s 条三级指标。")
        % {"name": filing.name, "count": filing.indicators.count()},
    )
    return redirect("filings:detail", filing.pk)


@login_required
@require_http_methods(["GET", "POST"])
@requires(EDIT)
def upload_filing(request, access):
    """导入Excel on a draft: show what the upload would change, then replace on confirm."""
    filing = access.filing
    context = {"filing": filing}
    if request.method == "GET":
        return _page(request, context)
    try:
        with excel.upload_slot():
            sheet_filing = _read(request)
            result = excel.preview(sheet_filing, filing=filing)
    except excel.Busy:
        return _busy(request, context)
    except excel.ExcelProblem as exc:
        return _page(request, {**context, "problems": exc.problems}, status=400)
    context.update(
        sheet=sheet_filing, preview=result, payload=_payload(request, sheet_filing, filing)
    )
    return _page(request, context, template=PREVIEW)


@login_required
@require_POST
@requires(EDIT)
def confirm_filing(request, access):
    filing = access.filing
    try:
        sheet_filing, seen = _unpack(request, filing)
        with transaction.atomic():  # the new content and its audit row, or neither
            excel.apply(sheet_filing, filing=filing, seen_version=seen)
            _imported(request, filing, sheet_filing, _("导入Excel更新草稿"))
    except excel.ExcelProblem as exc:
        return _page(request, {"filing": filing, "problems": exc.problems}, status=400)
    except StaleEdit as exc:
        return _page(request, {"filing": filing, "problems": [str(exc)]}, status=409)
    messages.success(request, _("已用 Excel 文件的内容更新这份申报。"))
    return redirect("filings:detail", filing.pk)
