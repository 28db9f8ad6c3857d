"""The import layers hold: no function-level project imports, and the contracts of .importlinter.

An import inside a function is how a circle between modules gets hidden; the
layers are then wrong (models ← services ← views), and the fix is to move the
code or send a signal (review/signals.py), not to import late.
"""

import ast
from pathlib import Path

from importlinter.cli import lint_imports

from tests.helpers.project import PACKAGES

ROOT = Path(__file__).resolve().parents[2]
# Django requires it: an AppConfig's ready() is where an app connects the receivers of
# modules that import models, which cannot be imported when apps.py itself is read.
ALLOWED = {("apps.py", "ready")}


def _late_imports(path):
    """(line, function, imported module) of each project import inside a function of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if (path.name, function.name) in ALLOWED:
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom):
                names = ["." * node.level + (node.module or "")]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                if name.startswith(".") or name.split(".")[0] in PACKAGES:
                    found.append((node.lineno, function.name, name))
    return found


def _modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.relative_to(ROOT).parts:
                yield path


def test_no_module_imports_project_code_inside_a_function():
    late = [
        f"{path.relative_to(ROOT)}:{line} in {function}(): {name}"
        for path in _modules()
        for line, function, name in _late_imports(path)
    ]
    assert late == [], "import at the top, or fix the layering:\n" + "\n".join(late)


def test_a_late_import_is_found(tmp_path):
    # The finder itself: a late import of project code is reported, a third-party one is not.
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import json\n"
        "def render():\n"
        "    import weasyprint\n"
        "    from exports import pdf\n"
        "    from . import jobs\n"
        "    return pdf, jobs, json, weasyprint\n",
        encoding="utf-8",
    )
    assert _late_imports(sample) == [(4, "render", "exports"), (5, "render", ".")]


def test_the_import_contracts_hold():
    # The same check as ``lint-imports`` at the root: layers, views only from URLs, no cycles.
    assert lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True) == 0
