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

from django.db import connection, transaction

from filings.models import Filing, Organisation, Task
from indicators.models import Indicator

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
    Filing.Status.SUBMITTED,
    Filing.Status.DEPARTMENT_APPROVED,
    Filing.Status.DRAFT,
    Filing.Status.RETURNED,
]
BATCH = 2000
# Fields a clone takes from its model; the rest is set per clone.
OWN_FIELDS = {"id", "organisation", "year", "name", "status", "lock_version", "copied_from"}
OWN_FIELDS |= {"source", "created_at", "updated_at", "import_warnings"}


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


def analyse():
    """Statistics and visibility map as autovacuum would leave them after a while.

    Without the visibility map PostgreSQL cannot use index-only scans, so a
    freshly bulk-loaded table would be measured in a state no real one stays in.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
