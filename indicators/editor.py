"""The indicator editor: what its page needs, and saving its rows.

The browser holds the whole indicator table of one filing and sends it back,
complete and in order, on every autosave. ``save_rows`` replaces the filing's
rows with that table under the filing's ``lock_version`` (see
``filings.editing``), so a save made from a stale page is refused instead of
undoing somebody else's work. Rows keep their ``key`` across saves: comments,
version diffs and the Excel round trip point at it.

``parse_pasted`` reads a block of rows copied from a spreadsheet, because
filers keep their indicators in Excel today.
"""

import csv
import io
import uuid
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from filings import cleaning, content
from filings.checks import run_checks
from filings.limits import MAX_INDICATORS
from indicators import weights
from indicators.models import Framework, Indicator, Level1
from indicators.taxonomy import Taxonomy
from indicators.values import format_value, parse_value

# A filing has a few dozen rows (the largest seed 62); far more is a mistake or abuse,
# and one save must stay a handful of queries. The importers' limit: a filing they
# accept must stay editable.
MAX_ROWS = MAX_INDICATORS
NAME_MAX = Indicator._meta.get_field("name").max_length
VALUE_MAX = Indicator._meta.get_field("value").max_length
EXPLANATION_MAX = 2000
_NUMBER = Indicator._meta.get_field("number")
BASIS_VALUES = frozenset(Indicator.Basis.values)
# The texts of a row: (key, label, most characters, whether line breaks are kept).
_ROW_TEXTS = (
    ("name", "三级指标", NAME_MAX, True),  # a wrapped cell of the printed table
    ("value", "指标值", VALUE_MAX, False),
    ("explanation", "指标解释", EXPLANATION_MAX, True),
)
# The texts the 2021 rules added, read only when posted (an older page does not send them).
_EXTRA_TEXTS = (
    ("basis_text", "设定依据说明", EXPLANATION_MAX, True),
    ("period_value", "全周期指标值", VALUE_MAX, False),
)
DIRECTION_VALUES = frozenset(Indicator.Direction.values)
# A save that posts no 预算执行率分值 (a page from before it was offered) keeps the filing's.
NOT_POSTED = object()


def row_json(indicator):
    """One row as the editor's script holds it."""
    level2 = indicator.level2
    return {
        "key": str(indicator.key) if indicator.pk else "",
        "level1": level2.level1_id,
        "level2": level2.pk,
        "level1_name": level2.level1.name,
        "level2_name": level2.name,
        "name": indicator.name,
        "value": indicator.value,
        "explanation": indicator.explanation,
        "basis": indicator.basis,
        "basis_text": indicator.basis_text,
        "core": indicator.core,
        "direction": indicator.direction,
        "period_value": indicator.period_value,
        "weight": format(indicator.weight, "f") if indicator.weight is not None else "",
        **parsed_json(indicator),
    }


def weights_json(filing, indicators):
    """The 分值 the filing is scored against: each row's (set or shared), 预算执行率's, the sum.

    ``counted``: whether weights count at all (a project; an overall filing with any set).

    ``indicators`` with their ``level2.level1``; read by the editor's placeholders
    and its 分值合计 line after every save (indicators.weights is the one rule).
    """
    framework = filing.framework or Framework.objects.default()
    rows, execution = weights.effective_weights(
        indicators,
        framework,
        is_project=filing.is_project,
        execution_weight=filing.execution_weight,
    )
    as_text = {str(key): format(weight, "f") for key, weight in rows.items() if weight is not None}
    set_any = filing.execution_weight is not None or any(
        indicator.weight is not None for indicator in indicators
    )
    default = weights.default_execution(framework, is_project=filing.is_project)
    return {
        "edition": framework.name,
        "rows": as_text,
        "execution": _points_text(execution),
        # The filing's own 预算执行率分值 (its input), and what blank stands for (placeholder).
        "execution_set": _points_text(filing.execution_weight),
        "execution_default": _points_text(default),
        "total": format(weights.total(rows, execution), "f"),
        "counted": filing.is_project or set_any,
    }


def _points_text(weight):
    return format(weight, "f") if weight is not None else ""


def parsed_json(indicator):
    """The parsed parts of a row's value and its display in the city system's style.

    Read afresh from the value: the number column holds six decimals, the filer
    wrote ``30`` or ``30.00``, and the preview shows what was written.
    """
    return _parsed_json(parse_value(indicator.value))


def _parsed_json(parsed):
    number = parsed.number
    return {
        "value_type": parsed.value_type,
        "operator": parsed.operator,
        "number": format(number, "f") if number is not None else None,
        "unit": parsed.unit,
        "display": format_value(parsed.operator, number, parsed.unit),
    }


def missing_input_block(filing, indicators, taxonomy):
    """Placeholder rows for the 二级 of overall-only 一级 that an overall filing lacks.

    An overall filing always starts with the 投入管理指标 block: one empty row per
    二级, under the filing's ``input_note``. They are unsaved until the first save.
    """
    if filing.is_project:
        return []
    present = {indicator.level2_id for indicator in indicators}
    return [
        Indicator(filing=filing, level2=level2, name="", value="")
        for level2 in taxonomy.overall_level2s()
        if level2.pk not in present
    ]


def _url(name, *args):
    # The library is built separately; the editor hides its features until it exists.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def editor_context(filing, access):
    """What ``indicators/editor.html`` needs to edit the rows of ``filing``."""
    taxonomy = Taxonomy.load()
    indicators = list(filing.indicators.all())
    for indicator in indicators:
        indicator.level2 = taxonomy.by_id[indicator.level2_id]
    indicators = missing_input_block(filing, indicators, taxonomy) + indicators
    used_level2 = {indicator.level2_id for indicator in indicators}
    return {
        "editor": {
            "filing": filing.pk,
            "form": filing.form,
            "is_overall": not filing.is_project,
            "can_edit": access.can_edit,
            "lock_version": filing.lock_version,
            # In ms, to compare with the browser's copy of unsaved rows.
            "updated_at": int(filing.updated_at.timestamp() * 1000) if filing.updated_at else 0,
            "input_note": filing.input_note,
            "value_heading": filing.value_heading or filing.default_value_heading,
            "taxonomy": taxonomy.for_filing(filing, used_level2),
            "rows": [row_json(indicator) for indicator in indicators],
            "basis_choices": [[value, str(label)] for value, label in Indicator.Basis.choices],
            "direction_choices": [
                [value, str(label)] for value, label in Indicator.Direction.choices
            ],
            "weights": weights_json(filing, indicators),
            "max_rows": MAX_ROWS,
            "name_max": NAME_MAX,
            "value_max": VALUE_MAX,
            "storage_key": f"perfgoals:indicators:{filing.pk}",
            "urls": {
                "save": reverse("indicators:save_rows", args=[filing.pk]),
                "parse_value": reverse("indicators:parse_value"),
                "parse_paste": reverse("indicators:parse_paste", args=[filing.pk]),
                "library_suggest": _url("indicators:library_suggest"),
                "library_add": _url("indicators:library_add"),
            },
        },
    }


@dataclass
class SaveResult:
    """What a save did: the rows in their new order, or why nothing was saved."""

    ok: bool
    lock_version: int | None = None
    indicators: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # [{"row": n, "field": ..., "message": ...}]
    saved_at: object = None

    def findings(self, filing, taxonomy=None):
        """The checker's findings about the indicator table, after this save."""
        found = run_checks(filing, indicators=self.indicators, taxonomy=taxonomy)
        return [finding for finding in found if finding.field == "indicators"]


def _label(number, label):
    return f"「第 {number} 行 {label}」"


def _text(raw, number, label, limit, errors, field_name, *, multiline=False):
    if raw is None:
        return ""
    if not isinstance(raw, str):
        errors.append(
            _error(
                number, field_name, _("%(where)s格式不正确。") % {"where": _label(number, label)}
            )
        )
        return ""
    text = raw.strip()
    # The one cleaner: control and direction characters, line breaks where one line is
    # printed (the name, the value), lone surrogates and the length are refused.
    problem = cleaning.text_problem(text, multiline=multiline, max_length=limit)
    if problem:
        errors.append(_error(number, field_name, f"{_label(number, label)}{problem}。"))
        return text
    return cleaning.normalise_lines(text) if multiline else text


def _error(number, field_name, message):
    return {"row": number, "field": field_name, "message": message}


def _level2_of(raw, number, taxonomy, errors):
    """The row's 二级: by id, or by the names of its 一级 and 二级."""
    level2_id = raw.get("level2")
    # isdigit() alone says yes to "²" and "٣", which int() refuses.
    if isinstance(level2_id, str) and level2_id.isascii() and level2_id.isdigit():
        level2_id = int(level2_id)
    if isinstance(level2_id, int) and not isinstance(level2_id, bool):
        level2 = taxonomy.by_id.get(level2_id)
    elif isinstance(level2_id, str) and level2_id.strip():
        level1_name = raw.get("level1_name") or raw.get("level1") or ""
        level2 = taxonomy.level2(str(level1_name).strip(), level2_id.strip())
    else:
        errors.append(
            _error(number, "level2", _("%(where)s未选择。") % {"where": _label(number, "二级指标")})
        )
        return None
    if level2 is None:
        errors.append(
            _error(
                number,
                "level2",
                _("%(where)s不在指标体系中，请重新选择。") % {"where": _label(number, "二级指标")},
            )
        )
    return level2


def validate_rows(rows, taxonomy):
    """Read the posted rows into dicts of clean values, and the errors found.

    Nothing is saved when there is any error: the browser keeps the table and
    shows each message at its row.
    """
    if not isinstance(rows, list):
        return [], [_error(None, "", _("提交的指标数据格式不正确，请刷新页面后重试。"))]
    if len(rows) > MAX_ROWS:
        message = _("三级指标最多 %(max)s 行，现有 %(count)s 行：请删除多余的行后再保存。") % {
            "max": MAX_ROWS,
            "count": len(rows),
        }
        return [], [_error(None, "", message)]
    cleaned, errors = [], []
    for number, raw in enumerate(rows, start=1):
        if not isinstance(raw, dict):
            errors.append(_error(number, "", _("第 %(n)s 行格式不正确。") % {"n": number}))
            continue
        level2 = _level2_of(raw, number, taxonomy, errors)
        name, value, explanation = (
            _text(raw.get(part), number, label, limit, errors, part, multiline=multiline)
            for part, label, limit, multiline in _ROW_TEXTS
        )
        basis = _basis(raw.get("basis") or "", number, errors)
        if value:
            problem = content.number_problem(parse_value(value).number)
            if problem:
                where = _label(number, "指标值")
                errors.append(_error(number, "value", f"{where}{problem}"))
        extras = _row_extras(raw, number, errors)
        key = raw.get("key") or ""
        try:
            key = uuid.UUID(str(key)) if key else None
        except ValueError:
            key = None
        cleaned.append(
            {
                "key": key,
                "level2": level2,
                "name": name,
                "value": value,
                "explanation": explanation,
                "basis": basis,
                **extras,
            }
        )
    return cleaned, errors


def _basis(basis, number, errors):
    if basis and (not isinstance(basis, str) or basis not in BASIS_VALUES):
        message = _("%(where)s只能选择：%(choices)s。") % {
            "where": _label(number, "设定依据"),
            "choices": "、".join(Indicator.Basis.values),
        }
        errors.append(_error(number, "basis", message))
        return ""
    return basis


def _row_extras(raw, number, errors):
    """The fields of the 2021 rules that ``raw`` posts, cleaned (those it leaves out are kept)."""
    extras = {}
    for part, label, limit, multiline in _EXTRA_TEXTS:
        if part in raw:
            extras[part] = _text(raw[part], number, label, limit, errors, part, multiline=multiline)
    if "core" in raw:
        # The page sends true or false; anything else ("yes", 1) was read as 否, silently.
        if raw["core"] is None or isinstance(raw["core"], bool):
            extras["core"] = raw["core"] is True
        else:
            message = _("%(where)s应为是或否。") % {"where": _label(number, "核心指标")}
            errors.append(_error(number, "core", message))
    direction = raw.get("direction")
    if direction:
        # A list or an object posted here is refused like any other value, not hashed.
        if not isinstance(direction, str) or direction not in DIRECTION_VALUES:
            choices = "、".join(str(label) for _v, label in Indicator.Direction.choices)
            message = _("%(where)s只能选择：%(choices)s。") % {
                "where": _label(number, "指标方向"),
                "choices": choices,
            }
            errors.append(_error(number, "direction", message))
        else:
            extras["direction"] = direction
    elif "direction" in raw:
        extras["direction"] = ""
    if "weight" in raw:
        try:
            extras["weight"] = weights.parse_weight(raw["weight"])
        except weights.WeightError as exc:
            errors.append(_error(number, "weight", f"{_label(number, '分值')}：{exc}"))
    return extras


def _execution_weight(raw, errors):
    """The posted 预算执行率分值 as ``{field: value}`` to save, {} when not posted or wrong."""
    if raw is NOT_POSTED:
        return {}  # an older page: the filing keeps its value
    try:
        return {"execution_weight": weights.parse_weight(raw)}
    except weights.WeightError as exc:
        label = _("预算执行率分值")
        errors.append(_error(None, "execution_weight", f"「{label}」：{exc}"))
        return {}


def save_rows(filing, seen_version, rows, *, taxonomy=None, execution_weight=NOT_POSTED):
    """Replace the rows of ``filing`` with ``rows`` (in order) as its next version.

    Validates the posted rows (messages at their rows) and the posted
    预算执行率分值 (blank: the edition's default), then writes them through
    ``filings.content.save_indicators``: a row whose ``key`` is one of the
    filing's rows updates it, any other row is created with a new key, the
    filing's rows missing from ``rows`` are deleted. Raises ``StaleEdit`` when
    the filing changed since ``seen_version`` or may no longer be edited;
    returns a result with ``errors`` (and saves nothing) when a value is invalid.
    """
    taxonomy = taxonomy or Taxonomy.load()
    cleaned, errors = validate_rows(rows, taxonomy)
    fields = _execution_weight(execution_weight, errors)
    if errors:
        return SaveResult(ok=False, errors=errors)
    for name, value in fields.items():
        setattr(filing, name, value)
    try:
        version, kept = content.save_indicators(filing, seen_version, cleaned, names=fields)
    except content.ContentRefused as refused:
        if fields:  # the filing as saved, not as refused
            filing.refresh_from_db(fields=list(fields))
        errors = [_error(p.row, p.field, p.message) for p in refused.problems]
        return SaveResult(ok=False, errors=errors)
    return SaveResult(ok=True, lock_version=version, indicators=kept, saved_at=timezone.now())


# --- Paste from Excel --------------------------------------------------------

_HEADER_WORDS = ("一级指标", "二级指标", "三级指标", "指标值", "一级目标", "三级目标")


@dataclass
class PasteResult:
    """Rows read from pasted text (editor row dicts) and the lines that could not be read."""

    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)  # [{"line": n, "text": ..., "message": ...}]


def _cells(text):
    """Tab-separated lines as lists of cells, with Excel's quoting of multi-line cells undone."""
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")), delimiter="\t")
    for line, cells in enumerate(reader, start=1):
        yield line, [" ".join(cell.split()) if "\n" not in cell else cell.strip() for cell in cells]


def parse_pasted(text, taxonomy, filing, *, level2_id=None):
    """Read rows copied from a spreadsheet.

    Columns by count: 2 = 三级/指标值 (under the 二级 ``level2_id``, the row where the
    paste happened); 3 = 二级/三级/指标值 (一级 from the taxonomy); 4 = 一级/二级/三级/指标值;
    5–6 = the four plus 指标解释 and 设定依据. A blank 一级 or 二级 cell takes the one of
    the line above (merged cells in Excel). A header line is skipped.
    """
    result = PasteResult()
    default_level2 = taxonomy.by_id.get(level2_id) if level2_id else None
    above = ("", "")  # the 一级 and 二级 of the last row read, for blank (merged) cells
    for line, cells in _cells(text or ""):
        while cells and not cells[-1].strip() and len(cells) > 4:
            cells.pop()  # empty trailing columns of a wider selection
        if not any(cell.strip() for cell in cells):
            continue
        if any(cell.strip() in _HEADER_WORDS for cell in cells):
            continue
        raw = "\t".join(cells)
        try:
            columns = _pasted_columns(cells, taxonomy, default_level2, above)
            if columns is None:
                continue
            indicator = _pasted_indicator(columns, taxonomy, filing)
        except _PasteProblem as problem:
            result.problems.append({"line": line, "text": raw, "message": str(problem)})
            continue
        if columns.basis and indicator.basis != columns.basis:
            message = _("设定依据「%(basis)s」不是可选项（%(choices)s），已留空。") % {
                "basis": columns.basis,
                "choices": "、".join(Indicator.Basis.values),
            }
            result.problems.append({"line": line, "text": raw, "message": message})
        above = (columns.level1, columns.level2)
        result.rows.append(row_json(indicator))
    return result


class _PasteProblem(ValueError):
    """A pasted line that cannot be read; the message says why, in Chinese."""


@dataclass
class _PastedColumns:
    level1: str
    level2: str
    name: str
    value: str
    explanation: str = ""
    basis: str = ""


def _pasted_columns(cells, taxonomy, default_level2, above):
    """The columns of one pasted line by their count, or None for a line of blanks."""
    level1_above, level2_above = above
    count = len(cells)
    explanation = basis = ""
    if count == 1:
        raise _PasteProblem(_("只有一列：请同时复制「三级指标」和「指标值」两列。"))
    if count == 2:
        if default_level2 is None:
            raise _PasteProblem(_("只有「三级指标」「指标值」两列：请先选择要放入的二级指标。"))
        level1, level2 = default_level2.level1.name, default_level2.name
        name, value = cells
    elif count == 3:
        level2, name, value = cells
        level2 = level2.strip() or level2_above
        parents = taxonomy.parents_of(level2)
        if level1_above in parents:
            level1 = level1_above
        elif len(parents) == 1:
            level1 = parents[0]
        else:
            level1 = ""
    elif count <= 6:
        level1, level2, name, value = cells[:4]
        level1 = level1.strip() or level1_above
        level2 = level2.strip() or (level2_above if level1 == level1_above else "")
        explanation = cells[4].strip() if count > 4 else ""
        basis = cells[5].strip() if count > 5 else ""
    else:
        raise _PasteProblem(
            _("有 %(n)s 列，无法识别：请复制一级、二级、三级指标和指标值四列。") % {"n": count}
        )
    name, value = name.strip(), value.strip()
    if not name and not value:
        return None
    return _PastedColumns(level1, level2, name, value, explanation, basis)


def _pasted_indicator(columns, taxonomy, filing):
    """The unsaved indicator of one pasted line; a basis that is not a choice is left blank."""
    level1, level2 = columns.level1, columns.level2
    level2_obj = taxonomy.level2(level1, level2)
    if level2_obj is None:
        if not level2:
            raise _PasteProblem(_("没有二级指标，上面也没有可沿用的二级指标。"))
        if level1 and not taxonomy.is_level1(level1):
            raise _PasteProblem(_("「%(name)s」不是一级指标。") % {"name": level1})
        if level1:
            raise _PasteProblem(
                _("「%(l2)s」不是「%(l1)s」下的二级指标。") % {"l2": level2, "l1": level1}
            )
        raise _PasteProblem(_("「%(name)s」不是指标体系中的二级指标。") % {"name": level2})
    if filing.is_project and level2_obj.level1.scope == Level1.Scope.OVERALL:
        raise _PasteProblem(_("「%(name)s」只用于整体支出表。") % {"name": level1})
    if len(columns.name) > NAME_MAX or len(columns.value) > VALUE_MAX:
        raise _PasteProblem(_("三级指标或指标值超过 %(limit)s 个字。") % {"limit": NAME_MAX})
    basis = columns.basis if columns.basis in BASIS_VALUES else ""
    indicator = Indicator(
        level2=level2_obj, name=columns.name, explanation=columns.explanation, basis=basis
    )
    indicator.set_value(columns.value)
    return indicator
