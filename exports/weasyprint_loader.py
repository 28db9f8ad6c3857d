"""WeasyPrint imported at what printing needs, not what it might.

Every process that prints pays WeasyPrint's import before its first form:
0.5 s as it comes, 0.2 s here. Two things it does at import cost the most and
serve nothing here:

- cffi hands each library name that does not load as written to
  ``ctypes.util.find_library``, which on Linux runs ``ldconfig -p`` and gcc
  (22 subprocesses, 0.18 s): WeasyPrint tries several names per library
  (``libpango-1.0-0``, ``pango-1.0``, … ``libpango-1.0.so.0``), and every list
  holds the Linux soname, which loads as written. With the search answering
  "not found" that name is the one loaded (``_libraries_by_soname``).
- ``weasyprint.pdf.fonts`` imports fontTools' subsetter and variable-font
  instancer (0.1 s), used only where HarfBuzz cannot subset (HarfBuzz older
  than 4.1) and for variable fonts; the Noto CJK faces are not variable and
  HarfBuzz subsets them. Stand-ins take their place during the import and
  load the real modules when first used (``_font_tools_when_used``).

If either goes wrong (a library missing, another platform), WeasyPrint is
imported again the usual way, with its own message.
"""

import contextlib
import ctypes.util
import importlib
import sys
import types


def import_weasyprint():
    """The ``weasyprint`` module, loaded as above when it can be."""
    with contextlib.suppress(OSError), _libraries_by_soname(), _font_tools_when_used():
        return importlib.import_module("weasyprint")
    return importlib.import_module("weasyprint")  # the usual search, and its message


@contextlib.contextmanager
def _libraries_by_soname():
    """While WeasyPrint loads Pango, HarfBuzz and fontconfig, no library search."""
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        yield
    finally:
        ctypes.util.find_library = search


class _LoadedWhenUsed(types.ModuleType):
    """Stands in for a module while WeasyPrint is imported: whatever is asked of it
    afterwards comes from the real module, imported then."""

    def __getattr__(self, name):
        if name.startswith("__"):  # what the import machinery asks of a module (__path__ …)
            raise AttributeError(name)
        return getattr(importlib.import_module(self.__name__), name)


def _instantiate_variable_font(*args, **kwargs):
    # WeasyPrint imports this one name from the instancer (``from … import``), which
    # a stand-in module cannot defer: a function of its own does.
    instancer = importlib.import_module("fontTools.varLib.instancer")
    return instancer.instantiateVariableFont(*args, **kwargs)


@contextlib.contextmanager
def _font_tools_when_used():
    """While WeasyPrint is imported, fontTools' subsetter and instancer are stand-ins."""
    instancer = _LoadedWhenUsed("fontTools.varLib.instancer")
    instancer.instantiateVariableFont = _instantiate_variable_font
    stand_ins = {
        "fontTools.subset": _LoadedWhenUsed("fontTools.subset"),
        instancer.__name__: instancer,
    }
    if any(name in sys.modules for name in stand_ins):
        yield  # loaded already: nothing to save
        return
    sys.modules.update(stand_ins)
    try:
        yield
    finally:
        # Out of the way of any later import: that one loads the real module.
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
