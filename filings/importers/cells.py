"""Rows and cells of published forms, and the indicator table read from them.

The published forms are text extracted from PDFs: one table cell per tab, or
markdown pipes when another tool did the extraction. A row keeps the column
of every non-empty cell, because merged cells decide where a text belongs
(left or right half of the goals row, value column of an indicator).
``published.py`` reads the parts of each form; the indicator table, which all
three forms share, is read here by ``IndicatorSection``.
"""

import datetime
import html
import re
from dataclasses import dataclass

from indicators.values import clean_value

BENEFIT = "效益指标"
INPUT_LEVEL1 = "投入管理指标"  # overall forms only; its 二级 rows may carry no indicator
# OCR misreadings of 效益指标 seen in the published PDFs.
OCR_LEVEL1 = {"双星指标", "双基指标", "双盲指标", "任意双盲指标"}
# Vertical labels spanning the whole indicator block: they name the section, not a level.
SECTION_LABELS = {"绩效指标", "分解目标"}

# Labels are compared without spaces and in half-width: the PDFs break
# vertical labels into "产出 指标" and mix （） with ().
_HALF_WIDTH = str.maketrans("（）：", "():")
# Only things that look like tags: a value such as "<90%且>80%" must survive.
_TAGS = re.compile(r"</?[A-Za-z][^<>]*>")
# A paragraph ends at </p> or <br>; the other tags just go.
_PARAGRAPH_END = re.compile(r"</p\s*>|<br\s*/?>", re.IGNORECASE)
_DATE = re.compile(r"(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})日?")
_EMPTY_BOXES = "□☐"
_TICKED = "√☑■✓✔"
_BOXES = _EMPTY_BOXES + _TICKED


@dataclass(frozen=True)
class Cell:
    col: int
    text: str


@dataclass(frozen=True)
class Row:
    """One line of the file: its 1-based number and its non-empty cells."""

    line: int
    cells: tuple
    tabular: bool  # False for a line of plain text (no column information)

    @property
    def text(self):
        return " ".join(cell.text for cell in self.cells)


def norm(text):
    """A label as compared: no whitespace, half-width brackets and colon."""
    return "".join(text.split()).translate(_HALF_WIDTH)


def label_key(text):
    """Like norm, without the colon some forms print after a label."""
    return norm(text).rstrip(":")


def is_markdown_separator(line):
    """``--|---`` or ``| --- | :---: |``: the rule under a markdown header row."""
    stripped = line.strip()
    return "--" in stripped and not stripped.strip("|-: ")


def split_row(number, line):
    """Cut one line into cells: on tabs, or on pipes for a markdown row."""
    if "\t" in line:
        pieces = line.split("\t")
    elif "|" in line:
        pieces = line.strip().split("|")
        # The pipes at both ends of "| a | b |" open and close the row, not cells.
        if pieces and not pieces[0].strip():
            pieces = pieces[1:]
        if pieces and not pieces[-1].strip():
            pieces = pieces[:-1]
    else:
        pieces = [line]
    cells = tuple(Cell(col, piece.strip()) for col, piece in enumerate(pieces) if piece.strip())
    return Row(number, cells, tabular=len(pieces) > 1)


def read_rows(text):
    """Every line that holds something, as rows; blank lines are page breaks."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    rows = []
    for number, line in enumerate(text.split("\n"), start=1):
        if is_markdown_separator(line):
            continue
        row = split_row(number, line)
        if row.cells:
            rows.append(row)
    return rows


def clean_name(text):
    """A short text (indicator or task name): no empty check boxes, single spaces."""
    for box in _EMPTY_BOXES:
        text = text.replace(box, "")
    return " ".join(text.split())


def long_text_paragraphs(text):
    """The paragraphs of a long text cell, without HTML and check boxes."""
    text = _PARAGRAPH_END.sub("\n", text)
    text = html.unescape(_TAGS.sub("", text))
    paragraphs = [clean_name(part) for part in text.split("\n")]
    return [part for part in paragraphs if part]


def join_long_text(cells):
    """Long text spread over cells or rows, one paragraph per line."""
    paragraphs = []
    for cell in cells:
        paragraphs.extend(long_text_paragraphs(cell.text))
    return "\n".join(paragraphs)


def parse_date(text):
    """``2023年1月1日``, ``2023-01-01``, ``2023/1/1``, ``2023.01.01`` -> date, else None."""
    match = _DATE.fullmatch("".join(text.split()))
    if not match:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def ticked_option(text):
    """The option ticked in ``专项资金□ 经常性项目√ 一次性项目□``.

    Returns (ticked options, True) for tick-box text and ([], False) for a
    plain value, so the caller can tell "nothing ticked" from "no boxes".
    """
    if not any(box in text for box in _BOXES):
        return [], False
    ticked = []
    option = ""
    for char in text:
        if char in _BOXES:
            if char in _TICKED and option.strip():
                ticked.append(option.strip())
            option = ""
        else:
            option += char
    return ticked, True


def parse_count(text):
    """A whole number such as ``10`` or ``24人``; None when it is not one."""
    digits = norm(text).rstrip("个人家")
    return int(digits) if digits.isdigit() else None


def label_pairs(cells, is_label):
    """Pair each label with the cell after it: (label key, label cell, value cell).

    The value is None when the label is followed by another label or by
    nothing. Cells that are neither a label nor a label's value come back as
    leftovers.
    """
    pairs = []
    leftovers = []
    index = 0
    while index < len(cells):
        cell = cells[index]
        key = label_key(cell.text)
        if not is_label(key):
            leftovers.append(cell)
            index += 1
            continue
        value = None
        if index + 1 < len(cells) and not is_label(label_key(cells[index + 1].text)):
            value = cells[index + 1]
            index += 1
        pairs.append((key, cell, value))
        index += 1
    return pairs, leftovers


class IndicatorSection:
    """The indicator rows of one form.

    The 一级 and 二级 cells are merged vertically on the form, so the extracted
    text prints each label once (not always on the first row it covers):
    a label applies from its row downward, and missing levels come from above.
    """

    def __init__(self, taxonomy, warn):
        self.taxonomy = taxonomy
        self.warn = warn
        self.rows = []
        self.value_heading = ""
        self.input_note = ""
        self.level1 = None
        self.level2 = None
        self.last = None  # the last indicator, which a lone cell may continue
        self.last_raw_value = ""
        self.name_col = None
        self.value_col = None
        self.note_col = None
        self.unvalued_line = None  # line of the last indicator if it came without value

    @staticmethod
    def is_header(row):
        keys = {norm(cell.text) for cell in row.cells}
        return bool(keys & {"一级指标", "一级目标"}) and bool(keys & {"三级指标", "三级目标"})

    def starts_here(self, row):
        labels = self.split_labels(row.cells)
        return bool(labels.level1 or labels.level2)

    def read(self, row):
        if self.is_header(row):
            self.read_header(row)
            return
        labels = self.split_labels(row.cells)
        has_labels = bool(labels.level1 or labels.level2 or labels.noise2)
        if has_labels:
            self.set_levels(row, labels)
        rest = labels.rest
        if not rest:
            if self.level1 == INPUT_LEVEL1 and labels.level2:
                self.add("", "")
            return
        if self.level2 is None:
            self.warn(
                row.line,
                "unplaced",
                f"缺少二级指标（一级指标「{self.level1 or '无'}」），"
                f"无法归位：「{' | '.join(cell.text for cell in rest)}」",
            )
            return
        lone_cell = len(rest) == 1 and not has_labels and self.last is not None
        if lone_cell and self.continue_last(row, rest[0]):
            return
        if len(rest) == 1 and self.is_input_note(labels):
            self.input_note = clean_name(rest[0].text)
            self.note_col = rest[0].col
            self.add("", "")
            return
        self.add_named(row, rest)

    def read_header(self, row):
        cells = list(row.cells)
        keys = [norm(cell.text) for cell in cells]
        third = max(i for i, key in enumerate(keys) if key in ("三级指标", "三级目标"))
        # Until the first indicator says otherwise, names and values sit under
        # their headings: a value pushed onto the next row still finds its place.
        self.name_col = cells[third].col
        if third + 1 < len(cells):
            self.value_col = cells[-1].col
            self.value_heading = self.value_heading or cells[-1].text

    def split_labels(self, cells):
        """Separate the level labels at the left of a row from its content."""
        labels = RowLabels()
        for index, cell in enumerate(cells):
            key = norm(cell.text)
            if key in SECTION_LABELS:
                continue
            if labels.level2 is None and labels.noise2 is None:
                level = self.label_level(key, cells[index + 1 :], labels.level1)
                if level == 1 and labels.level1 is None:
                    labels.level1 = BENEFIT if key in OCR_LEVEL1 else key
                    labels.noise1 = cell if key in OCR_LEVEL1 else None
                    continue
                if level == 1:
                    # A second 一级 name stands where the 二级 belongs.
                    labels.noise2 = cell
                    continue
                if level == 2:
                    labels.level2 = key
                    continue
            labels.rest = list(cells[index:])
            return labels
        return labels

    def label_level(self, key, following, row_level1):
        """1 for a 一级 label, 2 for a 二级 label, 0 for content."""
        taxonomy = self.taxonomy
        if key in OCR_LEVEL1:
            return 1
        is_level1 = taxonomy.is_level1(key)
        is_level2 = taxonomy.is_level2(key)
        if is_level1 and is_level2:
            # 成本指标 is both: a 二级 under 产出指标 unless a 二级 of its own follows.
            current = row_level1 or self.level1
            next_key = norm(following[0].text) if following else ""
            if current in taxonomy.parents_of(key) and not taxonomy.is_level2(next_key):
                return 2
            return 1
        if is_level1:
            return 1
        return 2 if is_level2 else 0

    def set_levels(self, row, labels):
        level1, level2 = labels.level1, labels.level2
        if labels.noise1:
            self.warn(
                row.line,
                "level1_noise",
                f"一级指标「{labels.noise1.text}」疑为识别错误，按「{BENEFIT}」读取",
            )
        if level2 is not None:
            if level1 is None:
                # Mostly the 一级 cell is simply not printed on this row.
                parents = self.taxonomy.parents_of(level2)
                level1 = self.level1 if self.level1 in parents else parents[0]
            elif level2 not in self.taxonomy.level2_names(level1):
                # The 二级 name is the more specific label; a pair outside the
                # taxonomy could not be saved, so follow the 二级 to its own 一级.
                parent = self.taxonomy.parents_of(level2)[0]
                self.warn(
                    row.line,
                    "level_mismatch",
                    f"二级指标「{level2}」不属于一级指标「{level1}」，按「{parent}」读取",
                )
                level1 = parent
        else:
            if level1 is None:
                level1 = self.level1
            level2 = self.level2 if level1 == self.level1 else None
            if labels.noise2:
                kept = f"沿用「{level2}」" if level2 else "无法确定二级指标"
                self.warn(
                    row.line,
                    "level2_noise",
                    f"二级指标位置的「{labels.noise2.text}」不是二级指标名称，{kept}",
                )
        self.level1, self.level2 = level1, level2

    def is_input_note(self, labels):
        """The one merged note cell beside the seven 投入管理指标 rows.

        Like any merged cell it may be printed on any row of its span, so it is
        recognised on any 投入管理指标 row before the first named indicator there.
        """
        if self.level1 != INPUT_LEVEL1 or not labels.level2 or self.input_note:
            return False
        return not any(row["level1"] == INPUT_LEVEL1 and row["name"] for row in self.rows)

    def continue_last(self, row, cell):
        """A lone cell under the last indicator: its value, or the end of a split word."""
        last = self.last
        if self.input_note and not last["name"] and cell.col == self.note_col:
            self.input_note += clean_name(cell.text)
            return True
        if cell.col == self.value_col:
            if last["value"]:
                self.warn(
                    row.line,
                    "joined_split_word",
                    f"指标值「{last['value']}」跨行断开，已与「{cell.text}」合并",
                )
            self.last_raw_value += cell.text
            last["value"] = clean_value(self.last_raw_value)
            return True
        if cell.col == self.name_col and len(cell.text) <= 4:
            self.warn(
                row.line,
                "joined_split_word",
                f"三级指标「{last['name']}」跨行断开，已与「{cell.text}」合并",
            )
            last["name"] = clean_name(last["name"] + cell.text)
            return True
        return False

    def add_named(self, row, cells):
        name_cell = cells[0]
        value_cell = cells[-1] if len(cells) > 1 else None
        if len(cells) > 2:
            between = " | ".join(cell.text for cell in cells[1:-1])
            self.warn(
                row.line,
                "unplaced",
                f"三级指标「{name_cell.text}」的名称与指标值之间有多余内容「{between}」",
            )
        self.name_col = name_cell.col
        if value_cell is None:
            self.add(clean_name(name_cell.text), "")
            self.unvalued_line = row.line
            return
        self.value_col = value_cell.col
        self.add(clean_name(name_cell.text), value_cell.text)

    def flush(self):
        """Report a missing value once no later row can supply it."""
        if self.unvalued_line and not self.last["value"]:
            message = f"三级指标「{self.last['name']}」没有指标值"
            self.warn(self.unvalued_line, "value_missing", message)
        self.unvalued_line = None

    def add(self, name, raw_value):
        self.flush()
        indicator = {
            "level1": self.level1,
            "level2": self.level2,
            "name": name,
            "value": clean_value(raw_value),
            "explanation": "",
            "basis": "",
        }
        self.rows.append(indicator)
        self.last = indicator
        self.last_raw_value = raw_value


class RowLabels:
    """The labels found at the left of one indicator row."""

    def __init__(self):
        self.level1 = None
        self.noise1 = None  # the OCR-broken cell read as 效益指标
        self.level2 = None
        self.noise2 = None  # a label cell in the 二级 position that is no 二级
        self.rest = []
