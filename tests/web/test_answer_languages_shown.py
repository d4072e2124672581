"""The recommendation page reads an answer's texts and the commission's reasons in the reader's
language when they were translated into it, else in their original, marked with its language
(``lang``) so that a screen reader reads them in their own (WCAG 3.1.2); a text whose language
was never recorded is shown as it was signed.

The ledger is the small assembly of ``tests.features.cycle`` (a charter in French and Dutch):
1/1 refused in French with a Dutch translation, its verdict's reasons in Dutch with a French
translation; 1/2 refused in no recorded language.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape

from tests.features.cycle import (
    COMMISSION,
    GOVERNMENT,
    LEDGER,
    copy_of,
    long_justification,
    ok,
    shared_template,
)
from tests.features.forked import assembly
from tests.web.conftest import serving

FRENCH = "Le budget pluriannuel ne prévoit pas cette mesure, faute de crédits. " * 4
DUTCH = "De meerjarenbegroting voorziet niet in deze maatregel, bij gebrek aan middelen. " * 4
REASONS_NL, REASONS_FR = "Geen begrotingslijn.", "Aucune ligne budgétaire."


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    folder = copy_of(shared_template(tmp_path_factory).seated, tmp_path_factory.mktemp("langs"))

    def run(*args: str, key: str) -> None:
        ok(assembly(*args, "--key", key, cwd=folder))

    refused = ("--position", "rejected", "--portfolio", "climate")
    run("respond", "1/1", *refused, "--justification", f"fr={FRENCH}", key=GOVERNMENT)
    run("respond", "1/2", *refused, "--justification", long_justification(), key=GOVERNMENT)
    # 1/1's answer is in French alone; 1/3's in French with its Dutch translation.
    run(
        *("respond", "1/3", *refused, "--justification", f"fr={FRENCH}"),
        *("--justification", f"nl={DUTCH}"),
        key=GOVERNMENT,
    )
    run(
        *("assess", "1/3", "--verdict", "disputes"),
        *("--reasons", f"nl={REASONS_NL}", "--reasons", f"fr={REASONS_FR}"),
        key=COMMISSION,
    )
    return TestClient(serving(str(folder / LEDGER)))


def html(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.text


def test_an_answer_is_read_in_the_readers_language_when_translated(client: TestClient) -> None:
    dutch = html(client, "/recommendations/1/3?lang=nl")
    assert f"<bdi>{DUTCH}</bdi>" in dutch and FRENCH not in dutch
    french = html(client, "/recommendations/1/3?lang=fr")
    assert f"<bdi>{FRENCH}</bdi>" in french and DUTCH not in french


def test_an_answer_without_the_readers_language_is_its_original_marked_with_its_language(
    client: TestClient,
) -> None:
    english = html(client, "/recommendations/1/3?lang=en")
    assert f'<bdi lang="fr">{FRENCH}</bdi>' in english
    untranslated = html(client, "/recommendations/1/1?lang=nl")
    assert f'<bdi lang="fr">{FRENCH}</bdi>' in untranslated


def test_the_commissions_reasons_are_read_in_the_readers_language_when_translated(
    client: TestClient,
) -> None:
    assert f"<bdi>{REASONS_FR}</bdi>" in html(client, "/recommendations/1/3?lang=fr")
    assert f"<bdi>{REASONS_NL}</bdi>" in html(client, "/recommendations/1/3?lang=nl")
    assert f'<bdi lang="nl">{REASONS_NL}</bdi>' in html(client, "/recommendations/1/3?lang=en")


def test_a_text_in_no_recorded_language_is_shown_as_signed(client: TestClient) -> None:
    page = html(client, "/recommendations/1/2?lang=nl")
    assert f'<dd class="long" dir="auto">{escape(long_justification())}</dd>' in page
