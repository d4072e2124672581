"""A public server answers every request: whatever a query or path parameter holds, no route
answers 5xx, and a page's bad value is a 400 page saying so in the reader's language.

The routes are listed from the application itself, so a route added later is covered too; every
parameter of every route (and the page parameters, which the pages read by hand) is filled with
hostile values: digits that are not ASCII, numbers past 64 bits, far dates, NUL, long text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote, urlsplit

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import BaseRoute

from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy, Signer
from projections import catch_up
from tests.web.conftest import serving
from tests.web.test_pages import page

PAGE_PARAMETERS = (  # what the pages read from their query by hand (web.bounds, web.page_data)
    "lang", "as_of", "at_seq", "panel", "position", "implementation", "verdict", "portfolio",
    "q", "overdue", "after", "dry_run",
)  # fmt: skip
HOSTILE = (
    "", "0", "-1", "+1", " 1", "1.0", "1e3", "²", "١٢", "٣/٤", "९",
    "9" * 19, "9" * 81, "9" * 5000, str(2**63 - 1), str(2**63), str(-(2**63) - 1),
    str(2**31 - 1), str(2**31), f"{2**31 - 1}/{2**31 - 1}", f"{2**63 - 1}/{2**63 - 1}",
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
LANGUAGES = st.one_of(  # Accept-Language headers (ASCII, as HTTP headers are)
    st.sampled_from(["", "*", "nl;q=nan", "en;q=inf", "fr;q=-1", "x" * 3000, "en;q=1e999,,;"]),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)
ONCE_500_ON_POSTGRESQL = (  # a NUL in text; numbers past the read models' INTEGER columns
    "/api/status?portfolio=a%00b", "/api/status?q=a%00b", "/api/submissions/types/a%00b",
    f"/api/status?after={2**31}/1", f"/api/status?panel={2**31}",
    f"/recommendations?after={2**31 - 1}/{2**31}", f"/recommendations?panel={2**31}",
    f"/api/recommendations/{2**31}/1", "/recommendations?after=9223372036854775807/1",
)  # fmt: skip
Route = tuple[str, str, list[str]]  # method, path, the query parameters to fill
Request = tuple[str, str, dict[str, str], str]  # method, url, query, Accept-Language


def routes(client: TestClient) -> list[Route]:
    """Each route of the application, with its query parameters and the pages' own."""
    return [
        (method, route.path, [*(param.alias for param in route.dependant.query_params),
                              *PAGE_PARAMETERS])
        for route in api_routes(client.app.routes)  # type: ignore[attr-defined]
        for method in sorted(route.methods or ())
    ]  # fmt: skip


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
def requests(draw: st.DrawFn, every: list[Route]) -> Request:
    """A request to one route with hostile values in its path, some of its parameters and its
    Accept-Language header."""
    method, path, names = draw(st.sampled_from(every))

    def filled(found: re.Match[str]) -> str:
        value = draw(VALUES) or "x"
        return quote(value, safe="/" if found.group(2) == "path" else "")

    url = re.sub(r"\{(\w+)(?::(\w+))?\}", filled, path)
    chosen = draw(st.lists(st.sampled_from(names), max_size=4, unique=True))
    return method, url, {name: draw(VALUES) for name in chosen}, draw(LANGUAGES)


def runs_own_script(path: str) -> bool:
    """The paths whose pages may run the package's own scripts: the desk, and the checks in the
    reader's browser on the verify page and each recommendation's page; every other answer
    runs none."""
    path = path.rstrip("/")
    return path in {"/desk", "/verify"} or path.startswith("/recommendations/")


def check_answers_everything(client: TestClient, *, examples: int) -> None:
    """Send ``examples`` hostile requests to the routes of ``client``'s application: none may
    be answered with a server error, and every answer carries the security headers."""

    @given(request=requests(routes(client)))
    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    def answers(request: Request) -> None:
        method, url, params, languages = request
        headers = {"accept-language": languages, "content-type": "application/json"}
        response = client.request(method, url, params=params, content=b"{}", headers=headers)
        assert response.status_code < 500, (method, url, params, response.text[:300])
        policy = response.headers["content-security-policy"]
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        if "script-src 'none'" not in policy:  # an error page runs none either
            assert runs_own_script(urlsplit(url).path), (url, policy)
            assert "script-src 'self';" in policy

    answers()


def test_the_routes_listed_are_every_page_and_api_route(client: TestClient) -> None:
    paths = {path for _, path, _ in routes(client)}
    assert {"/", "/panels/{panel}", "/recommendations/{panel}/{number}", "/api/status",
            "/api/tiles/tile/{level}/{index:path}", "/api/submissions"} <= paths  # fmt: skip


def test_no_hostile_value_of_any_parameter_is_answered_with_a_server_error(
    client: TestClient,
) -> None:
    check_answers_everything(client, examples=300)


@pytest.mark.postgres
def test_no_hostile_value_is_a_server_error_on_postgresql_either(postgres_url: str) -> None:
    """PostgreSQL refuses what SQLite takes (a NUL in text, a number past its column's type):
    a ledger holding its charter alone is enough to reach every query with such values."""
    book = Ledger.create(postgres_url, RolePolicy(ROLE_GRANTS), Signer.generate(), name="Charter")
    try:
        catch_up(book)
    finally:
        book.close()
    with TestClient(serving(postgres_url)) as client:
        for url in ONCE_500_ON_POSTGRESQL:
            assert client.get(url).status_code in (400, 404, 422), url
        check_answers_everything(client, examples=100)


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
