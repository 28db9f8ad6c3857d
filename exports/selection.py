"""Which filings an export prints, and in which order: every output's selection.

The jobs of the export page (``jobs``), the commands (``export_pdf``,
``export_excel``) and the 公开版 select with ``select_filings``. Kept apart from
the jobs so that a command printing a PDF does not load openpyxl with them.
"""

from accounts.models import Organisation
from exports import disclosure
from filings import fields as form_fields
from filings.models import Filing

# Within an organisation: the overall filing before the projects.
_FORM_ORDER = {form_fields.DEPARTMENT: 0, form_fields.UNIT: 0, form_fields.PROJECT: 1}


def select_filings(filings, organisation, year, forms, status=""):
    """Ids of ``filings`` of ``organisation`` and below, ``year`` and ``forms``, in print order.

    Print order: department by department, each before its units; within an
    organisation its overall filing, then its projects in the order they were
    filed (published bundles list them so; names in Chinese have no useful
    sort order for a program).

    Every output prints each filing's official content (``filing_document``,
    ``excel_flat``), so 已批复 includes a filing under adjustment.
    """
    filings = filings.under(organisation).filter(year=year, form__in=forms)
    if status in disclosure.PUBLIC_STATUSES:
        # 公开版: the approved filings published with the budget.
        filings = filings.official().filter(disclosed=True)
    elif status == Filing.Status.APPROVED:
        # 已批复: every filing with an official version, one under adjustment included
        # (it prints its approved version, ``filing_document``).
        filings = filings.official()
    elif status:
        filings = filings.filter(status=status)
    rows = filings.values_list(
        "pk",
        "form",
        "organisation_id",
        "organisation__name",
        "organisation__level",
        "organisation__parent_id",
        "organisation__parent__name",
    )
    return [row[0] for row in sorted(rows, key=_print_order)]


def _print_order(row):
    pk, form, org_id, name, level, parent_id, parent_name = row
    if level == Organisation.Level.UNIT:
        place = (parent_name, parent_id, 1, name, org_id)
    elif level == Organisation.Level.DEPARTMENT:
        place = (name, org_id, 0, "", 0)
    else:
        place = ("", 0, -1, name, org_id)
    return (*place, _FORM_ORDER[form], pk)
