"""Computed styles shared by every form a process prints, not made again for each.

WeasyPrint computes an element's style once per document and shares it with
the elements of that document whose parent's style and cascaded declarations
are the same (``StyleFor``'s own cache). The forms are made of the same few
kinds of cell in the same tables, styled by the same stylesheets, so the 30
forms of a bundle hold 56 distinct styles, not 30 times as many; yet every
document computed its own, property by property as layout and drawing asked
for them: about a tenth of the CPU a bundle costs (30 forms laid out and
written on one CPU: 5.0-5.2 s, 4.6-4.75 s sharing; the PDF byte for byte the same).

``SharedStyleFor`` keeps that cache for the life of the process, for documents
that ask for it (``shares_styles`` on the HTML object: ``pdf._LeanHTML``). Its
key is WeasyPrint's, made to hold across documents: the parent's style (itself
shared, so one object for all documents) and the cascaded declarations by
value, as a style attribute (``<col style="width: 26mm">``) parses anew in
every document. A style depends on nothing else of its document here: one
font configuration and stylesheets per process (``pdf._weasyprint``), no base
URL, every page A4. What WeasyPrint writes into a style after computing it
(the root's ``overflow``, the ``display`` of a footnote) it writes the same
for every document, as it would for two elements of one document sharing
it. Two threads printing at once (the demo's runserver; gunicorn's sync
workers and Celery's prefork pool print one form at a time) may both compute
a property of one style: each sets the same value, and a dict's get and set
are atomic (no var() here, whose resolution marks a property for a moment).

Written for the WeasyPrint pinned in requirements (``StyleFor``'s cascade and
``set_computed_styles``); tests/unit/test_shared_styles.py prints the same forms
with and without it and compares the PDFs.
"""

from xml.etree import ElementTree

# Distinct styles kept before the cache starts again: a bundle of 30 forms makes
# 56; a long-lived worker printing forms of every kind stays far below this.
MAX_STYLES = 4096


def install():
    """Make WeasyPrint's style computing share across documents that ask for it."""
    # Imported here, as in pdf.py: loading Pango costs time that pages without PDFs need not
    # pay; ``pdf._weasyprint`` calls this once WeasyPrint is loaded.
    from weasyprint import css

    if not issubclass(css.StyleFor, _SharedStyleFor):
        css.StyleFor = type("SharedStyleFor", (_SharedStyleFor, css.StyleFor), {})


# (font configuration, parent style, cascaded declarations) -> (style, what keeps
# the key's ids meaning the same objects: the cascaded values, the parent style).
_styles = {}


class _SharedStyleFor:
    """Mixed into WeasyPrint's ``StyleFor`` by ``install``."""

    def __init__(self, html, *args, **kwargs):
        # Set first: WeasyPrint's __init__ computes every element's style.
        self._shares = getattr(html, "shares_styles", False)
        super().__init__(html, *args, **kwargs)

    def set_computed_styles(
        self, element, parent, root=None, pseudo_type=None, base_url=None, target_collector=None
    ):
        # Pseudo-elements and pages (whose "element" is a page type) as ever.
        own = pseudo_type is not None or not isinstance(element, ElementTree.Element)
        if own or not self._shares or base_url is not None:
            return super().set_computed_styles(
                element, parent, root, pseudo_type, base_url, target_collector
            )
        computed = self.get_computed_styles()
        parent_style = None if parent is None else computed[parent, None]
        cascaded = self.get_cascaded_styles().get((element, None), {})
        key = (
            id(self.font_config),
            id(parent_style),
            tuple((name, _by_value(value), weight) for name, (value, weight) in cascaded.items()),
        )
        kept = _styles.get(key)
        if kept is None:
            super().set_computed_styles(
                element, parent, root, pseudo_type, base_url, target_collector
            )
            if len(_styles) >= MAX_STYLES:
                _styles.clear()
            _styles[key] = (computed[element, None], (cascaded, parent_style, self.font_config))
            return None
        style = computed[element, None] = kept[0]
        if target_collector and style["anchor"]:
            target_collector.collect_anchor(style["anchor"])
        return None


def _by_value(value):
    """A cascaded value as a key: itself when it can be (a width, a keyword), else its id
    (kept alive with the style, so that no other object takes it)."""
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return value
