"""The press report's chart: an image a screen reader can read, whose figures are written in
text beside each bar, so that nothing is told by colour alone."""

from __future__ import annotations

import re

from web.press_chart import COLOURS, bars

ROWS = [
    ("accepted", "acceptée", 26),
    ("rejected", "rejetée", 6),
    ("awaiting_response", "en attente", 0),
]


def test_the_chart_has_a_title_a_description_and_each_count_in_text() -> None:
    svg = str(bars("Les réponses", "acceptée: 26; rejetée: 6; en attente: 0", ROWS, 32))
    assert 'role="img"' in svg and 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">Les réponses</title>' in svg
    assert "acceptée: 26; rejetée: 6" in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts == ["acceptée", "26", "rejetée", "6", "en attente", "0"]
    assert "<script" not in svg


def test_a_bar_is_as_long_as_its_share_and_coloured_by_its_position() -> None:
    svg = str(bars("t", "d", ROWS, 32))
    widths = [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', svg)]
    assert widths[0] > widths[1] > widths[2] == 1  # an empty bar is a hairline, its 0 in text
    assert COLOURS["accepted"] in svg and COLOURS["rejected"] in svg


def test_text_in_a_label_is_escaped() -> None:
    svg = str(bars("<b>", "d", [("accepted", "a & b", 1)], 1))
    assert "&lt;b&gt;" in svg and "a &amp; b" in svg
