"""The status fold: three separate axes, every answer kept, corrections applied, and the same
result as a slow reference fold on real ledgers (a fixed history and generated ones)."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import commands
from domain.charter import Chartered
from domain.errors import RuleBroken
from domain.government import Assessed, Implementation, ImplementationReported, Verdict
from domain.government import ResponsibilityTransferred as Transferred
from domain.responses import Position, Responded
from projections.deadlines import Suspension
from projections.status import Status, apply, fold
from tests.domain.conftest import DETAILED, Office, Snapshots, step
from tests.projections.conftest import answer, history, report, store, verdict
from tests.projections.reference import reference, summary


def test_the_fold_of_a_real_history_equals_the_reference(answered: Office) -> None:
    events = history(answered.ledger)
    assert summary(fold(Status(), events)) == reference(events)


def test_the_three_axes_are_kept_apart_with_the_entry_that_set_each(answered: Office) -> None:
    state = fold(Status(), history(answered.ledger))
    first = state.recommendations[(1, 1)]
    assert (first.position, first.implementation, first.verdict) == (
        "accepted_in_part",
        "in_progress",
        "agrees",
    )
    assert first.position_change is not None and first.verdict_change is not None
    assert first.position_change.signer == answered.keys["government"].key_id
    assert first.verdict_change.signer == answered.keys["commission"].key_id
    untouched = state.recommendations[(1, 4)]
    assert (untouched.position, untouched.implementation, untouched.verdict) == (
        "awaiting_response",
        "not_started",
        "none",
    )
    assert untouched.position_change is None
    assert untouched.handed_over == date(2026, 3, 2)
    assert state.recommendations[(1, 5)].handed_over is None


def test_a_revised_answer_at_the_second_review_keeps_the_first_visible(answered: Office) -> None:
    first = fold(Status(), history(answered.ledger)).recommendations[(1, 1)]
    assert [(said.payload["review"], said.payload["position"]) for said in first.answers] == [
        (1, "accepted"),
        (2, "accepted_in_part"),
    ]
    assert first.answer(1) is not None and first.answer(2) is not None


def test_a_correction_replaces_the_answer_it_supersedes_and_is_listed(answered: Office) -> None:
    second = fold(Status(), history(answered.ledger)).recommendations[(1, 2)]
    (fixed,) = second.answers
    assert fixed.payload["position"] == "accepted_in_part"
    assert fixed.corrected_by == second.position_change.seq  # type: ignore[union-attr]
    (erratum,) = second.errata
    assert (erratum.supersedes, erratum.replaced) == (fixed.change.seq, True)
    assert erratum.reason == "The wrong answer was sent."


def test_transfers_move_the_portfolio_and_suspensions_are_kept(answered: Office) -> None:
    state = fold(Status(), history(answered.ledger))
    assert state.recommendations[(1, 3)].portfolio == "energy"
    assert state.suspensions == (Suspension(date(2026, 5, 1), date(2026, 5, 11)),)
    assert state.offsets == (3, 12)


def test_apply_leaves_the_state_it_is_given_unchanged(answered: Office) -> None:
    events = history(answered.ledger)
    before = fold(Status(), events[:-3])
    kept = dict(before.recommendations)
    after = before
    for event in events[-3:]:
        after = apply(after, event)
    assert dict(before.recommendations) == kept
    assert before.seq == events[-4].seq
    assert summary(after) == summary(fold(Status(), events))


def test_folding_in_batches_gives_the_same_state_as_one_fold(answered: Office) -> None:
    events = history(answered.ledger)
    state = Status()
    for start in range(0, len(events), 7):
        state = fold(state, events[start : start + 7])
    assert state == fold(Status(), events)


# -- generated histories -----------------------------------------------------------------------
#
# Steps are drawn at random and run through the domain's commands on a copy of the
# ``recommended`` ledger; a step the rules refuse writes nothing, so what the ledger holds is
# always a valid history.

NUMBERS = st.integers(min_value=1, max_value=5)
STEPS = st.one_of(
    st.tuples(st.just("respond"), NUMBERS, st.sampled_from([1, 2]), st.sampled_from(Position)),
    st.tuples(st.just("report"), NUMBERS, st.sampled_from(Implementation)),
    st.tuples(st.just("assess"), NUMBERS, st.sampled_from(Verdict)),
    st.tuples(st.just("transfer"), NUMBERS, st.sampled_from(["energy", "housing"])),
    st.tuples(st.just("suspend"), st.integers(min_value=0, max_value=400)),
    st.tuples(st.just("resume"), st.integers(min_value=0, max_value=60)),
    st.tuples(st.just("correct"), st.sampled_from(["answer", "report", "verdict"]), NUMBERS),
)
START = date(2026, 3, 2)


def _take(office: Office, move: tuple[Any, ...]) -> None:
    kind, *args = move
    if kind == "respond":
        number, review, position = args
        fields = _DETAILS.get(position, {})
        office.do("government", step(commands.respond, answer(number, review, position, **fields)))
    elif kind == "report":
        number, status = args
        progress = 100 if status is Implementation.COMPLETED else 50
        office.do("government", step(commands.report, _explained(report(number, status, progress))))
    elif kind == "assess":
        office.do("commission", step(commands.assess, verdict(*args)))
    elif kind == "transfer":
        number, to = args
        current = _portfolio(office, number)
        moved = Transferred(
            panel=1, number=number, from_portfolio=current, to_portfolio=to, reason="Reshuffle."
        )
        office.do("government", step(commands.transfer, moved))
    elif kind == "suspend":
        office.do("government", step(commands.suspend, START + timedelta(days=args[0]), "Vote."))
    elif kind == "resume":
        since = _open_since(office)
        office.do("government", step(commands.resume, since + timedelta(days=args[0])))
    else:
        _correct_last(office, *args)


_DETAILS: dict[Position, dict[str, Any]] = {
    Position.UNDER_STUDY: {"decision_date": "2026-12-01"},
    Position.NOT_COMPETENT: {"referred_to": "The federal government"},
    Position.ALREADY_IN_PLACE: {"evidence_digest": "sha256:" + "ab" * 32},
}


def _explained(event: ImplementationReported) -> ImplementationReported:
    if event.status in (Implementation.ABANDONED, Implementation.COMPLETED_MODIFIED):
        return event.model_copy(update={"justification": DETAILED})
    return event


def _portfolio(office: Office, number: int) -> str:
    current = fold(Status(), history(office.ledger)).recommendations.get((1, number))
    return "climate" if current is None else current.portfolio


def _open_since(office: Office) -> date:
    suspensions = fold(Status(), history(office.ledger)).suspensions
    return suspensions[-1].since if suspensions else START


TYPES = {
    "answer": Responded.TYPE,
    "report": ImplementationReported.TYPE,
    "verdict": Assessed.TYPE,
}
CHANGES: dict[str, dict[str, Any]] = {
    "answer": {"position": "accepted_in_part", "justification": DETAILED},
    "report": {"status": "stalled", "progress": 10},
    "verdict": {"verdict": "insufficient_information"},
}


def _correct_last(office: Office, what: str, number: int) -> None:
    """Correct the last answer, report or verdict about 1/``number``, if there is one."""
    found = [
        r for r in store(office).of_type(TYPES[what]) if getattr(r.event, "number", None) == number
    ]
    if found:
        target = found[-1]
        payload = {**target.event.to_payload(), **CHANGES[what]}
        role = "commission" if what == "verdict" else "government"
        office.do(role, step(commands.correct, target.seq, reason="Fixed.", replacement=payload))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=st.lists(STEPS, min_size=1, max_size=20))
def test_the_fold_equals_the_reference_after_random_valid_steps(
    snapshots: Snapshots,
    assembly_charter: Chartered,
    tmp_path_factory: pytest.TempPathFactory,
    moves: list[tuple[Any, ...]],
) -> None:
    office = snapshots.office("recommended", assembly_charter, tmp_path_factory.mktemp("gen"))
    try:
        for move in moves:
            with contextlib.suppress(RuleBroken):  # refused by the rules: nothing was written
                _take(office, move)
        events = history(office.ledger)
        assert summary(fold(Status(), events)) == reference(events)
    finally:
        office.ledger.close()
