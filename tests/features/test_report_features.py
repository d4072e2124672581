"""Bind features/commission/report.feature: the commission's report on a panel, checked the way
a journalist would, with ``assembly trail`` and ``assembly verify``. The Given steps are the
shared ones (``tests.features.steps_process``); the report's own steps live here."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from pytest_bdd import parsers, scenarios, then, when

from tests.features.cycle import entries, ok, one_sentence
from tests.features.forked import assembly
from tests.runner import Result

scenarios("commission/report.feature")


def _report(folder: Path, panel: int, output: str, *extra: str) -> Result:
    return assembly("annex", "--panel", str(panel), "--format", output, *extra, cwd=folder)


def _rows(result: Result) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(ok(result).stdout)))


def _trail(folder: Path, *about: str) -> list[dict[str, object]]:
    lines = json.loads(ok(assembly("trail", *about, "--format", "json", cwd=folder)).stdout)
    assert isinstance(lines, list)
    return lines


# -- When -----------------------------------------------------------------------------------


@when(
    parsers.parse("the commission writes the report on panel {panel:d} as {output:w}"),
    target_fixture="written",
)
def writes_report(folder: Path, panel: int, output: str) -> Result:
    return _report(folder, panel, output)


@when(
    parsers.parse(
        "the commission writes the report on panel {panel:d} as {output:w}, "
        "as of the entry before the answer"
    ),
    target_fixture="written",
)
def writes_earlier_report(folder: Path, panel: int, output: str) -> Result:
    before_answer = entries(folder) - 2  # the answer is the last entry of the background
    return _report(folder, panel, output, "--at-seq", str(before_answer))


@when(
    parsers.parse('the commission writes the report on panel {panel:d} as {output:w} to "{name}"'),
    target_fixture="written",
)
def writes_report_file(folder: Path, panel: int, output: str, name: str) -> Result:
    return _report(folder, panel, output, "--out", name)


# -- Then -----------------------------------------------------------------------------------


@then(
    parsers.parse(
        'the report counts {accepted:d} recommendation "accepted" and {waiting:d} '
        '"awaiting_response"'
    )
)
def counts_positions(written: Result, accepted: int, waiting: int) -> None:
    counted = {
        row["value"]: int(row["count"])
        for row in _rows(written)
        if row["section"] == "count" and row["group"] == "panel" and row["axis"] == "position"
    }
    assert (counted.get("accepted", 0), counted.get("awaiting_response", 0)) == (
        accepted,
        waiting,
    )


@then("every line of the report cites the hash the ledger holds at its seq")
def cites_ledger_hashes(folder: Path, written: Result) -> None:
    hashes = {line["seq"]: line["hash"] for line in _trail(folder, "--panel", "1")}
    verified = json.loads(ok(assembly("verify", "--format", "json", cwd=folder)).stdout)
    seq, digest = verified["head"].split(":")
    hashes[int(seq)] = digest
    rows = _rows(written)
    assert rows
    for row in rows:
        assert row["hash"] == hashes[int(row["seq"])], row


@then(
    parsers.parse(
        'the report lists review {review:d} of {ref} as overdue for the portfolio "{portfolio}"'
    )
)
def lists_overdue(written: Result, review: int, ref: str, portfolio: str) -> None:
    late = [
        row
        for row in _rows(written)
        if row["section"] == "overdue" and (row["ref"], row["review"]) == (ref, str(review))
    ]
    assert len(late) == 1 and late[0]["portfolio"] == portfolio, late
    assert int(late[0]["days_late"]) > 0


@then("each overdue line cites the hand-over of its recommendation")
def overdue_cites_hand_over(folder: Path, written: Result) -> None:
    late = [row for row in _rows(written) if row["section"] == "overdue"]
    assert late
    for row in late:
        types = {line["seq"]: line["type"] for line in _trail(folder, row["ref"])}
        assert types[int(row["seq"])] == "assembly.recommendation.handed_over", row


@then(parsers.parse('the file "{name}" holds the same page as the report shown on screen'))
def same_as_screen(folder: Path, written: Result, name: str) -> None:
    ok(written)
    shown = ok(_report(folder, 1, "html")).stdout
    assert shown.startswith("<!DOCTYPE html>")
    assert (folder / name).read_text(encoding="utf-8") == shown


@then(parsers.parse('the report is refused with the sentence "{words}"'))
def refused_as_usage(written: Result, words: str) -> None:
    one_sentence(written, 2, words)
