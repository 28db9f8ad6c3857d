"""What the three published forms share: the year, the warnings, the indicator table.

``Form`` is the base of ``project_form.ProjectForm`` and ``overall_form.OverallForm``,
which ``published.parse_published`` starts at each form's title row; it reads the
subtitle's year, keeps the warnings with their lines, and reads names, choices,
amounts and counts the same way for all three forms.
"""

import re

from filings.limits import YEARS
from filings.money import AmountError, amount_str, check_amount, echo, parse_amount
from importers.cells import clean_name, is_wrapped, norm, parse_count, ticked_option
from importers.indicator_table import IndicatorSection
from importers.labels import GOAL_ANNUAL, GOAL_BLOCKS, GOAL_OVERALL
from importers.row_extras import edition_of

_SUBTITLE_YEAR = re.compile(r"\(?(\d{4})年度?\)?")
_TITLE_YEAR = re.compile(r"(\d{4})年度")
# The goal headings of every edition known; five characters and more, so that prose
# (实现总体目标) does not count, while 项目总目标 or 年度绩效目标 inside a text does.
_HEADING_WORDS = sorted(
    {word for word in (*GOAL_OVERALL, *GOAL_ANNUAL, *GOAL_BLOCKS) if len(word) >= 5},
    key=len,
    reverse=True,
)
# A paragraph that is a heading of an edition not known yet: short, ends in 目标,
# maybe with its span (近期目标, 三年目标（2024年-2026年）).
_HEADING_LIKE = re.compile(r"[^,.;:，。；：、]{0,8}目标(\(\d{4}.*\))?:?")


class Form:
    """What all three forms share: year, warnings, the indicator section."""

    def __init__(self, form_name, title_row, taxonomy):
        self.form_name = form_name
        self.line = title_row.line
        self.title_text = norm(title_row.text)
        self.warnings = []
        self.fallback_year = None
        self.stated_year = None
        self.started = False  # set at the first row after the title and its subtitle
        self.mode = ""
        self.money_unit = ""
        self.amount_lines = {}  # amount as read -> its line, for the check against the unit
        self.indicators = IndicatorSection(taxonomy, self.warn)
        found = _TITLE_YEAR.search(norm(title_row.text))
        if found:
            self.stated_year = int(found[1])
        extras = [c for c in title_row.cells[1:] if not _SUBTITLE_YEAR.fullmatch(norm(c.text))]
        if extras:
            self.unplaced(title_row, "标题行", extras)

    def warn_heading_words(self, line, label, text):
        """A goal heading inside a value: an edition's heading not read as one."""
        found = heading_words(text)
        if found:
            message = (
                f"「{label}」中出现了标题文字「{echo(found)}」：可能是未识别的栏目标题，"
                "其后的文字或应属于另一栏，请核对"
            )
            self.warn(line, "heading_in_value", message)

    def warn(self, line, code, message):
        self.warnings.append({"line": line, "code": code, "message": message})

    def is_bare(self):
        """Only the title has been read (a flat table's title looks like a form's)."""
        return not self.started and not self.warnings

    def finish_all(self, year, money_unit):
        return [self.finish(year, money_unit)]

    def unplaced(self, row, where="", cells=None):
        text = " | ".join(cell.text for cell in (cells or row.cells))
        prefix = f"{echo(where)}：" if where else ""
        self.warn(row.line, "unplaced", f"{prefix}无法识别的内容「{echo(text, 80)}」")

    def read(self, row):
        if not self.started:
            found = _SUBTITLE_YEAR.fullmatch(norm(row.text))
            if found:
                self.stated_year = self.stated_year or int(found[1])
                return
        self.started = True
        self.read_row(row)

    def resolve_year(self, year):
        stated = self.stated_year or self.fallback_year
        if stated is not None and stated not in YEARS:
            self.warn(self.line, "bad_year", f"表上年度「{stated}」不是合理的年度，未采用")
            stated = None
        if year is not None:
            if stated is not None and stated != year:
                message = f"表上年度为 {stated} 年，按指定的 {year} 年读取"
                self.warn(self.line, "year_override", message)
            return year
        if stated is None:
            self.warn(self.line, "year_missing", "表上没有找到年度")
        return stated

    def common(self, year):
        self.indicators.flush()
        return {
            "form": self.form_name,
            "year": self.resolve_year(year),
            "name": "",
            "annual_goal": "",
            "value_heading": self.indicators.value_heading,
            "indicators": self.indicators.rows,
            **edition_of(self.indicators.rows),
        }

    def sorted_warnings(self):
        # Some warnings are only known rows later (a value that never came).
        return sorted(self.warnings, key=lambda warning: warning["line"])

    def read_name(self, row, label, text):
        """A short value (a name): a break the extractor put between CJK characters goes."""
        if is_wrapped(text):
            self.warn(
                row.line, "joined_wrapped_text", f"「{label}」中的换行已去掉：「{echo(text)}」"
            )
        return clean_name(text)

    def read_choice(self, row, label, value):
        """A value that may be printed as tick boxes (``全额√ 差额□``)."""
        ticked, boxed = ticked_option(value)
        if not boxed:
            return self.read_name(row, label, value)
        if len(ticked) != 1:
            self.warn(row.line, "choice_unclear", f"「{label}」勾选不明：「{value}」")
        return ticked[0] if ticked else ""

    def read_amount(self, row, label, cell):
        """An amount as printed; refused (None, with a warning) when outside the bound.

        Whether its decimal places suit the unit is checked at the end, when the
        unit is known (check_amounts).
        """
        if cell is None:
            return None
        try:
            amount = amount_str(parse_amount(cell.text))
        except AmountError as exc:
            self.warn(row.line, "bad_amount", f"「{label}」的金额无法识别：{exc}")
            return None
        if amount is not None:
            self.amount_lines[amount] = row.line
        return amount

    def resolve_money_unit(self, money_unit, has_amounts):
        """The unit of the amounts: printed, given (--money-unit), or 元 with a warning."""
        printed = self.money_unit
        if money_unit:
            if printed and printed != money_unit:
                message = f"表上金额单位为「{printed}」，按指定的「{money_unit}」读取"
                self.warn(self.line, "money_unit_override", message)
            return money_unit
        if not printed and has_amounts:
            message = "表上没有写金额单位，已按「元」读取；如为万元请用 --money-unit 万元 重新导入"
            self.warn(self.line, "money_unit_missing", message)
        return printed or "元"

    def check_amounts(self, groups, unit):
        """Refuse amounts finer than the unit allows (2 places in 元, 6 in 万元)."""
        for labels, amounts in groups:
            for field, amount in amounts.items():
                if amount is None:
                    continue
                try:
                    check_amount(parse_amount(amount), unit)
                except AmountError as exc:
                    label = labels.get(field, field)
                    line = self.amount_lines.get(amount, self.line)
                    self.warn(line, "bad_amount", f"「{label}」的金额未导入：{exc}")
                    amounts[field] = None

    def read_count(self, row, label, cell):
        if cell is None:
            return None
        count = parse_count(cell.text)
        if count is None:
            self.warn(row.line, "bad_number", f"「{label}」不是整数：「{cell.text}」")
        return count


def heading_words(text):
    """The first goal heading found inside ``text`` (a known one anywhere, or a
    paragraph that looks like one), else ""."""
    key = norm(text)
    for word in _HEADING_WORDS:
        if word in key:
            return word
    for paragraph in text.split("\n"):
        if _HEADING_LIKE.fullmatch(norm(paragraph)):
            return paragraph.strip()
    return ""
