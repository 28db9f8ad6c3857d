"""The checker (审核规则检查): every rule of rules.md as a registered function.

A rule is one decorated function in the module of its family (``structure``,
``funds``, ``values``, ``library``)::

    @rule("FUNDS_PROJECT_TOTAL", severity=ERROR, basis="…", forms=(PROJECT,))
    def project_total(ctx):
        if ...:
            yield Hit("项目资金总额 … ≠ …", field="funds_total")

The registry fills in the code, severity and basis; ``run_checks`` runs every
rule that applies to the filing's form and returns the findings in the order
of the form (header fields, money, tasks, then indicator rows). Errors block
submission, warnings inform the filer and the reviewer.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import Exists, OuterRef

from filings import fields

# Registered by the families, on import: they register with ``registry``, not with this
# package, so that neither imports the other.
from filings.checks import funds, library, structure, summary, targets, values  # noqa: F401
from filings.checks.profiles import DEFAULT, ProfileCache, profile_for  # noqa: F401
from filings.checks.registry import (  # noqa: F401  (the checker's API: filings.checks.ERROR…)
    ALL_FORMS,
    COST_LEVEL1,
    DEPARTMENT,
    ERROR,
    OVERALL,
    PROJECT,
    SEVERITY_LABELS,
    TOLERANCE,
    UNIT,
    WARNING,
    Finding,
    Hit,
    Rule,
    has_errors,
    rule,
    rules,
    title_of,
)
from filings.models import Filing
from filings.money import format_amount
from indicators.taxonomy import Taxonomy, edition_of, edition_rows
from indicators.values import parse_value
from perfgoals.folding import name_key

_TO_YUAN = {Filing.MoneyUnit.YUAN: Decimal(1), Filing.MoneyUnit.WAN_YUAN: Decimal(10000)}


@dataclass(frozen=True)
class Row:
    """A third-level indicator as the rules see it: the model row plus its position."""

    number: int  # 1-based position in the filing's indicator order
    indicator: object

    @cached_property  # read by most rules, for every row: an autosave runs them all
    def name(self):
        return name_key(self.indicator.name)

    @property
    def value(self):
        return (self.indicator.value or "").strip()

    @property
    def level2(self):
        return self.indicator.level2

    @property
    def level1(self):
        return self.indicator.level2.level1

    @cached_property
    def parsed(self):
        """The value read afresh, so unsaved rows need not have run set_value."""
        return parse_value(self.value)

    @property
    def is_placeholder(self):
        """An empty row that only keeps a 二级 printed (the 投入管理指标 block)."""
        return not self.name and not self.value

    @property
    def key(self):
        return str(self.indicator.key)

    @property
    def label(self):
        """How a message names the row: 第 N 条三级指标「名称」."""
        return f"第 {self.number} 条三级指标「{self.indicator.name.strip()}」"


@dataclass(frozen=True)
class TaskRow:
    """A row of 年度重点任务."""

    number: int
    task: object

    @property
    def key(self):
        return str(self.task.key)

    @property
    def label(self):
        return f"第 {self.number} 项年度重点任务「{self.task.name.strip()}」"


# Labels exactly as printed on the forms, where they differ from the model's
# verbose_name (which must stay unique within the model).
_PROJECT_LABELS = {
    "name": "项目名称",
    "annual_other": "其他资金",
    "annual_goal": "年度总体目标",
}
_OVERALL_LABELS = {"annual_goal": "年度履职目标"}


class CheckContext:
    """What a rule reads: the filing, its rows, the taxonomy and money helpers."""

    def __init__(self, filing, indicators, tasks, taxonomy=None):
        self.filing = filing
        self.rows = [Row(number, ind) for number, ind in enumerate(indicators, start=1)]
        self.tasks = [TaskRow(number, task) for number, task in enumerate(tasks, start=1)]
        self._taxonomy = taxonomy
        self.cache = {}  # what the rules of one family read once and share (summary.py)

    @cached_property
    def named_rows(self):
        """Rows that are real indicators (not empty placeholders)."""
        return [row for row in self.rows if not row.is_placeholder]

    @cached_property
    def taxonomy(self):
        """The taxonomy (``indicators.taxonomy.Taxonomy``): one query, only when a rule asks."""
        if self._taxonomy is None:
            self._taxonomy = Taxonomy.load()
        return self._taxonomy

    @cached_property
    def edition(self):
        """The 二级 the filing's edition offers, {level2 id: 一级 name}; None when any goes.

        From the taxonomy when the caller gave one, else one query, only when a rule
        asks of rows not read by ``indicators_of`` (which says it in the same query).
        """
        framework_id = self.filing.framework_id
        if self._taxonomy is not None:
            return self._taxonomy.edition_of(framework_id)
        return edition_of(framework_id)

    def in_edition(self, row):
        """Whether the filing's edition offers ``row``'s 二级 (``Taxonomy.in_edition``)."""
        annotated = getattr(row.indicator, "in_edition", None)
        if annotated is not None:
            return annotated
        return self.edition is None or row.level2.pk in self.edition

    def edition_has_cost(self):
        """Whether the filing's edition has 成本指标 as a 一级 (财预〔2021〕101号)."""
        annotated = getattr(self.rows[0].indicator, "edition_has_cost", None) if self.rows else None
        if annotated is not None:
            return annotated
        return COST_LEVEL1 in (self.edition or {}).values()

    def label(self, field):
        """The label of a Filing field as printed on this filing's form."""
        filing = self.filing
        labels = _PROJECT_LABELS if filing.is_project else _OVERALL_LABELS
        if field in labels:
            return labels[field]
        if field == "name":
            return "部门名称" if filing.is_department else "单位名称"
        if field == "duties":
            return "部门职责" if filing.is_department else "单位职责"
        return str(Filing._meta.get_field(field).verbose_name)

    @property
    def value_label(self):
        """The heading of the value column (年度指标值, 指标目标值, …)."""
        return self.filing.value_heading or self.filing.default_value_heading

    @property
    def money_unit(self):
        return self.filing.money_unit or Filing.MoneyUnit.YUAN

    def yuan(self, amount):
        """An amount of this filing in 元 (None stays None)."""
        if amount is None:
            return None
        return Decimal(amount) * _TO_YUAN.get(self.money_unit, Decimal(1))

    def money(self, amount):
        """An amount as printed, with the unit: ``2,013,200.00 元``."""
        return f"{format_amount(amount)} {self.money_unit}"

    @staticmethod
    def equal(a, b):
        return abs(a - b) <= TOLERANCE


def _fetch(filing, related, *select):
    """Rows of a related table: from a prefetch if there is one, else one query."""
    if filing.pk is None:
        return []
    if related in getattr(filing, "_prefetched_objects_cache", {}):
        return list(getattr(filing, related).all())
    if related == "indicators":
        return indicators_of(filing)
    return list(getattr(filing, related).select_related(*select))


def indicators_of(filing):
    """A saved filing's indicator rows as the checker reads them, in one query.

    Each row says whether the filing's edition offers its 二级 (``in_edition``)
    and whether that edition has 成本指标 as a 一级 (``edition_has_cost``):
    subqueries of the same query, where loading the editions would be another.
    Pages that check the rows they show read them here.
    """
    edition = edition_rows(filing.framework_id)
    return list(
        filing.indicators.select_related("level2__level1").annotate(
            in_edition=Exists(edition.filter(level2_id=OuterRef("level2_id"))),
            edition_has_cost=Exists(edition.filter(level2__level1__name=COST_LEVEL1)),
        )
    )


def run_checks(filing, indicators=None, tasks=None, *, taxonomy=None, profile=None, profiles=None):
    """Check one filing against every rule that applies to its form.

    ``indicators`` (with ``level2__level1`` selected) and ``tasks`` may be
    given already fetched or unsaved, in the form's order; when omitted they
    are read once (or taken from a prefetch). ``taxonomy`` (a
    ``Taxonomy.load()``) is read once by callers checking many filings.
    The rules run as the filing's bureau's profile says (``profile``, or read
    through ``profiles``, a ``ProfileCache`` shared by many filings, or in one
    query). Returns the findings in the form's order.
    """
    if profile is None:
        profile = profiles.for_filing(filing) if profiles is not None else profile_for(filing)
    if indicators is None:
        indicators = _fetch(filing, "indicators", "level2__level1")
    if tasks is None:
        tasks = [] if filing.is_project else _fetch(filing, "tasks")
    ctx = CheckContext(filing, list(indicators), list(tasks), taxonomy=taxonomy)
    findings = []
    registered_rules = rules()
    for registered in registered_rules:
        severity = profile.severity_of(registered)
        if filing.form not in registered.forms or severity is None:
            continue
        for hit in registered.check(ctx) or ():
            findings.append(
                Finding(
                    code=registered.code,
                    severity=severity,
                    message=hit.message,
                    field=hit.field or ("indicators" if isinstance(hit.row, Row) else ""),
                    indicator=hit.row.key if hit.row is not None else None,
                    basis=registered.shown_basis,
                    row=hit.row.number if hit.row is not None else None,
                    profile=profile.name,
                )
            )
    order = {registered.code: registered.order for registered in registered_rules}
    positions = _form_positions(filing)
    return sorted(
        findings,
        key=lambda f: (positions.get(f.field, len(positions)), f.row or 0, order[f.code]),
    )


def _form_positions(filing):
    """Where each part sits on the printed form, top to bottom."""
    own = fields.fields_of(filing.form)
    if filing.is_project:
        parts = ["name", *own, "annual_goal", "indicators"]
    else:
        # 单位职责, 年度履职目标, 年度重点任务, then 预算情况 and the rest.
        after = own.index("duties") + 1 if "duties" in own else 0
        parts = ["name", *own[:after], "annual_goal", "tasks", *own[after:], "indicators"]
    return {field: position for position, field in enumerate(["", *parts])}


def counts(findings):
    """(errors, warnings) in a list of findings."""
    errors = sum(1 for finding in findings if finding.severity == ERROR)
    return errors, len(findings) - errors
