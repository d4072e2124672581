"""The tracked runner: folds new ledger entries into the status tables, each exactly once.

Each batch is read from the stored position + 1, folded, and written with the new position in
one transaction, so the tables and the position always move together: a crash (or a projection
that stops on an entry) leaves the previous position and rows, and the next run picks up there.
``rebuild`` drops the rows and the position and folds from entry 0.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from types import MappingProxyType

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from domain.correction import CorrectionRecorded
from domain.errors import RuleBroken
from ledger import Ledger
from ledger.storage import entries_table
from projections.deadlines import first_not_overdue
from projections.errors import Inconsistent, ProjectionFailed
from projections.parsed import Parsed, parsed_body
from projections.status import Key, RecommendationStatus, Status, about, fold
from projections.tables import (
    from_row,
    metadata,
    positions,
    recommendation_row,
    recommendations,
    review_rows,
    reviews,
    settings,
    settings_value,
    with_settings,
)

NAME = "status"
# The shape of the rows and the meaning of the fold: when either changes, this changes, and the
# tables found with another format are dropped and rebuilt (they hold nothing but derived data).
FORMAT = "9"
BATCH = 1000  # entries per transaction when catching up
REBUILD_BATCH = 20_000  # a rebuild writes each recommendation about once per batch
_KEYS = 400  # recommendations loaded per query


class _Moved(Exception):
    """Another runner moved the position since this one read it: start again from the new one."""


Progress = Callable[[int], None]  # told the seq reached after each batch


def catch_up(ledger: Ledger, *, batch: int = BATCH, progress: Progress | None = None) -> int:
    """Fold every entry after the stored position; return how many entries were applied.

    Only the rows of the recommendations the new entries are about are read: catching up
    after one command costs the same on a ledger of any size. The position is moved by
    compare-and-set in the transaction that writes the rows, so two runners at once never
    apply an entry twice; the one that loses the race reads the new position and goes on.
    """
    engine = engine_of(ledger)
    if _current(engine):
        return 0
    _prepare(engine)
    applied, state = 0, None
    while True:
        if state is None:
            _ensure_position(engine)
            with engine.connect() as conn:
                state = settings_only(conn)
        entries = ledger.recorder.read_bodies(start=state.seq + 1, limit=batch)
        if not entries:
            return applied
        try:
            history = ledger.history_before()
            events = [
                found
                for entry in entries
                if (found := _recorded(*entry, history_before=history)) is not None
            ]
            with engine.connect() as conn:
                before = _with_rows(conn, state, _keys(ledger, events))
            folded = replace(fold(before, events), seq=entries[-1][0])
        except Inconsistent as exc:
            raise ProjectionFailed(NAME, exc.seq, state.seq, exc.problem) from exc
        try:
            with engine.begin() as conn:
                write(conn, before, folded)
        except _Moved:
            state = None
            continue
        state = folded
        applied += len(entries)
        if progress is not None:
            progress(state.seq)


def rebuild(ledger: Ledger, *, batch: int = REBUILD_BATCH, progress: Progress | None = None) -> int:
    """Drop the status rows and position, then fold the whole ledger; return entries applied."""
    engine = engine_of(ledger)
    _prepare(engine)
    with engine.begin() as conn:
        conn.execute(delete(recommendations))
        conn.execute(delete(reviews))
        conn.execute(delete(settings).where(settings.c.name == NAME))
        conn.execute(delete(positions).where(positions.c.name == NAME))
    return catch_up(ledger, batch=batch, progress=progress)


def position(ledger: Ledger) -> int:
    """The seq of the last entry the status projection applied (-1: none yet)."""
    with reading(ledger) as conn:
        return _position(conn)


def stored(ledger: Ledger, *, panel: int | None = None) -> Status:
    """The status read model as the tables hold it (of one panel's recommendations alone,
    read by the key's first column, when ``panel`` is given)."""
    with reading(ledger) as conn:
        return load(conn, panel=panel)


def stored_one(ledger: Ledger, key: Key) -> tuple[Status, RecommendationStatus | None]:
    """The settings and position of the status model, and one recommendation's row (by key)."""
    with reading(ledger) as conn:
        state = _with_rows(conn, settings_only(conn), {key})
    return state, state.recommendations.get(key)


def stored_after(
    ledger: Ledger,
    *,
    after: Key | None,
    where: Mapping[str, object],
    limit: int,
    words: Sequence[str] = (),
    overdue_on: date | None = None,
) -> Status:
    """The status model with at most ``limit`` stored rows: those after the key ``after`` in
    board order (panel, then number) whose columns equal ``where`` (a keyset read by the
    table's key, so any page of a large board costs the same).

    Two narrowings read only the rows that can pass the board's other filters: ``words`` (case
    folded) keeps the rows whose search column holds each of them; ``overdue_on`` the rows with
    a review unanswered and handed over long enough before that day to be overdue, were no
    suspension to move it. They may keep a row that is not overdue (a suspension moved its
    due date), never drop one that is: the caller decides on the rows they keep."""
    column = recommendations.c
    query = select(column.detail)
    for name, value in where.items():
        query = query.where(column[name] == value)
    for word in words:
        query = query.where(column.words.contains(word, autoescape=True))
    if after is not None:
        query = query.where(
            or_(
                column.panel > after[0],
                and_(column.panel == after[0], column.number > after[1]),
            )
        )
    query = query.order_by(column.panel, column.number).limit(limit)
    with reading(ledger) as conn:
        state = settings_only(conn)
        if overdue_on is not None:
            query = query.where(_maybe_overdue(state, overdue_on))
        found = {status.key: status for status in map(from_row, conn.execute(query).scalars())}
        return replace(state, recommendations=MappingProxyType(found))


def _maybe_overdue(state: Status, on: date) -> ColumnElement[bool]:
    """Rows with a review awaiting an answer and handed over before the first day whose review
    would not be overdue on ``on`` (ISO dates compare as text)."""
    column = recommendations.c
    return or_(
        *(
            and_(
                column.awaiting.contains(f",{review},"),
                column.handed_over < first_not_overdue(on, months).isoformat(),
            )
            for review, months in enumerate(state.offsets, start=1)
        )
    )


def stored_by_said(
    ledger: Ledger, *, before: int | None, limit: int, portfolio: str | None = None
) -> list[RecommendationStatus]:
    """At most ``limit`` stored recommendations with an answer or a verdict, the one with the
    newest first (by ``said_seq``, indexed), those whose newest is before seq ``before``; with
    ``portfolio``, only those it is answerable for, alone or shared."""
    column = recommendations.c
    query = select(column.detail).where(column.said_seq.is_not(None))
    if before is not None:
        query = query.where(column.said_seq < before)
    if portfolio is not None:
        shared = column.shared_with.contains(f",{portfolio},", autoescape=True)
        query = query.where(or_(column.portfolio == portfolio, shared))
    query = query.order_by(column.said_seq.desc()).limit(limit)
    with reading(ledger) as conn:
        return [from_row(detail) for detail in conn.execute(query).scalars()]


def stored_bare(ledger: Ledger) -> Status:
    """The position and settings of the stored status model, without any recommendation."""
    with reading(ledger) as conn:
        return settings_only(conn)


def stored_counts(ledger: Ledger) -> dict[int, int]:
    """How many stored recommendations each panel has (the panels with any)."""
    column = recommendations.c
    query = select(column.panel, func.count()).group_by(column.panel)
    with reading(ledger) as conn:
        return {int(panel): int(count) for panel, count in conn.execute(query)}


def stored_choices(ledger: Ledger) -> tuple[int, list[str]]:
    """The highest panel number and every portfolio the stored rows name, in order (for a
    filter form). Both are read from the indexes, in a few steps however many rows there are:
    the maximum, and the portfolios one after the other (a loose index scan)."""
    column = recommendations.c
    with reading(ledger) as conn:
        highest = conn.execute(select(func.max(column.panel))).scalar()
        names = conn.execute(text(_PORTFOLIOS.format(table=recommendations.name))).scalars()
        return int(highest or 0), list(names)


# Each step asks the portfolio index for the next name after the last one found.
_PORTFOLIOS = """
WITH RECURSIVE found(name) AS (
    SELECT MIN(portfolio) FROM {table}
    UNION ALL
    SELECT (SELECT MIN(portfolio) FROM {table} WHERE portfolio > found.name)
    FROM found WHERE found.name IS NOT NULL
)
SELECT name FROM found WHERE name IS NOT NULL
"""


def load(conn: Connection, *, panel: int | None = None) -> Status:
    """The state the stored rows and position stand for (one panel's rows, if given)."""
    query = select(recommendations.c.detail)
    if panel is not None:
        query = query.where(recommendations.c.panel == panel)
    rows = conn.execute(query).scalars()
    found = {status.key: status for status in map(from_row, rows)}
    return replace(settings_only(conn), recommendations=MappingProxyType(found))


def write(conn: Connection, before: Status, after: Status) -> None:
    """Write what changed from ``before`` to ``after``, and move the position from
    ``before``'s to ``after``'s (raise ``_Moved`` if it is no longer ``before``'s)."""
    moved = conn.execute(
        update(positions)
        .where(positions.c.name == NAME, positions.c.seq == before.seq)
        .values(seq=after.seq)
    )
    if moved.rowcount != 1:
        raise _Moved
    changed = [
        status
        for key, status in after.recommendations.items()
        if before.recommendations.get(key) is not status
    ]
    if changed:
        keys = [{"key_panel": status.panel, "key_number": status.number} for status in changed]
        for table in (recommendations, reviews):
            conn.execute(
                delete(table).where(
                    table.c.panel == bindparam("key_panel"),
                    table.c.number == bindparam("key_number"),
                ),
                keys,
            )
        conn.execute(
            insert(recommendations),
            [recommendation_row(s, reviews=len(after.offsets)) for s in changed],
        )
        if due := [row for s in changed for row in review_rows(s, after.offsets)]:
            conn.execute(insert(reviews), due)
    if (before.offsets, before.suspensions, before.statements) != (
        after.offsets,
        after.suspensions,
        after.statements,
    ):
        conn.execute(delete(settings).where(settings.c.name == NAME))
        conn.execute(insert(settings).values(name=NAME, value=settings_value(after)))


def settings_only(conn: Connection) -> Status:
    """The position and settings of the status model, without any recommendation."""
    state = Status(seq=_position(conn))
    value = conn.execute(select(settings.c.value).where(settings.c.name == NAME)).scalar()
    return state if value is None else with_settings(state, value)


def _with_rows(conn: Connection, state: Status, keys: Iterable[Key]) -> Status:
    """``state`` with the stored rows of ``keys`` it lacks (keys without a row are skipped)."""
    missing = sorted(set(keys) - set(state.recommendations))
    if not missing:
        return state
    found = dict(state.recommendations)
    for first in range(0, len(missing), _KEYS):
        chunk = missing[first : first + _KEYS]
        query = select(recommendations.c.detail).where(
            tuple_(recommendations.c.panel, recommendations.c.number).in_(chunk)
        )
        for status in map(from_row, conn.execute(query).scalars()):
            found[status.key] = status
    return replace(state, recommendations=MappingProxyType(found))


def _keys(ledger: Ledger, events: Sequence[Parsed]) -> set[Key]:
    """The recommendations ``events`` are about, as far as they were adopted before them.

    A correction is about the recommendation of the entry it supersedes; when that entry is
    not among ``events`` it is read from the ledger (by seq, an indexed read).
    """
    keys: set[Key] = set()
    here = {item.seq for item in events}
    for item in events:
        key = about(item)
        if key is not None:
            keys.add(key)
        elif isinstance(item.event, CorrectionRecorded) and item.event.supersedes not in here:
            found = ledger.recorder.read_bodies(start=item.event.supersedes, limit=1)
            earlier = _recorded(*found[0]) if found else None
            if earlier is not None and (key := about(earlier)) is not None:
                keys.add(key)
    return keys


def _recorded(
    seq: int, recorded_at: str, body: bytes, *, history_before: date | None = None
) -> Parsed | None:
    """The entry as the fold reads it: validated when it was appended, not again
    (``projections.parsed``)."""
    try:
        return parsed_body(seq, recorded_at, body, history_before=history_before)
    except RuleBroken as exc:  # an undecodable payload
        raise Inconsistent(seq, str(exc)) from exc


def _prepare(engine: Engine) -> None:
    """Create the tables, or drop and recreate them when they hold another format's rows.

    Two runners may start on a new database at once: PostgreSQL then refuses the second
    ``CREATE TABLE`` of a pair; the loser finds the winner's tables on its second try.

    Tables already in this format are found by one read, without a write transaction: every
    page the server shows catches up first, and would otherwise queue for SQLite's writer lock
    (and its commit) only to learn that nothing needs doing.
    """
    if _ready(engine):
        return
    for attempt in range(3):
        try:
            _create(engine)
            return
        except DBAPIError:
            if attempt == 2:
                raise
            time.sleep(0.05 * (attempt + 1))


def _current(engine: Engine) -> bool:
    """Whether the tables are in this format and have applied the ledger's last entry: one
    indexed read, so that a page on a ledger whose head has not moved does no catching up."""
    query = select(
        select(settings.c.value).where(settings.c.name == _FORMAT).scalar_subquery(),
        select(positions.c.seq).where(positions.c.name == NAME).scalar_subquery(),
        select(func.max(entries_table.c.seq)).scalar_subquery(),
    )
    try:
        with engine.connect() as conn:
            found, seq, head = conn.execute(query).one()
    except DBAPIError:  # no table yet
        return False
    return bool(found == FORMAT and seq is not None and head is not None and seq == head)


def _ready(engine: Engine) -> bool:
    """Whether the tables are there and in this format (a read; False when they are not)."""
    try:
        with engine.connect() as conn:
            query = select(settings.c.value).where(settings.c.name == _FORMAT)
            return bool(conn.execute(query).scalar() == FORMAT)
    except DBAPIError:  # no table yet
        return False


def _create(engine: Engine) -> None:
    metadata.create_all(engine)
    with engine.begin() as conn:
        _lock(conn)  # one runner at a time decides, so none drops tables another just made
        found = conn.execute(select(settings.c.value).where(settings.c.name == _FORMAT)).scalar()
        if found == FORMAT:
            return
        if found is not None or conn.execute(select(positions.c.name).limit(1)).first():
            metadata.drop_all(conn)  # rows of another format: derived data, made again
            metadata.create_all(conn)
        conn.execute(insert(settings).values(name=_FORMAT, value=FORMAT))


def _lock(conn: Connection) -> None:
    """Hold the projections' lock until the transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('projection_tables'))"))
    else:  # SQLite: any write statement takes the database's writer lock
        conn.execute(update(settings).where(settings.c.name == _FORMAT).values(name=_FORMAT))


_FORMAT = "format"


def _ensure_position(engine: Engine) -> None:
    """Give the status model a position row (-1) if it has none, so moves are updates."""
    with engine.connect() as conn:
        if conn.execute(select(positions.c.seq).where(positions.c.name == NAME)).first():
            return
    try:
        with engine.begin() as conn:
            conn.execute(insert(positions).values(name=NAME, seq=-1))
    except IntegrityError:
        pass  # another runner made it first


def _position(conn: Connection) -> int:
    seq = conn.execute(select(positions.c.seq).where(positions.c.name == NAME)).scalar()
    return -1 if seq is None else int(seq)


@contextmanager
def reading(ledger: Ledger) -> Iterator[Connection]:
    """A connection to read the status model's tables, made ready first."""
    engine = engine_of(ledger)
    _prepare(engine)
    with engine.connect() as conn:
        yield conn


def engine_of(ledger: Ledger) -> Engine:
    engine = ledger.recorder.datastore.engine
    assert isinstance(engine, Engine)
    return engine
