"""Bar charts drawn as SVG on the server: no JavaScript chart library, nothing from a CDN.

Each function takes plain numbers and labels and returns safe markup to put
straight into a template. Labels are escaped here; every chart carries a
<title> for screen readers, and the pages print the same figures as a table.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

LABEL_WIDTH = 200  # room for a department's name on the left
BAR_AREA = 460
VALUE_WIDTH = 90
ROW_HEIGHT = 26
BAR_HEIGHT = 16
LEGEND_HEIGHT = 26
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _clip(text, length=16):
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def _svg(title, height, body, bar_area=BAR_AREA):
    width = LABEL_WIDTH + bar_area + VALUE_WIDTH
    return mark_safe(
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def _row_label(y, label):
    # The full label as a tooltip; a <title> inside <text> upsets Chromium's anchoring.
    return (
        f"<g><title>{escape(label)}</title>"
        f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR_HEIGHT - 4}" text-anchor="end">'
        f"{escape(_clip(label))}</text></g>"
    )


def stacked_bars(title, rows, segments, bar_area=BAR_AREA):
    """One horizontal bar per row, split into coloured segments, with a legend.

    ``rows`` is a list of (label, {segment key: number}); ``segments`` a list
    of (key, label, colour) in the order they are stacked. The longest bar
    fills ``bar_area`` (narrower for a chart in a half-width column, so that
    its text is not shrunk).
    """
    largest = max(
        (sum(values.get(key, 0) for key, _, _ in segments) for _, values in rows), default=0
    )
    parts = []
    x = LABEL_WIDTH
    for _key, label, colour in segments:
        parts.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>'
            f'<text x="{x + 16}" y="16">{escape(label)}</text>'
        )
        x += 30 + 13 * len(str(label))
    for index, (label, values) in enumerate(rows):
        y = LEGEND_HEIGHT + index * ROW_HEIGHT + 4
        parts.append(_row_label(y, label))
        x = float(LABEL_WIDTH)
        total = 0
        for key, segment_label, colour in segments:
            value = values.get(key, 0)
            if not value:
                continue
            total += value
            width = max(0.0, bar_area * value / largest)
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                f'fill="{colour}"><title>{escape(label)} · {escape(segment_label)}：{value}'
                "</title></rect>"
            )
            x += width
        parts.append(f'<text x="{x + 6:.1f}" y="{y + BAR_HEIGHT - 4}">{total}</text>')
    height = LEGEND_HEIGHT + len(rows) * ROW_HEIGHT + 8
    return _svg(title, height, "".join(parts), bar_area)


def bars(title, items, colour="#0d6efd", bar_area=BAR_AREA):
    """One horizontal bar per item; ``items`` are (label, number, text printed after the bar)."""
    largest = max((value for _, value, _ in items), default=0)
    largest = largest if largest > 0 else 1
    parts = []
    for index, (label, value, text) in enumerate(items):
        y = index * ROW_HEIGHT + 6
        # A negative figure (clock skew between two log rows) draws as no bar at all.
        width = max(0.0, bar_area * float(value) / float(largest))
        parts.append(_row_label(y, label))
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
            f'fill="{colour}"><title>{escape(label)}：{escape(text)}</title></rect>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + BAR_HEIGHT - 4}">'
            f"{escape(text)}</text>"
        )
    return _svg(title, len(items) * ROW_HEIGHT + 10, "".join(parts), bar_area)
