"""The Atom feeds: in the language asked for, for the whole assembly, one portfolio or one
recommendation, each holding only its own answers and verdicts; and linked from every page."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

import web.feed as atom_feed
from ledger.canonical import format_time
from projections.view import view_at
from tests.web import test_per_process as per_process
from tests.web.test_api import Published, api, book  # noqa: F401 (the module's fixtures)
from web.context import Settings, opened
from web.feed import ATOM, Item

NS = {"a": ATOM}


def feed(client: TestClient, query: str = "") -> ET.Element:
    response = client.get(f"/api/feed.atom{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)


def titles(root: ET.Element) -> list[str]:
    return [entry.findtext("a:title", default="", namespaces=NS) for entry in entries(root)]


def entries(root: ET.Element) -> list[ET.Element]:
    return root.findall("a:entry", NS)


def links(root: ET.Element) -> set[str]:
    return {
        str(link.get("href")) for entry in entries(root) for link in entry.findall("a:link", NS)
    }


def statements(ledger: str) -> dict[tuple[int, int], tuple[str, int]]:
    """Each recommendation's portfolio and how many answers and verdicts it has."""
    with opened(Settings(ledger)) as found:
        view = view_at(found, today=datetime.now(UTC).date())
    return {
        key: (rec.portfolio, len(rec.answers) + len(rec.verdicts))
        for key, rec in view.state.recommendations.items()
    }


def test_the_feed_titles_are_in_french_when_french_is_asked(api: TestClient) -> None:  # noqa: F811
    root = feed(api, "?lang=fr")
    assert root.findtext("a:title", namespaces=NS) == (
        "Réponses du gouvernement et avis de la commission"
    )
    found = titles(root)
    assert found[0] == (
        "1/3 Recommandation 3\u202f: la réponse du gouvernement (échéance 1)\u202f: à l'étude"
    )
    assert found[1] == "1/2 Recommandation 2\u202f: l'avis de la commission\u202f: conteste"
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "fr"


def test_the_feed_titles_are_in_dutch_when_dutch_is_asked(api: TestClient) -> None:  # noqa: F811
    root = feed(api, "?lang=nl")
    assert root.findtext("a:title", namespaces=NS) == (
        "Antwoorden van de regering en oordelen van de commissie"
    )
    found = titles(root)
    assert "het antwoord van de regering (termijn 1)" in found[0]
    assert "het oordeel van de commissie" in found[1]
    assert not any("government" in title or "verdict" in title for title in found)


def test_the_feed_without_a_language_stays_in_english(api: TestClient) -> None:  # noqa: F811
    assert titles(feed(api))[1] == "1/2 Recommandation 2: the commission's verdict: disputes"


@pytest.mark.parametrize("ref", ["1/1", "1/2", "1/3", "1/4"])
def test_the_feed_of_one_recommendation_holds_only_its_answers_and_verdicts(
    api: TestClient,  # noqa: F811
    book: Published,  # noqa: F811
    ref: str,
) -> None:
    panel, number = (int(part) for part in ref.split("/"))
    root = feed(api, f"?recommendation={ref}&lang=en")
    assert len(entries(root)) == statements(book.ledger)[(panel, number)][1]
    assert links(root) <= {f"http://testserver/recommendations/{ref}"}
    assert all(title.startswith(f"{ref} ") for title in titles(root))
    assert root.findtext("a:title", namespaces=NS, default="").startswith(
        f"Government answers and commission verdicts: {ref} "
    )


@pytest.mark.parametrize("portfolio", ["climate", "housing", "nobody"])
def test_the_feed_of_one_portfolio_holds_only_the_answers_and_verdicts_of_its_recommendations(
    api: TestClient,  # noqa: F811
    book: Published,  # noqa: F811
    portfolio: str,
) -> None:
    held = statements(book.ledger)
    root = feed(api, f"?portfolio={portfolio}")
    assert len(entries(root)) == sum(n for code, n in held.values() if code == portfolio)
    theirs = {
        f"http://testserver/recommendations/{p}/{n}"
        for (p, n), (code, _) in held.items()
        if code == portfolio
    }
    assert links(root) <= theirs
    self_link = root.find("a:link[@rel='self']", NS)
    assert self_link is not None
    assert self_link.get("href") == f"http://testserver/api/feed.atom?portfolio={portfolio}"


def test_a_feed_asked_for_a_reference_that_is_not_one_is_refused(
    api: TestClient,  # noqa: F811
) -> None:
    assert api.get("/api/feed.atom?recommendation=one").status_code == 422
    assert api.get("/api/feed.atom?lang=de").status_code == 422


def test_a_feed_reads_its_entries_hashes_together_and_counts_no_entry(
    api: TestClient,  # noqa: F811
) -> None:
    api.get("/api/feed.atom")  # the ledger opened, what a process reads once read
    with per_process.statements(api) as seen:
        root = feed(api, "?lang=en&fresh=1")
    assert len(entries(root)) > 1
    by_seq = [sql for sql in seen if "ledger_entries.seq IN" in sql or "seq >=" in sql]
    assert len(by_seq) == 1, by_seq  # one statement for every entry's hash
    counted = [sql for sql in seen if "count(*) AS count_1 FROM ledger_entries" in sql]
    assert not counted  # a scan of the whole ledger, for a time the feed did not need


def _element_tree_atom(
    items: list[Item], *, feed_id: str, self_url: str, updated: datetime, name: str, lang: str
) -> bytes:
    """The feed as the standard library's ElementTree writes it: what ``feed.atom`` must give."""
    root = ET.Element("feed", {"xmlns": atom_feed.ATOM, "xml:lang": lang})

    def text(parent: ET.Element, tag: str, value: str) -> None:
        ET.SubElement(parent, tag).text = atom_feed._NOT_XML.sub("\ufffd", value)

    text(root, "id", feed_id)
    text(root, "title", name)
    text(root, "updated", format_time(updated))
    ET.SubElement(root, "link", rel="self", href=self_url, type=atom_feed.MEDIA_TYPE)
    text(ET.SubElement(root, "author"), "name", "The assembly ledger")
    for found in items:
        entry = ET.SubElement(root, "entry")
        text(entry, "id", atom_feed.entry_id(found.hash))
        text(entry, "title", found.title)
        text(entry, "updated", format_time(found.updated))
        text(entry, "published", format_time(found.published))
        ET.SubElement(entry, "link", rel="alternate", href=found.link, type="text/html")
        text(ET.SubElement(entry, "author"), "name", found.author)
        if found.summary:
            text(entry, "summary", found.summary)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


_WORDS = st.text(
    st.characters(codec="utf-8") | st.sampled_from('&<>"\r\n\t\x00\x0b\ufffe'), max_size=40
)
_URLS = st.lists(  # as lists: Hypothesis's text strategy leaves lone surrogates out
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn"))
    | st.sampled_from('&<>"\r\n\t\ud800'),  # a lone surrogate: a character reference
    max_size=30,
).map("".join)
_MOMENTS = st.datetimes(
    timezones=st.just(UTC), min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1)
)
_ITEMS = st.builds(
    Item,
    hash=st.binary(min_size=32, max_size=32),
    title=_WORDS,
    link=_URLS,
    updated=_MOMENTS,
    published=_MOMENTS,
    author=_WORDS,
    summary=_WORDS,
)


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(_ITEMS, max_size=4),
    feed_id=_URLS,
    name=_WORDS,
    lang=st.sampled_from(["en", "fr", "nl"]),
    updated=_MOMENTS,
)
def test_the_feed_is_written_byte_for_byte_as_element_tree_writes_it(
    items: list[Item], feed_id: str, name: str, lang: str, updated: datetime
) -> None:
    """Written by hand for speed, the feed stays the document ElementTree makes of the same
    tree, whatever its texts hold: markup, quotes, line breaks, characters XML cannot hold,
    empty texts, a link that is not even UTF-8."""
    made = atom_feed.atom(
        items, feed_id=feed_id, self_url=feed_id, updated=updated, name=name, lang=lang
    )
    assert made == _element_tree_atom(
        items, feed_id=feed_id, self_url=feed_id, updated=updated, name=name, lang=lang
    )
    if "\ud800" not in "".join([feed_id, *(item.link for item in items)]):
        ET.fromstring(made)  # and it parses (XML forbids a surrogate, even as a reference)
