"""Saves and suggestions: what a filer waits for while typing.

    .venv/bin/python -m benchmarks.editing [sqlite|postgres|both] [--small]

The issue's targets: "Saving a step or an autosave of a 62-indicator filing:
p95 under 100 ms on SQLite and PostgreSQL; the editor page and the save make a
number of SQL queries that does not grow with the number of indicators; a
library suggestion under 50 ms with 10,000 library entries."

Measured inside this process through django.test.Client (the save scenarios)
or by calling ``indicators.library.suggest`` (the suggestions), in a throwaway
database (``benchmarks.throwaway``) holding the demo, the city's organisation
tree and 10,000 library entries (``benchmarks.seed.seed_library``); on
PostgreSQL also 10,000 filings (``benchmarks.seed.seed``, whose bulk copy of
rows is PostgreSQL's own SQL). Saves go one after the other, each with the
``lock_version`` the previous one returned, as one filer's browser sends
them: many clients on one filing would only measure stale refusals.

Environment: ``BENCH_DATABASE_URL`` (the PostgreSQL server), ``BENCH_FILINGS``
(default 10000), ``BENCH_LIBRARY`` (library entries, default 10000),
``BENCH_SAVES`` (default 100), ``BENCH_SUGGESTIONS`` (calls per query length,
default 200); ``--small`` takes 1,500 filings, 1,000 entries, 20 saves and 20 calls.

A scenario is one function below, registered with ``@scenario``: it gets the
run's ``Scene`` and returns the lines it measured.
"""

import io
import json
import statistics
import sys
import time
from dataclasses import dataclass

from benchmarks import runner

DATABASES = ("sqlite", "postgres")
SAVE_TARGET_MS = 100  # p95 of a step save or an autosave
SUGGEST_TARGET_MS = 50  # p95 of a library suggestion
# What a filer types into the name cell: one, two and four characters of indicator names.
QUERIES = {
    1: ["率", "数", "度", "人"],
    2: ["培训", "覆盖", "及时", "设备"],
    4: ["服务对象", "资金到位", "按时完成", "验收合格"],
}


@dataclass
class Scene:
    filing_pk: int  # the published 民生保障 (62 indicators), made a draft
    filer: object  # a filer of its organisation
    saves: int  # per save scenario
    suggestions: int  # per query length

    @property
    def filing(self):
        """The filing as saved now (the previous scenario moved its lock_version on)."""
        from filings.models import Filing

        return Filing.objects.get(pk=self.filing_pk)


SCENARIOS = []


def scenario(function):
    SCENARIOS.append(function)
    return function


def percentile(times, fraction):
    return statistics.quantiles(times, n=100, method="inclusive")[round(fraction * 100) - 1]


def summary(name, times, queries, target_ms):
    p50, p95 = percentile(times, 0.50) * 1000, percentile(times, 0.95) * 1000
    verdict = "met" if p95 < target_ms else "NOT met"
    return (
        f"{name:<40} {len(times):4d} runs  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
        f"queries {queries}  (target p95 < {target_ms} ms: {verdict})"
    )


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _timed_saves(send, saves):
    """``send(number)`` ``saves`` times: (seconds of each, query counts seen)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, counts = [], set()
    for number in range(saves):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            send(number)
            times.append(time.perf_counter() - started)
        counts.add(len(queries))
    return times, "/".join(str(count) for count in sorted(counts))


@scenario
def wizard_autosave(scene):
    """The wizard's autosave of the 绩效目标 step (POST with X-Autosave: 1)."""
    from django.urls import reverse

    from filings.wizard import steps

    filing, client = scene.filing, _client(scene.filer)
    step = steps.find_step(filing.form, "goals")
    url = reverse("filings:wizard", args=[filing.pk, step.slug])
    form = step.form_class(instance=filing)
    data = {name: form[name].value() or "" for name in step.fields}
    version = [filing.lock_version]
    goal = data["annual_goal"]

    def send(number):
        # Every autosave carries a change, as one sent while typing does.
        data.update(annual_goal=f"{goal}（第{number}次修改）", lock_version=version[0])
        response = client.post(url, data, headers={"X-Autosave": "1"})
        answer = response.json()
        if response.status_code != 200 or not answer["ok"]:
            raise SystemExit(f"wizard autosave refused: {response.status_code} {answer}")
        version[0] = answer["lock_version"]

    times, queries = _timed_saves(send, scene.saves)
    return [summary("wizard step autosave (绩效目标)", times, queries, SAVE_TARGET_MS)]


@scenario
def rows_autosave(scene):
    """The indicator editor's autosave of the whole table (save_rows, JSON)."""
    from django.urls import reverse

    from indicators.editor import row_json

    filing, client = scene.filing, _client(scene.filer)
    url = reverse("indicators:save_rows", args=[filing.pk])
    indicators = list(filing.indicators.select_related("level2__level1"))
    rows = [row_json(indicator) for indicator in indicators]
    version = [filing.lock_version]
    values = ["≥90%", "≥95%"]

    def send(number):
        # One row's value changes per save, as when a filer edits one cell.
        rows[number % len(rows)]["value"] = values[number % 2]
        body = json.dumps({"lock_version": version[0], "rows": rows})
        response = client.post(url, body, content_type="application/json")
        answer = response.json()
        if response.status_code != 200 or not answer["ok"]:
            raise SystemExit(f"rows autosave refused: {response.status_code} {answer}")
        version[0] = answer["lock_version"]

    times, queries = _timed_saves(send, scene.saves)
    name = f"indicator table autosave ({len(rows)} rows)"
    return [summary(name, times, queries, SAVE_TARGET_MS)]


@scenario
def editor_page_queries(scene):
    """The editor page's queries with the filing's rows and with twice as many."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from indicators.models import Indicator

    filing, client = scene.filing, _client(scene.filer)
    url = reverse("indicators:editor_page", args=[filing.pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"editor page: HTTP {response.status_code}")
        return len(queries)

    rows = filing.indicators.count()
    before = count()
    with transaction.atomic():
        doubled = [
            Indicator(filing=filing, level2_id=row.level2_id, order=1000 + row.order, name=row.name)
            for row in filing.indicators.all()
        ]
        Indicator.objects.bulk_create(doubled)
        after = count()
        transaction.set_rollback(True)
    verdict = "constant" if before == after else "GROWS"
    return [
        f"{'editor page queries':<40} {before} with {rows} rows, {after} with {rows * 2}"
        f" rows: {verdict}"
    ]


@scenario
def library_suggestions(scene):
    """``suggest()`` for 1-, 2- and 4-character queries in a row's 二级."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from indicators.library import suggest
    from indicators.library_views import SUGGESTIONS as LIMIT
    from indicators.models import Level2, LibraryEntry

    level2 = Level2.objects.get(level1__name="满意度指标", name="服务对象满意度指标")
    lines = []
    for length, queries in QUERIES.items():
        times = []
        for number in range(scene.suggestions):
            q = queries[number % len(queries)]
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                suggest(scene.filer, q, level2_id=level2.pk, limit=LIMIT)
                times.append(time.perf_counter() - started)
        name = f"library suggestion, {length}-character query"
        lines.append(summary(name, times, len(captured), SUGGEST_TARGET_MS))
    lines.insert(0, f"library: {LibraryEntry.objects.count()} entries")
    return lines


def prepare(context):
    """The 62-indicator filing as a draft of a filer of its organisation."""
    from accounts.models import User
    from filings.models import Filing

    filing = Filing.objects.get(name="民生保障")
    Filing.objects.filter(pk=filing.pk).update(status=Filing.Status.DRAFT)
    filer = User.objects.create(
        username="bench_filer", role=User.Role.FILER, organisation=filing.organisation
    )
    return Scene(
        filing_pk=filing.pk,
        filer=filer,
        saves=context.setting("BENCH_SAVES", 100, small=20),
        suggestions=context.setting("BENCH_SUGGESTIONS", 200, small=20),
    )


def run(context):
    from django.core.management import call_command
    from django.db import connection

    from benchmarks import seed
    from filings.models import Filing
    from indicators.models import Indicator

    call_command("load_demo", stdout=io.StringIO())
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        seed.seed(context.filings)
    else:
        seed.build_tree()  # the rows' bulk copy is PostgreSQL's SQL: the demo's filings here
    seed.seed_library(context.setting("BENCH_LIBRARY", 10000, small=1000))
    seed.analyse()
    seeding = time.perf_counter() - started
    scene = prepare(context)
    lines = [
        f"editing benchmark: in-process django.test.Client, {scene.saves} saves per scenario, "
        f"{scene.suggestions} suggestions per query length; {Filing.objects.count()} filings "
        f"({Indicator.objects.count()} indicators), seeded in {seeding:.0f} s",
    ]
    print(lines[0], flush=True)
    for function in SCENARIOS:
        for line in function(scene):
            print(f"  {line}", flush=True)
            lines.append(line)
    context.write("editing", lines)


if __name__ == "__main__":
    runner.main(sys.modules[__name__])
