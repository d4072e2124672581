"""Text written by users (titles, texts, justifications, names, portfolios, reasons) is isolated
for bidirectional display: a name in Arabic or Hebrew keeps its own direction and cannot
reorder the page's sentence around it (``<bdi>`` inline, ``dir="auto"`` for a whole block)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import ANSWERED, MEASURES, Built, read
from web.i18n import in_language, isolated, signer_label

RIGHT_TO_LEFT = "\u05e9\u05dc\u05d5\u05dd <b>"  # Hebrew, then markup that must stay text


def test_isolated_text_is_escaped_inside_a_bdi_element() -> None:
    assert isolated(RIGHT_TO_LEFT) == "<bdi>\u05e9\u05dc\u05d5\u05dd &lt;b&gt;</bdi>"
    assert isolated(None) == "<bdi></bdi>"


def test_a_text_in_the_page_language_or_another_is_isolated() -> None:
    assert in_language({"en": RIGHT_TO_LEFT}, "en") == isolated(RIGHT_TO_LEFT)
    assert in_language({"fr": "Le climat"}, "en") == '<bdi lang="fr">Le climat</bdi>'


def test_every_user_text_of_a_recommendation_page_is_isolated(
    client: TestClient, built: Built
) -> None:
    html = client.get("/recommendations/1/1?lang=fr").text
    rec = read(built.ledger).state.recommendations[ANSWERED]
    assert f"<bdi>{rec.title['fr']}</bdi>" in html
    assert f'<p dir="auto">{rec.text["fr"]}</p>' in html
    assert f"<bdi>{rec.portfolio}</bdi>" in html
    assert f'<dd class="long" dir="auto">{MEASURES}</dd>' in html
    signer = read(built.ledger).signer(rec.answers[0].change)
    assert signer and f"Signé par <bdi>{signer_label('fr', signer)}</bdi>" in html
    trail_names = re.findall(r"<td(?: data-label=\"[^\"]*\")?>(<bdi>[^<]*</bdi>) \(", html)
    assert trail_names and all(name.startswith("<bdi>") for name in trail_names)


@pytest.mark.parametrize("path", ["/recommendations?lang=en", "/overdue?lang=en"])
def test_the_titles_and_portfolios_of_a_table_are_isolated(client: TestClient, path: str) -> None:
    html = client.get(path).text
    rows = re.findall(r"<tr>\s*<th scope=\"row\">.*?</tr>", html, re.DOTALL)
    rows = [row for row in rows if "/recommendations/" in row]  # not the scoreboard's rows
    assert rows
    for row in rows:
        cells = re.findall(r"<td(?: data-label=\"[^\"]*\")?>(.*?)</td>", row, re.DOTALL)
        assert cells[0].startswith("<bdi") and cells[1].startswith("<bdi>"), cells[:2]
