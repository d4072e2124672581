"""The press report's chart: the government's positions as horizontal bars, drawn on the server
as inline SVG (no script, so it prints and converts to PDF as it shows).

Each bar carries its label and its count in text, so nothing is said by colour alone; the
``title`` and ``desc`` give a screen reader the chart's point and every figure. The palette is
Okabe and Ito's, which colour-blind readers tell apart; every bar is at least 3:1 against white
(WCAG 2.2, 1.4.11), and the text is dark on white.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

# The position each colour stands for (Okabe-Ito, darkened where needed to reach 3:1).
COLOURS = {
    "accepted": "#00734d",
    "accepted_in_part": "#0072b2",
    "already_in_place": "#3d6b85",
    "under_study": "#a35c00",
    "not_competent": "#6e6e6e",
    "rejected": "#b8400c",
    "postponed": "#8a4a78",
    "awaiting_response": "#595959",
}
WIDTH, ROW, LABEL = 640, 26, 250  # the drawing's width, a bar's row, the labels' column


def bars(title: str, desc: str, rows: Sequence[tuple[str, str, int]], total: int) -> Markup:
    """A bar per ``(value, words, count)`` row, its length the share of ``total``."""
    height = ROW * len(rows) + 8
    span = WIDTH - LABEL - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        'aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(desc)}</desc>',
    ]
    for place, (value, words, count) in enumerate(rows):
        y = 4 + place * ROW
        length = round(span * count / total) if total else 0
        colour = COLOURS.get(value, "#595959")
        parts.append(
            f'<text x="{LABEL - 8}" y="{y + 17}" text-anchor="end" font-size="14" '
            f'fill="#1a1a1a">{escape(words)}</text>'
            f'<rect x="{LABEL}" y="{y + 3}" width="{max(length, 1)}" height="{ROW - 8}" '
            f'fill="{colour}"/>'
            f'<text x="{LABEL + max(length, 1) + 6}" y="{y + 17}" font-size="14" '
            f'font-weight="bold" fill="#1a1a1a">{count}</text>'
        )
    parts.append("</svg>")
    return Markup("\n".join(parts))
