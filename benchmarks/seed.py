"""Thousands of realistic filings, fast, for the list benchmark.

Starts from the demo data (its organisations, accounts and the 15 published
filings) and grows it the way a city's data grows: five finance bureaus, ten
supervising departments under each, ten budget units under each department
(550 filing organisations), and filings cloned from the published ones over
five years: every organisation's overall filing for each year, then projects.
Each clone gets 20 to 52 indicators (about 36 on average) cycled from its
model's rows. Filings go in with bulk_create, rows with one INSERT … SELECT; run inside a throwaway
database only (see ``benchmarks.throwaway``).
"""

import itertools
import time

from django.db import connection, transaction

from accounts.models import Organisation
from filings.models import Filing, Task
from indicators.models import Indicator, Level2, LibraryEntry

BUREAUS = ["上海市财政局", "闵行区财政局", "松江区财政局", "浦东新区财政局", "徐汇区财政局"]
DEPARTMENTS = [
    "教育局",
    "卫生健康委员会",
    "民政局",
    "文化和旅游局",
    "体育局",
    "生态环境局",
    "交通委员会",
    "住房保障和房屋管理局",
    "农业农村委员会",
    "人力资源和社会保障局",
]
UNITS = [
    "事务中心",
    "服务中心",
    "信息中心",
    "培训中心",
    "档案馆",
    "指导中心",
    "监测站",
    "管理所",
    "研究所",
    "服务办",
]
YEARS = [2025, 2024, 2023, 2022, 2021]
# Most filings of past years are approved; this year's are on their way.
STATUSES = [
    Filing.Status.APPROVED,
    Filing.Status.APPROVED,
    Filing.Status.APPROVED,
    Filing.Status.DEPARTMENT_REVIEW,
    Filing.Status.FINANCE_REVIEW,
    Filing.Status.DRAFT,
    Filing.Status.RETURNED,
]
BATCH = 2000
# Fields a clone takes from its model; the rest is set per clone.
OWN_FIELDS = {"id", "organisation", "year", "name", "status", "lock_version", "copied_from"}
OWN_FIELDS |= {"source", "created_at", "updated_at", "import_warnings"}
# A version belongs to one filing: a clone starts without its model's official version.
OWN_FIELDS |= {"approved_version"}


def build_tree():
    """The 550 filing organisations (departments and units), bureau by bureau."""
    organisations = []
    for bureau_name in BUREAUS:
        bureau, _ = Organisation.objects.get_or_create(
            name=bureau_name, parent=None, defaults={"level": Organisation.Level.BUREAU}
        )
        district = bureau_name.removesuffix("财政局")
        departments = list(bureau.children.order_by("pk"))
        for name in DEPARTMENTS[: max(0, 10 - len(departments))]:
            departments.append(
                Organisation.objects.create(
                    name=f"{district}{name}", level=Organisation.Level.DEPARTMENT, parent=bureau
                )
            )
        for department in departments:
            organisations.append(department)
            units = list(department.children.order_by("pk"))
            existing = {unit.name for unit in units}
            for name in UNITS:
                if len(units) >= 10:
                    break
                name = f"{department.name}{name}"
                if name not in existing:
                    units.append(
                        Organisation.objects.create(
                            name=name, level=Organisation.Level.UNIT, parent=department
                        )
                    )
            organisations.extend(units)
    return organisations


def _clone_indicators(filings, models, counts):
    """Give each filing its count of rows, cycled from its model's, in one statement.

    Building 360,000 Indicator objects in Python takes minutes on a busy
    machine; PostgreSQL copies them in seconds (gen_random_uuid: PostgreSQL 13+).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH source_rows AS (
                SELECT *, ROW_NUMBER() OVER (PARTITION BY filing_id ORDER BY "order", id) - 1
                       AS position,
                       COUNT(*) OVER (PARTITION BY filing_id) AS total
                FROM indicators_indicator
                WHERE filing_id = ANY(%(models)s)
            )
            INSERT INTO indicators_indicator (filing_id, key, level2_id, "order", name, value,
                value_type, operator, number, unit, explanation, basis)
            SELECT clone.filing_id, gen_random_uuid(), source.level2_id, step.n + 1, source.name,
                   source.value, source.value_type, source.operator, source.number, source.unit,
                   source.explanation, source.basis
            FROM unnest(%(filings)s::bigint[], %(models)s::bigint[], %(counts)s::int[])
                 AS clone(filing_id, model_id, rows)
            CROSS JOIN LATERAL generate_series(0, clone.rows - 1) AS step(n)
            JOIN source_rows AS source
              ON source.filing_id = clone.model_id AND source.position = step.n %% source.total
            """,
            {"filings": [filing.pk for filing in filings], "models": models, "counts": counts},
        )


def _model(form):
    """The published filings of ``form``, each with its rows, to clone from."""
    models = []
    for filing in Filing.objects.filter(form=form).order_by("pk"):
        rows = filing.indicators.count()
        tasks = [(task.name, task.content) for task in filing.tasks.all()]
        if rows:
            models.append((filing, rows, tasks))
    return models


def _clone(model, organisation, year, name, status):
    fields = {
        field.attname: getattr(model, field.attname)
        for field in Filing._meta.concrete_fields
        if field.name not in OWN_FIELDS
    }
    return Filing(
        **fields,
        organisation=organisation,
        year=year,
        name=name,
        status=status,
        source="benchmark",
    )


def plan(organisations, total):
    """(organisation, year, form, number) for ``total`` new filings.

    The overall filings come first (one per organisation, year and form, as the
    constraint wants), then projects spread over the same organisations.
    """
    taken = set(Filing.objects.values_list("organisation_id", "year", "form"))
    planned = []
    for number in itertools.count():
        if len(planned) >= total:
            return planned
        organisation = organisations[number % len(organisations)]
        year = YEARS[(number // len(organisations)) % len(YEARS)]
        overall = (
            Filing.Form.UNIT
            if organisation.level == Organisation.Level.UNIT
            else Filing.Form.DEPARTMENT
        )
        first_round = number < len(organisations) * len(YEARS)
        if first_round and (organisation.pk, year, overall) not in taken:
            planned.append((organisation, year, overall, number))
        else:
            planned.append((organisation, year, Filing.Form.PROJECT, number))


@transaction.atomic
def seed(total_filings):
    """Grow the database to ``total_filings`` filings; returns the indicator count."""
    organisations = build_tree()
    missing = total_filings - Filing.objects.count()
    models = {form: _model(form) for form in Filing.Form.values}
    filings, models_of, rows_of, tasks_of = [], [], [], []
    for organisation, year, form, number in plan(organisations, missing):
        model, _, tasks = models[form][number % len(models[form])]
        name = organisation.name if form != Filing.Form.PROJECT else f"{model.name}（{number:05d}）"
        status = STATUSES[number % len(STATUSES)] if year != YEARS[0] else Filing.Status.DRAFT
        filings.append(_clone(model, organisation, year, name, status))
        models_of.append(model.pk)
        # 20 to 52 rows, 36 on average, cycled from the model's rows.
        rows_of.append(20 + (number * 7) % 33)
        tasks_of.append(tasks)
    Filing.objects.bulk_create(filings, batch_size=BATCH)

    _clone_indicators(filings, models_of, rows_of)
    tasks = []
    for filing, filing_tasks in zip(filings, tasks_of, strict=True):
        for order, (name, content) in enumerate(filing_tasks, start=1):
            tasks.append(Task(filing=filing, order=order, name=name, content=content))
    Task.objects.bulk_create(tasks, batch_size=BATCH)

    # bulk_create stamps every row with the same updated_at (auto_now); spread them
    # over a year and a half so that the default sort has real work to do.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE filings_filing SET updated_at = updated_at - (id * 7919 % 13000) "
            "* INTERVAL '1 hour', created_at = created_at - (id * 7919 % 13000) "
            "* INTERVAL '1 hour' WHERE source = 'benchmark'"
        )
    return Indicator.objects.count()


def grow(total_filings, *then):
    """Seed up to ``total_filings``, call each of ``then`` (what the seeded filings also
    need), refresh the planner's statistics: (filings, indicators, seconds it took)."""
    started = time.perf_counter()
    indicators = seed(total_filings)
    for step in then:
        step()
    analyse()
    return Filing.objects.count(), indicators, time.perf_counter() - started


def analyse():
    """Statistics and visibility map as autovacuum would leave them after a while.

    Without the visibility map PostgreSQL cannot use index-only scans, so a
    freshly bulk-loaded table would be measured in a state no real one stays in.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# The library's names: what a city's filings write, an activity and what is measured of it.
LIBRARY_SUBJECTS = [
    "培训", "慰问困难群众", "补贴发放", "设备采购", "信息系统运维", "老年人助餐", "残疾人康复",
    "公共文化活动", "体育赛事", "环境监测", "道路养护", "保障性住房", "农田水利", "就业援助",
    "社区服务", "学生资助", "疫苗接种", "健康体检", "档案数字化", "宣传活动", "法律援助",
    "志愿服务", "应急物资储备", "校舍维修", "图书采购", "课题研究", "巡查检查", "窗口服务",
    "政务公开", "资金拨付",
]  # fmt: skip
LIBRARY_METRICS = {
    "数量指标": ["人数", "次数", "场次", "户数", "覆盖人数", "完成数量"],
    "质量指标": ["合格率", "达标率", "验收合格率", "规范率", "准确率"],
    "时效指标": ["按时完成率", "及时率", "资金到位及时率", "完成时限"],
    "成本指标": ["成本控制率", "人均成本", "单位成本"],
    "经济效益指标": ["带动收入增长率", "节约资金"],
    "社会效益指标": ["覆盖率", "知晓率", "受益人数", "社会认可度"],
    "生态效益指标": ["能耗下降率", "污染物减排量"],
    "可持续影响指标": ["长效管理制度健全性", "持续运行年限"],
    "服务对象满意度指标": ["服务对象满意度", "群众满意度", "参与人员满意度"],
}
LIBRARY_UNITS = {"率": "%", "度": "%", "人数": "人", "次数": "次", "场次": "场", "户数": "户"}


def _library_entry(number, subject, metric, level2, organisation):
    unit = next((unit for end, unit in LIBRARY_UNITS.items() if metric.endswith(end)), "")
    return LibraryEntry(
        level2=level2,
        name=f"{subject}{metric}",
        unit=unit,
        direction=LibraryEntry.Direction.POSITIVE,
        explanation=f"反映{subject}的{metric}情况。",
        example_value=f"≥{90 if unit == '%' else 10 + number % 90}{unit}",
        scope=LibraryEntry.Scope.OWN if organisation else LibraryEntry.Scope.COMMON,
        organisation=organisation,
        uses=(number * 37) % 120,
    )


@transaction.atomic
def seed_library(total_entries):
    """Grow the indicator library to ``total_entries``: one in ten 共性, the rest 个性.

    Names are an activity and its measure (培训人数, 老年人助餐服务对象满意度)
    under a fitting 二级; the 个性 entries spread over the 550 organisations of
    ``build_tree``. Portable ORM code: runs on SQLite too.
    """
    organisations = build_tree()
    level2s = [
        level2
        for level2 in Level2.objects.filter(name__in=LIBRARY_METRICS).select_related("level1")
        for _ in range(3 if level2.level1.name != "效益指标" else 1)  # 产出, 满意度 are most
    ]
    taken = set(LibraryEntry.objects.values_list("organisation_id", "level2_id", "name"))
    entries = []
    for number in itertools.count():
        missing = total_entries - len(taken)
        if missing <= 0 or number > total_entries * 20:
            break
        level2 = level2s[number % len(level2s)]
        metrics = LIBRARY_METRICS[level2.name]
        subject = LIBRARY_SUBJECTS[(number // 7) % len(LIBRARY_SUBJECTS)]
        metric = metrics[(number // 3) % len(metrics)]
        organisation = None if number % 10 == 0 else organisations[number % len(organisations)]
        key = (organisation.pk if organisation else None, level2.pk, f"{subject}{metric}")
        if key not in taken:
            taken.add(key)
            entries.append(_library_entry(number, subject, metric, level2, organisation))
    LibraryEntry.objects.bulk_create(entries, batch_size=BATCH)
    return LibraryEntry.objects.count()
