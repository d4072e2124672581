"""The stylesheet's colours meet WCAG 2.2 AA: text at least 4.5:1 against every background it
is set on (1.4.3), borders and the focus ring at least 3:1 against what they sit on (1.4.11).
Every colour is a variable of ``:root``, so the pairs below are every pair the pages use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STYLE = Path(__file__).resolve().parents[2] / "web" / "static" / "style.css"
TEXT, NON_TEXT = 4.5, 3.0

BACKGROUNDS = ("paper", "soft", "notice")  # page, table heads and code, the time-travel notice
PAIRS = [
    *((ink, ground, TEXT) for ink in ("ink", "link", "late") for ground in BACKGROUNDS),
    ("paper", "link", TEXT),  # a button's label
    ("rule", "paper", NON_TEXT),  # the borders of form fields
    *(("focus", ground, NON_TEXT) for ground in BACKGROUNDS),
    ("notice-rule", "notice", NON_TEXT),
    ("link", "soft", NON_TEXT),  # the bar beside a recommendation's text
    *((tone, f"{tone}-ground", TEXT) for tone in ("good", "partial", "bad", "waiting")),  # chips
    *((tone, "paper", NON_TEXT) for tone in ("good", "partial", "bad", "waiting")),  # their bars
]


def colours() -> dict[str, str]:
    """The ``:root`` variables of the stylesheet, by name without the dashes."""
    text = STYLE.read_text(encoding="utf-8")
    root = re.search(r":root\s*\{([^}]*)\}", text)
    assert root is not None
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root.group(1)))


def luminance(colour: str) -> float:
    """WCAG's relative luminance of a #rrggbb colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    red, green, blue = linear
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_formula_gives_wcags_own_figures() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the AA grey
    assert contrast("#f5b400", "#ffffff") < NON_TEXT  # a yellow ring on white is not enough


def test_every_colour_of_the_stylesheet_is_a_root_variable() -> None:
    text = STYLE.read_text(encoding="utf-8")
    outside = re.sub(r":root\s*\{[^}]*\}", "", text)
    assert not re.findall(r"#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(", outside)


@pytest.mark.parametrize(("front", "back", "least"), PAIRS)
def test_each_colour_pair_meets_wcag_aa(front: str, back: str, least: float) -> None:
    found = colours()
    assert contrast(found[front], found[back]) >= least, (front, back)
