"""The board a page at a time (``projections.view.board_page``): read from the stored tables by
key, or from the fold at a point in time, the pages put together are the whole board, in order,
filtered as asked."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import pytest

from ledger import Ledger
from projections.board import ordered
from projections.status import Key, RecommendationStatus
from projections.view import View, Wanted, board_page, view_at
from tests.domain.conftest import Office

TODAY = date(2026, 12, 1)


def walk(
    book: Ledger,
    *,
    limit: int,
    where: Mapping[str, object],
    wanted: Wanted | None = None,
    at_seq: int | None = None,
) -> list[list[Key]]:
    """Every page, by the keys of its rows, following ``next_after`` from the first."""
    found: list[list[Key]] = []
    after = None
    while True:
        page = board_page(
            book, today=TODAY, at_seq=at_seq, where=where, wanted=wanted, after=after, limit=limit
        )
        found.append([rec.key for rec in page.rows])
        assert set(page.view.state.recommendations) == set(found[-1])
        if page.next_after is None:
            return found
        assert page.next_after == found[-1][-1]
        after = page.next_after


def whole(book: Ledger, where: Mapping[str, object], wanted: Wanted | None = None) -> list[Key]:
    """The board in one read, filtered in memory: what the pages must add up to."""
    view = view_at(book, today=TODAY)
    return [
        rec.key
        for rec in ordered(view.state)
        if all(getattr(rec, name) == value for name, value in where.items())
        and (wanted is None or wanted(view, rec))
    ]


WHERE = [
    {},
    {"panel": 1},
    {"portfolio": "energy"},
    {"position": "awaiting_response"},
    {"position": "accepted_in_part", "implementation": "not_started"},
    {"panel": 2},
]


@pytest.mark.parametrize("where", WHERE, ids=lambda where: ",".join(where) or "all")
@pytest.mark.parametrize("at_point", [False, True], ids=["stored", "folded"])
def test_the_pages_of_the_board_are_the_whole_board_in_order(
    answered: Office, where: Mapping[str, object], at_point: bool
) -> None:
    book = answered.ledger
    expected = whole(book, where)
    at_seq = book.count() - 1 if at_point else None
    for limit in range(1, len(expected) + 2):
        pages = walk(book, limit=limit, where=where, at_seq=at_seq)
        assert [key for page in pages for key in page] == expected
        assert all(len(page) == limit for page in pages[:-1])


def test_a_page_keeps_reading_past_rows_the_caller_does_not_want(answered: Office) -> None:
    book = answered.ledger
    everything = whole(book, {})
    assert len(everything) >= 3

    def last_only(view: View, rec: RecommendationStatus) -> bool:
        return rec.key == everything[-1]

    assert walk(book, limit=1, where={}, wanted=last_only) == [[everything[-1]]]
    assert whole(book, {}, last_only) == [everything[-1]]


def test_a_page_names_every_panel_and_portfolio_for_the_filter_form(answered: Office) -> None:
    book = answered.ledger
    page = board_page(book, today=TODAY, where={"portfolio": "energy"}, limit=1)
    state = view_at(book, today=TODAY).state
    assert page.panels == tuple(sorted({rec.panel for rec in state.recommendations.values()}))
    assert page.portfolios == tuple(
        sorted({rec.portfolio for rec in state.recommendations.values()})
    )
    assert "energy" in page.portfolios and "climate" in page.portfolios
