"""Every write command of the assembly's process, end to end through ``assembly``: each writes
its entry with the right key, and a command called wrongly exits 2 with one sentence.

Each test works on its own copy of a small assembly (``tests.features.cycle``): panel 1 drawn
and seated, recommendations 1/1 to 1/4 adopted, 1/1 to 1/3 handed over on 2025-05-01.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.features.cycle import (
    CHARTER,
    Template,
    as_commission,
    as_government,
    as_secretariat,
    entries,
    last_events,
    long_justification,
    one_sentence,
)
from tests.features.forked import assembly
from tests.runner import Result


def wrote(folder: Path, result: Result, *types: str) -> list[dict[str, object]]:
    """The command succeeded, said it wrote ``types`` in order, and the ledger ends with them."""
    assert result.code == 0, result.stderr
    said = [
        line.split(": ", 1)[1].split(" ")[0]
        for line in result.stdout.splitlines()
        if line.startswith("Wrote seq ")
    ]
    assert said == list(types), result.stdout
    events = last_events(folder, len(types))
    assert [event["type"] for event in events] == list(types)
    return events


def respond(folder: Path, reference: str, position: str, *more: str) -> Result:
    return as_government(
        folder, "respond", reference, "--position", position, "--portfolio", "climate", *more
    )


# -- the charter and the commission -----------------------------------------------------------


def test_the_charter_key_writes_the_charter_once(tmp_path: Path) -> None:
    assert assembly("init", cwd=tmp_path).code == 0
    charter = (
        *("charter", "--name", "Assembly", "--region", "Brussels-Capital"),
        *("--language", "fr", "--language", "nl", "--min-justification", "300"),
        *("--key", CHARTER),
    )
    [event] = wrote(tmp_path, assembly(*charter, cwd=tmp_path), "assembly.charter.chartered")
    assert event["languages"] == ["fr", "nl"] and event["min_justification"] == 300
    assert event["review_offsets"] == ["P3M", "P12M"]
    one_sentence(assembly(*charter, cwd=tmp_path), 3, "already has its charter")


def test_the_charter_key_records_a_member_of_the_commission(
    folder: Path, template: Template
) -> None:
    member = template.members[0]
    result = assembly(
        *("commission", "add", member, "--panel", "1", "--role", "chair", "--key", CHARTER),
        cwd=folder,
    )
    [event] = wrote(folder, result, "assembly.commission.member_recorded")
    assert event == {
        "type": "assembly.commission.member_recorded",
        "pseudonym": member,
        "role": "chair",
        "panel": 1,
    }


# -- panels ---------------------------------------------------------------------------------


def test_a_member_withdraws_and_a_volunteer_of_the_pool_takes_the_seat(
    folder: Path, template: Template
) -> None:
    leaving = template.members[3]
    withdrew = as_secretariat(folder, "panel", "withdraw", "1", leaving, "--reason", "health")
    wrote(folder, withdrew, "assembly.panel.member_withdrew")
    replaced = as_secretariat(folder, "panel", "replace", "1", leaving, template.reserve)
    [event] = wrote(folder, replaced, "assembly.panel.member_replaced")
    assert (event["withdrawn"], event["replacement"]) == (leaving, template.reserve)


def test_a_panel_concludes_and_its_first_review_is_held(folder: Path) -> None:
    concluded = as_secretariat(folder, "panel", "conclude", "1", "--on", "2025-04-30")
    [event] = wrote(folder, concluded, "assembly.panel.concluded")
    assert event["on"] == "2025-04-30"
    minutes = folder / "minutes.txt"
    minutes.write_text("Minutes of the first review meeting.\n", encoding="utf-8")
    held = as_secretariat(
        folder,
        *("review", "held", "--panel", "1", "--review", "1", "--on", "2025-08-01"),
        *("--minutes", str(minutes)),
    )
    [event] = wrote(folder, held, "assembly.review.meeting_held")
    assert event["minutes_digest"] == "sha256:" + hashlib.sha256(minutes.read_bytes()).hexdigest()


def test_a_theme_group_drawn_from_panel_1_chooses_the_theme_of_panel_2(
    folder: Path, template: Template
) -> None:
    drawn = as_secretariat(
        folder,
        *("theme", "draw", "--panel", "2", "--randomness-source", "Lotto of 2025-05-10"),
        *("--randomness-value", "3 9 17 22 30 44", "--published-at", "2025-05-10T20:00Z"),
    )
    [group] = wrote(folder, drawn, "assembly.theme.group_formed")
    assert (group["formed_by"], group["from_panel"], group["size"]) == ("drawn", 1, 4)
    assert set(group["pseudonyms"]) <= set(template.members) and len(set(group["pseudonyms"])) == 4
    convened = as_secretariat(
        folder, "panel", "convene", "2", "--theme", "fr=Le logement", "--theme", "nl=Wonen"
    )
    [event] = wrote(folder, convened, "assembly.panel.convened")
    assert event["theme_chosen_by"] == "theme_group"
    assert event["theme_group"] == {"panel": 1, "size": 4, "formed_by": "drawn"}


def test_volunteers_of_panel_1_form_the_theme_group_of_panel_2(
    folder: Path, template: Template
) -> None:
    members = [arg for member in template.members[:4] for arg in ("--member", member)]
    formed = as_secretariat(folder, "theme", "volunteer", "--panel", "2", *members)
    wrote(folder, formed, "assembly.theme.group_formed")
    convened = as_secretariat(
        folder, "panel", "convene", "2", "--theme", "fr=Eau", "--theme", "nl=Water"
    )
    [event] = wrote(folder, convened, "assembly.panel.convened")
    assert event["theme_group"] == {"panel": 1, "size": 4, "formed_by": "volunteered"}


# -- evidence and deliberation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "type_name"),
    [
        ((), "assembly.evidence.briefing_published"),
        (("--stakeholder",), "assembly.evidence.report_submitted"),
    ],
    ids=["briefing", "stakeholder-report"],
)
def test_evidence_is_recorded_by_its_digest(
    folder: Path, flag: tuple[str, ...], type_name: str
) -> None:
    document = folder / "heat-pumps.pdf"
    document.write_bytes(b"%PDF-1.7 a synthetic briefing on heat pumps\n")
    result = as_secretariat(
        folder,
        *("evidence", "add", str(document), "--panel", "1", "--title", "Heat pumps"),
        *("--author", "Independent expert group", "--url", "https://example.org/b.pdf", *flag),
    )
    [event] = wrote(folder, result, type_name)
    assert event["digest"] == "sha256:" + hashlib.sha256(document.read_bytes()).hexdigest()
    assert event["published_at"] == "https://example.org/b.pdf"


def test_a_session_is_recorded(folder: Path) -> None:
    result = as_secretariat(
        folder,
        *("vote", "session", "--panel", "1", "--number", "1", "--topic", "Heating"),
        *("--on", "2025-03-15"),
    )
    [event] = wrote(folder, result, "assembly.deliberation.session_held")
    assert (event["session"], event["on"], event["topic"]) == (1, "2025-03-15", "Heating")


def test_a_vote_adopts_a_recommendation_that_is_then_handed_over(folder: Path) -> None:
    voted = as_secretariat(
        folder,
        *("vote", "record", "--panel", "1", "--vote", "V-5", "--subject", "Recommendation 5"),
        *("--for", "8", "--against", "3", "--abstain", "1", "--at", "2025-05-28"),
    )
    [vote] = wrote(folder, voted, "assembly.deliberation.vote_held")
    assert vote["adopted"] is True and vote["method"] == "majority"
    adopted = as_secretariat(
        folder,
        *("recommend", "adopt", "--panel", "1", "--number", "5", "--portfolio", "housing"),
        *("--vote", "V-5", "--priority", "high", "--at", "2025-05-28"),
        *("--title", "fr=Rénover", "--title", "nl=Renoveren"),
        *("--text", "fr=Rénover les logements", "--text", "nl=Woningen renoveren"),
    )
    [event] = wrote(folder, adopted, "assembly.recommendation.adopted")
    assert event["title"] == {"fr": "Rénover", "nl": "Renoveren"}
    handed = as_secretariat(
        folder, "recommend", "hand-over", "--panel", "1", "--number", "5", "--on", "2025-06-01"
    )
    [event] = wrote(folder, handed, "assembly.recommendation.handed_over")
    assert (event["number"], event["on"]) == (5, "2025-06-01")


# -- the government -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "detail"),
    [
        ("accepted", ("--planned-measures", "A renovation fund from 2026.")),
        ("under_study", ("--decision-date", "2025-12-31")),
        ("not_competent", ("--referred-to", "The federal government")),
    ],
)
def test_the_government_answers_with_what_its_position_needs(
    folder: Path, position: str, detail: tuple[str, ...]
) -> None:
    [event] = wrote(
        folder, respond(folder, "1/1", position, *detail), "assembly.government.responded"
    )
    assert (event["position"], event["review"], event["portfolio"]) == (position, 1, "climate")


def test_a_refusal_is_justified_from_a_file_and_proven_measures_by_a_digest(folder: Path) -> None:
    why = folder / "why.txt"
    why.write_text(long_justification(), encoding="utf-8")
    rejected = respond(folder, "1/1", "rejected", "--justification-file", str(why))
    [event] = wrote(folder, rejected, "assembly.government.responded")
    assert event["justification"] == long_justification()
    evidence = folder / "decree.pdf"
    evidence.write_bytes(b"%PDF-1.7 a synthetic decree\n")
    in_place = respond(folder, "1/2", "already_in_place", "--evidence", str(evidence))
    [event] = wrote(folder, in_place, "assembly.government.responded")
    assert event["evidence_digest"] == "sha256:" + hashlib.sha256(evidence.read_bytes()).hexdigest()


def test_an_accepted_recommendation_reports_its_implementation(folder: Path) -> None:
    wrote(folder, respond(folder, "1/1", "accepted"), "assembly.government.responded")
    result = as_government(
        folder,
        *("implement", "1/1", "--status", "in_progress", "--progress", "40"),
        *("--milestone", "Call for projects published"),
    )
    [event] = wrote(folder, result, "assembly.government.implementation_reported")
    assert (event["status"], event["progress"]) == ("in_progress", 40)


def test_responsibility_moves_to_another_portfolio(folder: Path) -> None:
    result = as_government(folder, "transfer", "1/2", "--to", "housing", "--reason", "Reshuffle")
    [event] = wrote(folder, result, "assembly.government.responsibility_transferred")
    assert (event["from_portfolio"], event["to_portfolio"]) == ("climate", "housing")


def test_the_deadlines_are_suspended_and_resumed(folder: Path) -> None:
    suspended = as_government(
        folder, "deadline", "suspend", "--since", "2025-06-09", "--reason", "Regional elections"
    )
    [event] = wrote(folder, suspended, "assembly.government.deadline_suspended")
    assert (event["since"], event["reason"]) == ("2025-06-09", "Regional elections")
    resumed = as_government(folder, "deadline", "resume", "--on", "2025-07-18")
    [event] = wrote(folder, resumed, "assembly.government.deadline_resumed")
    assert event["on"] == "2025-07-18"


# -- the commission and corrections -----------------------------------------------------------


def test_the_commission_disputes_an_answer_with_its_reasons(folder: Path) -> None:
    result = as_commission(
        folder,
        "assess",
        "1/1",
        "--verdict",
        "disputes",
        "--reasons",
        "No budget line",
        "--score",
        "3",
    )
    [event] = wrote(folder, result, "assembly.commission.assessed")
    assert (event["verdict"], event["reasons"], event["score"]) == (
        "disputes",
        "No budget line",
        "3",
    )


def test_an_entry_is_superseded_by_a_correction_with_its_replacement(folder: Path) -> None:
    wrote(folder, respond(folder, "1/1", "accepted"), "assembly.government.responded")
    seq = entries(folder) - 1
    fixed = folder / "fixed.json"
    fixed.write_text(
        json.dumps(
            {"panel": 1, "number": 1, "review": 1, "position": "accepted", "portfolio": "housing"}
        ),
        encoding="utf-8",
    )
    result = as_government(
        folder, "correct", str(seq), "--reason", "Wrong portfolio", "--replacement", str(fixed)
    )
    [event] = wrote(folder, result, "assembly.correction.recorded")
    assert event["supersedes"] == seq
    assert event["corrected_type"] == "assembly.government.responded"
    assert event["replacement"]["portfolio"] == "housing"
    assert assembly("verify", cwd=folder).code == 0


def test_a_role_may_not_correct_another_roles_entry(folder: Path) -> None:
    before = entries(folder)
    result = as_government(folder, "correct", str(before - 1), "--reason", "Not ours")
    one_sentence(result, 3, "only that role or the charter key may correct it")
    assert entries(folder) == before


# -- no backdating past the rules: exit 3, the rule's sentence, nothing written ---------------


def refused(folder: Path, result: Result, before: int, words: str) -> None:
    """The command was refused with the rule's sentence, and the ledger is as it was."""
    one_sentence(result, 3, words)
    assert entries(folder) == before


def test_an_answer_dated_before_the_hand_over_is_refused(folder: Path) -> None:
    before = entries(folder)
    refused(
        folder,
        respond(folder, "1/1", "accepted", "--at", "2025-04-30"),
        before,
        "The answer to recommendation 1/1 at review 1 is dated 2025-04-30, before its hand-over "
        "on 2025-05-01: date it on or after 2025-05-01.",
    )


def test_a_verdict_dated_before_the_hand_over_is_refused(folder: Path) -> None:
    before = entries(folder)
    verdict = ("assess", "1/1", "--verdict", "insufficient_information", "--at", "2025-04-30")
    refused(
        folder,
        as_commission(folder, *verdict),
        before,
        "The commission's verdict on recommendation 1/1 is dated 2025-04-30, before its "
        "hand-over on 2025-05-01",
    )


def test_a_report_dated_before_the_acceptance_is_refused(folder: Path) -> None:
    accepted = respond(folder, "1/1", "accepted", "--at", "2025-06-10")
    wrote(folder, accepted, "assembly.government.responded")
    before = entries(folder)
    report = ("implement", "1/1", "--status", "in_progress", "--progress", "10")
    refused(
        folder,
        as_government(folder, *report, "--at", "2025-06-09"),
        before,
        "An implementation report on recommendation 1/1 is dated 2025-06-09, before the answer "
        "that accepted it on 2025-06-10: date it on or after 2025-06-10.",
    )


def test_a_hand_over_dated_before_the_adoption_is_refused(folder: Path) -> None:
    before = entries(folder)
    handed = ("recommend", "hand-over", "--panel", "1", "--number", "4", "--on", "2025-04-20")
    refused(
        folder,
        as_secretariat(folder, *handed),
        before,
        "The hand-over of recommendation 1/4 is dated 2025-04-20, before its adoption on "
        "2025-04-24: date it on or after 2025-04-24.",
    )


def test_a_volunteer_never_seated_is_not_named_to_the_commission(
    folder: Path, template: Template
) -> None:
    before = entries(folder)
    named = ("commission", "add", template.reserve, "--panel", "1", "--role", "member")
    refused(
        folder,
        assembly(*named, "--key", CHARTER, cwd=folder),
        before,
        f"{template.reserve} was never seated on panel 1, so cannot be named to the commission",
    )


def test_an_answer_for_another_portfolio_points_to_assembly_transfer(folder: Path) -> None:
    before = entries(folder)
    answered = as_government(
        folder, "respond", "1/1", "--position", "accepted", "--portfolio", "mobility"
    )
    refused(
        folder,
        answered,
        before,
        "Recommendation 1/1 is the responsibility of climate, so its answer names climate, not "
        "mobility; if mobility has taken it over, record that first with `assembly transfer`.",
    )


# -- usage errors: exit 2, one sentence, nothing written --------------------------------------


USAGE_ERRORS = {
    "bad-date": (
        ("panel", "conclude", "1", "--on", "next week"),
        "--on: 'next week' is not a date such as 2026-03-31.",
    ),
    "bad-decision-date": (
        (
            "respond",
            "1/1",
            "--position",
            "under_study",
            "--portfolio",
            "climate",
            "--decision-date",
            "31/12/2025",
        ),
        "--decision-date: '31/12/2025' is not a date",
    ),
    "bad-at": (
        ("vote", "session", "--panel", "1", "--number", "1", "--topic", "T", "--at", "yesterday"),
        "'yesterday' is not a date (2026-01-31) or a time (2026-01-31T12:00Z).",
    ),
    "title-without-language": (
        (
            *("recommend", "adopt", "--panel", "1", "--number", "9", "--portfolio", "climate"),
            *("--vote", "V-1", "--title", "Rénover", "--text", "fr=Texte"),
        ),
        "--title takes LANG=TEXT, for example --title fr='...'.",
    ),
    "theme-without-language": (
        ("panel", "convene", "1", "--theme", "=Le climat"),
        "--theme takes LANG=TEXT",
    ),
    "answer-without-position": (
        ("respond", "1/1", "--portfolio", "climate"),
        "Give the recommendation, --position and --portfolio (or --csv FILE).",
    ),
    "vote-without-subject": (
        ("vote", "record", "--panel", "1", "--vote", "V-9", "--for", "1", "--against", "0"),
        "Missing option '--subject'",
    ),
    "suspension-without-date": (
        ("deadline", "suspend", "--reason", "Elections"),
        "Missing option '--since'",
    ),
    "unknown-verdict": (
        ("assess", "1/1", "--verdict", "maybe"),
        "'maybe' is not one of",
    ),
    "malformed-reference": (
        ("respond", "one/two", "--position", "accepted", "--portfolio", "climate"),
        "'one/two' is not a recommendation reference such as 1/12 (panel/number) or SD-E2",
    ),
}


@pytest.mark.parametrize(("args", "sentence"), list(USAGE_ERRORS.values()), ids=list(USAGE_ERRORS))
def test_a_command_called_wrongly_exits_2_with_one_sentence(
    folder: Path, args: tuple[str, ...], sentence: str
) -> None:
    before = entries(folder)
    one_sentence(assembly(*args, "--key", "secretariat.key", cwd=folder), 2, sentence)
    assert entries(folder) == before


def test_a_write_without_a_key_says_how_to_give_one(folder: Path) -> None:
    result = assembly(
        "vote", "session", "--panel", "1", "--number", "1", "--topic", "T", cwd=folder
    )
    one_sentence(result, 2, "give your key file with --key or ASSEMBLY_KEY")
