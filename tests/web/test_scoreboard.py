"""The scoreboards (issue 15): at the top of the overview, of a panel's page and of the board,
each figure is the number of rows the board shows for it, now and at a point in the past; each
chart says in words and in a table what it draws; and the page per portfolio counts each
minister's reviews."""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from projections.view import View, view_at
from tests.web.conftest import ANSWERED, Built
from web.context import Settings, opened
from web.scoreboard_data import DRAWN, INK, WHITE

FIGURE = re.compile(r'<a href="([^"]+)" data-figure="([^"]+)">([^<]+)</a>')
ROW_LINK = re.compile(r'href="/recommendations/(\d+)/(\d+)\?')
PAGES = ("/", "/panels/1", "/recommendations", "/recommendations?position=awaiting_response")


def points(built: Built) -> dict[str, str]:
    """The points the tests read at: now, the entry before the answer, and today as a day
    (read by folding the ledger, as every past read is)."""
    today = datetime.now(UTC).date().isoformat()
    return {"now": "", "before": f"at_seq={built.answer_seq - 1}", "day": f"as_of={today}"}


def view_of(built: Built, point: str) -> View:
    """The status read model at ``point`` (a query string), read by the test itself."""
    asked = dict(part.split("=") for part in point.split("&") if part)
    at_seq = int(asked["at_seq"]) if "at_seq" in asked else None
    as_of = datetime.fromisoformat(asked["as_of"]).date() if "as_of" in asked else None
    with opened(Settings(built.ledger)) as book:
        return view_at(book, as_of=as_of, at_seq=at_seq, today=datetime.now(UTC).date())


def figures(page: str) -> dict[str, tuple[str, int]]:
    """Each figure of a page's scoreboards: what it counts, its link and its number."""
    found = {}
    for href, what, shown in FIGURE.findall(page):
        found[what] = (html.unescape(href), int(re.sub(r"\D", "", shown)))
    return found


def rows_of(client: TestClient, link: str) -> int:
    """How many recommendations the board at ``link`` lists (every page of it)."""
    keys: set[tuple[str, str]] = set()
    while link:
        page = client.get(link).text
        keys |= set(
            ROW_LINK.findall(page.split('class="scoreboard"')[-1].split("</section>", 1)[-1])
        )
        following = re.search(r'<a href="([^"]+)" rel="next"', page)
        link = html.unescape(following.group(1)) if following else ""
    return len(keys)


def counted(view: View, path: str) -> Counter[str]:
    """The figures of the page at ``path`` counted here, from the read model's rows."""
    recs = [
        rec
        for rec in view.state.recommendations.values()
        if (path != "/panels/1" or rec.panel == 1)
        and ("position=" not in path or rec.position == path.split("position=")[1])
    ]
    found: Counter[str] = Counter()
    for rec in recs:
        for axis in ("position", "implementation", "verdict"):
            found[f"{axis}={getattr(rec, axis)}"] += 1
        for deadline in view.deadlines(rec):
            if deadline.overdue:
                found[f"late_at={deadline.review}"] += 1
    return found


@pytest.mark.parametrize("point", ["now", "before", "day"])
@pytest.mark.parametrize("path", PAGES)
def test_the_scoreboards_figures_equal_the_boards_rows_counted_in_the_test(
    client: TestClient, built: Built, point: str, path: str
) -> None:
    query = points(built)[point]
    page = client.get(f"{path}{'&' if '?' in path else '?'}lang=en&{query}")
    assert page.status_code == 200
    shown = {what: count for what, (_, count) in figures(page.text).items()}
    expected = counted(view_of(built, query), path)
    overdue = {what: shown.pop(what) for what in list(shown) if what.startswith("late_at=")}
    assert shown == {what: n for what, n in expected.items() if not what.startswith("late_at=")}
    assert overdue == {f"late_at={review}": expected[f"late_at={review}"] for review in (1, 2)}
    if point == "now" and "?" not in path:  # 1/1 is answered; 1/2 and 1/3 are overdue
        assert shown["position=accepted"] == 1 and overdue["late_at=1"] >= 2


@pytest.mark.parametrize("point", ["now", "before"])
def test_each_figures_link_leads_to_a_board_of_exactly_that_many_rows(
    client: TestClient, built: Built, point: str
) -> None:
    query = points(built)[point]
    for path in ("/", "/recommendations?verdict=none"):
        page = client.get(f"{path}{'&' if '?' in path else '?'}lang=en&{query}").text
        found = figures(page)
        assert found, "the page shows figures"
        for what, (link, count) in found.items():
            assert rows_of(client, link) == count, what


def test_the_past_scoreboard_differs_from_todays_where_the_answer_came_between(
    client: TestClient, built: Built
) -> None:
    before = figures(client.get(f"/?lang=en&at_seq={built.answer_seq - 1}").text)
    now = figures(client.get("/?lang=en").text)
    assert "position=accepted" not in before and now["position=accepted"][1] == 1
    assert ANSWERED == (1, 1)


def test_each_chart_has_a_title_a_description_and_a_table_of_the_same_figures(
    client: TestClient,
) -> None:
    page = client.get("/?lang=en").text
    charts = re.findall(r'<svg role="img" aria-labelledby="([^"]+)".*?</svg>', page, re.S)
    assert len(charts) == 3  # position, implementation, verdict
    for labelled in charts:
        title, desc = labelled.split()
        assert re.search(rf'<title id="{title}">[^<]+</title>', page)
        described = re.search(rf'<desc id="{desc}">([^<]+)</desc>', page)
        assert described
        for part in described.group(1).split("; "):
            label, count = re.fullmatch(r"(.+): (\d+) \(.+\)", part).groups()  # type: ignore[union-attr]
            row = re.search(rf"</svg> {re.escape(label)}</th>\s*<td><a [^>]+>(\d+)</a>", page)
            assert row and row.group(1) == count, label
    for axis in ("Government position", "Implementation", "Commission verdict"):
        caption = f"<caption>{axis}: the same figures, each opening the recommendations it counts"
        assert caption in page


def test_no_value_is_told_by_colour_alone_and_every_segment_is_outlined_in_ink() -> None:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    contrast = (luminance(WHITE) + 0.05) / (luminance(INK) + 0.05)
    assert contrast >= 3  # WCAG 2.2 1.4.11: the outline against the page
    for values in (
        ("accepted", "accepted_in_part", "already_in_place", "under_study", "not_competent"),
        ("rejected", "postponed", "awaiting_response"),
    ):
        assert len({DRAWN[value] for value in values}) == len(values)


def test_the_chart_draws_its_segments_outlined_and_patterned(client: TestClient) -> None:
    page = client.get("/?lang=en").text
    segments = re.findall(r'<rect x="[^"]+" y="1" width="[^"]+" height="38" ([^>]+)>', page)
    assert segments
    assert all(f'stroke="{INK}"' in attributes and "url(#" in attributes for attributes in segments)


def test_the_portfolio_page_counts_each_ministers_reviews(client: TestClient, built: Built) -> None:
    view = view_of(built, "")
    dues = [d for rec in view.state.recommendations.values() for d in view.deadlines(rec)]
    page = client.get("/portfolios/climate?lang=en").text
    shown = dict(re.findall(r'data-figure="(\w+)">([^<]+)<', page))
    assert int(shown["recommendations"]) == len(view.state.recommendations)
    assert int(shown["on_time"]) == sum(1 for d in dues if d.answered and not d.answered_late)
    assert int(shown["late"]) == sum(1 for d in dues if d.answered and d.answered_late) == 1
    assert int(shown["unanswered"]) == sum(1 for d in dues if d.overdue)
    late = sorted(
        [d.answered_late for d in dues if d.answered_late] + [d.late for d in dues if d.overdue]
    )
    middle = len(late) // 2
    median = late[middle] if len(late) % 2 else (late[middle - 1] + late[middle]) // 2
    assert int(shown["median"].replace(",", "")) == median
    assert int(shown["rejected"]) == 0 and int(shown["disputes"]) == 0


def test_the_portfolio_page_links_to_the_day_after_each_review_of_the_charter(
    client: TestClient, built: Built
) -> None:
    view = view_of(built, "")
    dues = [d for rec in view.state.recommendations.values() for d in view.deadlines(rec)]
    page = client.get("/portfolios?lang=en").text
    links = re.findall(r'<a href="([^"]+)">At the (\d+)-month review</a>', page)
    assert [months for _, months in links] == ["3", "12"]
    for review, (link, _) in enumerate(links, start=1):
        due = max(d.due for d in dues if d.review == review)
        assert f"as_of={due + timedelta(days=1)}" in link  # the first day a missing one is late
        assert client.get(html.unescape(link)).status_code == 200
    assert 'href="/portfolios/climate?lang=en"' in page


def test_the_overview_and_the_board_link_to_the_portfolio_page(client: TestClient) -> None:
    for path in ("/?lang=en", "/recommendations?lang=en"):
        assert (
            'href="/portfolios?lang=en">Where things stand per portfolio</a>'
            in client.get(path).text
        )


def test_a_portfolio_no_recommendation_names_is_a_404(client: TestClient) -> None:
    assert client.get("/portfolios/nowhere?lang=en").status_code == 404


def test_a_board_asked_for_a_review_that_is_no_number_says_so(client: TestClient) -> None:
    refused = client.get("/recommendations?lang=en&late_at=first")
    assert refused.status_code == 400
    assert "first is not a review&#39;s number such as 1." in refused.text
