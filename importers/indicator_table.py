"""The indicator table of a published form, which all three forms share.

``IndicatorSection`` reads it row by row from the rows of ``cells.py``: the
merged 一级 and 二级 labels, the indicator names and values (in four columns or
by a wider header, ``columns.py``), and the doubts about where a row landed.
"""

from filings.limits import MAX_INDICATORS
from filings.money import echo
from importers import labels as printed
from importers.cells import clean_name, is_vertical_fragment, is_wrapped, norm
from importers.columns import ColumnMap, assemble_value
from importers.row_extras import read_extras
from indicators.values import clean_value

INPUT_LEVEL1 = "投入管理指标"  # overall forms only; its 二级 rows may carry no indicator
# Vertical labels spanning the whole indicator block: they name the section, not a level.
SECTION_LABELS = set(printed.SECTION_LABELS)
# A name cut at the edge of its cell: at least this long, its tail on the next row at most.
CUT_NAME_CHARS = 12
CUT_TAIL_CHARS = 6


class IndicatorSection:
    """The indicator rows of one form.

    The 一级 and 二级 cells are merged vertically on the form, so the extracted
    text prints each label once (not always on the first row it covers):
    a label applies from its row downward, and missing levels come from above.
    Where a row's name contradicts the label it landed under (a 及时性 row
    under 数量指标), the convention still holds, with a warning on the line.
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
        self.columns = None  # a ColumnMap when the header has more than the four columns
        self.unchecked = None  # (line, indicator) whose placement is still to be checked
        self.rows_beyond = 0  # rows not read past MAX_INDICATORS
        self.last_line = 0

    @staticmethod
    def is_header(row):
        roles = {printed.INDICATOR_COLUMNS.get(norm(cell.text)) for cell in row.cells}
        return "level1" in roles and "name" in roles

    def starts_here(self, row):
        labels = self.split_labels(row.cells)
        return bool(labels.level1 or labels.level2)

    def read(self, row):
        if len(self.rows) > MAX_INDICATORS:
            # Far more than a form holds: the filing will be refused; reading on is waste.
            self.rows_beyond += 1
            return
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
                f"无法归位：「{echo(' | '.join(cell.text for cell in rest), 80)}」",
            )
            return
        lone_cell = len(rest) == 1 and not has_labels and self.last is not None
        if lone_cell and self.continue_last(row, rest[0]):
            return
        if len(rest) == 1 and self.is_input_note(labels, rest[0].text):
            self.input_note = clean_name(rest[0].text)
            self.note_col = rest[0].col
            self.add("", "")
            return
        if self.columns is not None:
            self.add_mapped(row, rest, has_labels)
        else:
            self.add_named(row, rest, has_labels)

    def read_header(self, row):
        cells = list(row.cells)
        keys = [norm(cell.text) for cell in cells]
        columns = ColumnMap.from_header(cells, row.width, key=norm)
        if columns.needs_map:
            self.columns = columns
            self.name_col = columns.col_of("name")
            self.value_col = columns.col_of("value")
            self.value_heading = self.value_heading or columns.heading_of("value")
            unknown = [cell for cell in cells if cell.col not in columns.columns]
            if unknown:
                texts = "、".join(f"「{echo(cell.text)}」" for cell in unknown)
                self.warn(row.line, "unknown_column", f"指标表的栏目{texts}无法识别，其内容不导入")
            return
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
            at_left = labels.level1 is None and labels.level2 is None and labels.noise2 is None
            if at_left and index + 1 < len(cells) and is_vertical_fragment(key):
                # 绩 / 效指标: a piece of the vertical label beside the level labels.
                continue
            if labels.level2 is None and labels.noise2 is None:
                following = cells[index + 1 :]
                level = self.label_level(key, following, labels.level1)
                if level == 1 and labels.level1 is None:
                    labels.level1, labels.noise1 = self.level1_name(key, following), None
                    if labels.level1 != key:
                        labels.noise1 = cell
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

    def level1_name(self, key, following):
        """The 一级 a label cell stands for: itself, a known misreading, or inferred."""
        if self.taxonomy.is_level1(key):
            return key
        if key in printed.LEVEL1_MISREADINGS:
            return printed.LEVEL1_MISREADINGS[key]
        next_key = norm(following[0].text) if following else ""
        return self.taxonomy.parents_of(next_key)[0]

    def label_level(self, key, following, row_level1):
        """1 for a 一级 label, 2 for a 二级 label, 0 for content."""
        taxonomy = self.taxonomy
        if key in printed.LEVEL1_MISREADINGS:
            return 1
        is_level1 = taxonomy.is_level1(key)
        is_level2 = taxonomy.is_level2(key)
        next_key = norm(following[0].text) if following else ""
        if is_level1 and is_level2:
            # 成本指标 is both: a 二级 under 产出指标 unless a 二级 of its own follows.
            current = row_level1 or self.level1
            if current in taxonomy.parents_of(key) and not taxonomy.is_level2(next_key):
                return 2
            return 1
        if is_level1:
            return 1
        if is_level2:
            return 2
        if row_level1 is None and _looks_like_label(key) and taxonomy.is_level2(next_key):
            # An OCR-broken 一级 (双星指标): the 二级 after it says which one it is.
            return 1
        return 0

    def set_levels(self, row, labels):
        level1, level2 = labels.level1, labels.level2
        if labels.noise1:
            self.warn(
                row.line,
                "level1_noise",
                f"一级指标「{echo(labels.noise1.text)}」疑为识别错误，按「{level1}」读取",
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
                    f"二级指标位置的「{echo(labels.noise2.text)}」不是二级指标名称，{kept}",
                )
        self.level1, self.level2 = level1, level2

    def is_input_note(self, labels, text):
        """The one merged note cell beside the seven 投入管理指标 rows.

        Like any merged cell it may be printed on any row of its span, so it is
        recognised on any 投入管理指标 row before the first named indicator there;
        and where a page break cuts it, its text is printed again on the rows after
        the break (as our Excel export and PDF write it): the same note, not a name.
        """
        if self.level1 != INPUT_LEVEL1 or not labels.level2:
            return False
        if self.input_note and clean_name(text) != self.input_note:
            return False
        return not any(row["level1"] == INPUT_LEVEL1 and row["name"] for row in self.rows)

    def continue_last(self, row, cell):
        """A lone cell under the last indicator: its value, the end of a split word,
        or a piece of a vertical label."""
        last = self.last
        key = norm(cell.text)
        if self.input_note and not last["name"] and cell.col == self.note_col:
            self.input_note += clean_name(cell.text)
            return True
        if cell.col == self.value_col:
            if last["value"]:
                self.warn(
                    row.line,
                    "joined_split_word",
                    f"指标值「{echo(last['value'])}」跨行断开，已与「{echo(cell.text)}」合并",
                )
            self.last_raw_value += cell.text
            last["value"] = clean_value(self.last_raw_value)
            return True
        if (self.name_col is None or cell.col < self.name_col) and is_vertical_fragment(key):
            return True  # 绩 / 效 / 指标 of the vertical label, one piece per line
        short = len(key) <= 2 or (cell.col == self.name_col and len(key) <= 4)
        if short and last["name"]:
            self.join_name(row, cell.text)
            return True
        return False

    def join_name(self, row, piece):
        last = self.last
        self.warn(
            row.line,
            "joined_split_word",
            f"三级指标「{echo(last['name'])}」跨行断开，已与「{echo(piece)}」合并",
        )
        last["name"] = clean_name(last["name"] + piece)

    def split_word_with_value(self, row, name, has_labels):
        """``提高培训质`` then ``量 · =100%``: the name's end came with the value.

        A long name cut at the cell's edge (``…服务对象及其家属`` then ``满意度 · ≥90%``)
        leaves a longer tail: joined when the name before it, with no value of its
        own, is long enough to have filled its cell.
        """
        last = self.last
        if has_labels or last is None or not last["name"] or last["value"]:
            return False
        tail = len(norm(name))
        if tail <= 2:
            return tail > 0
        return tail <= CUT_TAIL_CHARS and len(norm(last["name"])) >= CUT_NAME_CHARS

    def add_named(self, row, cells, has_labels=False):
        name_cell = cells[0]
        value_cell = cells[-1] if len(cells) > 1 else None
        if len(cells) > 2:
            between = " | ".join(cell.text for cell in cells[1:-1])
            self.warn(
                row.line,
                "unplaced",
                f"三级指标「{echo(name_cell.text)}」的名称与指标值之间有多余内容「{echo(between)}」",
            )
        if value_cell is not None and self.split_word_with_value(row, name_cell.text, has_labels):
            self.join_name(row, name_cell.text)
            self.unvalued_line = None
            self.value_col = value_cell.col
            self.last_raw_value = value_cell.text
            self.last["value"] = clean_value(value_cell.text)
            return
        self.name_col = name_cell.col
        if value_cell is None:
            self.add(self.clean_row_name(row, name_cell.text), "", row=row)
            self.unvalued_line = row.line
            return
        self.value_col = value_cell.col
        self.add(self.clean_row_name(row, name_cell.text), value_cell.text, row=row)

    def add_mapped(self, row, cells, has_labels=False):
        """A row of a table with more columns: each cell goes by its heading."""
        roles, strays, shift = self.columns.assign(cells)
        text = {role: " ".join(cell.text for cell in found) for role, found in roles.items()}
        name = text.get("name", "")
        if not name:
            # No cell under 三级指标: the first cell still names the row.
            name, strays = cells[0].text, [cell for cell in strays if cell is not cells[0]]
        value = text.get("value", "")
        if "nature" in self.columns.columns.values() or "unit" in self.columns.columns.values():
            value, doubt = assemble_value(text.get("nature", ""), value, text.get("unit", ""))
            if doubt:
                self.warn(row.line, "value_nature", doubt)
        if value and self.split_word_with_value(row, name, has_labels):
            self.join_name(row, name)
            self.unvalued_line = None
            self.last_raw_value = value
            self.last["value"] = clean_value(value)
            return
        self.add(self.clean_row_name(row, name), value, row=row)
        if not value:
            self.unvalued_line = row.line
        indicator = self.last
        indicator["explanation"] = clean_name(text.get("explanation", ""))
        for heading, cell_text, why in read_extras(indicator, text, self.columns.heading_of):
            message = f"三级指标「{echo(name)}」的「{heading}」：{cell_text}（{why}，未读入）"
            self.warn(row.line, "extra_column", message)
        for cell in roles.get("extra", []):
            heading = self.columns.headings[cell.col + shift]
            message = f"三级指标「{echo(name)}」的「{heading}」：{echo(cell.text, 200)}"
            self.warn(row.line, "extra_column", message)
        if strays:
            between = " | ".join(cell.text for cell in strays)
            self.warn(
                row.line,
                "unplaced",
                f"三级指标「{echo(name)}」所在行有不在任何栏目下的内容「{echo(between)}」",
            )

    def clean_row_name(self, row, text):
        if is_wrapped(text):
            self.warn(row.line, "joined_wrapped_text", f"「{echo(text)}」中的换行已去掉")
        return clean_name(text)

    def flush(self):
        """Report what no later row can change: a missing value, a doubtful placement."""
        if self.rows_beyond:
            total = len(self.rows) + self.rows_beyond
            message = f"指标表约有 {total} 行，超过上限 {MAX_INDICATORS} 条三级指标，未全部读取"
            self.warn(self.last_line, "too_many_indicators", message)
            self.rows_beyond = 0
        if self.unchecked is not None:
            line, indicator = self.unchecked
            self.unchecked = None
            for code, message in placement_doubts(indicator):
                self.warn(line, code, message)
        if self.unvalued_line and not self.last["value"]:
            message = f"三级指标「{echo(self.last['name'])}」没有指标值"
            self.warn(self.unvalued_line, "value_missing", message)
        self.unvalued_line = None

    def add(self, name, raw_value, row=None):
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
        self.last_line = row.line if row is not None else self.last_line
        self.last_raw_value = raw_value
        if row is not None and name:
            # Checked at the next row: a split word joined later may change the name.
            self.unchecked = (row.line, indicator)


def placement_doubts(indicator):
    """Where a row's name contradicts the merged label it landed under (the convention
    keeps the label; the reviewer and the checker see the doubt)."""
    name, level1, level2 = indicator["name"], indicator["level1"], indicator["level2"]
    satisfaction = any(word in name for word in printed.SATISFACTION_WORDS)
    under_satisfaction = level1 == printed.SATISFACTION_LEVEL1
    where = f"「{level1} / {level2}」"
    if satisfaction and not under_satisfaction:
        yield (
            "satisfaction_misplaced",
            f"三级指标「{echo(name)}」像是满意度指标，却在{where}下（按表上位置读取）",
        )
    elif under_satisfaction and not satisfaction:
        yield (
            "satisfaction_misplaced",
            f"三级指标「{echo(name)}」不像满意度指标，却在{where}下（按表上位置读取）",
        )
    timeliness = any(word in name for word in printed.TIMELINESS_WORDS)
    if timeliness and level2 != printed.TIMELINESS_LEVEL2 and not under_satisfaction:
        yield (
            "timeliness_misplaced",
            f"三级指标「{echo(name)}」像是时效指标，却在{where}下（按表上位置读取）",
        )


def _looks_like_label(key):
    return 2 < len(key) <= 10 and key.endswith(("指标", "目标"))


class RowLabels:
    """The labels found at the left of one indicator row."""

    def __init__(self):
        self.level1 = None
        self.noise1 = None  # the cell whose 一级 name was repaired or inferred
        self.level2 = None
        self.noise2 = None  # a label cell in the 二级 position that is no 二级
        self.rest = []
