"""Reads that take only the stored rows a page needs (``projections.view``): each gives what
the whole read model, read in full and judged in memory, gives."""

from __future__ import annotations

from datetime import date

import pytest

from ledger import Ledger
from projections.board import overdue_reviews
from projections.status import Status
from projections.view import newest_said, panel_counts, view_at
from tests.domain.conftest import Office
from tests.projections.test_board_page import DAYS, TODAY


def statements(state: Status) -> list[int]:
    """The seqs of every answer and verdict in ``state``, newest first."""
    found = [
        said.change.seq
        for rec in state.recommendations.values()
        for said in (*rec.answers, *rec.verdicts)
    ]
    return sorted(found, reverse=True)


@pytest.mark.parametrize("count", range(1, 7))
def test_the_newest_answers_and_verdicts_are_read_from_the_fewest_rows(
    answered: Office, count: int
) -> None:
    book = answered.ledger
    everything = statements(view_at(book, today=TODAY).state)
    assert len(everything) >= 4  # answers at both reviews, a verdict, a corrected answer
    found = newest_said(book, today=TODAY, statements=count).state
    assert statements(found)[:count] == everything[:count]


def test_a_recommendation_whose_newest_statement_is_older_is_still_read(answered: Office) -> None:
    """1/1's newest answer is the newest of all; 1/2's only answer is older than it, but newer
    than 1/1's other statements: the two newest need both rows."""
    book = answered.ledger
    newest = newest_said(book, today=TODAY, statements=2).state
    assert {(1, 1), (1, 2)} <= set(newest.recommendations)
    assert newest_said(book, today=TODAY, statements=1).state.recommendations.keys() == {(1, 1)}


def counted(book: Ledger, **point: object) -> dict[int, int]:
    state = view_at(book, today=TODAY, **point).state  # type: ignore[arg-type]
    found: dict[int, int] = {}
    for rec in state.recommendations.values():
        found[rec.panel] = found.get(rec.panel, 0) + 1
    return found


@pytest.mark.parametrize("at_point", [False, True], ids=["stored", "folded"])
def test_each_panels_recommendations_are_counted_as_the_whole_model_counts_them(
    answered: Office, at_point: bool
) -> None:
    book = answered.ledger
    point = {"at_seq": book.count() - 1} if at_point else {}
    view, counts = panel_counts(book, today=TODAY, **point)  # type: ignore[arg-type]
    assert counts == counted(book, **point) and sum(counts.values()) >= 4
    assert view.state.seq == book.count() - 1


@pytest.mark.parametrize("today", DAYS, ids=str)
def test_the_overdue_list_read_from_the_narrowed_rows_is_the_whole_models(
    answered: Office, today: date
) -> None:
    book = answered.ledger
    whole = view_at(book, today=today)
    narrowed = view_at(book, today=today, overdue_only=True)
    expected = overdue_reviews(whole.state, as_of=today)
    found = overdue_reviews(narrowed.state, as_of=today)
    assert [(rec.key, d) for rec, d in found] == [(rec.key, d) for rec, d in expected]
    assert set(narrowed.state.recommendations) <= set(whole.state.recommendations)
