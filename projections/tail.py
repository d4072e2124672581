"""What the stored status model lacks, folded in memory, so that reads never write.

A reader compares the position of the stored status model (the tables of this code's format,
``projections.tables.current``) with the ledger's head. When the tables are behind (a read-only
role or a replica whose writer has not caught up yet, a writer stopped before it caught up, a
new format being built), the entries after the position are folded in memory on top of the
stored rows of the recommendations they are about: the step ``projections.runner.catch_up``
writes, here kept (``Tail``). Reads put the tail's rows in place of the stored ones, and answer
what a writer would after catching up. Nothing is written.

A process keeps the last tail per database and format and extends it as the head moves. A tail
folded from position P up to seq H stays right over the tables at any position from P to H:
they move only forward, by the same fold, so every row that changed between P and their
position is one of the tail's. A tail folded from -1 holds every row there is (``whole``).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cache
from types import MappingProxyType
from typing import Any, NamedTuple, TypeGuard

from sqlalchemy import Connection, Select, bindparam, func, select, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from ledger import Ledger
from ledger.storage import entries_table
from projections import tables
from projections.status import Key, RecommendationStatus, Status
from projections.tables import from_row, positions, query_columns, settings, with_settings

BATCH = 1000  # entries folded per step
_KEYS = 400  # recommendations loaded per query
POINTER = "format"  # the settings row naming the format whose tables are in force

Rows = Callable[[Status, Iterable[Key]], Status]  # a state with the stored rows of some keys
Entries = Sequence[tuple[int, str, bytes]]
# The fold of the next entries on a state, given their recommendations' stored rows: the state
# before (with those rows) and after (``projections.runner``'s, shared with ``catch_up``).
Step = Callable[[Ledger, Status, Entries, Rows], tuple[Status, Status]]


@dataclass(frozen=True)
class Tail:
    """The status model after the entries the tables lack: ``state`` holds the settings and
    seq at the head and the rows those entries changed; ``base`` is the position it was
    folded on (-1: from the first entry, so it holds every row there is)."""

    base: int
    state: Status
    _rows: dict[Key, dict[str, Any]] = field(default_factory=dict, compare=False, repr=False)

    @property
    def whole(self) -> bool:
        """Whether the tail holds every recommendation (the tables need not be read)."""
        return self.base < 0

    def row(self, key: Key) -> dict[str, Any]:
        """The columns a writer would store for ``key`` that the reads filter on."""
        if key not in self._rows:
            status = self.state.recommendations[key]
            self._rows[key] = query_columns(status, reviews=len(self.state.offsets))
        return self._rows[key]

    def rows(self, keep: Callable[[dict[str, Any]], bool]) -> list[RecommendationStatus]:
        """The tail's recommendations whose row ``keep`` accepts, in board order."""
        found = self.state.recommendations
        return [found[key] for key in sorted(found) if keep(self.row(key))]


def tail_of(ledger: Ledger, step: Step) -> Tail | None:
    """What the stored status model lacks of ``ledger`` (None: the tables hold its head)."""
    engine = engine_of(ledger)
    stored, head, _ = stored_and_head(engine)
    if stored is not None and stored == head:
        _forget(engine)
        return None
    if _long(_kept(engine), stored, head):
        if _BRIEF_ONLY.get():
            raise FoldsLong(f"the read would fold the entries after {stored} up to {head}")
        letting_go = _LETTING_GO.get() or nullcontext
    else:
        letting_go = nullcontext
    with letting_go(), _folding:
        for _attempt in range(3):
            found = _extended(ledger, step, engine, _kept(engine), stored, head)
            if found is not None:
                _keep(engine, found)
                return found
            stored, head, _ = stored_and_head(engine)  # a writer moved the tables: again
        found = _folded(ledger, step, engine, Tail(-1, Status()), head)  # the tables unread
        assert found is not None
        _keep(engine, found)
        return found


class Positions(NamedTuple):
    """Where the stored tables of this format stand (None: not there, or not this format's
    rows), the ledger's last seq (None: no entry), and the format the pointer names."""

    stored: int | None
    head: int | None
    pointer: str | None


# A fold of more entries than this is long (a new format being built, entries written elsewhere
# that the tables lack yet, the first read after a rebuild): it may take minutes.
FOLDED_BRIEFLY = 1_000
_BRIEF_ONLY: ContextVar[bool] = ContextVar("brief_only", default=False)
_LETTING_GO: ContextVar[Callable[[], AbstractContextManager[object]] | None] = ContextVar(
    "letting_go", default=None
)


class FoldsLong(Exception):
    """A read that may fold only briefly (``brief_only``) would fold long: nothing was folded."""


@contextmanager
def brief_only() -> Iterator[None]:
    """Reads inside fold at most ``FOLDED_BRIEFLY`` entries: one that would fold more raises
    ``FoldsLong`` before it folds anything (read it again where waiting harms nothing)."""
    token = _BRIEF_ONLY.set(True)
    try:
        yield
    finally:
        _BRIEF_ONLY.reset(token)


@contextmanager
def letting_go(held: Callable[[], AbstractContextManager[object]]) -> Iterator[None]:
    """Reads inside that fold long do it inside ``held()``: what lets go of a lock the reader
    holds (so that others need not wait for the fold) and takes it again after."""
    token = _LETTING_GO.set(held)
    try:
        yield
    finally:
        _LETTING_GO.reset(token)


def _long(kept: Tail | None, stored: int | None, head: int | None) -> bool:
    """Whether reading up to ``head`` on tables at ``stored`` folds more than
    ``FOLDED_BRIEFLY`` entries, beyond the tail ``kept``."""
    if head is None:
        return False
    base = -1 if stored is None else stored
    start = kept.state.seq if _extends(kept, base) else base
    return head - start > FOLDED_BRIEFLY


def _extends(kept: Tail | None, stored: int) -> TypeGuard[Tail]:
    """Whether the tail ``kept`` is still right over tables at ``stored`` (-1: none)."""
    return kept is not None and kept.base <= stored <= kept.state.seq


def stored_and_head(engine: Engine) -> Positions:
    """This format's stored position, the ledger's head and the pointer, in one statement."""
    layout, reads = tables.current(), _reads(tables.FORMAT)
    with engine.connect() as conn:
        try:
            found, at, last = conn.execute(reads.positions).one()
        except DBAPIError:  # no tables yet
            conn.rollback()
            return Positions(None, conn.execute(reads.head).scalar(), None)
    # The formats up to 9 share their tables' names: those rows are this format's only when
    # the pointer says so.
    if found is None or (layout.name == tables.NAME and at != layout.format):
        return Positions(None, last, at)
    return Positions(int(found), last, at)


def _extended(
    ledger: Ledger,
    step: Step,
    engine: Engine,
    kept: Tail | None,
    stored: int | None,
    head: int | None,
) -> Tail | None:
    """The tail up to ``head`` on tables at ``stored``: ``kept`` extended when it is still
    right over them, else folded afresh; None when the tables moved while being read."""
    base = -1 if stored is None else stored
    if _extends(kept, base) and kept.state.seq <= (-1 if head is None else head):
        return _folded(ledger, step, engine, kept, head)
    if stored is None:
        return _folded(ledger, step, engine, Tail(-1, Status()), head)
    with engine.connect() as conn:
        state = settings_only(conn)
    return _folded(ledger, step, engine, Tail(state.seq, state), head)


def _folded(
    ledger: Ledger, step: Step, engine: Engine, tail: Tail, head: int | None
) -> Tail | None:
    """``tail`` with the entries after its seq up to ``head`` folded in. The stored rows it
    lacks are read from the tables, which must stay between its base and its seq meanwhile
    (None if they did not: the rows read may hold entries folded again, or none at all)."""
    bound, state = tail.state.seq, tail.state
    while head is not None and state.seq < head:
        entries = ledger.recorder.read_bodies(start=state.seq + 1, limit=BATCH)
        entries = [entry for entry in entries if entry[0] <= head]
        if not entries:
            break
        if tail.whole:
            state = step(ledger, state, entries, lambda state, keys: state)[1]
        else:
            with engine.connect() as conn:
                state = step(ledger, state, entries, partial_rows(conn))[1]
    if not tail.whole:
        now = stored_and_head(engine).stored
        if now is None or not tail.base <= now <= bound:
            return None
    return tail if state is tail.state else Tail(tail.base, state)


def partial_rows(conn: Connection) -> Rows:
    """``with_rows`` on ``conn``."""
    return lambda state, keys: with_rows(conn, state, keys)


def settings_only(conn: Connection) -> Status:
    """The position and settings of the stored status model, without any recommendation."""
    seq, value = conn.execute(_reads(tables.FORMAT).settings).one()
    state = Status(seq=-1 if seq is None else int(seq))
    return state if value is None else with_settings(state, value)


def position_on(conn: Connection) -> int:
    """The stored position of this format's tables (-1: none)."""
    seq = conn.execute(_reads(tables.FORMAT).position).scalar()
    return -1 if seq is None else int(seq)


def with_rows(conn: Connection, state: Status, keys: Iterable[Key]) -> Status:
    """``state`` with the stored rows of ``keys`` it lacks (keys without a row are skipped)."""
    missing = sorted(set(keys) - set(state.recommendations))
    if not missing:
        return state
    found = dict(state.recommendations)
    query = _reads(tables.FORMAT).rows
    for first in range(0, len(missing), _KEYS):
        chunk = missing[first : first + _KEYS]
        for status in map(from_row, conn.execute(query, {"keys": chunk}).scalars()):
            found[status.key] = status
    return replace(state, recommendations=MappingProxyType(found))


class _Reads(NamedTuple):
    """The statements of this module on one format's tables, built once: SQLAlchemy finds a
    statement it has seen compiled, without working out its cache key again on each read."""

    positions: Select[Any]  # the stored position, the pointer and the ledger's head
    head: Select[Any]  # the ledger's head alone (no tables yet)
    settings: Select[Any]  # the stored position and settings
    position: Select[Any]
    rows: Select[Any]  # the records of the recommendations of the keys bound as ``keys``


@cache
def _reads(format: str) -> _Reads:
    layout = tables.layout(format)
    head = select(func.max(entries_table.c.seq)).scalar_subquery()
    seq = select(positions.c.seq).where(positions.c.name == layout.name).scalar_subquery()
    pointer = select(settings.c.value).where(settings.c.name == POINTER).scalar_subquery()
    value = select(settings.c.value).where(settings.c.name == layout.name).scalar_subquery()
    table = layout.recommendations
    keys = tuple_(table.c.panel, table.c.number).in_(bindparam("keys", expanding=True))
    return _Reads(
        positions=select(seq, pointer, head),
        head=select(head),
        settings=select(seq, value),
        position=select(seq),
        rows=select(table.c.detail).where(keys),
    )


def engine_of(ledger: Ledger) -> Engine:
    """The engine of the ledger's database (the read models' tables are there too)."""
    engine = ledger.recorder.datastore.engine
    assert isinstance(engine, Engine)
    return engine


_folding = threading.Lock()  # one tail folded at a time: readers waiting for it share it
_tails: weakref.WeakKeyDictionary[Engine, dict[str, Tail]] = weakref.WeakKeyDictionary()


def _kept(engine: Engine) -> Tail | None:
    return _tails.get(engine, {}).get(tables.FORMAT)


def _keep(engine: Engine, tail: Tail) -> None:
    _tails[engine] = {tables.FORMAT: tail}


def _forget(engine: Engine) -> None:
    if engine in _tails:
        with _folding:
            _tails.pop(engine, None)
