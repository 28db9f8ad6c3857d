"""The front-end's own scripts (static/js): native ES modules, small files, imports that
resolve, and every page loading them as modules.

A script over 400 lines is a sign that it does several jobs (the indicator editor once held
all of them in one function of 1,262 lines); a relative import that names a missing file
breaks the page that loads it, which only a browser would notice otherwise.
"""

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command

from perfgoals import settings as production

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "static" / "js"
TEMPLATES = ROOT / "templates"
MAX_LINES = 400
# `import … from "./x.js";`, `export … from "./x.js";` and `import "./x.js";`
IMPORT = re.compile(
    r"""^\s*(?:import|export)\b[^"';]*?["'](?P<path>\.{1,2}/[^"']+)["']\s*;""", re.MULTILINE
)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)


def own_scripts():
    return sorted(SCRIPTS.rglob("*.js"))


def test_there_are_scripts_to_check():
    names = {path.relative_to(SCRIPTS).as_posix() for path in own_scripts()}
    assert {"autosave.js", "local-copy.js", "wizard.js", "indicator-editor.js"} <= names


@pytest.mark.parametrize("path", own_scripts(), ids=lambda p: p.relative_to(SCRIPTS).as_posix())
def test_no_script_is_over_400_lines(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by job"


@pytest.mark.parametrize("path", own_scripts(), ids=lambda p: p.relative_to(SCRIPTS).as_posix())
def test_relative_imports_name_existing_files(path):
    text = path.read_text(encoding="utf-8")
    for match in IMPORT.finditer(text):
        target = (path.parent / match["path"]).resolve()
        assert target.is_file(), f"{path.relative_to(ROOT)} imports missing {match['path']}"
        # The manifest storage rewrites only statements ending in ";" to the hashed names.
        assert match.group(0).rstrip().endswith(";")


def test_the_wizard_and_the_editor_share_one_autosave():
    for entry in ("wizard.js", "editor/saving.js"):
        text = (SCRIPTS / entry).read_text(encoding="utf-8")
        assert "createAutosave" in text and "localStorage." not in text, entry
    users = [p for p in own_scripts() if "localStorage." in p.read_text(encoding="utf-8")]
    assert [p.name for p in users] == ["local-copy.js"]


def test_pages_load_our_scripts_as_modules():
    found = []
    for template in TEMPLATES.rglob("*.html"):
        for tag in SCRIPT_TAG.findall(template.read_text(encoding="utf-8")):
            if "js/" in tag and "vendor/" not in tag and 'type="module"' not in tag:
                found.append(f"{template.relative_to(ROOT)}: {tag}")
    assert not found, "Classic <script> tags for our modules:\n" + "\n".join(found)


def test_collectstatic_gives_modules_the_hashed_names_of_their_imports(settings, tmp_path):
    """In production (DEBUG off) a page loads hashed files: so must the modules they import."""
    settings.STATIC_ROOT = tmp_path
    # Our own files only (not the admin's): what is checked is how modules are rewritten.
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    # The storage the settings module picks with DEBUG off (the tests' settings swap it for
    # the plain one, which needs no collectstatic).
    settings.STORAGES = {**settings.STORAGES, "staticfiles": production.STORAGES["staticfiles"]}
    call_command("collectstatic", interactive=False, verbosity=0)
    wizard = tmp_path / staticfiles_storage.stored_name("js/wizard.js")
    imported = [match["path"] for match in IMPORT.finditer(wizard.read_text(encoding="utf-8"))]
    assert "./autosave.js" not in imported
    assert re.fullmatch(r"\./autosave\.[0-9a-f]{12}\.js", imported[0])
    for path in imported:
        assert (wizard.parent / path).is_file(), path
