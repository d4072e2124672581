"""Checking every row of a bulk file against the rules, as ``assembly import KIND FILE`` and
the desk's bulk upload both do before anything is written.

Every row is checked (its form, then the rules, in order, in one session, so two rows about
one recommendation see each other). A row that says what the ledger already says (as
corrected, if it was) is unchanged; a row that repeats an earlier row of the file word for word
is a duplicate, counted once; two rows about the same thing that say different things are
refused, naming both.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from domain.errors import RuleBroken
from domain.process import Session
from sheets.cells import BadRow
from sheets.rows import Item, Ledgered, moment


class BulkRefused(RuleBroken):
    """At least one row of a bulk import is wrong; nothing was written."""

    def __init__(self, path: Path, problems: list[BadRow]) -> None:
        super().__init__(path, problems)
        self.path = path
        self.problems = problems

    def sentence(self) -> str:
        rows = "\n".join(f"  {bad.sentence()}" for bad in self.problems)
        return (
            f"{self.path}: {len(self.problems)} bad row(s), nothing was written; fix them and "
            f"import the whole file again:\n{rows}"
        )


class Checked(NamedTuple):
    """What checking a file's rows found: its bad rows, how many events the others would
    write, how many rows the ledger already says, and each duplicate row with the row it
    repeats."""

    problems: list[BadRow]
    new: int
    unchanged: int
    duplicates: list[tuple[int, int]]


def check_items(session: Session, items: Sequence[Item], *, at: datetime) -> Checked:
    """Run every row through the rules in one session, each dated its row's day (else
    ``at``), leaving the events of the new ones pending."""
    ledger = Ledgered(session)
    first: dict[Hashable, Item] = {}  # the first good row about each thing
    writing: dict[Hashable, Item] = {}  # and the first that writes something about it
    problems: list[BadRow] = []
    duplicates: list[tuple[int, int]] = []
    new = unchanged = 0
    for item in items:
        earlier = first.get(item.about)
        if earlier is not None and earlier.says == item.says:
            duplicates.append((item.row, earlier.row))
            continue
        try:
            written = item.step(ledger, moment(item.on, at))
        except RuleBroken as exc:
            reason = exc.sentence()
            if earlier is not None:
                reason = f"{reason.rstrip('.')}; row {earlier.row} gives {item.what} too."
            problems.append(BadRow(item.row, f"{item.label}: {reason}"))
            continue
        first.setdefault(item.about, item)
        if not written:
            unchanged += 1
            continue
        other = writing.setdefault(item.about, item)
        if other is not item:
            problems.append(
                BadRow(
                    item.row,
                    f"{item.label}: row {other.row} gives {item.what} too, and says otherwise: "
                    "keep one of the two rows.",
                )
            )
        new += written
    return Checked(problems, new, unchanged, duplicates)
