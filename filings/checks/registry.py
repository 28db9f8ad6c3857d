"""The registry of the checker's rules, and what the rules and the checker share.

The families (``structure``, ``funds``, ``values``, ``library``) register their rules here
with ``@rule``; ``filings.checks`` imports the families and runs what they
registered. Neither imports the other's package: no circle.
"""

from dataclasses import dataclass
from decimal import Decimal

from filings.models import Filing, VersionFinding

ERROR = "error"
WARNING = "warning"
# Named where a version's counts are stored, so that the admin names them the same way.
SEVERITY_LABELS = dict(VersionFinding._meta.get_field("severity").choices)
# The families (the module a rule is written in), as the profile page names them. A family
# missing here would show its module name (``library``) in the page's 类别 column.
FAMILY_LABELS = {
    "structure": "结构",
    "funds": "资金",
    "values": "指标值",
    "targets": "指标要素（2021）",
    "summary": "部门汇总",
    "library": "项目库",
}

PROJECT = Filing.Form.PROJECT
UNIT = Filing.Form.UNIT
DEPARTMENT = Filing.Form.DEPARTMENT
OVERALL = (UNIT, DEPARTMENT)
ALL_FORMS = (PROJECT, UNIT, DEPARTMENT)

# 财预〔2021〕101号: cost as a 一级 of its own; an edition that offers it requires it.
COST_LEVEL1 = "成本指标"

# Amounts closer than this (in 元) are equal: the forms print 分.
TOLERANCE = Decimal("0.01")


@dataclass(frozen=True)
class Finding:
    """One problem found on a filing.

    ``field`` is the Filing field the problem is about ("annual_total"), or
    "indicators" / "tasks" for anything in those tables, or "" for the whole
    filing. For a row, ``row`` is its 1-based position and ``indicator`` its
    stable key (for ``field == "tasks"``, the key of the 年度重点任务 row).
    """

    code: str
    severity: str
    message: str
    field: str = ""
    indicator: str | None = None
    basis: str = ""
    row: int | None = None
    profile: str = ""  # the name of the rule profile that set the severity

    @property
    def title(self):
        """The rule's Chinese name (``Rule.title``)."""
        return title_of(self.code)

    @property
    def is_error(self):
        return self.severity == ERROR

    @property
    def severity_label(self):
        return SEVERITY_LABELS[self.severity]

    def to_dict(self):
        """The JSON shape of ``check_filings --json``."""
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "field": self.field,
            "indicator": self.indicator,
            "basis": self.basis,
            "profile": self.profile,
        }


@dataclass(frozen=True)
class Hit:
    """What a rule yields: the registry turns it into a Finding."""

    message: str
    field: str = ""
    row: object = None  # a ``Row`` or ``TaskRow`` of filings.checks, or None


# The project's own specifications, named in the bases of the rules they hold.
SPEC_SOURCES = {"rules.md": "本系统通用审核规则", "forms.md": "申报表表式规范"}


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    basis: str
    forms: tuple
    check: object
    order: int

    @property
    def family(self):
        return self.check.__module__.rsplit(".", 1)[-1]

    @property
    def family_label(self):
        return FAMILY_LABELS.get(self.family, self.family)

    @property
    def title(self):
        """The rule's name where a person reads it: what it asks, in Chinese (from ``basis``)."""
        text = self.basis.removeprefix("rules.md ").removeprefix("forms.md ")
        return text.split("：", 1)[-1] or self.code

    @property
    def shown_basis(self):
        """The basis as people read it: the project's own spec files go by what they are, never
        by their file names (issue 18: internal file names are not shown)."""
        for prefix, name in SPEC_SOURCES.items():
            if self.basis.startswith(prefix + " "):
                return f"{name} · {self.basis.removeprefix(prefix + ' ')}"
        return self.basis


_RULES = {}


def rule(code, *, severity, basis, forms=ALL_FORMS):
    """Register ``check(ctx) -> Iterable[Hit]`` under a stable code.

    ``forms`` are the forms (Filing.Form) the rule applies to; ``basis`` says in
    a few words which rule of rules.md (or forms.md) it enforces.
    """
    if severity not in SEVERITY_LABELS:
        raise ValueError(f"unknown severity {severity!r}")

    def register(check):
        if code in _RULES:
            raise ValueError(f"rule {code} is registered twice")
        _RULES[code] = Rule(code, severity, basis, tuple(forms), check, len(_RULES))
        return check

    return register


def rules():
    """Every registered rule (code, severity, basis, forms), in registration order."""
    return list(_RULES.values())


def rule_of(code):
    """The registered rule ``code``, or None (a code no longer registered)."""
    return _RULES.get(code)


def title_of(code):
    """The Chinese name of the rule ``code`` (a code no longer registered keeps its code)."""
    registered = _RULES.get(code)
    return registered.title if registered else code


def has_errors(findings):
    """True when any finding blocks submission."""
    return any(finding.severity == ERROR for finding in findings)
