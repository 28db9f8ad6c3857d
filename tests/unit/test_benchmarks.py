"""The benchmarks share one main(): every job imports, has its run(context), and leaves the
command line to benchmarks.runner (scripts/bench.sh runs `python -m benchmarks.<job>`)."""

import ast
import contextlib
import importlib
from pathlib import Path

import pytest

from benchmarks import library, runner

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@pytest.mark.parametrize("job", runner.JOBS)
def test_each_job_imports_and_exposes_run(job):
    module = importlib.import_module(f"benchmarks.{job}")
    assert callable(module.run)
    # Its entry point is the runner's: the arguments it takes are the common ones.
    help_text = runner.parser(module, runner.databases_of(module)).format_help()
    assert "--small" in help_text


def test_every_job_module_is_known_to_the_runner():
    # A module with a run() the runner does not list would miss the unit test above.
    jobs = {
        path.stem
        for path in BENCHMARKS.glob("*.py")
        if any(
            isinstance(node, ast.FunctionDef) and node.name == "run"
            for node in ast.parse(path.read_text(encoding="utf-8")).body
        )
    }
    assert jobs == set(runner.JOBS)


def _reads_the_command_line(path):
    """Where ``path`` reads sys.argv or builds an argparse parser (line numbers)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        argv = isinstance(node, ast.Attribute) and node.attr == "argv"
        imported = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom):
            imported = [node.module]
        if argv or "argparse" in imported:
            found.append(node.lineno)
    return found


def test_only_the_runner_parses_the_command_line():
    readers = {
        path.name: lines
        for path in sorted(BENCHMARKS.rglob("*.py"))
        if path.name != "runner.py" and (lines := _reads_the_command_line(path))
    }
    assert readers == {}


def test_a_command_line_reader_is_found(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import sys\nimport argparse\nmode = sys.argv[1]\n", encoding="utf-8")
    assert _reads_the_command_line(sample) == [2, 3]


def test_small_mode_shrinks_the_sizes_and_writes_apart(monkeypatch, tmp_path):
    monkeypatch.delenv("BENCH_FILINGS", raising=False)
    monkeypatch.delenv("BENCH_SECONDS", raising=False)
    seen = {}
    database = runner.Database(f"sqlite:///{tmp_path}/bench.sqlite3")

    class Job:
        __doc__ = "A job."
        __spec__ = type("Spec", (), {"name": "benchmarks.sample"})()
        DATABASES = {"here": lambda: contextlib.nullcontext(database)}

        @staticmethod
        def run(context):
            seen.update(
                filings=context.filings,
                seconds=context.setting("BENCH_SECONDS", 10, small=2),
                results=context.results,
                job=context.job,
            )

    monkeypatch.setattr(runner.throwaway, "setup_django", lambda url: None)
    monkeypatch.setattr(runner, "prepare", lambda: None)
    monkeypatch.setattr(runner.signal, "signal", lambda *args: None)
    runner.main(Job, ["--small"])
    assert seen == {
        "filings": runner.SMALL_FILINGS,
        "seconds": 2,
        "results": runner.SMALL_RESULTS,
        "job": "sample",
    }
    runner.main(Job, ["here"])
    assert seen["filings"] == 10_000 and seen["seconds"] == 10
    assert seen["results"] == runner.RESULTS


@pytest.mark.django_db
def test_the_library_benchmark_loads_and_reloads_its_files():
    # Its measurement on a few projects (the assertions inside check every line is loaded,
    # then found again by code); the figures themselves are the runner's, not a test's.
    bureau, units = library.build_bureau(departments=2, units=2)
    figures = library.measure(bureau, units, count=30, repeats=1)
    lines = library.report(figures, 30, 1)
    assert [line.split(" of ")[0] for line in lines] == ["xlsx", "csv"]
    assert all("the 10 s target" in line for line in lines)
