"""A spreadsheet on the desk (issue 17): every row checked, then all signed at once.

``POST /api/desk/bulk/prepare?kind=KIND&key=KEY&name=FILE&lang=LANG`` takes the file's bytes as
the request's body (CSV or .xlsx, by ``name``'s extension, at most ``MAX_BULK_BYTES``) and
reads it with the command line's own readers (``sheets``), then checks every row as ``assembly
import KIND FILE --dry-run`` does (``sheets.check.check_items``, in one session over the
server's state, never committed). It answers either every bad row (422: row number, column,
sentence) or, when every row is good, each event's exact bytes to sign (``web.desk_prepare``)
with how many rows are new, unchanged or repeated. Nothing is written: the page signs every
event and posts them as one submission, which the server writes in one transaction or not at
all (``web.submissions``).

The file is kept in a temporary folder only while it is read; a sentence about the file names
it as the office named it, never by that folder.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from domain import commands
from domain.process import Session
from ledger import Ledger
from ledger.canonical import format_time
from ledger.errors import LedgerError
from sheets.cells import BadRow
from sheets.check import check_items
from sheets.kinds import KINDS, Kind
from web.admission import _Reader
from web.desk_prepare import Prepared, Refusal, key_id_from, may_sign, signable, signer_book
from web.submissions import MAX_SUBMISSION_BYTES

MAX_BULK_BYTES = 512 * 1024
# What each kind's rows write: the signer's role is checked on the first before any row is
# read, and the page signs no event of another type.
KIND_TYPES = {name: kind.writes for name, kind in KINDS.items()}
# Each kind as the page names it (message ids).
KIND_WORDS = {
    "answers": "Government: answers",
    "implementation": "Government: implementation reports",
    "recommendations": "Secretariat: recommendations adopted, and handed over",
    "verdicts": "Commission: verdicts",
}
WORKBOOK = ".xlsx"
SIGNATURE_JSON = 120  # bytes a signed event adds to its body in a submission, and more


@dataclass
class BulkChecked:
    """What checking a file found: its bad rows, or the events to sign; and the counts."""

    rows: int
    problems: list[BadRow] = field(default_factory=list)
    events: list[Prepared] = field(default_factory=list)
    unchanged: int = 0
    duplicates: list[tuple[int, int]] = field(default_factory=list)
    note: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "problems": [
                {"row": bad.row, "column": bad.column, "name": bad.name, "reason": bad.reason}
                for bad in self.problems
            ],
            "events": [each.as_json() for each in self.events],
            "unchanged": self.unchanged,
            "duplicates": [list(pair) for pair in self.duplicates],
            "note": self.note,
        }


def kind_named(name: str) -> Kind:
    """The bulk file's kind ``name`` (a 400 if there is none)."""
    found = KINDS.get(name)
    if found is None:
        kinds = ", ".join(KINDS)
        sentence = f"There is no bulk file of kind {name[:40]!r}: use one of {kinds}."
        raise Refusal(400, sentence, "kind")
    return found


def shown_name(name: str) -> str:
    """The file's name as the office gave it, without any folder (at most 100 characters)."""
    return PurePath(name.replace("\\", "/")).name[:100] or "file.csv"


def check_upload(
    book: Ledger, kind: Kind, data: bytes, name: str, key: str, *, lang: str
) -> BulkChecked:
    """Check every row of the uploaded file ``data`` (named ``name``) for the key ``key``,
    as ``assembly import`` checks it; nothing is written."""
    key_id = key_id_from(key)
    signers = signer_book(book)
    at = book.clock()
    may_sign(signers, key_id, KIND_TYPES[kind.name][0], format_time(at))
    shown = shown_name(name)
    suffix = WORKBOOK if shown.lower().endswith(WORKBOOK) else ".csv"
    with tempfile.TemporaryDirectory(prefix="desk-bulk-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        session = Session(_Reader(book, key_id))
        try:
            found = kind.read(path, commands.references(session), None)
        except LedgerError as error:
            raise Refusal(422, error.sentence().replace(str(path), shown), "file") from None
    checked = check_items(session, found.items, at=at)
    result = BulkChecked(
        rows=len(found.items) + len({bad.row for bad in found.problems}),
        problems=sorted(found.problems + checked.problems, key=lambda bad: bad.row),
        unchanged=checked.unchanged,
        duplicates=checked.duplicates,
        note=found.note,
    )
    if result.problems:
        return result
    result.events = signable(book, session, key_id, signers, lang=lang)
    size = sum(len(each.as_json()["body"]) + SIGNATURE_JSON for each in result.events)
    if size > MAX_SUBMISSION_BYTES:
        raise Refusal(
            413,
            f"{shown} makes {len(result.events)} entries, more than one submission carries "
            f"({MAX_SUBMISSION_BYTES // 1024} KiB signed): split it into smaller files.",
            "file",
        )
    return result
