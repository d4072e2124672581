"""A public server answers every request: whatever a query or path parameter holds, no route
answers 5xx, and a page's bad value is a 400 page saying so in the reader's language.

The routes are listed from the application itself, so a route added later is covered too; every
parameter of every route (and the page parameters, which the pages read by hand) is filled with
hostile values: digits that are not ASCII, numbers past 64 bits, far dates, NUL, long text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import BaseRoute

from tests.web.test_pages import page

PAGE_PARAMETERS = (  # what the pages read from their query by hand (web.bounds, web.page_data)
    "lang", "as_of", "at_seq", "panel", "position", "implementation", "verdict", "portfolio",
    "q", "overdue", "after", "dry_run",
)  # fmt: skip
HOSTILE = (
    "", "0", "-1", "+1", " 1", "1.0", "1e3", "²", "١٢", "٣/٤", "९",
    "9" * 19, "9" * 81, "9" * 5000, str(2**63 - 1), str(2**63), str(-(2**63) - 1),
    "9999-12-31", "0001-01-01", "1899-12-31", "9998-12-31", "२०२६-०१-०१", "2026-W01-1",
    "20260331", "2026-02-30", "\x00", "a\x00b", "a" * 3000, "1/2", "1/", "/1",
    "x001/002", "000.p/0", "../..", "%", "true", "nan", "\u202e1", "\ufeff1",
)  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.dates().map(lambda day: day.isoformat()),
    st.text(st.characters(exclude_categories=["Cs"]), max_size=40),
)


def routes(client: TestClient) -> list[tuple[str, str, list[str], bool]]:
    """Each route: its method, path, query parameters, and whether its last part is a path."""
    found = []
    for route in api_routes(client.app.routes):  # type: ignore[attr-defined]
        query = [param.alias for param in route.dependant.query_params]
        for method in sorted(route.methods or ()):
            found.append((method, route.path, [*query, *PAGE_PARAMETERS], ":path}" in route.path))
    return found


def api_routes(listed: list[BaseRoute]) -> Iterator[APIRoute]:
    """The routes of an application, within the routers it includes (FastAPI keeps an included
    router whole, as its ``original_router``, whose routes carry their full paths)."""
    for route in listed:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from api_routes(included.routes)


@st.composite
def requests(
    draw: st.DrawFn, every: list[tuple[str, str, list[str], bool]]
) -> tuple[str, str, dict[str, str]]:
    """A request to one route with hostile values in its path and some of its parameters."""
    method, path, names, _ = draw(st.sampled_from(every))

    def filled(found: re.Match[str]) -> str:
        value = draw(VALUES) or "x"
        return quote(value, safe="/" if found.group(2) == "path" else "")

    url = re.sub(r"\{(\w+)(?::(\w+))?\}", filled, path)
    chosen = draw(st.lists(st.sampled_from(names), max_size=4, unique=True))
    return method, url, {name: draw(VALUES) for name in chosen}


@pytest.fixture(scope="module")
def every_route(client: TestClient) -> list[tuple[str, str, list[str], bool]]:
    return routes(client)


def test_the_routes_listed_are_every_page_and_api_route(
    every_route: list[tuple[str, str, list[str], bool]],
) -> None:
    paths = {path for _, path, _, _ in every_route}
    assert {"/", "/panels/{panel}", "/recommendations/{panel}/{number}", "/api/status",
            "/api/tiles/tile/{level}/{index:path}", "/api/submissions"} <= paths  # fmt: skip


def test_no_hostile_value_of_any_parameter_is_answered_with_a_server_error(
    client: TestClient, every_route: list[tuple[str, str, list[str], bool]]
) -> None:
    @given(request=requests(every_route))
    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    def answers(request: tuple[str, str, dict[str, str]]) -> None:
        method, url, params = request
        response = client.request(method, url, params=params, content=b"{}")
        assert response.status_code < 500, (method, url, params, response.text[:300])

    answers()


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("/?as_of=9999-12-31", "9999-12-31 is not a day between 1900-01-01 and 9998-12-31."),
        ("/?as_of=1899-12-31", "1899-12-31 is not a day between 1900-01-01 and 9998-12-31."),
        ("/?at_seq=²", "² is not an entry number such as 41."),
        ("/?at_seq=" + "9" * 81, "999999999999999999999999999999999999999… is not an entry"),
        ("/overdue?at_seq=" + "9" * 5000, "is not an entry number such as 41."),
        ("/recommendations?panel=9223372036854775808", "9223372036854775808 is not a panel"),
        ("/recommendations?after=²/1", "²/1 is not a recommendation reference such as 1/12."),
        ("/recommendations?q=" + "a" * 201, "q is at most 200 characters long."),
        ("/recommendations?portfolio=a%00b", "portfolio cannot hold a control character."),
    ],
)
def test_the_values_that_once_broke_the_pages_are_a_400_page_with_a_sentence(
    client: TestClient, url: str, sentence: str
) -> None:
    joiner = "&" if "?" in url else "?"
    assert sentence in page(client, f"{url}{joiner}lang=en", 400).words


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("/?as_of=9999-12-31&lang=fr", "9999-12-31 n'est pas un jour entre le 1900-01-01"),
        ("/?at_seq=²&lang=nl", "² is geen inschrijvingsnummer zoals 41."),
        ("/recommendations?q=" + "a" * 201 + "&lang=nl", "q telt hoogstens 200 tekens."),
    ],
)
def test_a_bad_value_is_refused_in_the_language_of_the_reader(
    client: TestClient, url: str, sentence: str
) -> None:
    assert sentence in page(client, url, 400).words


@pytest.mark.parametrize(
    "url",
    [
        "/panels/²",
        "/panels/9223372036854775808",
        "/recommendations/1/²",
        "/recommendations/1/" + "9" * 81,
    ],
)
def test_a_path_that_names_no_number_is_a_404_page(client: TestClient, url: str) -> None:
    page(client, url, 404)


@pytest.mark.parametrize(
    "query", ["as_of=9999-12-31", "as_of=1899-12-31", "at_seq=²", "at_seq=" + "9" * 5000]
)
def test_the_api_refuses_the_same_values_with_a_422(client: TestClient, query: str) -> None:
    response = client.get(f"/api/status?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"
