"""Helpers of the reading features (features/commission/reading.feature and
features/public/reading.feature): run a read command, parse what it printed in any format, and
compare it with a Gherkin table.

The commission's scenarios read a ledger written with a hand-moved clock (the ``recommended``
stage of ``tests.domain.conftest``), since reading "as of" a day cuts the ledger where its own
clock recorded each entry and the ``assembly`` write commands always record now. The public's
scenarios read a copy of the small assembly the CLI built (``tests.features.cycle``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from cli.context import open_ledger
from cli.read_render import cell
from domain.government import Assessed, ImplementationReported, ResponsibilityTransferred
from domain.responses import Responded
from ledger import Entry
from tests.domain.conftest import Office, Step
from tests.features.cycle import long_justification, ok
from tests.features.forked import assembly

Row = dict[str, str]
Written = dict[str, int]  # what a step wrote, named as the feature names it -> its seq

# What the ministry wrote, by position, when a step says it justified an answer in detail.
PARTIAL = (
    "At the second review the government accepts the recommendation in part: the renovation "
    "loans will reach tenants of social housing from 2027, but not private tenants, because the "
    "region cannot oblige private landlords to take part before the housing code is amended."
)
JUSTIFIED = {"rejected": long_justification(), "accepted_in_part": PARTIAL}


class _Day:
    """The step type ``{name:Day}``: a date such as 2026-06-10 (``parse`` reads ``pattern``)."""

    pattern = r"\d{4}-\d{2}-\d{2}"
    regex_group_count = 0

    def __call__(self, text: str) -> date:
        return date.fromisoformat(text)


DAY = {"Day": _Day()}


def nine_o_clock(office: Office, day: date) -> None:
    """Move the office's clock to nine o'clock on ``day`` (its clock only moves on)."""
    moment = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    assert moment >= office.clock.now, f"{day} is before the ledger's last entry"
    office.clock.now = moment


def location(office: Office) -> str:
    """The SQLite file of the office's ledger, as ``--ledger`` takes it."""
    engine = office.ledger.recorder.datastore.engine
    assert isinstance(engine, Engine)
    return str(engine.url.database)


def read_json(ledger: str, *args: str) -> Any:
    """The parsed JSON of ``assembly ARGS --format json`` on ``ledger``."""
    return json.loads(ok(assembly(*args, "--ledger", ledger, "--format", "json")).stdout)


def as_text(record: Mapping[str, Any]) -> Row:
    """A JSON record's values as the CSV and Markdown outputs write them."""
    return {name: cell(value) for name, value in record.items()}


def parse_rows(output: str, form: str) -> list[Row]:
    """The rows a read command printed as ``json``, ``csv`` or ``md``, every value as text."""
    if form == "json":
        return [as_text(record) for record in json.loads(output)]
    if form == "csv":
        return list(csv.DictReader(io.StringIO(output)))
    assert form == "md", form
    lines = [line for line in output.splitlines() if line.startswith("|")]
    header, separator, *body = (_md_cells(line) for line in lines)
    assert set("".join(separator)) == {"-"}, lines[1]
    return [dict(zip(header, cells, strict=True)) for cells in body]


def _md_cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    return [part.strip().replace("\\|", "|") for part in re.split(r"(?<!\\)\|", inner)]


def table(datatable: Sequence[Sequence[str]]) -> list[Row]:
    """A Gherkin data table as rows keyed by its header."""
    header, *rows = datatable
    return [dict(zip(header, row, strict=True)) for row in rows]


def assert_rows(found: Sequence[Mapping[str, Any]], expected: Sequence[Row]) -> None:
    """``found`` holds exactly the ``expected`` rows, in order, on the table's columns."""
    columns = list(expected[0]) if expected else []
    shown = [{column: cell(row[column]) for column in columns} for row in found]
    assert shown == list(expected), f"\nfound:    {shown}\nexpected: {list(expected)}"


def refs(text: str) -> list[str]:
    """``1/1, 1/3 and 1/4`` (or ``nothing``) as a list of references."""
    if text.strip() == "nothing":
        return []
    return [ref.strip() for ref in re.split(r",|\band\b", text) if ref.strip()]


def stored_entries(ledger: str | Path, seqs: Sequence[int]) -> dict[int, Entry]:
    """The entries at ``seqs`` as the ledger stores them."""
    book = open_ledger(str(ledger))
    try:
        found = {}
        for seq in seqs:
            (entry,) = book.recorder.read_entries(start=seq, limit=1)
            found[seq] = entry
        return found
    finally:
        book.close()


def written_seqs(output: str, type_name: str) -> list[int]:
    """The seqs a write command reported for entries of ``type_name``, in order."""
    return [int(seq) for seq in re.findall(rf"Wrote seq (\d+): {re.escape(type_name)}", output)]


def one_line(text: str) -> str:
    """The text with every run of white space made one space (rich wraps long lines)."""
    return " ".join(text.split())


def markdown_fields(markdown: str) -> Row:
    """The field/value table that opens ``assembly show --format md``."""
    head = markdown.split("\n## ", 1)[0]
    return {row["field"]: row["value"] for row in parse_rows(head, "md")}


# -- The commission's ledger, written day by day ------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """``assembly show`` of one recommendation, as JSON and as Markdown."""

    record: dict[str, Any]
    markdown: str


def reference(ref: str) -> tuple[int, int]:
    """``1/2`` as (panel, number)."""
    panel, number = ref.split("/")
    return int(panel), int(number)


def record_on(office: Office, written: Written, day: date, role: str, name: str, run: Step) -> None:
    """Run one step as ``role`` at nine on ``day`` and remember its entry's seq as ``name``."""
    nine_o_clock(office, day)
    (seq,) = office.do(role, run)
    written[name] = seq


def seq_of(written: Written, name: str) -> int:
    """The seq of ``the entry just before NAME``, or of ``NAME``."""
    before = "the entry just before "
    if name.startswith(before):
        return written[name.removeprefix(before)] - 1
    return written[name]


def responded(ref: str, position: str, review: int, *, detailed: bool) -> Responded:
    """The climate ministry's answer to ``ref``, with ``JUSTIFIED[position]`` if ``detailed``."""
    panel, number = reference(ref)
    return Responded.model_validate(
        {
            "panel": panel,
            "number": number,
            "review": review,
            "position": position,
            "portfolio": "climate",
            "justification": JUSTIFIED[position] if detailed else "",
            "planned_measures": "A renovation fund from 2027." if position == "accepted" else "",
        }
    )


def transferred(ref: str, portfolio: str) -> ResponsibilityTransferred:
    """``ref`` moved from the climate portfolio to ``portfolio``."""
    panel, number = reference(ref)
    return ResponsibilityTransferred(
        panel=panel,
        number=number,
        from_portfolio="climate",
        to_portfolio=portfolio,
        reason="The portfolios were reshuffled after the summer.",
    )


def reported(ref: str, status: str, progress: int, milestone: str) -> ImplementationReported:
    """An implementation report on ``ref``."""
    panel, number = reference(ref)
    return ImplementationReported.model_validate(
        {
            "panel": panel,
            "number": number,
            "status": status,
            "progress": progress,
            "milestone": milestone,
        }
    )


def assessed(ref: str, **fields: Any) -> Assessed:
    """The commission's verdict on ``ref``."""
    panel, number = reference(ref)
    return Assessed.model_validate({"panel": panel, "number": number, **fields})


# -- The public's trail ---------------------------------------------------------------------


@dataclass(frozen=True)
class Trail:
    """``assembly trail`` of something, parsed from JSON, and the arguments that asked for it."""

    args: tuple[str, ...]
    lines: list[dict[str, Any]]
