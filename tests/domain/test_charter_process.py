"""The charter describes the assembly's process: its review appointments (one or more) and which
positions need a justification and how long; answers fit them, alone or in a joint statement."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cli.store import LedgerStore
from domain import commands
from domain.charter import Chartered
from domain.errors import JustificationTooShort, NotAllowed, NotFound
from domain.events import decode
from domain.government import Assessed, ImplementationReported
from domain.responses import Position, Responded
from domain.statement import StatementGiven
from tests.domain.conftest import Office, step

# A partial answer as long as a real one (124 characters), in synthetic words. The stage
# fixtures' texts are in French and Dutch, so every charter here has those languages.
PARTIAL = (
    "Nous reprenons la proposition pour les bâtiments publics, mais pas pour les logements "
    "privés, dont le coût reste trop élevé."
)
SCOTLAND = Chartered(
    name="Assembly",
    region="Scotland",
    languages=("fr", "nl"),
    review_offsets=("P6M",),
    justifications={"rejected": 200, "accepted_in_part": 100, "postponed": 50},
    theme_group_size=5,
)
STRICT = Chartered(
    name="Assembly",
    region="Scotland",
    languages=("fr", "nl"),
    justifications={"accepted_in_part": 200},
    theme_group_size=5,
)
FRANCE = Chartered(name="Convention", region="France", languages=("fr", "nl"), theme_group_size=5)
REFUSAL = "La proposition remettrait en cause la liberté d'entreprendre garantie par la loi. " * 3


def answer(number: int, position: str, **fields: Any) -> Responded:
    return Responded.model_validate(
        {
            "panel": 1,
            "number": number,
            "review": 1,
            "position": position,
            "portfolio": "climate",
            **fields,
        }
    )


def test_the_default_charter_keeps_the_first_releases_rules() -> None:
    charter = Chartered(name="Assembly", region="Brussels-Capital", languages=("fr",))
    assert (charter.months(), charter.reviews) == ((3, 12), 2)
    assert charter.minimums() == {
        "rejected": 200,
        "accepted_in_part": 200,
        "completed_modified": 200,
        "abandoned": 200,
    }


def test_a_charter_of_schema_1_is_upcast_with_the_same_rules() -> None:
    old = {
        "name": "Assembly",
        "region": "Brussels-Capital",
        "languages": ["fr", "nl"],
        "review_offsets": ["P3M", "P12M"],
        "min_justification": 150,
        "theme_group_size": 25,
        "log_origin": None,
    }
    charter = decode(Chartered.TYPE, 1, old)
    assert isinstance(charter, Chartered)
    assert charter.months() == (3, 12)
    assert charter.minimums()["rejected"] == 150 and "postponed" not in charter.minimums()


def test_old_answers_reports_and_verdicts_read_as_they_were_signed() -> None:
    said = {"panel": 1, "number": 2, "review": 2, "position": "rejected", "justification": "x",
            "planned_measures": "", "portfolio": "climate", "decision_date": None,
            "referred_to": None, "evidence_digest": None}  # fmt: skip
    answer_v1 = decode(Responded.TYPE, 1, said)
    assert isinstance(answer_v1, Responded)
    assert (answer_v1.review, answer_v1.statement, answer_v1.translations) == (2, None, {})
    report = {"panel": 1, "number": 2, "status": "in_progress", "progress": 0, "milestone": "",
              "justification": "", "evidence_digest": None}  # fmt: skip
    report_v1 = decode(ImplementationReported.TYPE, 1, report)
    assert isinstance(report_v1, ImplementationReported) and report_v1.progress == 0
    verdict = {"panel": 1, "number": 2, "verdict": "agrees", "reasons": "", "score": 7}
    verdict_v2 = decode(Assessed.TYPE, 2, verdict)
    assert isinstance(verdict_v2, Assessed) and verdict_v2.score == "7"


@pytest.mark.parametrize("assembly_charter", [SCOTLAND])
def test_a_charter_with_one_review_refuses_an_answer_at_a_second(recommended: Office) -> None:
    recommended.refuses(
        "government",
        step(commands.respond, answer(1, "accepted", review=2)),
        NotAllowed,
        match=r"The charter sets 1 review appointment\(s\), so review 2 of recommendation 1/1 "
        r"does not exist: give a review from 1 to 1\.",
    )
    recommended.do("government", step(commands.respond, answer(1, "accepted")))


@pytest.mark.parametrize("assembly_charter", [SCOTLAND])
def test_a_partial_answer_of_124_characters_is_enough_when_the_charter_asks_100(
    recommended: Office,
) -> None:
    assert len(PARTIAL) == 124
    recommended.do(
        "government", step(commands.respond, answer(1, "accepted_in_part", justification=PARTIAL))
    )


@pytest.mark.parametrize("assembly_charter", [STRICT])
def test_a_partial_answer_of_124_characters_is_refused_when_the_charter_asks_200(
    recommended: Office,
) -> None:
    recommended.refuses(
        "government",
        step(commands.respond, answer(1, "accepted_in_part", justification=PARTIAL)),
        JustificationTooShort,
        match=r"A response 'accepted_in_part' needs a justification of at least 200 characters "
        r"\(this one has 124\)",
    )


@pytest.mark.parametrize("assembly_charter", [STRICT])
def test_a_charter_may_ask_no_justification_of_a_refusal(recommended: Office) -> None:
    recommended.do("government", step(commands.respond, answer(1, "rejected")))


def test_postponed_needs_no_decision_date(recommended: Office) -> None:
    recommended.do("government", step(commands.respond, answer(1, "postponed")))
    (recorded,) = LedgerStore(recommended.ledger, None).of_type(Responded.TYPE)
    assert isinstance(recorded.event, Responded)
    assert (recorded.event.position, recorded.event.decision_date) == (Position.POSTPONED, None)


@pytest.mark.parametrize("assembly_charter", [SCOTLAND])
def test_postponed_needs_the_justification_the_charter_asks_for(recommended: Office) -> None:
    recommended.refuses(
        "government",
        step(commands.respond, answer(1, "postponed", justification="Later.")),
        JustificationTooShort,
        match=r"A response 'postponed' needs a justification of at least 50 characters",
    )


def statement(*covers: str, **fields: Any) -> StatementGiven:
    return StatementGiven.model_validate(
        {
            "id": "fr-2020-06-29",
            "text": {"fr": "Je reprends les propositions de la Convention. " * 10},
            "on": date(2026, 6, 29),
            "by": "Présidence de la République",
            "covers": covers,
            **fields,
        }
    )


def joint(*answers: Responded, given: StatementGiven | None = None) -> Any:
    covers = tuple(f"{each.panel}/{each.number}" for each in answers)
    return step(commands.answer_jointly, given or statement(*covers), list(answers))


@pytest.mark.parametrize("assembly_charter", [FRANCE])
def test_a_joint_answer_is_appended_once_with_one_answer_per_recommendation(
    recommended: Office,
) -> None:
    jointly = "fr-2020-06-29"
    seqs = recommended.do(
        "government",
        joint(
            answer(1, "accepted", statement=jointly),
            answer(2, "accepted", statement=jointly),
            answer(3, "rejected", statement=jointly, justification=REFUSAL),
            answer(4, "postponed", statement=jointly),
        ),
    )
    assert len(seqs) == 5
    store = LedgerStore(recommended.ledger, None)
    (given,) = store.of_type(StatementGiven.TYPE)
    answers = store.of_type(Responded.TYPE)
    assert [recorded.event.position for recorded in answers] == [  # type: ignore[attr-defined]
        Position.ACCEPTED,
        Position.ACCEPTED,
        Position.REJECTED,
        Position.POSTPONED,
    ]
    assert {recorded.event.statement for recorded in answers} == {jointly}  # type: ignore[attr-defined]
    assert given.seq < min(recorded.seq for recorded in answers)


@pytest.mark.parametrize("assembly_charter", [FRANCE])
def test_the_statements_text_justifies_an_answer_that_has_none_of_its_own(
    recommended: Office,
) -> None:
    recommended.do("government", joint(answer(1, "rejected", statement="fr-2020-06-29")))


@pytest.mark.parametrize("assembly_charter", [FRANCE])
def test_a_joint_answer_gives_each_covered_recommendation_one_answer(recommended: Office) -> None:
    recommended.refuses(
        "government",
        joint(
            answer(1, "accepted", statement="fr-2020-06-29"),
            given=statement("1/1", "1/2"),
        ),
        NotAllowed,
        match=r"The statement fr-2020-06-29 gives one answer to each recommendation it covers; "
        r"none for 1/2\.",
    )


@pytest.mark.parametrize("assembly_charter", [FRANCE])
def test_an_answer_may_not_name_a_statement_that_was_never_given(recommended: Office) -> None:
    recommended.refuses(
        "government",
        step(commands.respond, answer(1, "accepted", statement="nowhere")),
        NotFound,
        match="No statement nowhere has been given",
    )


@pytest.mark.parametrize("assembly_charter", [FRANCE])
def test_a_statement_is_given_once(recommended: Office) -> None:
    recommended.do("government", joint(answer(1, "accepted", statement="fr-2020-06-29")))
    recommended.refuses(
        "government",
        joint(answer(2, "accepted", statement="fr-2020-06-29")),
        Exception,  # type: ignore[arg-type]
        match="a statement is recorded once",
    )


@pytest.mark.parametrize("assembly_charter", [FRANCE])
def test_an_answers_translation_is_in_one_of_the_charters_languages(recommended: Office) -> None:
    recommended.refuses(
        "government",
        step(
            commands.respond,
            answer(1, "accepted", language="fr", translations={"en": {"justification": "Yes."}}),
        ),
        NotAllowed,
        match=r"The answer to 1/1 has a text in en, which is not one of the charter's languages",
    )


@pytest.mark.parametrize(
    ("score", "allowed"),
    [("2.8", True), ("10", True), ("0", True), ("2.85", False), ("10.5", False), ("-1", False)],
)
def test_a_score_is_out_of_ten_with_at_most_one_decimal(score: str, allowed: bool) -> None:
    from domain.government import check_assessment

    verdict = Assessed(panel=1, number=1, verdict="agrees", score=score)  # type: ignore[arg-type]
    if allowed:
        check_assessment(verdict)
    else:
        with pytest.raises(NotAllowed, match="a number from 0 to 10 with at most one decimal"):
            check_assessment(verdict)


def test_a_report_may_leave_progress_unknown() -> None:
    report = ImplementationReported(panel=1, number=1, status="in_progress")  # type: ignore[arg-type]
    assert report.progress is None and report.to_payload()["progress"] is None
