"""Fonts subset in one pass of HarfBuzz, not two.

Every PDF embeds the glyphs it prints of each face (Noto Serif CJK SC, Noto
Sans CJK SC for the title), subset by HarfBuzz. WeasyPrint subsets twice: once
keeping the glyph ids the page contents use (``RETAIN_GIDS``), then again
keeping glyphs 0 to the last one used, to drop the empty ones after it. But
HarfBuzz has ended a retain-gids subset at the last glyph kept since 2019
(harfbuzz/harfbuzz#1715; Debian 12 has 6.0), so the second makes the same
font again: 30 ms a face on this machine, for two faces a sixth of printing
one form. The two passes' flags are given to the first (``NO_HINTING`` when
hinting is off) and the second is left out when the first font ends at the
last glyph used; otherwise WeasyPrint's own runs. Checked:
the PDFs are byte for byte the same (tests/unit/test_font_subset.py).

The glyph ids go to HarfBuzz in an open array (``hb_codepoint_t[]``): cffi
parses a C type it has not seen before against all of WeasyPrint's
declarations (7 ms), and WeasyPrint's ``hb_codepoint_t[N]`` is a new type for
every N.

Written for the WeasyPrint pinned in requirements (``Font._harfbuzz_subset``).
"""

# The tables WeasyPrint drops from every subset (pinned version).
DROPPED_TABLES = (
    b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT",
    b"SVG ",
)  # fmt: skip


def install():
    """Make WeasyPrint subset fonts with ``subset_once``."""
    # Imported here, as in pdf.py: ``pdf._weasyprint`` calls this once WeasyPrint is loaded.
    from weasyprint.pdf import fonts

    if fonts.Font._harfbuzz_subset is not _subset:
        _subset.weasyprint = fonts.Font._harfbuzz_subset
        fonts.Font._harfbuzz_subset = _subset


def _subset(font, to_unicode, hinting):
    """``Font._harfbuzz_subset``: one pass when it makes the same font as WeasyPrint's two."""
    if not subset_once(font, to_unicode, hinting):
        _subset.weasyprint(font, to_unicode, hinting)


def subset_once(font, to_unicode, hinting):
    """Subset ``font`` (a WeasyPrint ``Font``) to the glyph ids of ``to_unicode``, ids kept;
    True when done (``font.file_content`` is the subset), False to leave it to WeasyPrint."""
    # Loaded already (``install``): these only name what WeasyPrint's own code uses.
    from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
    from weasyprint.text.fonts import get_hb_object_data

    subset = harfbuzz_subset
    plan = ffi.gc(subset.hb_subset_input_create_or_fail(), subset.hb_subset_input_destroy)
    glyphs = sorted(to_unicode)
    harfbuzz.hb_set_add_sorted_array(
        subset.hb_subset_input_glyph_set(plan), ffi.new("hb_codepoint_t[]", glyphs), len(glyphs)
    )
    flags = (
        subset.HB_SUBSET_FLAGS_RETAIN_GIDS
        | subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
        | subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    )
    if not hinting:
        flags |= subset.HB_SUBSET_FLAGS_NO_HINTING
    if font.missing:
        flags |= subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    subset.hb_subset_input_set_flags(plan, flags)
    tags = [harfbuzz.hb_tag_from_string(name, -1) for name in DROPPED_TABLES]
    harfbuzz.hb_set_add_sorted_array(
        subset.hb_subset_input_set(plan, subset.HB_SUBSET_SETS_DROP_TABLE_TAG),
        ffi.new("hb_codepoint_t[]", tags),
        len(tags),
    )
    face = ffi.gc(subset.hb_subset_or_fail(font.hb_face, plan), harfbuzz.hb_face_destroy)
    if not face or harfbuzz.hb_face_get_glyph_count(face) != glyphs[-1] + 1:
        return False  # not what WeasyPrint's second pass would leave: it makes the font
    content = get_hb_object_data(face)
    if not content:
        return False
    font.file_content = content
    return True
