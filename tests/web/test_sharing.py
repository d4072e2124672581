"""Every page says where its Atom feed is (in its head and in words a reader sees), carries
OpenGraph tags so that a shared link shows what it leads to (a recommendation's standing in
words), and prints without its navigation and forms."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from tests.web.test_pages import PAGES
from web.i18n import LANGUAGES


class Head(HTMLParser):
    """The feed links (in the head and in the page) and the OpenGraph tags of a page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.alternates: list[str] = []
        self.visible: list[str] = []
        self.og: dict[str, list[str]] = {}
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "alternate":
            if found.get("type") == "application/atom+xml":
                self.alternates.append(str(found.get("href")))
        elif tag == "a" and found.get("type") == "application/atom+xml":
            self.visible.append(str(found.get("href")))
        elif tag == "meta" and str(found.get("property", "")).startswith("og:"):
            self.og.setdefault(str(found["property"]), []).append(str(found.get("content")))


def head(client: TestClient, path: str) -> Head:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return Head(response.text)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_its_atom_feed_in_its_head_and_in_words(
    client: TestClient, path: str, lang: str
) -> None:
    found = head(client, f"{path}?lang={lang}")
    assert len(found.alternates) == 1
    assert found.alternates[0].startswith("/api/feed.atom?")
    assert f"lang={lang}" in found.alternates[0]
    assert found.alternates[0] in found.visible
    assert client.get(found.alternates[0]).status_code == 200


def test_a_recommendation_page_links_the_feed_of_that_recommendation(client: TestClient) -> None:
    found = head(client, "/recommendations/1/2?lang=nl")
    assert found.alternates == ["/api/feed.atom?lang=nl&recommendation=1%2F2"]


def test_the_feed_link_of_a_page_read_in_the_past_leads_to_the_feed_of_now(
    client: TestClient,
) -> None:
    found = head(client, "/recommendations?lang=fr&as_of=2020-01-01")
    assert found.alternates == ["/api/feed.atom?lang=fr"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_opengraph_tags_in_its_language(client: TestClient, path: str) -> None:
    found = head(client, f"{path}?lang=nl")
    assert found.og["og:title"][0].strip()
    assert found.og["og:description"][0].strip()
    assert found.og["og:url"] == [f"http://testserver{path}?lang=nl"]
    assert found.og["og:locale"] == ["nl_BE"]
    assert sorted(found.og["og:locale:alternate"]) == ["en_GB", "fr_BE"]


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", "Position du gouvernement\u202f: acceptée. Mise en œuvre\u202f: pas commencée."),
        ("en", "Government position: accepted. Implementation: not started."),
    ],
)
def test_a_recommendation_shared_says_where_it_stands_in_words(
    client: TestClient, lang: str, said: str
) -> None:
    found = head(client, f"/recommendations/1/1?lang={lang}")
    assert found.og["og:description"][0].startswith(said)
    assert "accepted_" not in found.og["og:description"][0]
    assert "1/1" in found.og["og:title"][0]


def test_the_stylesheet_served_holds_a_print_style_without_navigation_or_forms(
    client: TestClient,
) -> None:
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    printed = response.text[response.text.index("@media print") :]
    hidden = printed[: printed.index("}")]
    for part in ("nav", "form", "details.fold", ".downloads", ".feeds"):
        assert part in hidden
    assert 'content: " (" attr(href) ")"' in printed


@pytest.mark.parametrize(
    "path", ["/recommendations?lang=en&portfolio=climate", "/portfolios/climate?lang=en"]
)
def test_a_page_of_one_portfolio_links_the_feed_of_that_portfolio(
    client: TestClient, path: str
) -> None:
    found = head(client, path)
    assert found.alternates == ["/api/feed.atom?lang=en&portfolio=climate"]
    assert found.visible == found.alternates
