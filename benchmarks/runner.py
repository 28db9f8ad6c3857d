"""The one ``main()`` of every benchmark: arguments, throwaway database, results block.

    .venv/bin/python -m benchmarks.<job> [DATABASE|both] [--small] [--filings N] [--results DIR]

A job module holds only its measurements: ``run(context)``, and ``DATABASES``,
the databases it runs on (the first is the default; a mapping when a job needs
databases of its own, as ``loadrun`` does). This module parses the arguments,
creates the throwaway database (``benchmarks.throwaway``), sets Django up on it,
calls ``run(context)`` and drops the database afterwards, on failure too.
``context.write(title, lines)`` appends the dated block (date, machine, load
average, database, git revision) to ``benchmarks/results/<job>.txt``.

``--small`` (or ``BENCH_SMALL=1``) checks that a job still starts and writes its
block in a minute or two: 1,500 filings instead of 10,000 (enough that the
seed's later years hold filings past draft, so that every path runs), a few
seconds or a few runs per scenario. Its figures go to a temporary folder, never to
``benchmarks/results/``: they are not comparable with the real ones.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import throwaway

RESULTS = throwaway.ROOT / "benchmarks" / "results"
SMALL_RESULTS = Path(tempfile.gettempdir()) / "perfgoals-bench-small"
# The job modules, as `python -m benchmarks.<job>` names them (scripts/bench.sh runs them).
JOBS = (
    "imports",
    "lists",
    "editing",
    "review",
    "exports",
    "exports_jobs",
    "backup",
    "loadrun",
    "uploads",
    "attachments",
    "library",
)
FILINGS = 10_000
SMALL_FILINGS = 1_500


@dataclass
class Database:
    """A throwaway database: its URL and, for the faults run, the private cluster it is on."""

    url: str
    cluster: object = None

    @property
    def vendor(self):
        return "sqlite" if self.url.startswith("sqlite") else "postgres"

    @property
    def name(self):
        return self.url.rsplit("/", 1)[1]


@contextlib.contextmanager
def sqlite():
    with throwaway.sqlite_database() as url:
        yield Database(url)


@contextlib.contextmanager
def postgres():
    with throwaway.postgres_database() as url:
        yield Database(url)


DATABASES = {"sqlite": sqlite, "postgres": postgres}


@dataclass
class Context:
    """What a job's ``run`` gets: its database, its sizes and where its figures go."""

    job: str
    choice: str  # the database argument: sqlite, postgres, or a job's own (load, faults)
    database: Database
    small: bool = False
    filings: int = FILINGS
    results: Path = field(default=RESULTS)

    def setting(self, name, default, small):
        """The environment's ``name`` if set, else ``small`` in small mode, else ``default``."""
        value = os.environ.get(name)
        if value:
            return type(default)(value)
        return small if self.small else default

    def write(self, title, lines):
        """Show the figures and append them as a dated block to this job's results file."""
        print("\n".join(lines), flush=True)
        if self.small:
            title = f"{title} (small mode: a check that the job runs, not a measurement)"
        self.results.mkdir(parents=True, exist_ok=True)
        throwaway.append_results(title, lines, self.results / f"{self.job}.txt")


def job_name(module):
    """``benchmarks.loadrun`` → its results name (a module may set ``RESULTS_NAME``)."""
    return getattr(module, "RESULTS_NAME", module.__spec__.name.rsplit(".", 1)[1])


def databases_of(module):
    """The job's databases: argument → context manager yielding a ``Database``."""
    databases = getattr(module, "DATABASES", ("postgres",))
    if isinstance(databases, dict):
        return databases
    return {name: DATABASES[name] for name in databases}


def parser(module, databases):
    choices = list(databases)
    arguments = argparse.ArgumentParser(
        prog=f"python -m {module.__spec__.name}",
        description=(module.__doc__ or "").strip().splitlines()[0],
    )
    arguments.add_argument(
        "database",
        nargs="?",
        default=choices[0],
        choices=[*choices, "both"] if len(choices) > 1 else choices,
        help=f"where to run (default {choices[0]}; both: each in turn)",
    )
    arguments.add_argument(
        "--small",
        action="store_true",
        default=os.environ.get("BENCH_SMALL", "") not in ("", "0"),
        help=f"{SMALL_FILINGS} filings and a few seconds per scenario; figures to "
        f"{SMALL_RESULTS}, not benchmarks/results/ (also BENCH_SMALL=1)",
    )
    arguments.add_argument(
        "--filings",
        type=int,
        default=None,
        help=f"filings to seed (default BENCH_FILINGS, else {FILINGS}; {SMALL_FILINGS} small)",
    )
    arguments.add_argument(
        "--results",
        type=Path,
        default=None,
        help="folder of the results files (default benchmarks/results/, or a temporary "
        "folder in small mode)",
    )
    return arguments


def main(module, argv=None):
    """Run ``module.run(context)`` as the command line asks; exit with its verdict.

    ``run`` may return False to say the run found a problem (exit code 1).
    """
    # A run stopped with kill (or from a background job, where SIGINT is ignored) still
    # stops gunicorn and drops its database or private cluster.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    databases = databases_of(module)
    args = parser(module, databases).parse_args(sys.argv[1:] if argv is None else argv)
    if args.database == "both":
        # Django is set up once per process: each database gets a process of its own.
        rest = (["--small"] if args.small else []) + _passed_on(args)
        for choice in databases:
            command = [sys.executable, "-m", module.__spec__.name, choice, *rest]
            code = subprocess.run(command, cwd=throwaway.ROOT, check=False).returncode
            if code:
                sys.exit(code)
        return
    filings = args.filings or int(os.environ.get("BENCH_FILINGS") or 0)
    context_args = {
        "small": args.small,
        "filings": filings or (SMALL_FILINGS if args.small else FILINGS),
        "results": args.results or (SMALL_RESULTS if args.small else RESULTS),
    }
    with databases[args.database]() as database:
        throwaway.setup_django(database.url)
        prepare()
        context = Context(job_name(module), args.database, database, **context_args)
        ok = module.run(context)
    if ok is False:
        sys.exit(1)


def prepare():
    """Every job's start: the schema, and the static files' manifest that pages need with
    DEBUG off (in-process pages as well as gunicorn's)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def _passed_on(args):
    passed = []
    if args.filings:
        passed += ["--filings", str(args.filings)]
    if args.results:
        passed += ["--results", str(args.results)]
    return passed
