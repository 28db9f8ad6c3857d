"""The 绩效目标审核表 as printed, from the version it judged: its rows, drawn once.

The review page's printable sheet (``review_views.review_sheet``) and its PDF
(``exports.pdf.review_sheet_pdf``) both draw ``sheet_rows`` with the one include
``review/_sheet_grid.html``, so that the two cannot print different
labels, values or orders; ``review.css`` (screen) and ``print.css`` (paper)
style the same markup. It lives apart from the views so that the exports need
not import a views module.
"""

from dataclasses import dataclass

from django.utils import dateformat
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from filings.models import Filing
from review.models import Review

# A grade not given yet prints as a dash, as on the paper sheet.
NO_GRADE = "—"


@dataclass(frozen=True)
class Cell:
    """One cell: a label (``<th>``) or a value (``<td>``); ``kind`` is its CSS class."""

    text: str
    is_label: bool = False
    colspan: int = 1
    kind: str = ""
    testid: str = ""
    # Printed small beside a space left blank for ink: the typed name under a signature.
    typed: str = ""


@dataclass(frozen=True)
class Row:
    """One printed row; ``kind`` is its CSS class (``breakable`` rows may run onto a new page)."""

    cells: tuple
    kind: str = ""


def _label(text, **options):
    return Cell(str(text), is_label=True, **options)


def _value(text, **options):
    return Cell("" if text is None else str(text), **options)


def _date(moment):
    """The one date format of the sheet, as the paper one writes it: 2026年12月2日."""
    return dateformat.format(localtime(moment), "Y年n月j日")


def _section(text):
    return Row((_label(text, colspan=4, kind="section"),))


def _head_rows(sheet, context):
    version = sheet.version
    submitted = _("第 %(number)s 版（%(at)s 提交）") % {
        "number": version.number,
        "at": _date(version.created_at),
    }
    return [
        Row((_label(_("项目（单位）名称")), _value(context["name"], colspan=3))),
        Row((_label(_("填报单位")), _value(context["organisation"], colspan=3))),
        Row(
            (
                _label(_("申报表")),
                _value(f"{context['form_label']}（{context['year']}{_('年度')}）"),
                _label(_("审核版本")),
                _value(submitted),
            )
        ),
        Row(
            (
                _label(_("审核环节")),
                _value(sheet.get_stage_display()),
                _label(_("审核人")),
                _value(sheet.reviewer_name),
            )
        ),
    ]


def _opinion_rows(sheet):
    names = (*Review.OPINION_FIELDS, "to_improve")
    return [_section(_("审核意见"))] + [
        Row(
            (
                _label(Review._meta.get_field(name).verbose_name),
                _value(getattr(sheet, name), colspan=3, kind="long opinion"),
            ),
            kind="breakable",
        )
        for name in names
    ]


def _grade_rows(sheet):
    def pair(name):
        grade = getattr(sheet, name) or NO_GRADE
        return (_label(Review._meta.get_field(name).verbose_name), _value(grade, kind="grade"))

    criteria = Review.CRITERIA_FIELDS
    decision = sheet.get_decision_display() if sheet.decision else _("审核中")
    decided = _date(sheet.decided_at) if sheet.decided_at else ""
    reviewing_unit = sheet.reviewer.organisation.name if sheet.reviewer else ""
    return [
        _section(_("审核评定（优 / 良 / 中 / 差）")),
        # Two criteria per printed row, as on the paper sheet.
        *(Row(pair(a) + pair(b)) for a, b in zip(criteria[::2], criteria[1::2], strict=True)),
        Row(
            (
                _label(_("审核等级")),
                _value(sheet.grade or NO_GRADE, kind="grade", testid="grade"),
                _label(_("审核结论")),
                _value(decision, kind="grade", testid="decision"),
            )
        ),
        # Left blank for the reviewer's signature and the unit's stamp, as on paper, with
        # the typed name and unit small beside, so that the ink can be read.
        Row(
            (
                _label(_("审核人（签字）")),
                _value("", kind="ink", typed=sheet.reviewer_name, testid="signature"),
                _label(_("审核单位（盖章）")),
                _value("", kind="ink", typed=reviewing_unit, testid="stamp"),
            ),
            kind="signature",
        ),
        Row((_label(_("审核日期")), _value(decided, colspan=3, testid="decided"))),
    ]


def review_sheet_context(sheet):
    """What the 审核表 prints, from the version it judged: the page and the PDF share it."""
    filing = sheet.filing
    snapshot = sheet.version.snapshot
    context = {
        "sheet": sheet,
        "name": snapshot.get("name", filing.name),
        # The filer's own unit, the last of its path (the bureau above it is not the filer).
        "organisation": (snapshot.get("organisation") or [filing.organisation.name])[-1],
        "year": snapshot.get("year", filing.year),
        "form_label": Filing.Form(snapshot.get("form", filing.form)).label,
    }
    context["subtitle"] = f"（{context['year']}{_('年度')}）"
    context["sheet_rows"] = [
        *_head_rows(sheet, context),
        *_opinion_rows(sheet),
        *_grade_rows(sheet),
    ]
    return context
