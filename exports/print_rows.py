"""The tables of a printed form as HTML, each band a ``<table>`` (``bands.PrintBand``).

Written here rather than in the print template: Django's template engine
took 8 ms a form to loop over every cell of every row, a twentieth of the
form's printing. templates/exports/form.html places the tables; the text of
each cell is already HTML (``print_text.cell_markup``).
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from exports.document import INDICATOR_BAND


def band_html(band, indicator_columns=False):
    """The ``<table>`` of ``band``: its columns, its heading row, its rows."""
    columns_2021 = " columns-2021" if band.name == INDICATOR_BAND and indicator_columns else ""
    colgroup = "".join(f'<col style="width: {width}mm"/>' for width in band.widths)
    heading = ""
    if band.heading:
        cells = "".join(f"<td{_attributes(cell)}>{cell.html}</td>" for cell in band.heading)
        heading = f"<thead><tr>{cells}</tr></thead>\n"
    rows = "".join(_row(row) for row in band.rows)
    return mark_safe(
        f'<table class="grid band-{escape(band.name)}{columns_2021}">'
        f"<colgroup>{colgroup}</colgroup>\n\n{heading}<tbody>{rows}\n</tbody>\n</table>\n"
    )


def _row(row):
    css = f' class="{escape(row.css)}"' if row.css else ""
    cells = "".join(f"<td{_attributes(cell, data_c=True)}>{cell.html}</td>" for cell in row.cells)
    return f'<tr data-r="{row.index}"{css}>{cells}</tr>\n'


def _attributes(cell, data_c=False):
    column = f' data-c="{cell.col}"' if data_c else ""
    colspan = f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
    rowspan = f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
    return f' class="{escape(cell.css)}"{column}{colspan}{rowspan}'
