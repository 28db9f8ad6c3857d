"""What each column of an indicator table holds, read from its header row.

The four-column table of the seeds (一级 · 二级 · 三级 · 指标值) is read by
position, because its extraction shifts merged cells freely. Tables of other
editions add columns (指标解释, 指标值设定依据, 评（扣）分标准, 权重, 指标方向性,
or the value in three parts 指标性质 · 指标值 · 度量单位); there the column under
each heading decides what a cell is, so that an extra column never becomes the
target value.
"""

from dataclasses import dataclass, field

from importers.labels import (
    INDICATOR_COLUMNS,
    NATURE_OPERATORS,
    NOT_VALUE_HEADING_WORDS,
    VALUE_HEADING_WORDS,
)

# The roles of the plain table: anything else needs the column map.
PLAIN_ROLES = {"level1", "level2", "name", "value"}


def column_role(key, table=INDICATOR_COLUMNS):
    """The role of a header cell (a label_key), or None when it names no known column."""
    if key in table:
        return table[key]
    names_value = any(word in key for word in VALUE_HEADING_WORDS)
    if "指标值" in table and names_value:
        if any(word in key for word in NOT_VALUE_HEADING_WORDS):
            return None
        return "value"
    return None


@dataclass
class ColumnMap:
    """Header cells by role: role -> (column, heading text)."""

    columns: dict = field(default_factory=dict)  # col -> role
    headings: dict = field(default_factory=dict)  # col -> heading as printed
    width: int = 0

    @classmethod
    def from_header(cls, cells, width=0, table=INDICATOR_COLUMNS, key=None):
        found = cls(width=width)
        for cell in cells:
            role = column_role(key(cell.text), table) if key else None
            if role:
                found.columns[cell.col] = role
                found.headings[cell.col] = cell.text
        return found

    def col_of(self, role):
        return next((col for col, r in self.columns.items() if r == role), None)

    def heading_of(self, role):
        col = self.col_of(role)
        return self.headings.get(col, "") if col is not None else ""

    @property
    def needs_map(self):
        """True when the table has columns besides 一级 · 二级 · 三级 · 指标值, or
        its value is not the last column."""
        roles = list(self.columns.values())
        if set(roles) - PLAIN_ROLES:
            return True
        value_col = self.col_of("value")
        return value_col is not None and value_col != max(self.columns)

    def assign(self, cells, first_role="name"):
        """Cells of one row -> {role: [cells]} and the cells no heading covers.

        Merged cells shift a row by a column or two: the shift that puts the
        most cells under a heading wins, the first cell under ``first_role``
        breaking ties.
        """
        best = None
        for shift in (0, -1, 1, -2, 2):
            hits = sum((cell.col + shift) in self.columns for cell in cells)
            first = cells and self.columns.get(cells[0].col + shift) == first_role
            score = (hits, bool(first), -abs(shift))
            if best is None or score > best[0]:
                best = (score, shift)
        shift = best[1] if best else 0
        roles = {}
        strays = []
        for cell in cells:
            role = self.columns.get(cell.col + shift)
            if role is None:
                strays.append(cell)
            else:
                roles.setdefault(role, []).append(cell)
        return roles, strays, shift


def assemble_value(nature, value, unit):
    """One value from the three columns 指标性质 · 指标值 · 度量单位: ≥ · 95 · % -> ≥95%.

    Returns (value, doubt): doubt is a message when 指标性质 is not understood
    (the value is then kept as written, without the operator).
    """
    nature_key = "".join(nature.split())
    value = value.strip()
    unit = unit.strip()
    doubt = ""
    operator = NATURE_OPERATORS.get(nature_key)
    if operator is None:
        operator = ""
        if nature_key:
            doubt = f"指标性质「{nature}」无法识别，指标值按「{value}{unit}」读取"
    if nature_key == "定性" or not value:
        return value, doubt
    if unit and not value.endswith(unit):
        value += unit
    if operator and not value.startswith(tuple(NATURE_OPERATORS)):
        value = operator + value
    return value, doubt
