"""The PDF of a 批复 (``review.ApprovalNotice``): its cover, then the approved forms.

The cover (``templates/exports/approval_notice.html``, print.css) says who
approves what: the number and date, and per filing its form, name, grade,
version, content hash, date of approval and approver, as frozen at issue. Behind
it, each form in the version the 批复 lists, printed as the bundles print it
(``bundle.chunk_pdf``: fonts embedded once, each form numbered on its own). A
批复 never changes, so neither does its PDF: it is kept once printed.
"""

import io
import os

from django.utils import timezone

from exports import bundle, pdf, print_templates
from exports.document import filing_document
from filings.models import Filing


def notice_context(notice, items):
    """What the cover prints: ``notice`` and its ``items`` (with filing and version)."""
    rows = [
        {
            "number": position,
            "form": Filing.Form(item.filing.form).label,
            "name": item.version.snapshot.get("name") or item.filing.name,
            "grade": item.get_grade_display() or "—",
            "version": item.version.number,
            "hash": item.version.content_hash,
            "approved_on": timezone.localdate(item.approved_at) if item.approved_at else None,
            "approver": item.approver_name,
            "adjusted": item.adjusted,
        }
        for position, item in enumerate(items, start=1)
    ]
    return {
        "notice": notice,
        "issued_on": timezone.localdate(notice.issued_at),
        "organisation": notice.organisation.name,
        "rows": rows,
    }


def notice_items(notice):
    """The items of ``notice`` with what the cover and the forms need, in order."""
    return list(
        notice.items.select_related("filing__organisation__parent__parent", "version").order_by(
            "order", "pk"
        )
    )


def notice_pdf(notice):
    """The PDF of ``notice``: the cover page(s), then every form it approves."""
    pdf.require_cjk_fonts()
    path = pdf._kept_file("批复", str(notice.pk), notice.number)
    if path.exists():
        os.utime(path)  # in use: ``pdf.prune_kept`` keeps it
        return path.read_bytes()
    items = notice_items(notice)
    html = print_templates.render("exports/approval_notice.html", notice_context(notice, items))
    cover = pdf._layout(html).write_pdf()
    documents = [filing_document(item.filing, item.version) for item in items]
    parts = [cover, bundle.chunk_pdf(documents).pdf] if documents else [cover]
    content = _joined(parts, notice.number)
    pdf._keep(path, content)
    return content


def _joined(parts, title):
    # Imported here, as bundle.py does: pypdf costs every process's start-up.
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)), import_outline=False)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def notice_filename(notice):
    """E.g. 2024年度_上海市闵行区老龄事业发展中心_绩效目标批复_3号.pdf."""
    name = f"{notice.year}年度_{notice.organisation.name}_绩效目标批复_{notice.sequence}号"
    return name.replace("/", "_") + ".pdf"
