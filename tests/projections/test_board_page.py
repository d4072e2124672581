"""The board a page at a time (``projections.view.board_page``): read from the stored tables by
key, or from the fold at a point in time, the pages put together are the whole board, in order,
filtered as asked."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

import pytest

from ledger import Ledger
from projections.board import ordered
from projections.search import matches, words_of
from projections.status import Key, RecommendationStatus
from projections.view import View, board_page, view_at
from tests.domain.conftest import Office

TODAY = date(2026, 12, 1)


def walk(
    book: Ledger,
    *,
    limit: int,
    where: Mapping[str, object],
    words: tuple[str, ...] = (),
    overdue: bool = False,
    at_seq: int | None = None,
    today: date = TODAY,
) -> list[list[Key]]:
    """Every page, by the keys of its rows, following ``next_after`` from the first."""
    found: list[list[Key]] = []
    after = None
    while True:
        page = board_page(
            book,
            today=today,
            at_seq=at_seq,
            where=where,
            words=words,
            overdue=overdue,
            after=after,
            limit=limit,
        )
        found.append([rec.key for rec in page.rows])
        assert set(page.view.state.recommendations) == set(found[-1]) == set(page.deadlines)
        if page.next_after is None:
            return found
        assert page.next_after == found[-1][-1]
        after = page.next_after


def whole(
    book: Ledger,
    where: Mapping[str, object],
    keep: Callable[[View, RecommendationStatus], bool] = lambda view, rec: True,
    *,
    today: date = TODAY,
) -> list[Key]:
    """The board in one read, filtered in memory: what the pages must add up to."""
    view = view_at(book, today=today)
    return [
        rec.key
        for rec in ordered(view.state)
        if all(getattr(rec, name) == value for name, value in where.items()) and keep(view, rec)
    ]


def late(view: View, rec: RecommendationStatus) -> bool:
    return any(deadline.overdue for deadline in view.deadlines(rec))


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


def test_a_page_keeps_reading_past_rows_a_search_drops(answered: Office) -> None:
    book = answered.ledger
    everything = whole(book, {})
    assert len(everything) >= 3
    last = "{}/{}".format(*everything[-1])
    assert walk(book, limit=1, where={}, words=(last,)) == [[everything[-1]]]


# Handed over on 2026-03-02, the deadlines suspended for ten days in May: review 1 is due on
# 2026-06-12 (2026-06-02 without the suspension), review 2 on 2027-03-12 (2027-03-02).
DAYS = [
    date(2026, 6, 2), date(2026, 6, 3), date(2026, 6, 12), date(2026, 6, 13), TODAY,
    date(2027, 3, 2), date(2027, 3, 3), date(2027, 3, 12), date(2027, 3, 13),
]  # fmt: skip


@pytest.mark.parametrize("today", DAYS, ids=str)
@pytest.mark.parametrize("where", [{}, {"portfolio": "energy"}], ids=["all", "energy"])
def test_the_pages_of_the_overdue_board_are_those_overdue_on_the_day(
    answered: Office, today: date, where: Mapping[str, object]
) -> None:
    """The stored rows are narrowed in SQL by hand-over date and unanswered reviews, without the
    suspensions: the pages still hold exactly the overdue ones, a suspension included."""
    book = answered.ledger
    expected = whole(book, where, late, today=today)
    for limit in (1, 2, 100):
        pages = walk(book, limit=limit, where=where, overdue=True, today=today)
        assert [key for page in pages for key in page] == expected


def test_overdue_boards_differ_from_day_to_day(answered: Office) -> None:
    """The test above would hold for boards that never change: they do, around each due date."""
    book = answered.ledger
    boards = {day: tuple(whole(book, {}, late, today=day)) for day in DAYS}
    assert boards[date(2026, 6, 2)] == ()  # nothing due yet
    assert boards[date(2026, 6, 12)] == ()  # due today: not yet overdue
    assert boards[date(2026, 6, 13)] == ((1, 3), (1, 4))  # unanswered at review 1
    assert len(set(boards[day] for day in DAYS[4:])) > 1  # and review 2 adds to them


@pytest.mark.parametrize(
    ("search", "expected"),
    [("", None), ("1/2", [(1, 2)]), ("ENERGY", None), ("zzz", [])],
)
def test_the_pages_of_a_search_are_the_rows_that_hold_every_word(
    answered: Office, search: str, expected: list[Key] | None
) -> None:
    book = answered.ledger
    words = words_of(search)
    found = whole(book, {}, lambda view, rec: matches(rec, words))
    if expected is not None:
        assert found == expected
    for at_seq in (None, book.count() - 1):
        pages = walk(book, limit=2, where={}, words=words, at_seq=at_seq)
        assert [key for page in pages for key in page] == found


def test_a_page_names_every_panel_and_portfolio_for_the_filter_form(answered: Office) -> None:
    book = answered.ledger
    page = board_page(book, today=TODAY, where={"portfolio": "energy"}, limit=1)
    state = view_at(book, today=TODAY).state
    assert page.panels == tuple(sorted({rec.panel for rec in state.recommendations.values()}))
    assert page.portfolios == tuple(
        sorted({rec.portfolio for rec in state.recommendations.values()})
    )
    assert "energy" in page.portfolios and "climate" in page.portfolios
