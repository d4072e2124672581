"""Codes read by their labels and recommendations by their own references, on the pages and in
the JSON API: strata and their values on the panel pages and in the composition, portfolios on
the board, its filter, the overdue page and each answer; the API gives the assembly's reference
beside PANEL/NUMBER and a title without a title of its own as ``assembly show`` does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.features.cycle import (
    LEDGER,
    as_government,
    as_secretariat,
    copy_of,
    entries,
    ok,
    shared_template,
)
from tests.features.forked import assembly
from tests.web.conftest import serving

TEXT = (
    "fr=Légiférer sur le crime d'écocide.\n\n"
    "Adopter une loi qui pénalise le crime d'écocide dans le cadre des 9 limites planétaires."
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small assembly with portfolio ``climate``, stratum ``age_band`` and its value
    ``16-34`` named (``35-59`` not), a group pt4, and PT4.1 (1/5) adopted without a title under
    it, shared with ``housing``, handed over and answered by ``housing``; 1/1 answered by
    ``climate``."""
    found: Path = copy_of(shared_template(tmp_path_factory).seated, tmp_path_factory.mktemp("l"))
    (found / "before-labels").write_text(str(entries(found) - 1))
    ok(
        as_government(
            found,
            *("portfolio", "name", "--code", "climate"),
            *("--label", "fr=Climat et énergie", "--label", "nl=Klimaat en energie"),
        )
    )
    ok(
        as_secretariat(
            found,
            *("stratum", "name", "--stratum", "age_band"),
            *("--label", "fr=Tranche d'âge", "--label", "nl=Leeftijdsgroep"),
        )
    )
    ok(
        as_secretariat(
            found,
            *("stratum", "name", "--stratum", "age_band", "--value", "16-34"),
            *("--label", "fr=16 à 34 ans", "--label", "nl=16 tot 34 jaar"),
        )
    )
    ok(
        as_secretariat(
            found,
            *("recommend", "group", "--code", "pt4", "--level", "objective"),
            *("--title", "fr=Protéger les écosystèmes"),
        )
    )
    ok(
        as_secretariat(
            found,
            *("recommend", "adopt", "--panel", "1", "--vote", "V-1", "--reference", "PT4.1"),
            *("--group", "pt4", "--portfolio", "climate", "--text", TEXT),
            *("--shared-with", "housing"),
        )
    )
    ok(as_government(found, "respond", "1/1", "--position", "accepted", "--portfolio", "climate"))
    ok(as_secretariat(found, "recommend", "hand-over", "--panel", "1", "--number", "5"))
    ok(as_government(found, "respond", "PT4.1", "--position", "accepted", "--portfolio", "housing"))
    return found


@pytest.fixture(scope="module")
def client(folder: Path) -> TestClient:
    return TestClient(serving(str(folder / LEDGER)))


def get(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return response.json()


def cli(folder: Path, *args: str) -> Any:
    return json.loads(ok(assembly(*args, "--format", "json", cwd=folder)).stdout)


# --- the JSON API --------------------------------------------------------------------------------


def test_the_api_gives_the_assemblys_reference_beside_panel_and_number_which_stays_as_it_was(
    client: TestClient,
) -> None:
    found = get(client, "/api/recommendations/1/5")

    assert (found["ref"], found["reference"], found["group"]) == ("1/5", "PT4.1", "pt4")
    assert found["shared_with"] == ["housing"]
    assert found["texts"]["fr"].split("\n\n")[0] == "Légiférer sur le crime d'écocide."
    assert get(client, "/api/recommendations/1/1")["reference"] is None


def test_a_recommendation_without_a_title_is_titled_by_its_first_words_in_the_api_as_in_show(
    client: TestClient, folder: Path
) -> None:
    found = get(client, "/api/recommendations/1/5")
    row = next(row for row in get(client, "/api/status")["recommendations"] if row["ref"] == "1/5")

    assert found["title"] == cli(folder, "show", "PT4.1")["title"]
    assert found["title"].startswith("Légiférer sur le crime d'écocide. Adopter une loi")
    assert found["titles"] == {}
    assert (row["title"], row["reference"], row["group"]) == (found["title"], "PT4.1", "pt4")


def test_the_composition_in_the_api_gives_each_stratum_and_value_its_labels_as_the_command_does(
    client: TestClient, folder: Path
) -> None:
    strata = get(client, "/api/panels/1/composition")["strata"]
    by_code = {(row["feature"], row["value"]): row for row in strata}

    young = by_code[("age_band", "16-34")]
    assert young["feature_labels"] == {"fr": "Tranche d'âge", "nl": "Leeftijdsgroep"}
    assert young["value_labels"] == {"fr": "16 à 34 ans", "nl": "16 tot 34 jaar"}
    assert by_code[("age_band", "35-59")]["value_labels"] == {}
    assert by_code[("gender", "female")]["feature_labels"] == {}
    assert strata == cli(folder, "composition", "1")


def test_labels_given_after_the_point_asked_for_are_not_in_the_composition_of_that_point(
    client: TestClient, folder: Path
) -> None:
    seq = (folder / "before-labels").read_text()
    before = get(client, f"/api/panels/1/composition?at_seq={seq}")["strata"]

    assert all(row["feature_labels"] == row["value_labels"] == {} for row in before)


# --- the pages -----------------------------------------------------------------------------------


def test_the_panel_page_shows_strata_and_values_by_their_labels_in_the_readers_language(
    client: TestClient,
) -> None:
    french = client.get("/panels/1?lang=fr").text
    dutch = client.get("/panels/1?lang=nl").text

    assert "<bdi>Tranche d&#39;âge</bdi>" in french
    assert "<bdi>16 à 34 ans</bdi>" in french
    assert "<bdi>Leeftijdsgroep</bdi>" in dutch and "<bdi>16 tot 34 jaar</bdi>" in dutch
    assert "<bdi>35-59</bdi>" in french  # a value not named: its code
    assert "<bdi>gender</bdi>" in french  # a stratum not named: its code


def test_the_overview_shows_the_strata_by_their_labels_too(client: TestClient) -> None:
    assert "<bdi>16 à 34 ans</bdi>" in client.get("/?lang=fr").text


def test_the_board_and_its_filter_show_portfolios_by_their_labels_and_filter_by_their_codes(
    client: TestClient,
) -> None:
    html = client.get("/recommendations?lang=fr").text
    filtered = client.get("/recommendations?lang=fr&portfolio=climate").text

    assert '<td data-label="Compétence"><bdi>Climat et énergie</bdi></td>' in html
    assert '<option dir="auto" value="climate">Climat et énergie</option>' in html
    dutch = client.get("/recommendations?lang=nl").text
    assert '<td data-label="Bevoegdheid"><bdi>Klimaat en energie</bdi></td>' in dutch
    assert "1/5 PT4.1" in filtered


def test_the_overdue_page_shows_the_responsible_portfolio_by_its_label(
    client: TestClient,
) -> None:
    html = client.get("/overdue?lang=fr").text

    assert '<td data-label="Compétence"><bdi>Climat et énergie</bdi></td>' in html
    assert "<bdi>climate</bdi>" not in html


def test_an_answer_names_its_responsible_portfolio_by_its_label(client: TestClient) -> None:
    html = client.get("/recommendations/1/1?lang=fr").text

    assert "<dt>Compétence responsable</dt><dd><bdi>Climat et énergie</bdi></dd>" in html


def test_the_recommendation_page_shows_its_groups_title_with_the_code(client: TestClient) -> None:
    html = client.get("/recommendations/1/5?lang=fr").text

    assert "<bdi>Protéger les écosystèmes</bdi> (<bdi>pt4</bdi>)" in html


def test_a_portfolios_feed_holds_the_answers_to_the_recommendations_it_shares(
    client: TestClient,
) -> None:
    housing = client.get("/api/feed.atom?portfolio=housing").text
    climate = client.get("/api/feed.atom?portfolio=climate").text

    assert "/recommendations/1/5" in housing and "/recommendations/1/1" not in housing
    assert "/recommendations/1/5" in climate and "/recommendations/1/1" in climate
