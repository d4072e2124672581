"""The read commands as the commission and the public use them: the board, one recommendation in
full, the overdue list, time travel, and every output format."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from domain import commands
from domain.responses import Position, Responded
from tests.domain.conftest import (  # noqa: F401  (fixtures reused from the domain tests)
    DETAILED,
    Office,
    assembly_charter,
    recommended,
    small_draws,
    snapshots,
    step,
)
from tests.features.cycle import as_government, one_sentence
from tests.features.forked import assembly
from tests.runner import Result

# The ``recommended`` stage hands 1/1 to 1/4 over on 2026-03-02: review 1 is due on 2026-06-02,
# review 2 on 2027-03-02.


def ok(result: Result) -> Result:
    assert result.code == 0, f"exit {result.code}: {result.stderr}"
    return result


def read(office: Office, *args: str) -> Any:
    """The JSON output of ``assembly ARGS --format json`` on the office's ledger."""
    engine = office.ledger.recorder.datastore.engine
    assert isinstance(engine, Engine)
    location = str(engine.url.database)
    return json.loads(ok(assembly(*args, "--ledger", location, "--format", "json")).stdout)


def board(office: Office, *args: str) -> dict[str, dict[str, Any]]:
    return {row["ref"]: row for row in read(office, "status", *args)}


def on(office: Office, day: date) -> None:
    """Move the office's clock to nine o'clock on ``day``."""
    moment = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    assert moment >= office.clock.now
    office.clock.now = moment


def respond(office: Office, number: int, review: int, position: Position) -> int:
    """Record the government's answer to 1/``number``; return its seq."""
    justification = DETAILED if position is Position.ACCEPTED_IN_PART else ""
    answer = Responded.model_validate(
        {
            "panel": 1,
            "number": number,
            "review": review,
            "position": position,
            "portfolio": "climate",
            "justification": f"Review {review}: {justification}",
        }
    )
    (seq,) = office.do("government", step(commands.respond, answer))
    return seq


def test_as_of_the_day_before_an_answer_it_is_overdue_and_as_of_the_day_after_it_is_answered(
    recommended: Office,  # noqa: F811
) -> None:
    on(recommended, date(2026, 6, 10))
    respond(recommended, 1, 1, Position.ACCEPTED)
    before = board(recommended, "--as-of", "2026-06-09")["1/1"]
    after = board(recommended, "--as-of", "2026-06-11")["1/1"]
    assert (before["position"], before["overdue"]) == ("awaiting_response", True)
    assert (after["position"], after["overdue"]) == ("accepted", False)
    late = read(recommended, "overdue", "--as-of", "2026-06-09")
    assert {"ref": "1/1", "review": 1, "due": "2026-06-02", "days_late": 7}.items() <= late[
        0
    ].items()


def test_at_the_seq_before_an_answer_it_is_awaiting_and_at_its_seq_it_is_answered(
    recommended: Office,  # noqa: F811
) -> None:
    on(recommended, date(2026, 4, 1))
    seq = respond(recommended, 2, 1, Position.ACCEPTED)
    assert board(recommended, "--at-seq", str(seq - 1))["1/2"]["position"] == "awaiting_response"
    assert board(recommended, "--at-seq", str(seq))["1/2"]["position"] == "accepted"
    assert board(recommended)["1/2"]["last_seq"] == seq


def test_a_revised_answer_at_twelve_months_keeps_the_first_visible_in_show(
    recommended: Office,  # noqa: F811
) -> None:
    on(recommended, date(2026, 5, 1))
    first = respond(recommended, 1, 1, Position.ACCEPTED)
    on(recommended, date(2027, 2, 1))
    second = respond(recommended, 1, 2, Position.ACCEPTED_IN_PART)
    shown = read(recommended, "show", "1/1")
    assert (shown["position"], shown["position_seq"]) == ("accepted_in_part", second)
    assert shown["position_signer"] == "The government (government)"
    assert [(a["review"], a["position"], a["seq"]) for a in shown["answers"]] == [
        (1, "accepted", first),
        (2, "accepted_in_part", second),
    ]
    assert shown["answers"][1]["justification"] == f"Review 2: {DETAILED}"
    assert read(recommended, "show", "1/1", "--at-seq", str(first))["position"] == "accepted"


def test_a_suspension_moves_the_due_dates_on_the_board(recommended: Office) -> None:  # noqa: F811
    on(recommended, date(2026, 5, 12))
    recommended.do("government", step(commands.suspend, date(2026, 5, 1), "Elections."))
    recommended.do("government", step(commands.resume, date(2026, 5, 11)))
    moved = board(recommended)["1/1"]
    assert (moved["due_review_1"], moved["due_review_2"]) == ("2026-06-12", "2027-03-12")
    before = board(recommended, "--as-of", "2026-04-30")["1/1"]
    assert (before["due_review_1"], before["due_review_2"]) == ("2026-06-02", "2027-03-02")


# -- On the CLI-built cycle: 1/1 to 1/3 handed over on 2025-05-01, 1/4 adopted only ------------


@pytest.fixture
def cycle(folder: Path) -> Path:
    """A copy of the session's cycle in which the government accepted 1/2 at review 1."""
    answered = ("respond", "1/2", "--position", "accepted", "--portfolio", "climate")
    ok(as_government(folder, *answered))
    return folder


def refs(folder: Path, *args: str) -> list[str]:
    result = ok(assembly("status", *args, "--format", "json", cwd=folder))
    return [row["ref"] for row in json.loads(result.stdout)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ((), ["1/1", "1/2", "1/3", "1/4"]),
        (("--panel", "2"), []),
        (("--position", "accepted"), ["1/2"]),
        (("--position", "awaiting_response", "--panel", "1"), ["1/1", "1/3", "1/4"]),
        (("--implementation", "not_started"), ["1/1", "1/2", "1/3", "1/4"]),
        (("--verdict", "agrees"), []),
        (("--portfolio", "energy"), []),
        (("--overdue",), ["1/1", "1/2", "1/3"]),
        (("--overdue", "--as-of", "2025-09-01"), []),
        (("--search", "TEKST 3"), ["1/3"]),  # a word of the text, another of the reference
        (("--search", "recommandation", "--overdue"), ["1/1", "1/2", "1/3"]),
        (("--search", "1/4", "--at-seq", "100000"), ["1/4"]),  # the fold, not the tables
        (("--search", "tekst_"), []),
    ],
)
def test_the_board_filters_keep_only_the_matching_recommendations(
    cycle: Path, filters: tuple[str, ...], expected: list[str]
) -> None:
    assert refs(cycle, *filters) == expected


@pytest.mark.parametrize("command", [("status",), ("overdue",)])
def test_every_format_of_a_list_parses(cycle: Path, command: tuple[str, ...]) -> None:
    def out(output: str) -> str:
        return ok(assembly(*command, "--format", output, cwd=cycle)).stdout

    rows = json.loads(out("json"))
    assert rows and all(isinstance(row, dict) for row in rows)
    parsed = list(csv.DictReader(io.StringIO(out("csv"))))
    assert [row["ref"] for row in parsed] == [row["ref"] for row in rows]
    lines = out("md").splitlines()
    assert lines[0].startswith("| ref | title | portfolio |")
    assert set(lines[1].replace(" ", "")) == {"|", "-"}
    assert len(lines) == 2 + len(rows)
    assert "ref" in out("table")


def test_show_parses_in_json_and_markdown(cycle: Path) -> None:
    shown = json.loads(ok(assembly("show", "1/2", "--format", "json", cwd=cycle)).stdout)
    assert (shown["ref"], shown["title"], shown["position"]) == (
        "1/2",
        "Recommandation 2",
        "accepted",
    )
    assert shown["position_signer"] == "The government (test) (government)"
    assert shown["due_review_1"] == "2025-08-01"
    # The axis keeps its value beside the list of reports it was read from.
    assert shown["implementation"] in {
        "not_started",
        *(r["status"] for r in shown["implementation_reports"]),
    }
    assert (
        isinstance(shown["answers"], list) and shown["answers"][0]["seq"] == shown["position_seq"]
    )
    markdown = ok(assembly("show", "1/2", "--format", "md", cwd=cycle)).stdout
    assert markdown.splitlines()[0] == "| field | value |"
    assert "## Answers" in markdown
    assert "Recommandation 2" in ok(assembly("show", "1/2", cwd=cycle)).stdout


def test_the_overdue_list_names_the_review_the_delay_and_the_portfolio(cycle: Path) -> None:
    late = json.loads(
        ok(assembly("overdue", "--as-of", "2025-08-11", "--format", "json", cwd=cycle)).stdout
    )
    assert late == []  # as of that day, nothing of the cycle was recorded yet
    now = json.loads(ok(assembly("overdue", "--format", "json", cwd=cycle)).stdout)
    first = {(row["ref"], row["review"]) for row in now}
    assert first == {("1/1", 1), ("1/3", 1), ("1/1", 2), ("1/2", 2), ("1/3", 2)}
    assert {row["portfolio"] for row in now} == {"climate"}
    assert [row["days_late"] for row in now] == sorted(
        (row["days_late"] for row in now), reverse=True
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("show", "1-2"), "No recommendation has the reference '1-2': name it by"),
        (("show", "one/2"), "'one/2' is not a recommendation reference such as 1/12"),
        (("show", "1/9"), "Recommendation 1/9 is not in the ledger"),
        (("status", "--as-of", "2025-02-30"), "--as-of: '2025-02-30' is not a date"),
        (("overdue", "--as-of", "yesterday"), "--as-of: 'yesterday' is not a date"),
        (("status", "--position", "maybe"), "--position: 'maybe' is not one of"),
    ],
)
def test_a_bad_reference_date_or_choice_is_a_usage_error_in_one_sentence(
    cycle: Path, args: tuple[str, ...], words: str
) -> None:
    one_sentence(assembly(*args, cwd=cycle), 2, words)
