"""Parser of published forms (text extracted from the PDFs the districts publish).

``parse_published`` turns one file into one dict per filing, in the project's
JSON format (see ``filings.serialization``); ``parse_rows`` does the same for
rows already cut into cells, as the readers of PDF files and workbooks give
them (``published_files``, ``published_pdf``, ``published_xlsx``). It is pure Python: no database,
no Django. The layouts are described in ``forms.md``; the parser keys on the
printed labels and on the columns of the cells, never on line numbers, so that
forms of other districts and years and other extraction tools read the same.

This module finds where each form starts (its title) and hands the rows on to
the form's reader: ``project_form.py`` and ``overall_form.py``, on what they
share in ``published_form.py``; the indicator table is read by
``indicator_table.py``, from the rows and cells of ``cells.py``. The printed
labels and their aliases of other editions are data in ``labels.py``; an
indicator table with more columns is read by its header row (``columns.py``);
a flat table of many projects by ``flat.py``.

Nothing is dropped silently: whatever cannot be placed becomes a warning with
code ``unplaced``, its line number and its text; every repair and every doubt
(a joined word, an inferred 一级, a row under a label it contradicts, a
missing money unit) is a warning with its line too.
"""

import re

from importers import flat
from importers.cells import label_key, norm, read_rows
from importers.labels import TITLES
from importers.overall_form import OverallForm
from importers.project_form import ProjectForm
from importers.published_form import Form

_SUMMARY_YEAR = re.compile(r"(\d{4})年")
# "第 3 页", "第3页 共5页", "- 3 -", "— 3 —": page furniture, not form content.
_PAGE_MARKER = re.compile(r"第\d+页(/?共\d+页)?|[-—]+\d+[-—]+")
# 金额单位：万元 or (单位：元) printed above the table, on a line or in a cell of its own.
_UNIT_LINE = re.compile(r"\(?(?:金额)?单位:(万元|元)\)?")


class PublishedFormatError(ValueError):
    """The file holds no form at all."""

    def __init__(self, message, line):
        super().__init__(f"第 {line} 行：{message}")
        self.line = line
        self.reason = message


def parse_published(text, *, taxonomy, year=None, money_unit=None, source=""):
    """Read every filing in the text of one file of published forms.

    ``year``, when given, wins over the year printed on the forms (with a
    ``year_override`` warning where they differ); ``money_unit`` likewise for
    the money unit, and stands in where a form prints none. Returns one dict
    per filing; raises PublishedFormatError when the text holds no form.
    """
    return parse_rows(
        read_rows(text), taxonomy=taxonomy, year=year, money_unit=money_unit, source=source
    )


def parse_rows(rows, *, taxonomy, year=None, money_unit=None, source=""):
    """``parse_published`` of rows already cut into cells (a PDF's tables, a workbook)."""
    readers = []  # forms and flat tables, in file order
    fallback_year = None
    unit_above = ""  # 金额单位 printed before the next form's title
    outside = []  # rows before the first form, reported on the next one
    for row in rows:
        form_name = _title_form(row)
        current = readers[-1] if readers else None
        if flat.is_header(row):
            # One table of many projects; a title just before it is the table's own.
            title = readers.pop() if isinstance(current, Form) and current.is_bare() else None
            table = flat.FlatTable(row, taxonomy, title=title, outside=outside)
            table.fallback_year = fallback_year
            table.money_unit = unit_above or (title.money_unit if title else "")
            unit_above, outside = "", []
            readers.append(table)
        elif form_name:
            parser = ProjectForm if form_name == "project" else OverallForm
            form = parser(form_name, row, taxonomy)
            form.fallback_year = fallback_year
            form.money_unit = unit_above
            for stray in outside:
                form.unplaced(stray, "不在任何申报表内")
            unit_above, outside = "", []
            readers.append(form)
        elif _unit_line(row):
            if current is None:
                unit_above = _unit_line(row)
            else:
                current.money_unit = _unit_line(row)
        elif _is_summary_title(row) or (current is None and _year_line(row)):
            # A collection's title: its year stands in for forms that print none.
            found = _SUMMARY_YEAR.search(norm(row.text))
            fallback_year = int(found[1]) if found else fallback_year
            if not _is_summary_title(row):
                outside.append(row)
        elif current is not None and _PAGE_MARKER.fullmatch(norm(row.text)):
            current.warn(row.line, "page_marker", f"页码「{row.text}」已略过")
        elif current is not None:
            current.read(row)
        else:
            outside.append(row)
    if not readers:
        where = f"{source}：" if source else ""
        line = rows[0].line if rows else 1
        raise PublishedFormatError(f"{where}没有找到绩效目标申报表的标题", line)
    filings = []
    for reader in readers:
        filings.extend(reader.finish_all(year, money_unit))
    return filings


def _unit_line(row):
    """万元 or 元 when the row is a money unit printed on its own (金额单位：万元)."""
    if len(row.cells) > 2:
        return ""
    for cell in row.cells:
        found = _UNIT_LINE.fullmatch(label_key(cell.text))
        if found and len(row.cells) <= 2:
            return found[1]
    return ""


def _year_line(row):
    """A short line naming a year (2026年 某区部门项目绩效目标表): a title, not content."""
    key = norm(row.text)
    return len(row.cells) == 1 and len(key) <= 40 and _SUMMARY_YEAR.search(key) is not None


def _title_form(row):
    if "表" not in row.cells[0].text:
        return None
    key = norm(row.cells[0].text)
    for title, form_name in TITLES:
        # A little room around the title for "(2023年度)" or a "附件1" in front.
        if title in key and len(key) <= len(title) + 12:
            return form_name
    return None


def _is_summary_title(row):
    key = norm(row.text)
    return len(row.cells) == 1 and "绩效目标" in key and key.endswith("汇总表")
