"""What each government position must carry before it can be recorded."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.errors import JustificationTooShort, MissingDetail
from domain.responses import Position, Responded, check_response

DETAILED = "The measure conflicts with the regional budget framework adopted in 2024; " * 4


def response(position: str, **fields: object) -> Responded:
    return Responded.model_validate(
        {
            "panel": 1,
            "number": 1,
            "review": 1,
            "position": position,
            "portfolio": "climate",
            **fields,
        }
    )


@pytest.mark.parametrize("position", ["rejected", "accepted_in_part"])
def test_declining_or_changing_a_recommendation_must_be_explained_in_detail(position: str) -> None:
    with pytest.raises(JustificationTooShort, match=r"at least 200 characters \(this one has 9\)"):
        check_response(response(position, justification="Too dear."))
    check_response(response(position, justification=DETAILED))


def test_the_charter_sets_the_minimum_length() -> None:
    short = response("rejected", justification="x" * 120)
    check_response(short, min_justification=100)
    with pytest.raises(JustificationTooShort, match="at least 150 characters"):
        check_response(short, min_justification=150)


def test_blank_padding_does_not_count_as_justification() -> None:
    with pytest.raises(JustificationTooShort, match=r"this one has 4\)"):
        check_response(response("rejected", justification=" " * 300 + "none"))


def test_under_study_needs_a_decision_date() -> None:
    with pytest.raises(MissingDetail, match="decision_date"):
        check_response(response("under_study"))
    check_response(response("under_study", decision_date=date(2026, 9, 30)))


def test_not_competent_needs_whom_it_was_referred_to() -> None:
    with pytest.raises(MissingDetail, match="referred_to"):
        check_response(response("not_competent", referred_to="  "))
    check_response(response("not_competent", referred_to="Federal Public Service Mobility"))


def test_already_in_place_needs_an_evidence_digest() -> None:
    with pytest.raises(MissingDetail, match="sha256:<64 hex>"):
        check_response(response("already_in_place", evidence_digest="see website"))
    check_response(response("already_in_place", evidence_digest="sha256:" + "ab" * 32))


def test_accepted_needs_nothing_more() -> None:
    check_response(response("accepted"))


def test_overdue_is_not_a_position_anyone_can_write() -> None:
    with pytest.raises(ValidationError):
        response("overdue")


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        response("accepted", minister_mood="good")


@given(st.sampled_from(list(Position)), st.text(max_size=400))
def test_a_response_round_trips_through_its_json_form(position: Position, text: str) -> None:
    original = response(position.value, justification=text)
    assert Responded.model_validate_json(original.model_dump_json()) == original
