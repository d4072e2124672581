"""A colon after a label is written as each language writes it: French puts a narrow no-break
space before it, English and Dutch none."""

from __future__ import annotations

import re
from html import unescape

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import Built, serving

HEADINGS = {
    "fr": "Recommandation 1/1\u202f: ",
    "nl": "Aanbeveling 1/1: ",
    "en": "Recommendation 1/1: ",
}


@pytest.mark.parametrize("lang", sorted(HEADINGS))
def test_a_recommendation_s_heading_puts_its_colon_as_the_language_does(
    built: Built, lang: str
) -> None:
    page = TestClient(serving(built.ledger)).get(f"/recommendations/1/1?lang={lang}").text
    heading = unescape(re.search(r"<h1>(.*?)</h1>", page, re.S).group(1))  # type: ignore[union-attr]
    assert re.sub(r"<[^>]+>", "", heading).startswith(HEADINGS[lang])
    if lang == "fr":
        text = unescape(
            re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", "", page, flags=re.S)
        )
        found = [
            text[m.start() - 40 : m.end() + 20]
            for m in re.finditer(r"[^\u202f\u00a0\s\d]:(?!//)", text)
        ]
        assert found == []


PLAIN_SPACE = r"[ \t\r\n][:;](?!//)"  # a space a line may break at, before the mark
FRENCH_PAGES = [
    "/",
    "/panels/1",
    "/recommendations",
    "/recommendations/1/1",
    "/recommendations/1/2",
    "/portfolios",
    "/overdue",
    "/verify",
    "/desk",
    "/panels/1/report",
    "/api/feed.atom",
]


@pytest.mark.parametrize("path", FRENCH_PAGES)
def test_french_puts_a_narrow_no_break_space_before_a_colon_or_a_semicolon(
    built: Built, path: str
) -> None:
    """Never a plain space, where a line could break and leave the mark alone at its start."""
    answer = TestClient(serving(built.ledger)).get(f"{path}?lang=fr")
    assert answer.status_code == 200, path
    text = unescape(
        re.sub(r"<script.*?</script>|<style.*?</style>|<[^>]+>", "", answer.text, flags=re.S)
    )
    found = [text[m.start() - 40 : m.end() + 20] for m in re.finditer(PLAIN_SPACE, text)]
    assert found == []
    # Attributes too: a table cell's label on a phone, what a link says to a screen reader, what
    # a shared link shows, the desk's sentences.
    page = re.sub(r"<script.*?</script>|<style.*?</style>", "", answer.text, flags=re.S)
    said = [unescape(value) for value in re.findall(r'=\s*"([^"]*)"', page)]
    assert [value for value in said if re.search(PLAIN_SPACE, value)] == []
    assert re.search("\u202f[:;]", text), "the page has a colon or semicolon to check"
    if path == "/":  # a scoreboard's figures, said in words for a screen reader
        assert re.search("%\\)\u202f; ", text)
