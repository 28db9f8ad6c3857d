"""The 公开 bundle (绩效目标公开): the approved forms published with the budget.

The published 汇总表 layout (``bundle.bundle_pdf``) of an organisation's
approved filings of a year, each in its official version, leaving out those
the filer marked 不公开 (``Filing.disclosed``). The public copy does not name
them; the reviewers' copy (``reviewer_copy``) ends with a page that lists
them by reason (涉密, 其他 with its 说明), after the numbered pages of the
bundle so that the 目录's page numbers stay those of the public copy.
"""

import io

from exports import bundle, pdf, print_templates
from exports.document import filing_document

# The 申报状态 choices of an export that are the 公开版: approved and published filings; the
# reviewers' copy adds the page of those left out.
PUBLIC = "public"
PUBLIC_REVIEWER = "public_reviewer"
PUBLIC_STATUSES = (PUBLIC, PUBLIC_REVIEWER)


def public_title(organisation_name, year, form):
    return f"{bundle.bundle_title(organisation_name, year, form)}（公开版）"


def left_out_rows(left_out):
    """The left-out filings grouped by reason: [(reason label, [row, …])], in print order.

    Each row names the filing as its official version does (during an adjustment too).
    """
    groups = {}
    for filing in left_out:
        label = filing.get_nondisclosure_reason_display() or "未说明"
        version = filing.official_version
        name = (version.snapshot.get("name") if version else "") or filing.name
        row = {"name": name, "organisation": filing.organisation.name}
        row["note"] = filing.nondisclosure_note
        groups.setdefault(label, []).append(row)
    return sorted(groups.items())


def public_bundle(documents, left_out, title, *, reviewer_copy=False, processes=None):
    """The PDF: the bundle of ``documents``, and for reviewers the page of ``left_out``."""
    content = bundle.bundle_pdf(documents, title, processes=processes)
    return with_left_out(content, left_out, title) if reviewer_copy else content


def with_left_out(content, left_out, title):
    """The bundle ``content`` followed by the reviewers' page listing ``left_out``."""
    html = print_templates.render(
        "exports/disclosure_left_out.html",
        {"title": title, "groups": left_out_rows(left_out), "count": len(left_out)},
    )
    page = pdf._layout(html).write_pdf()
    return _joined([content, page], title)


def official_documents(filings):
    return [filing_document(filing) for filing in filings]


def _joined(parts, title):
    # Imported here, as bundle.py does: pypdf costs every process's start-up.
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)), import_outline=True)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
