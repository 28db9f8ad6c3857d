"""The 绩效目标审核表 as printed, from the version it judged.

The review page's printable sheet (``review_views.review_sheet``) and its PDF
(``exports.pdf.review_sheet_pdf``) both draw it from this context; it lives
apart from the views so that the exports need not import a views module.
"""

from filings.models import Filing, Review


def review_sheet_context(sheet):
    """What the 审核表 prints, from the version it judged: the page and the PDF share it."""
    filing = sheet.filing
    snapshot = sheet.version.snapshot
    criteria = [
        (Review._meta.get_field(name).verbose_name, getattr(sheet, name))
        for name in Review.CRITERIA_FIELDS
    ]
    return {
        "sheet": sheet,
        "name": snapshot.get("name", filing.name),
        "organisation": " / ".join(snapshot.get("organisation") or []) or filing.organisation.name,
        "year": snapshot.get("year", filing.year),
        "form_label": Filing.Form(snapshot.get("form", filing.form)).label,
        "opinions": [
            (Review._meta.get_field(name).verbose_name, getattr(sheet, name))
            for name in Review.OPINION_FIELDS
        ],
        # Two criteria per printed row, as on the paper sheet.
        "criteria": [criteria[:2], criteria[2:]],
    }
