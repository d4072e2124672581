"""The reading stories: the follow-up commission's board, overdue list, full record and time
travel (features/commission/reading.feature), and the public's parsed board, audit trail,
tampered entry and exported answers (features/public/reading.feature). Helpers live in
``tests.features.reading_steps``; the steps both features share with the others in conftest."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from cli.bulk import EXPORT_COLUMNS
from domain import commands
from domain.process import Session
from domain.responses import Responded
from tests.domain.conftest import (  # noqa: F401  (the commission's dated ledger)
    HANDED_OVER,
    Office,
    assembly_charter,
    recommended,
    small_draws,
    snapshots,
    step,
)
from tests.features.cycle import (
    answer,
    answers_csv,
    as_government,
    entries,
    long_justification,
    ok,
    one_sentence,
)
from tests.features.forked import assembly
from tests.features.reading_steps import (
    DAY,
    JUSTIFIED,
    Row,
    Shown,
    Trail,
    Written,
    assert_rows,
    assessed,
    location,
    markdown_fields,
    one_line,
    parse_rows,
    read_json,
    record_on,
    refs,
    reported,
    responded,
    seq_of,
    stored_entries,
    table,
    transferred,
    written_seqs,
)
from tests.features.steps_process import Command
from tests.runner import Result
from tests.tamper import Attacker

scenarios("commission/reading.feature", "public/reading.feature")


@pytest.fixture
def written() -> Written:
    return {}


# -- The commission: Given (a ledger written day by day, with a hand-moved clock) -----------


@given(
    parsers.parse(
        "panel 1 handed recommendations 1/1 to 1/4 over to the government on {day:Day}, "
        "but not 1/5",
        extra_types=DAY,
    ),
    target_fixture="office",
)
def handed_over(recommended: Office, day: date) -> Office:  # noqa: F811
    assert day == HANDED_OVER, "the stage hands 1/1 to 1/4 over on this day"
    return recommended


@given(
    parsers.parse(
        'on {day:Day} the ministry answered {ref} "{position}" at review {review:d}',
        extra_types=DAY,
    )
)
def ministry_answered(
    office: Office, written: Written, day: date, ref: str, position: str, review: int
) -> None:
    said = step(commands.respond, responded(ref, position, review, detailed=False))
    record_on(office, written, day, "government", f"the answer to {ref} at review {review}", said)


@given(
    parsers.parse(
        'on {day:Day} the ministry answered {ref} "{position}" at review {review:d}, '
        "justified in detail",
        extra_types=DAY,
    )
)
def ministry_explained(
    office: Office, written: Written, day: date, ref: str, position: str, review: int
) -> None:
    said = step(commands.respond, responded(ref, position, review, detailed=True))
    record_on(office, written, day, "government", f"the answer to {ref} at review {review}", said)


@given(
    parsers.parse(
        'on {day:Day} the ministry answered {ref} "{position}" at review {review:d}, '
        "dating it {dated:Day}",
        extra_types=DAY,
    )
)
def ministry_backdated(
    office: Office, written: Written, day: date, ref: str, position: str, review: int, dated: date
) -> None:
    """The answer recorded on ``day`` whose author dated it ``dated`` (its ``occurred_at``)."""
    event = responded(ref, position, review, detailed=False)
    claimed = datetime(dated.year, dated.month, dated.day, 9, tzinfo=UTC)

    def said(session: Session, now: datetime) -> None:
        commands.respond(session, event, at=claimed)

    record_on(office, written, day, "government", f"the answer to {ref} at review {review}", said)


@given(
    parsers.parse(
        'on {day:Day} the ministry transferred {ref} to the "{portfolio}" portfolio',
        extra_types=DAY,
    )
)
def ministry_transferred(
    office: Office, written: Written, day: date, ref: str, portfolio: str
) -> None:
    moved = step(commands.transfer, transferred(ref, portfolio))
    record_on(office, written, day, "government", f"the transfer of {ref}", moved)


@given(
    parsers.parse(
        'on {day:Day} the ministry reported {ref} "{status}" at {progress:d}%: "{milestone}"',
        extra_types=DAY,
    )
)
def ministry_reported(
    office: Office,
    written: Written,
    day: date,
    ref: str,
    status: str,
    progress: int,
    milestone: str,
) -> None:
    report = step(commands.report, reported(ref, status, progress, milestone))
    record_on(office, written, day, "government", f"the {status} report on {ref}", report)


@given(
    parsers.parse(
        'on {day:Day} the commission gave the verdict "{verdict}" on {ref}: "{reasons}"',
        extra_types=DAY,
    )
)
def commission_reasoned(
    office: Office, written: Written, day: date, verdict: str, ref: str, reasons: str
) -> None:
    given = step(commands.assess, assessed(ref, verdict=verdict, reasons=reasons))
    record_on(office, written, day, "commission", f"the verdict on {ref}", given)


@given(
    parsers.parse(
        'on {day:Day} the commission gave the verdict "{verdict}" on {ref} '
        "with a score of {score:d}",
        extra_types=DAY,
    )
)
def commission_scored(
    office: Office, written: Written, day: date, verdict: str, ref: str, score: int
) -> None:
    given = step(commands.assess, assessed(ref, verdict=verdict, score=score))
    record_on(office, written, day, "commission", f"the verdict on {ref}", given)


@given(
    parsers.parse(
        'on {day:Day} the ministry suspended the deadlines from {since:Day}: "{reason}"',
        extra_types=DAY,
    )
)
def ministry_suspended(
    office: Office, written: Written, day: date, since: date, reason: str
) -> None:
    suspended = step(commands.suspend, since, reason)
    record_on(office, written, day, "government", "the suspension", suspended)


@given(parsers.parse("on {day:Day} the ministry resumed the deadlines", extra_types=DAY))
def ministry_resumed(office: Office, written: Written, day: date) -> None:
    record_on(office, written, day, "government", "the resumption", step(commands.resume, day))


# -- The commission: When ---------------------------------------------------------------------


@when(
    parsers.parse("the commission reads the board as of {day:Day}", extra_types=DAY),
    target_fixture="board",
)
def board_as_of(office: Office, day: date) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = read_json(location(office), "status", "--as-of", day.isoformat())
    return rows


@when(
    parsers.parse("the commission reads the board as of {day:Day} with {filters}", extra_types=DAY),
    target_fixture="reading",
)
def board_filtered(office: Office, day: date, filters: str) -> Result:
    args = ("status", "--as-of", day.isoformat(), *filters.split())
    return assembly(*args, "--ledger", location(office), "--format", "json")


@when(parsers.parse("the commission reads the board at {name}"), target_fixture="board")
def board_at(office: Office, written: Written, name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = read_json(
        location(office), "status", "--at-seq", str(seq_of(written, name))
    )
    return rows


@when(
    parsers.parse("the commission lists what is overdue as of {day:Day}", extra_types=DAY),
    target_fixture="late",
)
def overdue_as_of(office: Office, day: date) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = read_json(location(office), "overdue", "--as-of", day.isoformat())
    return rows


def _show(office: Office, ref: str, *point: str) -> Shown:
    ledger = location(office)
    markdown = ok(assembly("show", ref, *point, "--ledger", ledger, "--format", "md")).stdout
    return Shown(read_json(ledger, "show", ref, *point), markdown)


@when(
    parsers.parse("the commission shows {ref} as of {day:Day}", extra_types=DAY),
    target_fixture="shown",
)
def show_as_of(office: Office, ref: str, day: date) -> Shown:
    return _show(office, ref, "--as-of", day.isoformat())


@when(parsers.parse("the commission shows {ref} at {name}"), target_fixture="shown")
def show_at(office: Office, written: Written, ref: str, name: str) -> Shown:
    return _show(office, ref, "--at-seq", str(seq_of(written, name)))


# -- The commission: Then ---------------------------------------------------------------------


@then("the board reads:")
def board_reads(board: list[dict[str, Any]], datatable: list[list[str]]) -> None:
    assert_rows(board, table(datatable))


@then("the last change of each recommendation is the entry:")
def last_changes(board: list[dict[str, Any]], written: Written, datatable: list[list[str]]) -> None:
    by_ref = {row["ref"]: row for row in board}
    for row in table(datatable):
        assert by_ref[row["ref"]]["last_seq"] == written[row["entry"]], row


@then(parsers.parse("the board lists {listed}"))
def board_lists(reading: Result, listed: str) -> None:
    assert [row["ref"] for row in json.loads(ok(reading).stdout)] == refs(listed)


@then(parsers.parse('the read is refused with exit code {code:d}: "{sentence}"'))
def read_refused(reading: Result, code: int, sentence: str) -> None:
    one_sentence(reading, code, sentence)


@then(parsers.re(r'(?P<ref>\d+/\d+) stands at "(?P<position>\w+)", (?P<late>overdue|not overdue)'))
def stands_at(board: list[dict[str, Any]], ref: str, position: str, late: str) -> None:
    row = next(row for row in board if row["ref"] == ref)
    assert (row["position"], row["overdue"]) == (position, late == "overdue"), row


@then(parsers.parse("the due dates of {ref} are {first:Day} and {second:Day}", extra_types=DAY))
def due_dates(board: list[dict[str, Any]], ref: str, first: date, second: date) -> None:
    row = next(row for row in board if row["ref"] == ref)
    assert (row["due_review_1"], row["due_review_2"]) == (first.isoformat(), second.isoformat())


@then(parsers.parse("the due dates of {ref} are not set"))
def no_due_dates(board: list[dict[str, Any]], ref: str) -> None:
    row = next(row for row in board if row["ref"] == ref)
    assert (row["due_review_1"], row["due_review_2"], row["overdue"]) == (None, None, False)


@then("the overdue list reads:")
def overdue_reads(late: list[dict[str, Any]], datatable: list[list[str]]) -> None:
    assert_rows(late, table(datatable))


@then("its fields read:")
def fields_read(shown: Shown, datatable: list[list[str]]) -> None:
    # Read from the Markdown record: what a person reading the page sees.
    fields = markdown_fields(shown.markdown)
    for row in table(datatable):
        assert fields[row["field"]] == row["value"], row


@then("the seq of each axis is the entry:")
def axes_seqs(shown: Shown, written: Written, datatable: list[list[str]]) -> None:
    for row in table(datatable):
        assert shown.record[f"{row['axis']}_seq"] == written[row["entry"]], row


SECTIONS = {
    "answers": "answers",
    "implementation": "implementation_reports",
    "verdicts": "verdicts",
}


@then(parsers.re(r"its (?P<section>answers|implementation|verdicts) reads?:"))
def section_reads(shown: Shown, written: Written, section: str, datatable: list[list[str]]) -> None:
    lines = shown.record[SECTIONS[section]]
    expected = table(datatable)
    assert len(lines) == len(expected), lines
    for line, row in zip(lines, expected, strict=True):
        entry = row.pop("entry", None)
        if entry is not None:
            assert line["seq"] == written[entry], (line, entry)
        assert_rows([line], [row])


@then(parsers.parse("the answer at review {review:d} gives the ministry's justification in full"))
def justification_in_full(shown: Shown, review: int) -> None:
    said = next(a for a in shown.record["answers"] if a["review"] == review)
    assert said["justification"] == JUSTIFIED[said["position"]]
    assert JUSTIFIED[said["position"]] in shown.markdown  # not cut short for people either


@then(
    parsers.re(
        r'it stands at "(?P<position>\w+)" with (?P<count>\d+) answers?, '
        r"as of (?P<day>\d{4}-\d{2}-\d{2})"
    )
)
def record_stands(shown: Shown, position: str, count: str, day: str) -> None:
    record = shown.record
    assert (record["position"], len(record["answers"]), record["as_of"]) == (
        position,
        int(count),
        day,
    )


# -- The public: a copy of the CLI-built assembly ---------------------------------------------


@given("the ministry answered 1/1, 1/2 and 1/3 from a file")
def answered_from_a_file(folder: Path, written: Written) -> None:
    rows = [
        answer("1/1", planned_measures="A renovation fund from 2026."),
        answer("1/2", "rejected", justification=long_justification()),
        answer("1/3", "under_study", decision_date="2025-12-31"),
    ]
    answers_csv(folder / "answers.csv", rows)
    result = ok(as_government(folder, "respond", "--csv", "answers.csv"))
    seqs = written_seqs(result.stdout, Responded.TYPE)
    assert len(seqs) == 3, result.stdout
    written.update({f"the answer to 1/{n}": seq for n, seq in enumerate(seqs, start=1)})


@given(
    parsers.parse('the journalist looked up the key id of "{name}" with assembly keys list'),
    target_fixture="key_id",
)
def key_id_of(folder: Path, name: str) -> str:
    signers = json.loads(ok(assembly("keys", "list", "--format", "json", cwd=folder)).stdout)
    (found,) = [signer["key_id"] for signer in signers if signer["name"] == name]
    return str(found)


def _tamper(folder: Path, written: Written, *, rechain: bool) -> None:
    seq = written["the answer to 1/2"]
    attacker = Attacker(str(folder / "assembly.db"))
    try:
        body = attacker.entry(seq)["state"]
        assert b'"position":"rejected"' in body
        changed = body.replace(b'"position":"rejected"', b'"position":"accepted"')
        attacker.set_body(seq, changed, rehash=rechain)
    finally:
        attacker.close()


@given("an attacker with database access turned the rejection of 1/2 into an acceptance")
def attacker_changed(folder: Path, written: Written) -> None:
    _tamper(folder, written, rechain=False)


@given(
    "an attacker with database access turned the rejection of 1/2 into an acceptance "
    "and re-chained the entries after it"
)
def attacker_rechained(folder: Path, written: Written) -> None:
    _tamper(folder, written, rechain=True)


@when(parsers.parse("the journalist reads the board as {form}"), target_fixture="parsed")
def board_as(folder: Path, form: str) -> list[Row]:
    return parse_rows(ok(assembly("status", "--format", form, cwd=folder)).stdout, form)


def _trail(folder: Path, *args: str) -> Trail:
    out = ok(assembly("trail", *args, "--format", "json", cwd=folder)).stdout
    return Trail(args, json.loads(out))


@when("the journalist follows the trail of that key", target_fixture="trail")
def trail_of_key(folder: Path, key_id: str) -> Trail:
    return _trail(folder, "--signer", key_id)


@when(parsers.parse("the journalist follows the trail of panel {panel:d}"), target_fixture="trail")
def trail_of_panel(folder: Path, panel: int) -> Trail:
    return _trail(folder, "--panel", str(panel))


@when(parsers.re(r"the journalist follows the trail of (?P<ref>\d+/\d+)"), target_fixture="trail")
def trail_of(folder: Path, ref: str) -> Trail:
    return _trail(folder, ref)


@when(parsers.parse('the journalist exports the answers to "{name}"'), target_fixture="exported")
def export_answers(folder: Path, name: str) -> Result:
    return assembly("export", "answers", "--csv", name, cwd=folder)


@when("the ministry checks the exported file with a dry run", target_fixture="command")
def check_exported(folder: Path) -> Command:
    before = entries(folder)
    return Command(as_government(folder, "respond", "--csv", "exported.csv", "--dry-run"), before)


@then("it parses into these rows:")
def parses_into(parsed: list[Row], datatable: list[list[str]]) -> None:
    assert_rows(parsed, table(datatable))


@then("the last change of 1/1, 1/2 and 1/3 is the seq of its answer")
def last_change_is_answer(parsed: list[Row], written: Written) -> None:
    last = {row["ref"]: row["last_seq"] for row in parsed}
    for ref in ("1/1", "1/2", "1/3"):
        assert last[ref] == str(written[f"the answer to {ref}"]), (ref, last)


@then("the trail reads:")
def trail_reads(trail: Trail, datatable: list[list[str]]) -> None:
    assert_rows(trail.lines, table(datatable))


@then(parsers.parse("its last line is {name}"))
def last_line_is(trail: Trail, written: Written, name: str) -> None:
    assert trail.lines[-1]["seq"] == written[name]


@then("its lines are the answers to 1/1, 1/2 and 1/3")
def lines_are_the_answers(trail: Trail, written: Written) -> None:
    expected = [written[f"the answer to 1/{n}"] for n in (1, 2, 3)]
    assert [line["seq"] for line in trail.lines] == expected


@then("each line shows the seq, time and hash the ledger stored for that entry")
def lines_match_the_ledger(trail: Trail, folder: Path) -> None:
    seqs = [int(line["seq"]) for line in trail.lines]
    assert seqs == sorted(set(seqs)), "in seq order, each entry once"
    stored = stored_entries(folder / "assembly.db", seqs)
    for line in trail.lines:
        entry = stored[line["seq"]]
        assert (line["recorded_at"], line["hash"]) == (entry.recorded_at, entry.hash.hex())
        assert line["type"] == entry.event["type"]
        assert line["signer"] == entry.event["signer"]


@then("the trail counts these entries:")
def trail_counts(trail: Trail, datatable: list[list[str]]) -> None:
    expected = {row["type"]: int(row["count"]) for row in table(datatable)}
    assert Counter(line["type"] for line in trail.lines) == expected


@then("every line of the trail verifies")
def all_verify(trail: Trail) -> None:
    assert all(line["verifies"] and line["problem"] is None for line in trail.lines), trail.lines


@then(parsers.parse('the answer to {ref} does not verify: "{problem}"'))
def does_not_verify(trail: Trail, written: Written, ref: str, problem: str) -> None:
    (line,) = [line for line in trail.lines if line["seq"] == written[f"the answer to {ref}"]]
    assert (line["verifies"], line["problem"]) == (False, problem)


@then("every other line of the trail verifies")
def others_verify(trail: Trail) -> None:
    good = [line for line in trail.lines if line["verifies"]]
    assert len(good) == len(trail.lines) - 1
    assert all(line["problem"] is None for line in good)


@then(parsers.parse("the trail for people warns that the answer to {ref} does not verify"))
def table_warns(folder: Path, trail: Trail, written: Written, ref: str) -> None:
    seq = written[f"the answer to {ref}"]
    (line,) = [line for line in trail.lines if line["seq"] == seq]
    result = ok(assembly("trail", *trail.args, cwd=folder))
    assert f"entry {seq} does not verify: {line['problem']}." in one_line(result.stdout)


@then(parsers.parse("assembly verify fails at the seq of the answer to {ref}"))
def verify_fails(folder: Path, written: Written, ref: str) -> None:
    result = assembly("verify", cwd=folder)
    assert result.code == 1, result
    assert f"Verification failed at seq {written[f'the answer to {ref}']}:" in result.stderr


@then(parsers.parse('the export says "{words}"'))
def export_says(exported: Result, words: str) -> None:
    assert words in ok(exported).stdout


@then("the exported file holds:")
def exported_holds(folder: Path, datatable: list[list[str]]) -> None:
    text = (folder / "exported.csv").read_text(encoding="utf-8")
    assert tuple(text.splitlines()[0].split(",")) == EXPORT_COLUMNS
    assert_rows(parse_rows(text, "csv"), table(datatable))


@then("the exported refusal of 1/2 gives the ministry's justification in full")
def exported_justification(folder: Path) -> None:
    text = (folder / "exported.csv").read_text(encoding="utf-8")
    (row,) = [row for row in parse_rows(text, "csv") if row["recommendation"] == "1/2"]
    assert row["justification"] == long_justification()
