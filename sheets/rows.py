"""What every kind of bulk file shares (``sheets.kinds`` lists the kinds): a kind's
description (its columns, their names in French and Dutch, the values a column allows), a row
read as a step to take, the reading of a file into such rows, and the ledger a row is checked
against.

A kind's file is any spreadsheet ``sheets.read`` reads. Its header holds every one of the
kind's ``columns`` and may add any of its ``optional`` ones and, for each of its ``translated``
texts, a column per language (``NAME_LANG``, such as ``title_fr``); headers are matched in
English, French or Dutch whatever their case and accents. Each row becomes an ``Item``: what it
is about (two rows about one thing must say the same), what it says (two rows saying the same
are one duplicate), and the step that checks it against the ledger and leaves its events
pending (none when the ledger already says it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import NamedTuple

from pydantic import ValidationError

from domain.correction import CorrectionRecorded
from domain.errors import RuleBroken
from domain.events import Event, first_problem
from domain.process import Session
from domain.recommendation import Adopted, resolve_reference
from projections import Status
from sheets.cells import BadCell, BadRow, Cell, alias_table, as_text
from sheets.errors import SheetProblem
from sheets.read import read_sheet

References = Iterable[tuple[str | None, tuple[int, int]]]  # (own reference, (panel, number))
Table = tuple[tuple[str, ...], list[dict[str, str]]]  # a header and its rows, as texts
TRANSLATED = re.compile(r"(.+)_([a-z]{2})\Z")


class Ledgered:
    """What rows are checked against: one session over the ledger (or a server), and what it
    held before the import, read once."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._standing: dict[str, dict[tuple[int, int], list[tuple[Event, date]]]] = {}

    def standing(self, cls: type[Event]) -> Mapping[tuple[int, int], list[tuple[Event, date]]]:
        """Every recorded event of type ``cls`` (one about a recommendation) as it stands (a
        correction's replacement, if any) with the day its author dated it, in ledger order,
        by (panel, number)."""
        if cls.TYPE not in self._standing:
            store = self.session.store
            replaced: dict[int, Event] = {}
            for recorded in store.of_type(CorrectionRecorded.TYPE):
                fix = recorded.event
                if not isinstance(fix, CorrectionRecorded) or fix.replacement is None:
                    continue
                if fix.corrected_type == cls.TYPE:
                    replaced[fix.supersedes] = cls.model_validate(fix.replacement)
            found: dict[tuple[int, int], list[tuple[Event, date]]] = {}
            for each in store.of_type(cls.TYPE):
                event = replaced.get(each.seq, each.event)
                key = (getattr(event, "panel", 0), getattr(event, "number", 0))
                found.setdefault(key, []).append((event, each.occurred_at.astimezone(UTC).date()))
            self._standing[cls.TYPE] = found
        return self._standing[cls.TYPE]


Step = Callable[[Ledgered, datetime], int]


class Item(NamedTuple):
    """One row read: its spreadsheet row number; what it is about (``about``, named ``what``
    in sentences, the recommendation as ``label``); what it says (``says``, comparable); the
    day it happened, if the row says; and its ``step``, which checks it against the ledger,
    leaves its events pending and says how many (0: the ledger already says it)."""

    row: int
    about: Hashable
    what: str
    label: str
    says: Hashable
    on: date | None
    step: Step


class KindFile(NamedTuple):
    """A bulk file read: its rows, its malformed rows, and how it was read (its encoding,
    when not UTF-8)."""

    items: list[Item]
    problems: list[BadRow]
    note: str | None = None


@dataclass(frozen=True)
class Source:
    """What an export reads: the read model at the point asked, and each recommendation's
    adoption as signed (for what the read model does not keep, such as its vote)."""

    state: Status
    adoptions: Mapping[tuple[int, int], Adopted] = field(default_factory=dict)


Parse = Callable[[Mapping[str, Cell], "Columns"], Item]


@dataclass(frozen=True)
class Kind:
    """One kind of bulk file: its ``name`` (``assembly import NAME``), the ``columns`` its
    header must have and the ``optional`` ones it may add, each column's other names
    (``aliases``, French and Dutch), the values a column allows where the list is closed
    (``choices``), the texts written in a column per language (``translated``), its columns
    holding days (``dates``), what its rows write (``noun``, and the types of those events,
    ``writes``, the first the one whose author's role may import the file), how a file is read
    into rows (``read``), how what the ledger holds becomes rows (``export``), and what one
    row of an export is (``item``)."""

    name: str
    columns: tuple[str, ...]
    optional: tuple[str, ...]
    aliases: Mapping[str, tuple[str, ...]]
    choices: Mapping[str, tuple[str, ...]]
    translated: tuple[str, ...]
    dates: tuple[str, ...]
    noun: str
    writes: tuple[str, ...]
    read: Callable[[Path, References, str | None], KindFile]
    export: Callable[[Source, int | None], Table]
    item: str = "row"


@dataclass(frozen=True)
class Columns:
    """The columns a file has: the canonical names present, each text's languages
    (``languages["title"] == ("fr", "nl")``), and the references rows may name."""

    present: frozenset[str]
    languages: Mapping[str, tuple[str, ...]]
    references: tuple[tuple[str | None, tuple[int, int]], ...]


def read_kind(
    path: Path,
    kind: Kind,
    parse: Parse,
    references: References,
    *,
    sheet: str | None,
    required_text: str | None = None,
) -> KindFile:
    """Read ``path`` as a file of ``kind``, each row through ``parse`` (a malformed cell:
    ``BadCell``); ``required_text``: a translated text the file must have in one language at
    least."""
    table = alias_table(kind.aliases)
    named = {column: kind.aliases.get(column, ()) for column in (*kind.columns, *kind.optional)}
    found = read_sheet(path, named, sheet=sheet, other=lambda key: _per_language(key, table, kind))
    missing = [column for column in kind.columns if column not in found.letters]
    languages: dict[str, list[str]] = {}
    for column in found.letters:
        match = TRANSLATED.match(column)
        if match and match[1] in kind.translated and column not in table.values():
            languages.setdefault(match[1], []).append(match[2])
    if required_text is not None and not languages.get(required_text):
        missing.append(f"{required_text}_LANG (such as {required_text}_fr)")
    if missing or found.unknown:
        extra = [f"{written} (column {column})" for column, written in found.unknown]
        texts = " and ".join(f"{name}_LANG" for name in kind.translated)
        raise SheetProblem(
            f"{path}: the header must be {','.join(kind.columns)}, and may add "
            f"{', '.join(kind.optional)}"
            + (f" and a column per language such as {texts}" if texts else "")
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(extra)}" if extra else "")
            + "."
        )
    columns = Columns(
        frozenset(found.letters),
        {name: tuple(codes) for name, codes in languages.items()},
        tuple(references),
    )
    items: list[Item] = []
    problems = list(found.problems)
    for each in found.rows:
        try:
            items.append(parse(each.cells, columns)._replace(row=each.number))
        except BadCell as exc:
            problems.append(found.bad(each.number, exc.column, exc.reason))
        except ValidationError as exc:
            where = exc.errors()[0]["loc"]
            column = str(where[0]) if where else ""
            problems.append(found.bad(each.number, column, first_problem(exc, whole="row")))
    if not items and not problems:
        raise SheetProblem(f"{path} has no rows in it.")
    return KindFile(items, sorted(problems, key=lambda bad: bad.row), found.note)


def _per_language(key: str, table: Mapping[str, str], kind: Kind) -> str | None:
    """A per-language column's name (``title_fr``) from its header in any language
    (``titre_fr``), or None."""
    match = TRANSLATED.match(key)
    if not match:
        return None
    name = table.get(match[1])
    return f"{name}_{match[2]}" if name in kind.translated else None


def recommendation_of(cells: Mapping[str, Cell], columns: Columns) -> tuple[int, int]:
    """The (panel, number) the row's ``recommendation`` cell names (``PANEL/NUMBER`` or the
    assembly's own reference)."""
    try:
        return resolve_reference(as_text(cells.get("recommendation")), columns.references)
    except RuleBroken as exc:
        raise BadCell("recommendation", exc.sentence()) from None


def text_of(cells: Mapping[str, Cell], column: str) -> str:
    """A cell's text, empty when the file has no such column."""
    return as_text(cells.get(column))


def moment(on: date | None, at: datetime) -> datetime:
    """When a row's step happened: midnight UTC of its day (as ``--at DAY`` says), or ``at``."""
    return at if on is None else datetime.combine(on, time(), tzinfo=UTC)


def day_text(on: date | None) -> str:
    return "" if on is None else on.isoformat()
