"""The public pages: each shows what the read side computes, in the language asked for, at the
point in time asked for, with accessible HTML; unknown things are a 404 page, bad input a 400."""

from __future__ import annotations

import re
import shlex
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from types import MappingProxyType
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from jinja2 import Environment, StrictUndefined, UndefinedError
from jinja2.ext import babel_extract

import web.page_data
from projections.board import overdue_reviews
from projections.composition import read_composition, strata
from projections.scoreboard import Bar, Scoreboard, Segment
from projections.trail import recommendation_trail
from tests.features.cycle import copy_of
from tests.features.forked import assembly
from tests.web.conftest import ANSWERED, MEASURES, Built, read
from web.asked import Asked
from web.context import Busy, Settings, opened
from web.i18n import LABELS, LANGUAGE_IN, LANGUAGES, choose, preferred, translations
from web.pages import (
    IN_LANGUAGE,
    board_row,
    breakable,
    helpers,
    ref_link,
    scoreboard_html,
    templates,
    title_of,
)
from web.scoreboard_data import drawn_block

PAGES = ("/", "/panels/1", "/recommendations", "/recommendations/1/1", "/overdue", "/verify")
WEB = Path(__file__).parents[2] / "web"


class Page(HTMLParser):
    """What the checks need from a page: its language, fields, labels, tables, headings, text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang: str | None = None
        self.viewport = False
        self.fields: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.tables = self.captions = 0
        self.headers: list[dict[str, str | None]] = []
        self.headings: list[int] = []
        self.links: list[str] = []
        self.rels: dict[str, str] = {}  # the links with a rel (first, next), by their rel
        self.times: list[str] = []  # the datetime attributes of the <time> elements
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._cells: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang")
        elif tag == "meta" and found.get("name") == "viewport":
            self.viewport = True
        elif tag in ("input", "select", "textarea"):
            self.fields.append(found)
        elif tag == "label" and found.get("for"):
            self.labelled.add(str(found["for"]))
        elif tag == "table":
            self.tables += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "th":
            self.headers.append(found)
        if tag in ("th", "td") and self._cells is not None:
            self._cells.append("")
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "a" and found.get("href"):
            self.links.append(str(found["href"]))
            if found.get("rel"):
                self.rels[str(found["rel"])] = str(found["href"])
        elif tag == "time" and found.get("datetime"):
            self.times.append(str(found["datetime"]))
        elif tag == "tr":
            self._cells = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._cells is not None:
            self.rows.append(self._cells)
            self._cells = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cells and data.strip():
            self._cells[-1] = (self._cells[-1] + " " + data.strip()).strip()

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())

    def row(self, first: str) -> list[str]:
        """The cells of the table row whose first cell is ``first``."""
        return next(cells for cells in self.rows if cells and cells[0] == first)


def page(client: TestClient, path: str, status: int = 200, **headers: str) -> Page:
    response = client.get(path, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    return Page(response.text)


def in_english(day: date) -> str:
    """``day`` as the English pages write it (31 March 2026), without Babel."""
    return f"{day.day} {day:%B %Y}"


def refs(found: Page) -> list[str]:
    """The recommendation references a board or overdue table lists."""
    return [cells[0] for cells in found.rows if re.fullmatch(r"\d+/\d+", cells[0] if cells else "")]


# The overview and the panels


def test_the_overview_shows_the_charter_the_draw_and_the_composition_against_the_quotas(
    client: TestClient, built: Built
) -> None:
    found = page(client, "/?lang=en")
    assert "Test Assembly on Climate" in found.words
    assert "Panel 1: Le climat" in found.words  # the theme has no English text: French shown
    assert "40 letters drawn among 400 addresses" in found.words
    assert "60 volunteers" in found.words
    assert "12 members picked from a portfolio of 20 panels" in found.words
    assert "The Lotto draw after the announcement" in found.words
    assert "/panels/1?lang=en" in found.links
    count = len(refs(page(client, "/recommendations?lang=en")))
    assert count and f"Its {count} recommendations" in found.words
    assert f"Recommendations {count} " in found.words  # in all, counted by the database
    with opened(Settings(built.ledger)) as book:
        rows = strata(read_composition(book, 1))
    for stratum in rows:
        shown = next(c for c in found.rows if c[:2] == [stratum.feature, stratum.value])
        assert shown[2] == f"{stratum.min}\N{EN DASH}{stratum.max}"
        assert shown[3].split()[0] == str(stratum.drawn)


def test_a_panel_page_gives_the_seeds_and_every_column_of_the_composition(
    client: TestClient,
) -> None:
    found = page(client, "/panels/1?lang=en")
    assert "Lotto: 7 12 19 28 33 41 (bonus 2)" in found.words
    assert "assembly draw verify --panel 1" in found.words
    assert "Share of the population" in found.words


@pytest.mark.parametrize("panel", ["2", "0", "one"])
def test_an_unknown_panel_is_a_404_page_with_a_sentence(client: TestClient, panel: str) -> None:
    found = page(client, f"/panels/{panel}?lang=en", 404)
    assert f"There is no panel {panel} in the ledger." in found.words


# The board


def test_the_board_shows_every_recommendation_as_the_read_side_computes_it(
    client: TestClient, built: Built
) -> None:
    view = read(built.ledger)
    found = page(client, "/recommendations?lang=en")
    assert refs(found) == ["1/1", "1/2", "1/3", "1/4"]
    for rec in view.state.recommendations.values():
        cells = found.row(f"{rec.panel}/{rec.number}")
        assert cells[1] == rec.title["fr"] + " (only in French)"
        assert cells[3:6] == [LABELS[rec.position], LABELS[rec.implementation], "no verdict yet"]
        late = [str(deadline.review) for deadline in view.deadlines(rec) if deadline.overdue]
        which = f", review {late[0]}" if len(late) == 1 else f", reviews {', '.join(late)}"
        assert cells[-1] == (f"yes{which}" if late else "no")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("position=accepted", ["1/1"]),
        ("position=awaiting_response", ["1/2", "1/3", "1/4"]),
        ("overdue=1", ["1/1", "1/2", "1/3"]),  # 1/1's second answer is overdue too
        ("panel=1&implementation=not_started&verdict=none", ["1/1", "1/2", "1/3", "1/4"]),
        ("portfolio=climate&position=rejected", []),
        ("portfolio=housing", []),
        ("panel=2", []),
    ],
)
def test_the_board_filters(client: TestClient, query: str, expected: list[str]) -> None:
    assert refs(page(client, f"/recommendations?{query}")) == expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("recommandation 3", ["1/3"]),
        ("AANBEVELING 2", ["1/2"]),
        ("tekst 4", ["1/4"]),
        ("1/2", ["1/2"]),
        ("nothing", []),
    ],
)
def test_the_board_searches_references_titles_and_texts_in_every_language(
    client: TestClient, words: str, expected: list[str]
) -> None:
    assert refs(page(client, f"/recommendations?q={words}")) == expected


def test_the_board_is_read_a_page_at_a_time_with_links_that_keep_the_filters(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web.page_data, "PAGE_SIZE", 2)
    first = page(client, "/recommendations?lang=en&verdict=none")
    assert refs(first) == ["1/1", "1/2"]
    assert "Recommendations 1/1 to 1/2, as of" in first.words
    assert set(first.rels) == {"next"}
    assert parse_qs(urlsplit(first.rels["next"]).query) == {
        "lang": ["en"], "verdict": ["none"], "after": ["1/2"]
    }  # fmt: skip
    second = page(client, first.rels["next"])
    assert refs(second) == ["1/3", "1/4"]
    assert set(second.rels) == {"first"}  # the last page
    assert parse_qs(urlsplit(second.rels["first"]).query) == {"lang": ["en"], "verdict": ["none"]}
    assert refs(page(client, second.rels["first"])) == ["1/1", "1/2"]


def test_a_page_start_that_is_not_a_reference_is_a_400_page(client: TestClient) -> None:
    found = page(client, "/recommendations?after=one&lang=nl", 400)
    assert "one is geen verwijzing naar een aanbeveling zoals 1/12." in found.words


def test_a_filter_value_that_does_not_exist_is_a_400_page(client: TestClient) -> None:
    found = page(client, "/recommendations?position=maybe&lang=en", 400)
    assert "maybe is not a known value for position." in found.words


# One recommendation


def test_a_recommendation_page_shows_its_axes_answers_and_audit_trail(
    client: TestClient, built: Built
) -> None:
    found = page(client, "/recommendations/1/1?lang=en")
    rec = read(built.ledger).state.recommendations[ANSWERED]
    assert found.row("Government position")[1] == "accepted"
    assert "The government (test) (the government)" in found.row("Government position")[2]
    assert found.row("Implementation")[1] == "not started"
    assert found.row("Commission verdict")[1] == "no verdict yet"
    assert "Texte 1" in found.words
    assert MEASURES in found.words
    assert "Answer at review 1: accepted" in found.words
    due = found.row("1")
    assert due[2] == "1 August 2025" and due[1].startswith("answered ") and "days late" in due[1]
    assert "2025-08-01" in found.times
    assert rec.handed_over is not None and in_english(rec.handed_over) in found.words
    assert rec.handed_over.isoformat() in found.times
    with opened(Settings(built.ledger)) as book:
        trail = recommendation_trail(book, 1, 1)
    for line in trail:
        cells = found.row(str(line.seq))
        assert line.hash in cells and "yes" in cells
        assert f"/api/proofs/{line.seq}" in found.links
    assert [line.seq for line in trail][-1] == built.answer_seq


def test_an_unanswered_recommendation_shows_its_overdue_reviews(client: TestClient) -> None:
    found = page(client, "/recommendations/1/2?lang=en")
    assert found.row("Government position")[1] == "awaiting response"
    assert "overdue by" in found.row("1")[1]
    assert "No answer yet." in found.words


@pytest.mark.parametrize(
    "path", ["/recommendations/1/9", "/recommendations/3/1", "/recommendations/x/1"]
)
def test_an_unknown_recommendation_is_a_404_page_with_a_sentence(
    client: TestClient, path: str
) -> None:
    found = page(client, path + "?lang=en", 404)
    ref = path.removeprefix("/recommendations/")
    assert f"There is no recommendation {ref} in the ledger." in found.words


# Time travel


def test_before_the_answer_the_recommendation_awaits_it_and_after_it_is_accepted(
    client: TestClient, built: Built
) -> None:
    before = page(client, f"/recommendations/1/1?lang=en&at_seq={built.answer_seq - 1}")
    assert before.row("Government position")[1] == "awaiting response"
    assert "overdue by" in before.row("1")[1]
    assert all(
        int(cells[0]) < built.answer_seq
        for cells in before.rows
        if cells[0].isdigit() and len(cells) > 5
    )
    assert "up to entry" in before.words
    after = page(client, f"/recommendations/1/1?lang=en&at_seq={built.answer_seq}")
    assert after.row("Government position")[1] == "accepted"
    board = page(client, f"/recommendations?position=accepted&at_seq={built.answer_seq - 1}")
    assert refs(board) == []


def test_as_of_a_day_before_the_ledger_began_nothing_is_there(client: TestClient) -> None:
    board = page(client, "/recommendations?as_of=2020-01-01&lang=en")
    assert refs(board) == []
    assert "before its first entry" in board.words and "no entry yet" in board.words
    assert "entry -1" not in board.words
    page(client, "/recommendations/1/1?as_of=2020-01-01", 404)


def test_links_carry_the_language_and_the_point_in_time(client: TestClient, built: Built) -> None:
    seq = built.answer_seq
    found = page(client, f"/recommendations?lang=nl&at_seq={seq}&as_of=2030-01-01")
    assert f"/overdue?lang=nl&as_of=2030-01-01&at_seq={seq}" in found.links
    assert f"/recommendations/1/1?lang=nl&as_of=2030-01-01&at_seq={seq}" in found.links
    assert f"/recommendations?lang=fr&at_seq={seq}&as_of=2030-01-01" in found.links  # the switch


@pytest.mark.parametrize(
    ("query", "sentence"),
    [
        ("as_of=yesterday", "yesterday is not a date such as 2026-03-31."),
        ("as_of=2026-02-30", "2026-02-30 is not a date such as 2026-03-31."),
        ("at_seq=-1", "-1 is not an entry number such as 41."),
    ],
)
def test_a_bad_point_in_time_is_a_400_page_with_a_sentence(
    client: TestClient, query: str, sentence: str
) -> None:
    for path in PAGES:
        assert sentence in page(client, f"{path}?lang=en&{query}", 400).words


# The overdue list and the verification page


def test_the_overdue_page_lists_what_the_read_side_finds_overdue(
    client: TestClient, built: Built
) -> None:
    view = read(built.ledger)
    expected = overdue_reviews(view.state, as_of=view.as_of)
    found = page(client, "/overdue?lang=en")
    assert refs(found) == [f"{rec.panel}/{rec.number}" for rec, _ in expected]
    _, deadline = expected[0]
    assert found.rows[1][3:] == [str(deadline.review), in_english(deadline.due), str(deadline.late)]
    assert deadline.due.isoformat() in found.times


def test_the_verify_page_shows_the_checkpoint_the_verifier_key_and_the_commands(
    client: TestClient, built: Built
) -> None:
    found = page(client, "/verify?lang=en")
    assert built.vkey in found.words
    checkpoint = (built.folder / "checkpoint.txt").read_text(encoding="utf-8")
    assert " ".join(checkpoint.split()) in found.words
    for command in ("assembly verify-proof", "assembly export bundle", "assembly verify --bundle"):
        assert command in found.words


def test_the_verify_page_s_bundle_commands_run_as_written(
    client: TestClient, built: Built, tmp_path: Path
) -> None:
    """The export and the check the page shows, run word for word beside a copy of the ledger
    and the log's keys: a command the command line no longer takes fails here."""
    html = client.get("/verify?lang=en").text
    shown = [
        shlex.split(unescape(text)) for text in re.findall(r"<pre>(assembly [^<]*)</pre>", html)
    ]
    bundle = [args for args in shown if "bundle" in args or "--bundle" in args]
    assert [args[:3] for args in bundle] == [
        ["assembly", "export", "bundle"],
        ["assembly", "verify", "--bundle"],
    ]
    folder = copy_of(built.folder, tmp_path / "operator")
    (folder / "log.vkey").write_text(built.vkey + "\n")
    private = {"XDG_DATA_HOME": str(tmp_path / "data")}  # the checkpoints a verifier remembers
    for args in bundle:
        done = assembly(*args[1:], cwd=folder, env=private)
        assert done.code == 0, (args, done.stderr)


# Languages


def test_a_dutch_page_shows_dutch_labels_and_the_dutch_title(client: TestClient) -> None:
    found = page(client, "/recommendations/1/1?lang=nl")
    assert found.lang == "nl"
    assert "Aanbeveling 1" in found.words and "Tekst 1" in found.words
    assert found.row("Standpunt van de regering")[1] == "aanvaard"
    assert "Recommandation 1" not in found.words


def test_the_browser_language_is_used_when_no_language_is_asked_for(client: TestClient) -> None:
    found = page(client, "/recommendations", **{"accept-language": "de-DE, nl-BE;q=0.8, fr;q=0.5"})
    assert found.lang == "nl" and "Aanbevelingen" in found.words
    assert page(client, "/recommendations", **{"accept-language": "en-GB"}).lang == "en"
    assert page(client, "/recommendations?lang=fr", **{"accept-language": "nl"}).lang == "fr"


def test_french_is_the_default_language(client: TestClient) -> None:
    found = page(client, "/overdue", **{"accept-language": "de, es;q=0.9"})
    assert found.lang == "fr" and "Réponses en retard" in found.words


def test_a_title_missing_in_the_language_asked_is_shown_in_another_with_a_note(
    client: TestClient,
) -> None:
    found = page(client, "/recommendations/1/1?lang=en")
    assert "Recommandation 1 (only in French)" in found.words
    assert "This text exists only in French." in found.words


@pytest.mark.parametrize(
    ("path", "marked"),
    [
        ("/recommendations/1/1?lang=en", '<bdi lang="fr">Recommandation 1</bdi>'),
        ("/recommendations/1/1?lang=en", '<p dir="auto" lang="fr">Texte 1'),
        ("/recommendations?lang=en", '<bdi lang="fr">Recommandation 2</bdi>'),
        ("/?lang=en", '<bdi lang="fr">Le climat</bdi>'),
        ("/panels/1?lang=en", '<bdi lang="fr">Le climat</bdi>'),
    ],
)
def test_a_text_shown_in_another_language_is_marked_with_it(
    client: TestClient, path: str, marked: str
) -> None:
    """So that a screen reader reads it in its own language (WCAG 3.1.2)."""
    assert marked in client.get(path).text


def test_the_language_is_chosen_from_the_parameter_then_the_header_then_french() -> None:
    assert choose("nl", "fr") == "nl"
    assert choose("de", "en-US,en;q=0.9") == "en"
    assert choose(None, "nl;q=0, en;q=0.1") == "en"
    assert choose(None, None) == "fr"
    assert preferred("fr;q=0.2, nl , en;q=bad, *") == ["nl", "fr"]


def test_every_message_of_the_pages_is_translated_in_french_and_dutch() -> None:
    used = {*LABELS.values(), *LANGUAGE_IN.values(), Busy.SENTENCE}
    for module in WEB.glob("*.py"):
        used |= set(re.findall(r'Problem\(\s*\d+,\s*"([^"]+)"', module.read_text()))
    for template in (WEB / "templates").glob("*.html"):
        with template.open("rb") as source:
            used |= {m for *_, m, _ in babel_extract(source, ["_"], [], {}) if isinstance(m, str)}
    for lang in LANGUAGES:
        with (WEB / "locales" / lang / "LC_MESSAGES" / "messages.po").open("rb") as source:
            catalog = read_po(source)
        missing = [m for m in used if m not in catalog or (lang != "en" and not catalog[m].string)]
        assert not missing, f"{lang}: {missing}"


# Accessibility


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_accessible_html(client: TestClient, path: str, lang: str) -> None:
    found = page(client, f"{path}?lang={lang}")
    assert found.lang == lang and found.viewport
    for field in found.fields:
        if field.get("type") not in ("hidden", "submit"):
            assert field.get("id") in found.labelled, field
    assert found.tables == found.captions
    assert all(header.get("scope") in ("col", "row") for header in found.headers)
    assert found.headings.count(1) == 1 and found.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(found.headings, found.headings[1:], strict=False))


@pytest.mark.parametrize(("path", "status"), [("/recommendations/1/9", 404), ("/?as_of=x", 400)])
def test_error_pages_are_accessible_html_in_the_language_asked(
    client: TestClient, path: str, status: int
) -> None:
    found = page(client, path, status, **{"accept-language": "nl"})
    assert found.lang == "nl" and found.viewport and found.headings[0] == 1
    assert all(f.get("id") in found.labelled for f in found.fields if f.get("type") != "hidden")


def test_the_stylesheet_is_served(client: TestClient) -> None:
    response = client.get("/static/style.css")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/css")


def test_an_event_type_may_wrap_after_each_dot_and_is_escaped() -> None:
    assert breakable("recommendation.adopted") == "recommendation.<wbr>adopted"
    assert breakable("a<b>.c") == "a&lt;b&gt;.<wbr>c"
    assert breakable("plain") == "plain"


def test_a_row_s_title_in_another_language_says_so_and_is_escaped() -> None:
    own = {"title": "Renovate <homes>", "title_lang": None}
    other = {"title": "Rénover", "title_lang": "fr"}
    assert title_of("en", own) == "<bdi>Renovate &lt;homes&gt;</bdi>"
    assert title_of("en", other) == (
        '<bdi lang="fr">Rénover</bdi> <span class="note" lang="en">(only in French)</span>'
    )
    assert title_of("nl", other).endswith(
        '<span class="note" lang="nl">(alleen in het Frans)</span>'
    )
    hostile = {"title": "Rénover <b>&", "title_lang": "fr"}
    assert title_of("en", hostile).startswith('<bdi lang="fr">Rénover &lt;b&gt;&amp;</bdi> ')


def test_a_row_s_reference_links_to_its_page_at_the_point_asked() -> None:
    class Rec:
        panel, number = 3, 12

    asked = Asked("fr", "/recommendations", {}, at_seq=40)
    link = ref_link(asked, {"rec": Rec(), "ref": "3/12 <R>"})
    assert link == '<a href="/recommendations/3/12?lang=fr&amp;at_seq=40">3/12 &lt;R&gt;</a>'


@pytest.mark.parametrize(
    "asked",
    [
        Asked("nl", "/recommendations", {}),
        Asked("fr", "/recommendations", {}, at_seq=0),
        Asked("en", "/", {"q": "x"}, as_of=date(2026, 3, 31), at_seq=7),
    ],
)
def test_a_link_without_parameters_carries_what_one_with_them_does(asked: Asked) -> None:
    """The link every row of a board makes (kept once per page) is the one the general path
    writes: the language, then the point in time, nothing empty."""
    assert asked.link("/recommendations/3/12") == asked.link("/recommendations/3/12", q="")
    expected = {"lang": [asked.lang]}
    if asked.as_of is not None:
        expected["as_of"] = [asked.as_of.isoformat()]
    if asked.at_seq is not None:
        expected["at_seq"] = [str(asked.at_seq)]
    assert parse_qs(urlsplit(asked.link("/a")).query) == expected


def test_a_board_row_is_drawn_once_per_distinct_row_and_again_when_a_value_changes() -> None:
    """``board_row`` keeps each row it drew, keyed by every value the row shows: the same
    row is the same text, and any value changed (here the verdict, a due day, the language,
    the point asked for) draws the row again with it."""

    class Rec:
        panel, number = 3, 12
        position, implementation, verdict = "accepted", "in_progress", "no_verdict"

    class Disputed(Rec):
        verdict = "disputes"

    item = {
        "rec": Rec(),
        "ref": "3/12",
        "title": "Renovate <homes>",
        "title_lang": None,
        "portfolio": "Climate",
        "due": {1: date(2026, 3, 31)},
        "late_at": [1],
    }
    asked = Asked("en", "/recommendations", {})
    drawn = board_row(asked, item)
    assert board_row(asked, dict(item)) is drawn
    assert drawn.startswith('<tr>\n      <th scope="row"><a href="/recommendations/3/12?lang=en">')
    assert "Renovate &lt;homes&gt;" in drawn and "review 1" in drawn
    assert "31 March 2026" in drawn and "Second answer due" in drawn
    changed = board_row(asked, {**item, "rec": Disputed()})
    assert "disputes" in changed and "no_verdict" not in changed
    assert "30 April 2026" in board_row(asked, {**item, "due": {1: date(2026, 4, 30)}})
    assert 'data-label="Titre"' in board_row(Asked("fr", "/recommendations", {}), item)
    past = board_row(Asked("en", "/recommendations", {}, at_seq=40), item)
    assert 'href="/recommendations/3/12?lang=en&amp;at_seq=40"' in past


@pytest.mark.parametrize("kind", [dict, MappingProxyType])
def test_a_template_reads_a_mapping_s_items_as_jinja_does(kind: type) -> None:
    """The pages' environment reads ``row.key`` of a mapping from its items directly; what
    each read gives stays what Jinja gives: an item, a method of the mapping's type when the
    name is one (even where an item has that name), and undefined for what is neither."""
    row = kind({"ref": "3/12", "items": "an item named items", "seq": 0})
    source = "{{ row.ref }}|{{ row.seq }}|{{ row.items is callable }}|{{ row.get('ref') }}"
    jinja = Environment(undefined=StrictUndefined)
    expected = jinja.from_string(source).render(row=row)
    assert templates.from_string(source).render(row=row) == expected == "3/12|0|True|3/12"
    for environment in (templates, jinja):
        with pytest.raises(UndefinedError):
            environment.from_string("{{ row.missing }}").render(row=row)


def test_a_scoreboard_is_drawn_once_per_distinct_block_and_again_when_a_value_changes() -> None:
    """``scoreboard_html`` keeps each scoreboard it drew, keyed by every value it shows: the
    same block is the same text, the text the macro draws in the page, and any value changed
    (a count, the language, the point asked for, a filter in force, the heading) draws it
    again with it."""
    accepted, rejected = Segment("accepted", 3, 750_000), Segment("rejected", 1, 250_000)
    board = Scoreboard(
        4, (Bar("position", (accepted, rejected)),), ((1, Segment("1", 2, 500_000)),)
    )
    asked = Asked("en", "/recommendations", {})
    block = drawn_block(
        asked,
        "board-scoreboard",
        board,
        date(2026, 6, 30),
        41,
        ((1, 3), (2, 12)),
        (("panel", "3"),),
    )
    heading = "Where things stand"
    kept = scoreboard_html(asked, block, heading)
    assert scoreboard_html(asked, dict(block), heading) is kept
    inline = templates.from_string(
        '{% from "scoreboard.html" import scoreboard with context %}{{ scoreboard(sb, title) }}'
    )
    assert kept == inline.render(**helpers(asked), sb=block, title=heading)
    assert 'href="/recommendations?lang=en&amp;panel=3&amp;position=rejected"' in kept
    assert ">3-month review<" not in kept and "Overdue at the 3-month review" in kept
    fewer = Scoreboard(4, (Bar("position", (Segment("accepted", 4, 1_000_000),)),), ())
    assert "rejected" not in scoreboard_html(asked, {**block, "board": fewer}, heading)
    assert "Position du gouvernement" in scoreboard_html(Asked("fr", "/", {}), block, heading)
    past = scoreboard_html(Asked("en", "/", {}, at_seq=40), block, heading)
    assert "lang=en&amp;at_seq=40&amp;panel=3&amp;position=accepted" in past
    alone = scoreboard_html(asked, {**block, "kept": ()}, heading)
    assert 'href="/recommendations?lang=en&amp;position=accepted"' in alone
    assert "<h2" in kept and "Elsewhere" in scoreboard_html(asked, block, "Elsewhere")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_words_compiled_in_a_language_are_those_translated_on_each_call(lang: str) -> None:
    """``IN_LANGUAGE``: a page's ``_("words")`` is translated once, when its template is
    compiled, into what ``_`` gives when called; ``_`` of anything else is called as before."""
    source = (
        '{{ _("Recommendations") }}|{{ _("only %(language)s") | format(language=_(word)) }}'
        '|{{ shout._("Status") }}|{% set t = {"a": _("Status")} %}{{ t.a }}|{{ _("<b>") }}'
    )
    given = {**helpers(Asked(lang, "/", {})), "word": "in Dutch", "shout": Shout()}
    compiled = IN_LANGUAGE[lang].from_string(source).render(given)
    assert compiled == templates.from_string(source).render(given)
    assert compiled.split("|")[2] == "STATUS" and compiled.endswith("|&lt;b&gt;")
    alone = IN_LANGUAGE[lang].from_string('{{ _("Recommendations") }}').render()  # no _ given
    assert alone == translations(lang).gettext("Recommendations")


class Shout:
    """An object with a method named ``_``: ``shout._("words")`` is not translated."""

    def _(self, words: str) -> str:
        return words.upper()
