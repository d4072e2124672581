"""A recommendation's life: adopted on an adopted vote, numbered once per panel, written in the
charter's languages, handed over once, then answered once per review, every answer kept."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest

from cli.store import LedgerStore
from domain import commands
from domain.errors import AlreadyDone, NotAllowed, NotFound, NotYet, RuleBroken
from domain.government import Implementation, ImplementationReported
from domain.process import Session
from domain.recommendation import (
    Adopted,
    HandedOver,
    Recommendation,
    parse_reference,
    recommendation_stream,
)
from domain.responses import Position, Responded
from tests.domain.conftest import HANDED_OVER, Office, adopted, step, vote


def answer(number: int, review: int, position: str = "accepted", **fields: object) -> Responded:
    return Responded.model_validate(
        {
            "panel": 1,
            "number": number,
            "review": review,
            "position": position,
            "portfolio": "climate",
            **fields,
        }
    )


def load(office: Office, number: int) -> Recommendation:
    store = LedgerStore(office.ledger, None)
    stream = recommendation_stream(1, number)
    return Recommendation.load(stream, store.load(stream))


# -- adoption -------------------------------------------------------------------------------


def test_a_recommendation_is_adopted_on_a_vote_that_adopted_it(recommended: Office) -> None:
    recommended.refuses(
        "secretariat",
        step(commands.adopt, adopted(6, vote="V-6")),
        NotAllowed,
        match="Vote V-6 did not adopt its subject",
    )
    recommended.refuses(
        "secretariat",
        step(commands.adopt, adopted(6, vote="V-9")),
        NotFound,
        match="There is no vote V-9 on record for this panel",
    )


def test_recommendation_numbers_are_unique_within_a_panel(recommended: Office) -> None:
    recommended.do("secretariat", step(commands.record_vote, vote("V-7")))
    recommended.refuses(
        "secretariat",
        step(commands.adopt, adopted(1, vote="V-7")),
        AlreadyDone,
        match="Panel 1 already has a recommendation 1: numbers are unique within a panel",
    )
    assert load(recommended, 1).require().vote == "V-1"


@pytest.mark.parametrize(
    ("texts", "problem"),
    [
        (
            {"title": {"en": "Insulate homes"}},
            r"Recommendation 1/7's title has a text in en, which is not one of the charter's "
            r"languages \(fr, nl\)",
        ),
        (
            {"text": {"fr": "Isoler.", "nl": "Isoleren.", "de": "Dammen."}},
            r"Recommendation 1/7 has a text in de",
        ),
        (
            {"text": {"fr": " ", "nl": ""}},
            r"Recommendation 1/7 needs a text in at least one of the charter's languages",
        ),
        (
            {"supporting": {"de": "Weil."}},
            r"Recommendation 1/7's supporting statement has a text in de",
        ),
        (
            {"shared_with": ["housing", "climate"]},
            r"Recommendation 1/7 names a portfolio twice \(climate, housing, climate\)",
        ),
    ],
)
def test_a_recommendation_is_written_in_the_charters_languages_only(
    recommended: Office, texts: dict[str, dict[str, str]], problem: str
) -> None:
    recommended.do("secretariat", step(commands.record_vote, vote("V-7")))
    recommended.refuses(
        "secretariat",
        step(commands.adopt, adopted(7, vote="V-7", **texts)),
        NotAllowed,
        match=problem,
    )


def test_a_recommendation_in_one_of_the_charters_languages_is_enough(recommended: Office) -> None:
    recommended.do("secretariat", step(commands.record_vote, vote("V-7")))
    dutch = adopted(7, vote="V-7", title={"nl": "Isoleren"}, text={"nl": "Woningen isoleren."})
    recommended.do("secretariat", step(commands.adopt, dutch))
    assert load(recommended, 7).adopted == dutch


def test_a_recommendation_needs_a_convened_panel(chartered: Office) -> None:
    chartered.refuses(
        "secretariat",
        step(commands.adopt, adopted(1, vote="V-1")),
        NotFound,
        match="This panel has not been convened",
    )


# -- hand-over ------------------------------------------------------------------------------


def test_a_recommendation_is_handed_over_once(recommended: Office) -> None:
    recommended.refuses(
        "secretariat",
        step(commands.hand_over, 1, 1, date(2026, 4, 1)),
        AlreadyDone,
        match=f"Recommendation 1/1 was handed over on {HANDED_OVER}",
    )
    handed = LedgerStore(recommended.ledger, None).of_type(HandedOver.TYPE)
    assert [r.event.on for r in handed if isinstance(r.event, HandedOver)] == [HANDED_OVER] * 4


def test_only_an_adopted_recommendation_is_handed_over(recommended: Office) -> None:
    recommended.refuses(
        "secretariat",
        step(commands.hand_over, 1, 8, HANDED_OVER),
        NotFound,
        match="Panel 1 has no recommendation 8",
    )


def test_the_adopted_numbers_of_a_panel_are_listed_in_order(recommended: Office) -> None:
    session = Session(recommended.store("secretariat"))
    assert commands.adopted_numbers(session, 1) == [1, 2, 3, 4, 5]
    assert commands.adopted_numbers(session, 2) == []


@pytest.mark.parametrize("text", ["1", "0/3", "1/0", "a/b", "1/2/3", "/2"])
def test_a_reference_is_panel_slash_number(text: str) -> None:
    with pytest.raises(NotFound, match="is not a recommendation reference such as 1/12"):
        parse_reference(text)


# -- answers --------------------------------------------------------------------------------


def test_only_a_recommendation_handed_over_is_answered(recommended: Office) -> None:
    recommended.refuses(
        "government",
        step(commands.respond, answer(5, 1)),
        NotYet,
        match="Recommendation 1/5 has not been handed over to the government, so it cannot "
        "be answered yet",
    )
    recommended.refuses(
        "government",
        step(commands.respond, answer(8, 1)),
        NotFound,
        match="Panel 1 has no recommendation 8",
    )


def test_a_second_answer_revises_the_first_and_both_stay(recommended: Office) -> None:
    first = answer(1, 1, "under_study", decision_date=date(2026, 12, 31))
    second = answer(1, 2, "accepted", planned_measures="A renovation grant from 2027.")
    recommended.do("government", step(commands.respond, first))
    recommended.do("government", step(commands.respond, second))
    recommendation = load(recommended, 1)
    assert recommendation.answers == {1: first, 2: second}
    assert recommendation.position is Position.ACCEPTED
    answered = LedgerStore(recommended.ledger, None).of_type(Responded.TYPE)
    assert [r.event for r in answered] == [first, second]


@pytest.mark.parametrize("review", [1, 2])
def test_a_review_has_one_answer(recommended: Office, review: int) -> None:
    recommended.do("government", step(commands.respond, answer(1, 1, "accepted")))
    if review == 2:
        recommended.do("government", step(commands.respond, answer(1, 2, "accepted")))
    recommended.refuses(
        "government",
        step(commands.respond, answer(1, review, "rejected", justification="x" * 300)),
        AlreadyDone,
        match=f"Recommendation 1/1 already has its answer for review {review}; an error in it "
        "is fixed with `assembly correct`",
    )
    assert load(recommended, 1).position is Position.ACCEPTED


def test_the_second_reviews_answer_stays_the_position_when_the_first_comes_late(
    recommended: Office,
) -> None:
    recommended.do("government", step(commands.respond, answer(1, 2, "accepted")))
    late = answer(1, 1, "rejected", justification="z" * 250)
    with contextlib.suppress(RuleBroken):  # refusing the late first answer is a fix as good
        recommended.do("government", step(commands.respond, late))
    assert load(recommended, 1).position is Position.ACCEPTED


def test_a_revision_to_rejected_stops_implementation_reports(recommended: Office) -> None:
    reported = ImplementationReported(
        panel=1, number=1, status=Implementation.IN_PROGRESS, progress=20
    )
    recommended.do("government", step(commands.respond, answer(1, 1, "accepted")))
    recommended.do("government", step(commands.report, reported))
    rejected = answer(1, 2, "rejected", justification="y" * 250)
    recommended.do("government", step(commands.respond, rejected))
    recommended.refuses(
        "government",
        step(commands.report, reported),
        NotYet,
        match="its position is rejected",
    )


def test_every_adopted_recommendation_keeps_its_vote(recommended: Office) -> None:
    store = LedgerStore(recommended.ledger, None)
    votes = [r.event.vote for r in store.of_type(Adopted.TYPE) if isinstance(r.event, Adopted)]
    assert votes == ["V-1", "V-2", "V-3", "V-4", "V-5"]
