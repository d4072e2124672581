"""On the demo, which names its portfolios and strata in three languages, a French or Dutch page
shows no code of the data in English: portfolios, strata and their values, the roles of the
keys are read by their labels. The codes stay where a reader checks the ledger: the audit trail
and the commands shown in ``<code>``."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli.synthetic.labels import PORTFOLIOS, STRATA
from tests.features.cycle import ok
from tests.features.forked import assembly
from tests.web.conftest import serving
from web.i18n import chip, label, said_lang, signer_label, tone

# legacy: the labels are what this reads, and the draw of a fresh pool takes it a second
DEMO = (
    "demo",
    "--ledger",
    "demo.db",
    "--out",
    "files",
    "--pool-size",
    "200",
    "--algorithm",
    "legacy",
)
PAGES = ("/", "/panels/1", "/recommendations", "/recommendations/1/1", "/recommendations/1/2")
ROLES = ("government", "secretariat", "charter")  # "commission" is French too
# The codes that are English words (age bands such as 16-24 are not words).
CODES = sorted(
    {*PORTFOLIOS, *ROLES, *(part for key in STRATA for part in key if part and part.isalpha())}
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    folder: Path = tmp_path_factory.mktemp("demo")
    ok(assembly(*DEMO, "--portfolio-size", "10", cwd=folder))
    return TestClient(serving(str(folder / "demo.db")))


def words_read(page: str) -> str:
    """The words of the codes a reader reads on ``page``: no markup, no attribute, not the audit
    trail's table nor a ``<code>`` element (entry types and commands are the ledger's own
    words), nor the free texts of answers and verdicts (``class="long"``: the demo writes them
    in English; they are texts, not codes, and have no label)."""
    page = re.sub(r"<table class=\"trail\">.*?</table>", " ", page, flags=re.DOTALL)
    page = re.sub(r"<(dd|p|div) class=\"long\"[^>]*>.*?</\1>", " ", page, flags=re.DOTALL)
    page = re.sub(r"<(code|style|script|svg)\b.*?</\1>", " ", page, flags=re.DOTALL)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


@pytest.mark.parametrize("lang", ["fr", "nl"])
@pytest.mark.parametrize("path", PAGES)
def test_a_french_or_dutch_page_of_the_demo_shows_no_english_code_of_the_data(
    demo: TestClient, path: str, lang: str
) -> None:
    response = demo.get(f"{path}?lang={lang}")
    assert response.status_code == 200
    text = words_read(response.text)
    found = [code for code in CODES if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)]
    assert not found, f"{path} in {lang} shows the codes {found}"


def test_the_panel_page_of_the_demo_says_why_a_seated_count_per_stratum_is_not_known(
    demo: TestClient,
) -> None:
    text = words_read(demo.get("/panels/1?lang=fr").text)
    assert "En séance aujourd'hui\u202f:" in text
    assert "inconnu par strate" in text
    assert "Pourquoi le nombre en séance par strate est inconnu" in text


@pytest.mark.parametrize(
    ("lang", "only"), [("fr", "seulement en anglais"), ("nl", "alleen in het Engels")]
)
def test_an_answer_of_the_demo_written_in_english_carries_its_lang_and_says_so(
    demo: TestClient, lang: str, only: str
) -> None:
    page = demo.get(f"/recommendations/1/1?lang={lang}").text
    justification = re.search(r'<dd class="long" dir="auto">(.*?)</dd>', page, re.DOTALL)
    assert justification is not None
    assert justification.group(1).startswith('<bdi lang="en">')
    assert f"({only})" in justification.group(1)


def test_a_signer_reads_with_its_role_in_words_and_an_unknown_role_as_recorded() -> None:
    assert signer_label("fr", "Minister (demo) (government)") == "Minister (demo) (le gouvernement)"
    assert signer_label("nl", "Jo (commission)") == "Jo (de opvolgingscommissie)"
    assert signer_label("en", "Jo (auditor)") == "Jo (auditor)"
    assert signer_label("en", None) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("accepted", "good"),
        ("accepted_in_part", "partial"),
        ("disputes", "bad"),
        ("none", "waiting"),
    ],
)
def test_each_status_has_the_tone_of_its_chip(value: str, expected: str) -> None:
    assert tone(value) == expected
    assert chip("nl", value) == f'<span class="chip chip-{expected}">{label("nl", value)}</span>'


def test_a_chip_says_its_value_in_words_in_the_page_s_language() -> None:
    partial = '<span class="chip chip-partial">{}</span>'
    assert chip("fr", "accepted_in_part") == partial.format("acceptée en partie")
    assert chip("en", "accepted_in_part") == partial.format("accepted in part")
    assert chip("en", "<b>") == '<span class="chip chip-waiting">&lt;b&gt;</span>'  # not a label


def test_a_text_in_another_language_than_the_page_is_marked_unless_translated() -> None:
    answer = {
        "justification": "Accepted.",
        "language": "en",
        "translations": {"nl": {"justification": "Aanvaard."}},
    }
    assert said_lang(answer, "justification", "fr") == "en"
    assert said_lang(answer, "justification", "nl") is None  # shown in its Dutch translation
    assert said_lang(answer, "justification", "en") is None
    assert said_lang({"justification": "Accepted."}, "justification", "fr") is None  # not recorded
