"""A vote not before its panel's seating, an adoption not before its vote: judged whenever
either step is history recorded after the fact, on the dates the rules of order count from
(the author's for history, the ledger's for a live step); two live steps are left as earlier
releases left them."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from domain.aggregate import stream_id
from domain.deliberation import Deliberation, Method, VoteHeld
from domain.errors import DatedTooEarly
from domain.events import Event, Recorded
from domain.panel import Convened, Panel, Seated

BEGAN = date(2026, 12, 1)  # the day the history ledger recorded its entry 0


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+00:00")


def stored(events: list[tuple[Event, str, str]], *, history_before: date | None) -> list[Recorded]:
    """Stored entries of one stream: each event, the day its author gave, the day recorded."""
    return [
        Recorded(
            event=event,
            version=version,
            seq=version,
            occurred_at=at(claimed),
            signer="0" * 32,
            recorded_at=at(recorded),
            after_the_fact=history_before is not None and at(claimed).date() < history_before,
            history_before=history_before,
        )
        for version, (event, claimed, recorded) in enumerate(events, start=1)
    ]


def panel(seated_on: str, recorded: str, *, history_before: date | None) -> Panel:
    convened = Convened(number=1, theme={"fr": "Le climat"}, seats=12, theme_chosen_by="government")
    seated = Seated(number=1, members=("P-000001",))
    events: list[tuple[Event, str, str]] = [
        (convened, seated_on, recorded),
        (seated, seated_on, recorded),
    ]
    return Panel.load(stream_id("panel/1"), stored(events, history_before=history_before))


def deliberation(voted_on: str, recorded: str, *, history_before: date | None) -> Deliberation:
    vote = VoteHeld(panel=1, vote="V-1", subject="Package 1", method=Method.MAJORITY, adopted=True)
    events: list[tuple[Event, str, str]] = [(vote, voted_on, recorded)]
    return Deliberation.load(
        stream_id("deliberation/1"), stored(events, history_before=history_before)
    )


def test_a_vote_dated_before_the_ledger_began_after_a_live_seating_is_refused() -> None:
    """Dated before the ledger began, the vote would be history; it cannot come before a
    seating the ledger saw happen, so a live cycle cannot slip into history this way."""
    live = panel("2026-12-02", "2026-12-02", history_before=BEGAN)
    with pytest.raises(
        DatedTooEarly,
        match=re.escape(
            "Vote V-1 of panel 1 is dated 2019-06-01, before the seating of panel 1 on "
            "2026-12-02: date it on or after 2026-12-02."
        ),
    ):
        live.check_votes_after_seating("Vote V-1 of panel 1", at("2019-06-01"))


def test_a_vote_dated_before_a_seating_recorded_after_the_fact_is_refused_on_its_date() -> None:
    history = panel("2019-10-28", "2026-12-01", history_before=BEGAN)
    with pytest.raises(DatedTooEarly, match="before the seating of panel 1 on 2019-10-28"):
        history.check_votes_after_seating("Vote V-1 of panel 1", at("2019-10-27"))
    history.check_votes_after_seating("Vote V-1 of panel 1", at("2019-10-28"))


@pytest.mark.parametrize("history_before", [None, BEGAN], ids=["live ledger", "history ledger"])
def test_a_live_vote_dated_before_a_live_seating_was_recorded_is_accepted_as_before(
    history_before: date | None,
) -> None:
    """A seating entered some days late, and the vote dated by its meeting: both live, as the
    test cycle and earlier releases' ledgers record them."""
    live = panel("2026-12-05", "2026-12-08", history_before=history_before)
    live.check_votes_after_seating("Vote V-1 of panel 1", at("2026-12-06"))


def test_an_adoption_dated_before_a_vote_recorded_after_the_fact_is_refused_on_its_date() -> None:
    history = deliberation("2020-06-20", "2026-12-01", history_before=BEGAN)
    what = "The adoption of recommendation 1/1"
    with pytest.raises(
        DatedTooEarly,
        match=re.escape(
            "The adoption of recommendation 1/1 is dated 2020-06-19, before vote V-1 on "
            "2020-06-20: date it on or after 2020-06-20."
        ),
    ):
        history.check_adopted_after("V-1", what, at("2020-06-19"))
    history.check_adopted_after("V-1", what, at("2020-06-20"))


def test_an_adoption_dated_before_the_ledger_began_after_a_live_vote_is_refused() -> None:
    live = deliberation("2026-12-03", "2026-12-03", history_before=BEGAN)
    with pytest.raises(DatedTooEarly, match="before vote V-1 on 2026-12-03"):
        live.check_adopted_after("V-1", "The adoption of recommendation 1/1", at("2020-06-20"))


@pytest.mark.parametrize("history_before", [None, BEGAN], ids=["live ledger", "history ledger"])
def test_a_live_adoption_dated_before_its_live_vote_was_recorded_is_accepted_as_before(
    history_before: date | None,
) -> None:
    live = deliberation("2026-12-05", "2026-12-09", history_before=history_before)
    live.check_adopted_after("V-1", "The adoption of recommendation 1/1", at("2026-12-06"))
