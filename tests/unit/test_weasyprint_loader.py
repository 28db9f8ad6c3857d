"""WeasyPrint loaded without what printing does not use (exports/weasyprint_loader.py).

Run in a fresh interpreter: this one has loaded WeasyPrint and fontTools already.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from exports.weasyprint_loader import import_weasyprint

import_weasyprint()
loaded_at_import = sorted(
    name for name in ("fontTools.subset", "fontTools.varLib", "fontTools.varLib.instancer")
    if name in sys.modules
)
import fontTools.subset
import fontTools.varLib.instancer
from fontTools.ttLib import TTFont
from weasyprint.pdf import fonts

font = TTFont(sys.argv[1], fontNumber=0, lazy=True)
errors = []
real = fontTools.varLib.instancer.instantiateVariableFont
for instantiate in (fonts.instantiateVariableFont, real):
    try:
        instantiate(font, {"wght": 400}, static=True)
    except Exception as error:
        errors.append(f"{type(error).__name__}: {error}")
print(json.dumps({
    "loaded_at_import": loaded_at_import,
    "subsetter_is_real": fonts.subset.Subsetter is fontTools.subset.Subsetter,
    "stand_ins_left": [
        name for name in ("fontTools.subset", "fontTools.varLib.instancer")
        if type(sys.modules[name]).__name__ != "module"
    ],
    "errors": errors,
}))
"""


def _font_file():
    found = subprocess.run(
        ["fc-match", "-f", "%{file}", "Noto Serif CJK SC"], capture_output=True, text=True
    )
    return found.stdout


def test_weasyprint_loads_without_the_font_tools_it_does_not_use_and_they_work_when_used():
    result = subprocess.run(
        [sys.executable, "-c", PROBE, _font_file()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    probe = json.loads(result.stdout)
    # 0.1 s of every printing process's start, not spent.
    assert probe["loaded_at_import"] == []
    # Used later, they are the real ones: WeasyPrint's names reach fontTools'.
    assert probe["subsetter_is_real"]
    assert probe["stand_ins_left"] == []
    # The instancer through WeasyPrint's name does what fontTools' own does (here: refuses
    # a font that is not variable, with fontTools' own message).
    wrapped, real = probe["errors"]
    assert wrapped == real and "fvar" in real
