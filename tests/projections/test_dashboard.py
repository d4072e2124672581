"""The commission dashboard: counts per axis and value, per panel and per portfolio, each
traceable to the recommendations and entries it counts, and the overdue list."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from domain.correction import CorrectionRecorded
from domain.events import Recorded
from domain.government import Assessed, ImplementationReported
from domain.recommendation import Adopted, HandedOver
from domain.responses import Responded
from projections.dashboard import AXES, PANEL, PORTFOLIO, TOTAL, dashboard, reading
from projections.status import Status, fold
from tests.domain.conftest import Office
from tests.projections.conftest import history

# The ``answered`` story, written out by hand from its docstring (not computed by the fold):
# (position, implementation, verdict, portfolio) per recommendation of panel 1.
STORY = {
    (1, 1): ("accepted_in_part", "in_progress", "agrees", "climate"),
    (1, 2): ("accepted_in_part", "not_started", "none", "climate"),
    (1, 3): ("awaiting_response", "not_started", "none", "energy"),
    (1, 4): ("awaiting_response", "not_started", "none", "climate"),
    (1, 5): ("awaiting_response", "not_started", "none", "climate"),  # never handed over
}


def seq_of(events: list[Recorded], kind: type, key: tuple[int, int], **payload: Any) -> int:
    """The seq of the one event of ``kind`` about ``key`` whose payload has ``payload``."""
    found = [
        item.seq
        for item in events
        if isinstance(item.event, kind)
        and (item.payload["panel"], item.payload["number"]) == key
        and payload.items() <= item.payload.items()
    ]
    assert len(found) == 1, found
    return found[0]


def expected_seqs(events: list[Recorded]) -> dict[tuple[tuple[int, int], str], int]:
    """The entry each axis of each recommendation rests on, found in the history by type."""
    adopted = {key: seq_of(events, Adopted, key) for key in STORY}
    seqs = {(key, axis): adopted[key] for key in STORY for axis in AXES}
    (correction,) = [item.seq for item in events if isinstance(item.event, CorrectionRecorded)]
    seqs[((1, 1), "position")] = seq_of(events, Responded, (1, 1), review=2)
    seqs[((1, 1), "implementation")] = seq_of(events, ImplementationReported, (1, 1))
    seqs[((1, 1), "verdict")] = seq_of(events, Assessed, (1, 1))
    seqs[((1, 2), "position")] = correction  # the correction's replacement gives the value
    return seqs


def tally(group: str) -> Counter[tuple[str, str, str]]:
    """The counts ``STORY`` implies for ``group``: (name, axis, value) -> how many."""
    found: Counter[tuple[str, str, str]] = Counter()
    for key, (position, implementation, verdict, portfolio) in STORY.items():
        name = {TOTAL: "", PANEL: str(key[0]), PORTFOLIO: portfolio}[group]
        for axis, value in zip(AXES, (position, implementation, verdict), strict=True):
            found[(name, axis, value)] += 1
    return found


def test_the_counts_per_group_match_the_story_told_by_hand(answered: Office) -> None:
    board = dashboard(fold(Status(), history(answered.ledger)), as_of=date(2026, 7, 1))
    for group in (TOTAL, PANEL, PORTFOLIO):
        counted = {(c.name, c.axis, c.value): c.count for c in board.of(group)}
        assert counted == dict(tally(group)), group


def test_each_count_lists_its_recommendations_with_the_entry_of_the_counted_axis(
    answered: Office,
) -> None:
    events = history(answered.ledger)
    board = dashboard(fold(Status(), events), as_of=date(2026, 7, 1))
    seqs = expected_seqs(events)
    found = {
        (counted.key, count.axis): (count.value, counted.seq)
        for count in board.of(TOTAL)
        for counted in count.counted
    }
    assert found == {
        (key, axis): (STORY[key][AXES.index(axis)], seq) for (key, axis), seq in seqs.items()
    }


def test_every_recommendation_is_counted_once_per_axis_and_group(answered: Office) -> None:
    state = fold(Status(), history(answered.ledger))
    board = dashboard(state, as_of=date(2026, 7, 1))
    for group in (TOTAL, PANEL, PORTFOLIO):
        for axis in AXES:
            keys = [c.key for count in board.of(group) if count.axis == axis for c in count.counted]
            assert sorted(keys) == sorted(state.recommendations), (group, axis)


def test_the_counts_come_in_the_domains_order_of_values(answered: Office) -> None:
    board = dashboard(fold(Status(), history(answered.ledger)), as_of=date(2026, 7, 1))
    positions = [count.value for count in board.of(TOTAL) if count.axis == "position"]
    assert positions == ["awaiting_response", "accepted_in_part"]
    names = [count.name for count in board.of(PORTFOLIO)]
    assert sorted(set(names), key=names.index) == ["climate", "energy"]


def test_as_of_before_the_answers_every_recommendation_awaits_one(answered: Office) -> None:
    events = history(answered.ledger)
    first = min(item.seq for item in events if isinstance(item.event, Responded))
    before = fold(Status(), [item for item in events if item.seq < first])
    board = dashboard(before, as_of=date(2026, 3, 3))
    positions = {(c.value, c.count) for c in board.of(TOTAL) if c.axis == "position"}
    assert positions == {("awaiting_response", 5)}
    assert board.overdue == ()


def test_before_the_correction_the_rejection_is_counted_with_its_own_entry(
    answered: Office,
) -> None:
    events = history(answered.ledger)
    (correction,) = [item.seq for item in events if isinstance(item.event, CorrectionRecorded)]
    state = fold(Status(), [item for item in events if item.seq < correction])
    value, seq = reading(state.recommendations[(1, 2)], "position")
    assert (value, seq) == ("rejected", seq_of(events, Responded, (1, 2)))


def test_the_overdue_list_names_the_portfolio_and_the_hand_over_entry(answered: Office) -> None:
    events = history(answered.ledger)
    board = dashboard(fold(Status(), events), as_of=date(2026, 7, 1))
    # Review 1 is due on 2026-06-02, moved by the ten days suspended in May to 2026-06-12.
    assert [(late.key, late.review, late.due, late.days_late) for late in board.overdue] == [
        ((1, 3), 1, date(2026, 6, 12), 19),
        ((1, 4), 1, date(2026, 6, 12), 19),
    ]
    assert [late.portfolio for late in board.overdue] == ["energy", "climate"]
    for late in board.overdue:
        assert late.handed_over_seq == seq_of(events, HandedOver, late.key)
    assert dashboard(fold(Status(), events), as_of=date(2026, 6, 12)).overdue == ()


def test_a_panel_filter_keeps_only_that_panels_recommendations(answered: Office) -> None:
    state = fold(Status(), history(answered.ledger))
    other = dashboard(state, as_of=date(2026, 7, 1), panel=2)
    assert (other.recommendations, other.counts, other.overdue) == ((), (), ())
    mine = dashboard(state, as_of=date(2026, 7, 1), panel=1, groups=(PORTFOLIO,))
    assert {count.group for count in mine.counts} == {PORTFOLIO}
    assert mine.recommendations == tuple(sorted(STORY))
    assert mine.seq == state.seq
