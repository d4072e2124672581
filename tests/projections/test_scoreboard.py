"""The scoreboard (``projections.scoreboard``): counted by the database now, it equals the
scoreboard of every row the board reads, figure for figure, on any day around the due dates,
with a suspension recorded or none; and the per-portfolio record and its median."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pytest

from domain import commands
from domain.government import ResponsibilityTransferred as Transferred
from domain.responses import Position
from ledger import Ledger
from projections.runner import catch_up
from projections.scoreboard import (
    EVERY_ROW,
    Scoreboard,
    median,
    portfolio_scores,
    portfolio_scores_now,
    review_days,
    scoreboard,
    scoreboard_now,
    share,
)
from projections.tallies import stored_review_days, stored_tally, weighted_median
from projections.view import board_page
from tests.domain.conftest import Office, step
from tests.projections.conftest import answer

# Around the due dates of panel 1 (handed over on 2026-03-02; with the suspension of May in
# the ``answered`` ledger, review 1 is due on 2026-06-12, else on 2026-06-02).
DAYS = [
    date(2026, 6, 2), date(2026, 6, 3), date(2026, 6, 12), date(2026, 6, 13), date(2026, 12, 1),
    date(2027, 3, 2), date(2027, 3, 3), date(2027, 3, 13),
]  # fmt: skip
WHERE = [{}, {"panel": 1}, {"portfolio": "energy"}, {"position": "awaiting_response"}]


def written(office: Office) -> Ledger:
    """The office's ledger with its read model caught up, as a writer leaves it: the database
    counts only tables that hold the head (else the caller reads the rows)."""
    catch_up(office.ledger)
    return office.ledger


def of_every_row(book: Ledger, where: Mapping[str, object], today: date) -> Scoreboard:
    """The scoreboard of the board's rows read in one page, counted in memory."""
    page = board_page(book, today=today, where=where, limit=EVERY_ROW)
    return scoreboard(page.rows, page.deadlines, reviews=len(page.view.state.offsets))


@pytest.mark.parametrize("ledger", ["answered", "recommended"])  # a suspension, and none
@pytest.mark.parametrize("today", DAYS, ids=str)
@pytest.mark.parametrize("where", WHERE, ids=repr)
def test_the_scoreboard_counted_by_the_database_equals_the_one_of_every_row(
    request: pytest.FixtureRequest, ledger: str, today: date, where: Mapping[str, object]
) -> None:
    book = written(request.getfixturevalue(ledger))
    assert scoreboard_now(book, where=where, today=today) == of_every_row(book, where, today)


LAST_ANSWER = date(2026, 7, 12)  # the day of the last answer ``answered_late`` holds
FILTERS = [
    {"words": ("recommandation 2",)},
    {"words": ("isoler",), "overdue": True},
    {"overdue": True},
    {"late_at": 1},
    {"late_at": 2},
    {"late_at": 3},
]


@pytest.mark.parametrize("ledger", ["answered_late", "answered"])  # no suspension, and one
@pytest.mark.parametrize("today", DAYS, ids=str)
@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_the_scoreboard_of_a_search_or_the_overdue_counted_by_the_database_equals_the_boards(
    request: pytest.FixtureRequest, ledger: str, today: date, filters: dict[str, Any]
) -> None:
    book = written(request.getfixturevalue(ledger))
    found = scoreboard_now(book, where={}, today=today, **filters)
    page = board_page(book, today=today, where={}, limit=EVERY_ROW, **filters)
    expected = scoreboard(page.rows, page.deadlines, reviews=len(page.view.state.offsets))
    if found is None:  # the caller counts the board's rows: only where the database cannot
        judged = ledger == "answered" or today < LAST_ANSWER  # a suspension, or a day past
        assert judged and ("overdue" in filters or "late_at" in filters)
    else:
        assert found == expected and found.total == len(page.rows)


def test_overdue_is_counted_by_the_database_only_when_no_suspension_can_move_a_due_date(
    request: pytest.FixtureRequest,
) -> None:
    recommended = request.getfixturevalue("recommended")
    catch_up(recommended.ledger)
    counted = stored_tally(recommended.ledger, where={}, on=date(2026, 6, 3))
    assert counted is not None and counted.late is not None
    assert counted.late[1] > 0 and counted.late[2] == 0
    answered = request.getfixturevalue("answered")  # the same ledger, on to a suspension
    catch_up(answered.ledger)
    counted = stored_tally(answered.ledger, where={}, on=date(2026, 6, 13))
    assert counted is not None and counted.late is None
    assert portfolio_scores_now(answered.ledger, code=None, today=date(2026, 6, 13)) is None


def test_the_scoreboards_differ_around_a_due_date(recommended: Office) -> None:
    """The test above would hold for figures that never change: they do."""
    book = written(recommended)
    before = scoreboard_now(book, where={}, today=date(2026, 6, 2))
    after = scoreboard_now(book, where={}, today=date(2026, 6, 3))
    assert dict(before.overdue)[1].count == 0 < dict(after.overdue)[1].count


def test_the_portfolio_record_counts_reviews_on_time_late_and_unanswered(
    answered: Office,
) -> None:
    page = board_page(answered.ledger, today=date(2026, 12, 1), where={}, limit=EVERY_ROW)
    scores = {score.portfolio: score for score in portfolio_scores(page.rows, page.deadlines)}
    assert set(scores) == {rec.portfolio for rec in page.rows}
    dues = [d for rec in page.rows for d in page.deadlines[rec.key]]
    assert sum(s.unanswered for s in scores.values()) == sum(d.overdue for d in dues)
    assert sum(s.on_time + s.late for s in scores.values()) == sum(d.answered for d in dues)
    assert sum(s.recommendations for s in scores.values()) == len(page.rows)


@pytest.fixture
def answered_late(recommended: Office) -> Office:
    """... then, without any suspension: 1 accepted on time; 3 moved to the energy portfolio;
    2 rejected 18 days after review 1 fell due, 3 accepted 40 days after; 4 left unanswered."""
    office = recommended
    office.do("government", step(commands.respond, answer(1, 1, Position.ACCEPTED)))
    moved = Transferred(
        panel=1, number=3, from_portfolio="climate", to_portfolio="energy", reason="Reshuffle."
    )
    office.do("government", step(commands.transfer, moved))
    office.clock.now = office.clock.now.replace(year=2026, month=6, day=20)
    office.do("government", step(commands.respond, answer(2, 1, Position.REJECTED)))
    office.clock.now = office.clock.now.replace(month=7, day=12)
    moved_answer = answer(3, 1, Position.ACCEPTED, portfolio="energy")
    office.do("government", step(commands.respond, moved_answer))
    return office


@pytest.mark.parametrize("today", DAYS, ids=str)
@pytest.mark.parametrize("code", [None, "climate", "energy"])
def test_each_portfolios_record_counted_by_the_database_equals_the_one_of_every_row(
    answered_late: Office, today: date, code: str | None
) -> None:
    book = written(answered_late)
    where = {} if code is None else {"portfolio": code}
    page = board_page(book, today=today, where=where, limit=EVERY_ROW)
    assert portfolio_scores_now(book, code=code, today=today) == portfolio_scores(
        page.rows, page.deadlines
    )
    assert stored_review_days(book, code=code) == review_days(page.rows, page.deadlines)


def test_the_portfolio_records_counted_by_the_database_hold_late_and_unanswered_reviews(
    answered_late: Office,
) -> None:
    """The test above would hold for records of nothing: these hold every kind of review."""
    found = portfolio_scores_now(written(answered_late), code=None, today=date(2026, 12, 1))
    assert found is not None
    scores = {score.portfolio: score for score in found}
    climate, energy = scores["climate"], scores["energy"]
    assert (climate.on_time, climate.late, climate.rejected) == (1, 1, 1)
    assert (energy.on_time, energy.late, energy.unanswered) == (0, 1, 0)
    assert climate.unanswered > 0 and climate.median_days_late and energy.median_days_late == 40


@pytest.mark.parametrize(
    ("days", "expected"), [([], None), ([4], 4), ([1, 9], 5), ([1, 2, 30], 2), ([1, 2, 3, 8], 2)]
)
def test_the_median_of_days_late_is_the_middle_one_or_the_mean_of_the_two_rounded_down(
    days: list[int], expected: int | None
) -> None:
    assert median(days) == expected
    counted: dict[int, int] = {}
    for day in days:
        counted[day] = counted.get(day, 0) + 1
    assert weighted_median(counted) == expected


def test_a_share_is_in_millionths_rounded_to_the_nearest_and_nothing_of_nothing() -> None:
    assert share(1, 3) == 333_333 and share(2, 3) == 666_667 and share(0, 0) == 0


def test_a_scoreboard_remembered_at_one_position_is_counted_again_once_the_ledger_grows(
    recommended: Office,
) -> None:
    day = date(2026, 12, 1)
    before = scoreboard_now(written(recommended), where={}, today=day)
    assert before is scoreboard_now(recommended.ledger, where={}, today=day)  # remembered
    recommended.do("government", step(commands.respond, answer(1, 1, Position.ACCEPTED)))
    after = scoreboard_now(written(recommended), where={}, today=day)
    assert before is not None and after is not None
    position = {bar.axis: bar for bar in after.bars}["position"]
    assert {s.value: s.count for s in position.segments}.get("accepted") == 1
    assert after != before
