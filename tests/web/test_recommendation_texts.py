"""Real recommendations on the pages: the assembly's own reference, paragraphs kept as
paragraphs, portfolio labels with accents in the reader's language, and a search that ignores
accents and case."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.features.cycle import LEDGER, as_government, as_secretariat, copy_of, ok, shared_template
from tests.web.conftest import serving

TEXT = (
    "fr=Légiférer sur le crime d'écocide.\n\n"
    "Adopter une loi qui pénalise le crime d'<écocide> dans le cadre des 9 limites planétaires."
)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """The small assembly with SD-E2 (no title, two paragraphs) adopted for a portfolio whose
    name has accents, and a group it belongs to."""
    folder: Path = copy_of(
        shared_template(tmp_path_factory).seated, tmp_path_factory.mktemp("texts")
    )
    ok(
        as_government(
            folder,
            *("portfolio", "name", "--code", "transition-ecologique"),
            *("--label", "fr=Transition écologique", "--label", "nl=Ecologische transitie"),
        )
    )
    ok(
        as_secretariat(
            folder,
            *("recommend", "group", "--code", "pt4", "--level", "objective"),
            *("--title", "fr=Protéger les écosystèmes"),
        )
    )
    ok(
        as_secretariat(
            folder,
            *("recommend", "adopt", "--panel", "1", "--vote", "V-1", "--reference", "PT4.1"),
            *("--group", "pt4", "--portfolio", "transition-ecologique", "--text", TEXT),
            *("--shared-with", "climate"),
        )
    )
    return TestClient(serving(str(folder / LEDGER)))


def test_a_recommendation_page_shows_its_reference_and_one_paragraph_per_paragraph_escaped(
    client: TestClient,
) -> None:
    html = client.get("/recommendations/1/5?lang=fr").text

    assert "1/5 PT4.1" in html
    assert '<p dir="auto">Légiférer sur le crime d&#39;écocide.</p>' in html
    assert "crime d&#39;&lt;écocide&gt; dans le cadre" in html


def test_a_portfolio_label_with_accents_is_shown_on_a_french_page_and_its_code_elsewhere(
    client: TestClient,
) -> None:
    french = client.get("/recommendations/1/5?lang=fr").text
    dutch = client.get("/recommendations/1/5?lang=nl").text

    assert "<bdi>Transition écologique</bdi>" in french
    assert "<bdi>Ecologische transitie</bdi>" in dutch
    assert "<bdi>Protéger les écosystèmes</bdi>" in french
    assert "<bdi>climate</bdi>" in french  # shared with a portfolio that has no label: its code


def test_the_board_search_ignores_accents_and_case(client: TestClient) -> None:
    for query in ("ecocide", "ÉCOCIDE", "pt4.1"):
        html = client.get(f"/recommendations?lang=fr&q={query}").text
        assert "1/5 PT4.1" in html, query
    assert "1/5 PT4.1" not in client.get("/recommendations?lang=fr&q=ecocidx").text
