"""Steps of the process features (secretariat, government, commission): each runs one
``assembly`` command on a private copy of the session's small assembly (``tests.features.cycle``)
and passes what happened on in the ``command`` fixture."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, then, when

from tests.features.cycle import (
    CORRUPTIONS,
    PORTFOLIO_SIZE,
    SEATS,
    Template,
    answer,
    answers_csv,
    as_commission,
    as_government,
    close_pool,
    copy_of,
    draw_panel,
    entries,
    long_justification,
    ok,
    one_sentence,
    shared_template,
    verify_draw,
)
from tests.runner import Result


@dataclass(frozen=True)
class Command:
    """A command a step ran, and how many entries the ledger held just before."""

    result: Result
    before: int


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return shared_template(tmp_path_factory)


_CLIMATE = ("--portfolio", "climate")


def _run(folder: Path, run: Callable[..., Result], *args: str) -> Command:
    before = entries(folder)
    return Command(run(folder, *args), before)


# -- Given ----------------------------------------------------------------------------------


@given("the invitation letters of panel 1 were drawn", target_fixture="folder")
def invited(template: Template, tmp_path: Path) -> Path:
    return copy_of(template.invited, tmp_path / "assembly")


@given("panel 1 was drawn and seated", target_fixture="folder")
@given(
    "recommendations 1/1 to 1/3 of panel 1 were handed over to the government",
    target_fixture="folder",
)
def seated(template: Template, tmp_path: Path) -> Path:
    return copy_of(template.seated, tmp_path / "assembly")


@given(parsers.parse("the published files were changed: {corruption}"))
def files_changed(folder: Path, template: Template, corruption: str) -> None:
    change, _, _ = CORRUPTIONS[corruption]
    change(folder, template)


@given(parsers.parse('the ministry answered {recommendation} with "{position:w}"'))
def answered(folder: Path, recommendation: str, position: str) -> None:
    ok(as_government(folder, "respond", recommendation, "--position", position, *_CLIMATE))


@given(
    "a file of answers to 1/1, 1/2 and 1/3 where row 3 rejects 1/2 without a justification",
    target_fixture="answers_file",
)
def one_bad_row(folder: Path) -> Path:
    rows = [answer("1/1"), answer("1/2", "rejected"), answer("1/3", "under_study")]
    rows[2]["decision_date"] = "2025-12-31"
    return answers_csv(folder / "answers.csv", rows)


@given("a file of good answers to 1/1, 1/2 and 1/3", target_fixture="answers_file")
def good_rows(folder: Path) -> Path:
    rows = [
        answer("1/1", planned_measures="A renovation fund from 2026."),
        answer("1/2", "rejected", justification=long_justification()),
        answer("1/3", "under_study", decision_date="2025-12-31"),
    ]
    return answers_csv(folder / "answers.csv", rows)


# -- When -----------------------------------------------------------------------------------


@when("the secretariat closes the pool of volunteers", target_fixture="command")
def pool_closed(folder: Path) -> Command:
    return _run(folder, lambda f: ok(close_pool(f)))


@when(
    parsers.parse("the secretariat announces the panel draw with a portfolio of {size:d} panels"),
    target_fixture="drawn",
)
def announce(folder: Path, size: int) -> tuple[Result, Result]:
    assert size == PORTFOLIO_SIZE, "the template's portfolio size is the one the step uses"
    return draw_panel(folder)


@when("the secretariat performs the draw once the public value is published")
def perform(drawn: tuple[Result, Result]) -> None:
    announced, performed = drawn
    assert "Portfolio published in portfolio.json" in ok(announced).stdout
    assert "assembly.draw.panel_performed" in ok(performed).stdout


@when(
    parsers.parse("a journalist re-runs the {stage} draw from the published files"),
    target_fixture="command",
)
def journalist_verifies(folder: Path, stage: str) -> Command:
    return _run(folder, verify_draw, stage)


@when(
    parsers.parse('the ministry answers {recommendation} with "{position:w}"'),
    target_fixture="command",
)
def ministry_answers(folder: Path, recommendation: str, position: str) -> Command:
    return _run(folder, as_government, "respond", recommendation, "--position", position, *_CLIMATE)


@when(
    parsers.parse(
        'the ministry answers {recommendation} with "{position:w}", justified by "{why}"'
    ),
    target_fixture="command",
)
def ministry_justifies(folder: Path, recommendation: str, position: str, why: str) -> Command:
    args = ("respond", recommendation, "--position", position, "--justification", why)
    return _run(folder, as_government, *args, *_CLIMATE)


@when(
    parsers.parse('the ministry answers {recommendation} with "{position:w}", justified in detail'),
    target_fixture="command",
)
def ministry_explains(folder: Path, recommendation: str, position: str) -> Command:
    why = folder / "why.txt"
    why.write_text(long_justification(), encoding="utf-8")
    args = ("respond", recommendation, "--position", position, "--justification-file", str(why))
    return _run(folder, as_government, *args, *_CLIMATE)


@when("the ministry imports the file", target_fixture="command")
def ministry_imports(folder: Path, answers_file: Path) -> Command:
    return _run(folder, as_government, "respond", "--csv", answers_file.name)


@when("the ministry checks the file with a dry run", target_fixture="command")
def ministry_checks(folder: Path, answers_file: Path) -> Command:
    return _run(folder, as_government, "respond", "--csv", answers_file.name, "--dry-run")


@when(
    parsers.parse(
        'the commission gives the verdict "{verdict:w}" on {recommendation} '
        "with a score of {score:d}"
    ),
    target_fixture="command",
)
def commission_scores(folder: Path, verdict: str, recommendation: str, score: int) -> Command:
    args = ("assess", recommendation, "--verdict", verdict, "--score", str(score))
    return _run(folder, as_commission, *args)


@when(
    parsers.parse(
        'the commission gives the verdict "{verdict:w}" on {recommendation} without reasons'
    ),
    target_fixture="command",
)
def commission_without_reasons(folder: Path, verdict: str, recommendation: str) -> Command:
    return _run(folder, as_commission, "assess", recommendation, "--verdict", verdict)


@when(
    parsers.parse(
        'the ministry gives the verdict "{verdict:w}" on {recommendation} with its own key'
    ),
    target_fixture="command",
)
def ministry_assesses(folder: Path, verdict: str, recommendation: str) -> Command:
    return _run(folder, as_government, "assess", recommendation, "--verdict", verdict)


# -- Then -----------------------------------------------------------------------------------


@then("the draw verifies")
def draw_verifies(command: Command) -> None:
    assert command.result.code == 0, command.result.stderr
    assert "Stage 2 of panel 1 verifies" in command.result.stdout


@then(parsers.parse("it names the {count:d} members the ledger recorded"))
def names_members(command: Command, count: int) -> None:
    assert count == SEATS
    assert f"the {count} members recorded" in command.result.stdout


@then(parsers.parse('the draw does not verify because "{mismatch}"'))
def draw_fails(command: Command, mismatch: str) -> None:
    one_sentence(command.result, 1, f"error: The draw does not verify: {mismatch}")


@then(parsers.parse('the entry "{type_name}" is written'))
def entry_written(command: Command, type_name: str) -> None:
    ok(command.result)
    assert f"Wrote seq {command.before}: {type_name}" in command.result.stdout


@then(parsers.parse('it is refused because "{words}"'))
def refused(command: Command, words: str) -> None:
    assert command.result.code == 3, command.result
    assert "Traceback" not in command.result.stderr
    first = command.result.stderr.strip().splitlines()[0]
    assert first.startswith(("refused: ", "error: ")), command.result.stderr
    assert words in first, command.result.stderr


@then(parsers.parse('the refusal lists row {row:d} alone: "{reason}"'))
def refusal_lists(command: Command, row: int, reason: str) -> None:
    lines = [line.strip() for line in command.result.stderr.splitlines()]
    listed = [line for line in lines if line.startswith("row ")]
    assert len(listed) == 1, command.result.stderr
    assert listed[0].startswith(f"row {row}: {reason}"), command.result.stderr


@then(parsers.parse('it says "{words}"'))
def says(command: Command, words: str) -> None:
    ok(command.result)
    assert words in command.result.stdout


@then(parsers.parse("the ledger holds {count:d} more {noun}"))
def holds_more(folder: Path, command: Command, count: int, noun: str) -> None:
    assert entries(folder) == command.before + count


@then("the ledger holds as many entries as before")
def holds_as_many(folder: Path, command: Command) -> None:
    assert entries(folder) == command.before
