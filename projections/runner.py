"""The tracked runner: folds new ledger entries into the status tables, each exactly once.

Each batch is read from the stored position + 1, folded, and written with the new position in
one transaction, so the tables and the position always move together: a crash (or a projection
that stops on an entry) leaves the previous position and rows, and the next run picks up there.
``rebuild`` drops the rows and the position and folds from entry 0 (on two cores, in two
processes: ``_rebuild_in_two``).

Only writers run it: ``assembly projections update``, a command after it appends, a server
with a writable connection in the background. Reads never write: the ``stored*`` reads here
answer as the tables would after catching up, folding what they lack in memory
(``projections.tail``), so they work on a read-only role or a replica.

A new format (``projections.tables.FORMAT``) is built in its own tables beside the old one's,
which readers of the old release go on reading; once they hold the ledger's head, one
transaction points the ``format`` row at them (``_switch``), and the old tables are dropped.
"""

from __future__ import annotations

import gc
import marshal
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import date
from functools import lru_cache
from operator import itemgetter
from types import MappingProxyType
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Table,
    and_,
    bindparam,
    create_engine,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import NullPool

from domain.correction import CorrectionRecorded
from domain.errors import RuleBroken
from domain.recommendation import recommendation_stream
from ledger import Ledger
from ledger.connections import Timeouts, engine_options
from projections import tables
from projections.deadlines import first_not_overdue
from projections.errors import Inconsistent, ProjectionFailed
from projections.parsed import ADOPTED, FROM_PAYLOAD, Parsed, parsed_body
from projections.status import Key, RecommendationStatus, Status, about, fold
from projections.tables import (
    NAME,
    from_row,
    layout,
    metadata,
    positions,
    recommendation_row,
    review_rows,
    said_seq,
    settings,
    settings_value,
)
from projections.tail import (
    POINTER,
    Entries,
    Rows,
    Tail,
    engine_of,
    partial_rows,
    settings_only,
    stored_and_head,
    tail_of,
    with_rows,
)

__all__ = ["NAME", "engine_of", "settings_only"]

BATCH = 1000  # entries per transaction when catching up
REBUILD_BATCH = 20_000  # a rebuild writes each recommendation about once per batch
_KEYS = 400  # keys looked up per query


class _Moved(Exception):
    """Another runner moved the position since this one read it: start again from the new one."""


Progress = Callable[[int], None]  # told the seq reached after each batch


def catch_up(ledger: Ledger, *, batch: int = BATCH, progress: Progress | None = None) -> int:
    """Fold every entry after the stored position; return how many entries were applied.

    Only the rows of the recommendations the new entries are about are read: catching up
    after one command costs the same on a ledger of any size. The position is moved by
    compare-and-set in the transaction that writes the rows, so two runners at once never
    apply an entry twice; the one that loses the race reads the new position and goes on.
    Tables of a new format, once they hold the head, become the ones in force (``_switch``).
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
            _switch(engine)
            return applied
        with engine.connect() as conn:
            before, folded = _step(ledger, state, entries, partial_rows(conn))
        try:
            with collection_paused(), _writing(engine) as conn:
                write(conn, before, folded)
        except _Moved:
            state = None
            continue
        state = folded
        applied += len(entries)
        if progress is not None:
            progress(state.seq)


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a batch is folded or written, as it was
    after: a batch makes hundreds of thousands of objects, almost none of them cyclic
    garbage, and each collection on the way would walk them all again."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that writes the read models' rows. On SQLite the pages it frees are not
    overwritten with zeros first (``secure_delete`` FAST; Debian's SQLite zeroes them by
    default): every byte the rows held is in the ledger, and zeroing a rebuild's old rows was
    nearly all of the time it took to empty the tables. The connection's setting is put back
    before the transaction ends, for the ledger's own writes on it."""
    with engine.begin() as conn:
        was = _secure_delete(conn, "FAST")
        try:
            yield conn
        finally:
            if was is not None:
                with suppress(DBAPIError):  # a broken connection is not used again anyway
                    _secure_delete(conn, was)


def _secure_delete(conn: Connection, value: str) -> str | None:
    """Set SQLite's ``secure_delete`` to ``value``; return what it was (None: not SQLite)."""
    if conn.dialect.name != "sqlite":
        return None
    was = _SECURE_DELETE[int(conn.exec_driver_sql("PRAGMA secure_delete").scalar_one())]
    conn.exec_driver_sql(f"PRAGMA secure_delete={value}")
    return was


_SECURE_DELETE = {0: "OFF", 1: "ON", 2: "FAST"}  # as the pragma reads, as it is set


def rebuild(
    ledger: Ledger,
    *,
    batch: int = REBUILD_BATCH,
    progress: Progress | None = None,
    workers: int | None = None,
) -> int:
    """Drop the status rows and position, then fold the whole ledger; return entries applied.
    Readers meanwhile fold in memory what the tables do not hold yet.

    ``workers``: 2 folds in two processes (``_rebuild_in_two``), 1 in this one; by default two
    when this process may fork, has two cores and the ledger has ``PARALLEL_FROM`` entries."""
    engine = engine_of(ledger)
    _prepare(engine)
    this = tables.current()
    with _writing(engine) as conn:
        conn.execute(delete(this.recommendations))
        conn.execute(delete(this.reviews))
        conn.execute(delete(settings).where(settings.c.name == this.name))
        conn.execute(delete(positions).where(positions.c.name == this.name))
    applied = 0
    if (workers is None and _two_pay(engine)) or (workers is not None and workers > 1):
        applied = _rebuild_in_two(ledger, batch=batch, progress=progress)
    return applied + catch_up(ledger, batch=batch, progress=progress)


PARALLEL_FROM = 50_000  # entries: below, a rebuild is over before a second process pays


def _two_pay(engine: Engine) -> bool:
    """Whether a rebuild folds in two processes by default: this one may fork (a process with
    other threads may not: a lock one of them holds would stay held in the child), it has two
    cores, and the ledger is large enough."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if not _forkable() or (cores or 1) < 2:
        return False
    head = stored_and_head(engine).head
    return head is not None and head + 1 >= PARALLEL_FROM


def _forkable() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


class _Part(NamedTuple):
    """One process's share of a batch: the seq it reaches, the keys of the recommendations it
    changed (and of those that had a row before the batch), and their rows as the driver's
    parameters (``_params``)."""

    seq: int
    keys: list[Key]
    stored: list[Key]
    recommendations: list[Any]
    reviews: list[Any]


_SHARE = 3  # of 10: the streams this process folds; the forked worker folds the others


def _share(stream: bytes) -> int:
    """Which process of a rebuild folds the entries of ``stream``: 0 (this one) for three
    streams in ten, 1 (the forked worker) for the others, as this one writes every row
    besides (by the stream's last byte: the same in both processes)."""
    return _ending(stream[15])


def _ending(byte: int) -> int:
    return 0 if byte % 10 < _SHARE else 1


def _endings(share: int) -> list[int]:
    """The last bytes of the streams process ``share`` folds (what it reads, ``read_routed``)."""
    return [byte for byte in range(256) if _ending(byte) == share]


@lru_cache(maxsize=1 << 16)
def _owner(key: Key) -> int:
    """The process of a rebuild that folds recommendation ``key``: its stream's."""
    return _share(recommendation_stream(*key).bytes)


_ABOUT_TOPICS = FROM_PAYLOAD  # the types the entries about one recommendation are stored as


def _rebuild_in_two(ledger: Ledger, *, batch: int, progress: Progress | None) -> int:
    """Fold the ledger from entry 0 in two processes, and write it as ``catch_up`` would, batch
    by batch with the position; return how many entries were applied.

    Each process folds the entries about its own recommendations (``_owner``: by their
    stream, so that it parses only those) and every other entry: the charter, suspensions and
    statements (what the fold keeps besides recommendations, the same in both) and the
    corrections (one of another process's recommendation finds no owner here and does
    nothing). The forked worker sends the rows of its recommendations; this process writes
    both shares and the settings, moving the position by compare-and-set in one transaction
    per batch. Anything amiss (an entry the fold refuses, one about a recommendation stored
    in another stream, the worker gone, another runner moving the position) stops it where
    the tables stand, and ``catch_up`` goes on from there in one process, which says what the
    fold refused as ever.
    """
    engine = engine_of(ledger)
    if not _forkable():
        return 0
    _ensure_position(engine)
    with engine.connect() as conn:
        state = settings_only(conn)
    head = stored_and_head(engine).head
    if state.seq != -1 or head is None:
        return 0
    history = ledger.history_before()  # read once here, not by the worker
    this = tables.current()
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    worker = context.Process(
        target=_worker, args=(ledger, sending, receiving, batch, head, history), daemon=True
    )
    worker.start()
    sending.close()
    # The worker's shares are taken off the pipe as they come (by a thread, started after the
    # fork), so that it goes on with the next batch while this process writes; it may be up to
    # two batches ahead.
    shares: queue.Queue[bytes | None] = queue.Queue(maxsize=2)
    taking = threading.Thread(target=_take, args=(receiving, shares), daemon=True)
    taking.start()
    applied = 0
    try:
        while state.seq < head:
            with collection_paused():
                done, last = state.seq, min(state.seq + batch, head)
                entries = ledger.recorder.read_routed(
                    done + 1, last, routed=_ABOUT_TOPICS, endings=_endings(0)
                )
                after = _folded_share(state, entries, last, history, 0)
                if after is None:
                    break
                ours = _part(engine.dialect, state, after)
                sent = shares.get()
                theirs = None if sent is None else _received(sent)  # None: the worker is gone
                if theirs is None or theirs.seq != after.seq:
                    break
                try:
                    with _writing(engine) as conn:
                        _move(conn, state.seq, after.seq)
                        if state.seq < 0:  # any rows left at no position go in this move
                            conn.execute(delete(this.recommendations))
                            conn.execute(delete(this.reviews))
                        # Past the first move, the position this one moved from says that the
                        # rows are those written here: only those of recommendations folded
                        # before this batch can be there.
                        _store(conn, ours.stored + theirs.stored, [ours, theirs])
                        _write_settings(conn, state, after)
                except _Moved:
                    break
            state = after
            applied += last - done
            if progress is not None:
                progress(state.seq)
    finally:
        if state.seq < head:  # stopped early: so is the worker, wherever it is
            worker.kill()
        worker.join(timeout=5)
        if worker.is_alive():
            worker.kill()
            worker.join()
        while taking.is_alive():  # the pipe is at its end once the worker is gone
            with suppress(queue.Empty):
                shares.get(timeout=0.1)
        receiving.close()
    return applied


def _take(receiving: Any, shares: queue.Queue[bytes | None]) -> None:
    """Put each share the worker sends in ``shares``, then None once it is gone."""
    try:
        while True:
            shares.put(receiving.recv_bytes())
    except (EOFError, OSError):
        shares.put(None)


def _worker(
    ledger: Ledger, sending: Any, receiving: Any, batch: int, head: int, history: date | None
) -> None:
    """The forked worker of ``_rebuild_in_two``: fold its share of each batch up to ``head``
    and send its rows, or None where its fold stops. It reads through an engine of its own,
    made as the ledger's are (its timeouts): the connections it inherited are its parent's,
    and are left untouched. It closes the pipe's reading end it inherited, so that a parent
    gone, even killed, breaks the pipe and stops it. An interrupt at the terminal is its
    parent's to handle: the parent stops it."""
    receiving.close()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()
    url = engine_of(ledger).url
    options = engine_options(url.render_as_string(hide_password=False), Timeouts.from_environment())
    engine = create_engine(url, poolclass=NullPool, **options)
    dialect = engine_of(ledger).dialect  # the parent's: the rows are its driver's parameters
    state = Status()
    try:
        while state.seq < head:
            last = min(state.seq + batch, head)
            entries = ledger.recorder.read_routed(
                state.seq + 1, last, engine=engine, routed=_ABOUT_TOPICS, endings=_endings(1)
            )
            after = _folded_share(state, entries, last, history, 1)
            sending.send_bytes(
                marshal.dumps(None if after is None else tuple(_part(dialect, state, after)))
            )
            if after is None:
                return
            state = after
    except OSError:
        return  # the parent stopped reading
    except Exception:  # the parent's catch_up reads and folds it again
        with suppress(OSError):
            sending.send_bytes(marshal.dumps(None))
    finally:
        sending.close()


def _received(data: bytes) -> _Part | None:
    """A share of a batch as the worker sent it (None: the worker's fold stopped). Sent by
    ``marshal``: the rows are plain numbers, texts and tuples, which it writes and reads back
    in about half of ``pickle``'s time."""
    found = marshal.loads(data)
    return None if found is None else _Part(*found)


def _folded_share(
    state: Status,
    entries: Sequence[tuple[int, str, bytes, bytes, str]],
    last: int,
    history: date | None,
    share: int,
) -> Status | None:
    """``state`` after process ``share``'s part of ``entries`` (``read_routed``), up to seq
    ``last``: the entries about its recommendations, and those about none (it reads those
    alone). None: the fold refused one, or an entry was not where its stream and type said
    (catch_up then folds it, in one process)."""
    events = []
    try:
        for seq, recorded_at, body, stream, topic in entries:
            alone = topic in _ABOUT_TOPICS  # parsed by the stream's process alone
            if alone and _share(stream) != share:
                continue
            item = _recorded(seq, recorded_at, body, history_before=history)
            key = None if item is None else about(item)
            if key is None or _owner(key) != share:
                if alone:
                    return None  # an entry of another stream or type than it says
                if key is not None:
                    continue
            if item is not None:
                events.append(item)
        return replace(fold(state, events), seq=last)
    except Exception:  # catch_up folds it again, and says what went wrong
        return None


def _step(ledger: Ledger, state: Status, entries: Entries, rows: Rows) -> tuple[Status, Status]:
    """Fold ``entries`` (the next after ``state``'s seq) into ``state``, given the stored rows
    of the recommendations they are about (``rows``): the state before (with those rows) and
    after. Writers write the difference; readers keep the state after (``projections.tail``).
    The garbage collector is off meanwhile (``collection_paused``)."""
    try:
        with collection_paused():
            history = ledger.history_before()
            events = [
                found
                for entry in entries
                if (found := _recorded(*entry, history_before=history)) is not None
            ]
            before = rows(state, _keys(ledger, events))
            return before, replace(fold(before, events), seq=entries[-1][0])
    except Inconsistent as exc:
        raise ProjectionFailed(NAME, exc.seq, state.seq, exc.problem) from exc


def tail(ledger: Ledger) -> Tail | None:
    """What the stored status model lacks of ``ledger``, folded in memory (None: nothing)."""
    return tail_of(ledger, _step)


def settled(ledger: Ledger) -> bool:
    """Whether the stored tables hold the ledger's head, so that what the database counts in
    them is exact (else the caller reads the rows, through the reads here)."""
    return tail(ledger) is None


def in_force(ledger: Ledger) -> str | None:
    """The read-model format whose tables are in force (None: none made yet); when it is not
    this code's (``projections.tables.FORMAT``), ``catch_up`` builds this one beside it."""
    return stored_and_head(engine_of(ledger)).pointer


def position(ledger: Ledger) -> int:
    """The seq of the last entry the stored status tables applied (-1: none yet)."""
    stored = stored_and_head(engine_of(ledger)).stored
    return -1 if stored is None else stored


def stored(ledger: Ledger, *, panel: int | None = None) -> Status:
    """The status read model as the tables hold it once up to date (of one panel's
    recommendations alone, read by the key's first column, when ``panel`` is given)."""
    behind = tail(ledger)
    if behind is None:
        with reading(ledger) as conn:
            return load(conn, panel=panel)
    found: dict[Key, RecommendationStatus] = {}
    if not behind.whole:
        with reading(ledger) as conn:
            found.update(load(conn, panel=panel).recommendations)
    found.update((rec.key, rec) for rec in behind.rows(_in_panel(panel)))
    return _holding(behind.state, found.values())


def stored_one(ledger: Ledger, key: Key) -> tuple[Status, RecommendationStatus | None]:
    """The settings and position of the status model, and one recommendation's row (by key)."""
    behind = tail(ledger)
    if behind is None:
        with reading(ledger) as conn:
            state = with_rows(conn, settings_only(conn), {key})
        return state, state.recommendations.get(key)
    found = behind.state.recommendations.get(key)
    if found is None and not behind.whole:
        with reading(ledger) as conn:
            found = with_rows(conn, Status(), {key}).recommendations.get(key)
    state = _holding(behind.state, () if found is None else (found,))
    return state, found


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
    behind = tail(ledger)
    if behind is not None and behind.whole:
        state, rows = behind.state, []
    else:
        with reading(ledger) as conn:
            state = settings_only(conn) if behind is None else behind.state
            more = 0 if behind is None else len(behind.state.recommendations)
            query = _after(state, after, where, words, overdue_on).limit(limit + more)
            rows = list(map(from_row, conn.execute(query).scalars()))
    if behind is not None:
        keep = _passing(state, after, where, words, overdue_on)
        rows = [rec for rec in rows if rec.key not in behind.state.recommendations]
        rows = sorted([*rows, *behind.rows(keep)], key=lambda rec: rec.key)
    return _holding(state, rows[:limit])


def _after(
    state: Status,
    after: Key | None,
    where: Mapping[str, object],
    words: Sequence[str],
    overdue_on: date | None,
) -> Select[tuple[str]]:
    """The query of ``stored_after``, in board order, without its limit."""
    column = tables.current().recommendations.c
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
    if overdue_on is not None:
        query = query.where(_maybe_overdue(state, overdue_on))
    return query.order_by(column.panel, column.number)


def _maybe_overdue(state: Status, on: date) -> ColumnElement[bool]:
    """Rows with a review awaiting an answer and handed over before the first day whose review
    would not be overdue on ``on`` (ISO dates compare as text)."""
    column = tables.current().recommendations.c
    return or_(
        *(
            and_(
                column.awaiting.contains(f",{review},"),
                column.handed_over < first_not_overdue(on, months).isoformat(),
            )
            for review, months in enumerate(state.offsets, start=1)
        )
    )


Row = dict[str, Any]


def _passing(
    state: Status,
    after: Key | None,
    where: Mapping[str, object],
    words: Sequence[str],
    overdue_on: date | None,
) -> Callable[[Row], bool]:
    """``_after``'s conditions on a row in memory (the tail's ``query_columns``)."""
    limits = [
        (f",{review},", first_not_overdue(overdue_on, months).isoformat())
        for review, months in enumerate(state.offsets, start=1)
        if overdue_on is not None
    ]

    def keep(row: Row) -> bool:
        return (
            (after is None or (row["panel"], row["number"]) > after)
            and all(row[name] == value for name, value in where.items())
            and all(word in row["words"] for word in words)
            and (
                overdue_on is None
                or any(
                    review in row["awaiting"]
                    and row["handed_over"] is not None
                    and row["handed_over"] < before
                    for review, before in limits
                )
            )
        )

    return keep


def _in_panel(panel: int | None) -> Callable[[Row], bool]:
    return lambda row: panel is None or row["panel"] == panel


def _holding(state: Status, recs: Iterable[RecommendationStatus]) -> Status:
    """``state`` holding ``recs`` alone, in board order."""
    found = {rec.key: rec for rec in sorted(recs, key=lambda rec: rec.key)}
    return replace(state, recommendations=MappingProxyType(found))


def stored_by_said(
    ledger: Ledger, *, before: int | None, limit: int, portfolio: str | None = None
) -> list[RecommendationStatus]:
    """At most ``limit`` stored recommendations with an answer or a verdict, the one with the
    newest first (by ``said_seq``, indexed), those whose newest is before seq ``before``; with
    ``portfolio``, only those it is answerable for, alone or shared."""
    behind = tail(ledger)
    column = tables.current().recommendations.c
    query = select(column.detail).where(column.said_seq.is_not(None))
    if before is not None:
        query = query.where(column.said_seq < before)
    if portfolio is not None:
        shared = column.shared_with.contains(f",{portfolio},", autoescape=True)
        query = query.where(or_(column.portfolio == portfolio, shared))
    more = 0 if behind is None else len(behind.state.recommendations)
    query = query.order_by(column.said_seq.desc()).limit(limit + more)
    found: list[RecommendationStatus] = []
    if behind is None or not behind.whole:
        with reading(ledger) as conn:
            found = [from_row(detail) for detail in conn.execute(query).scalars()]
    if behind is None:
        return found

    def keep(row: Row) -> bool:
        return (
            row["said_seq"] is not None
            and (before is None or row["said_seq"] < before)
            and (
                portfolio is None
                or row["portfolio"] == portfolio
                or f",{portfolio}," in row["shared_with"]
            )
        )

    found = [rec for rec in found if rec.key not in behind.state.recommendations]
    found.extend(behind.rows(keep))
    found.sort(key=lambda rec: -(said_seq(rec) or 0))
    return found[:limit]


def stored_bare(ledger: Ledger) -> Status:
    """The position and settings of the status model, without any recommendation."""
    behind = tail(ledger)
    if behind is not None:
        return _holding(behind.state, ())
    with reading(ledger) as conn:
        return settings_only(conn)


def stored_counts(ledger: Ledger) -> dict[int, int]:
    """How many stored recommendations each panel has (the panels with any)."""
    column = tables.current().recommendations.c
    query = select(column.panel, func.count()).group_by(column.panel)
    behind = tail(ledger)
    counts: Counter[int] = Counter()
    if behind is None or not behind.whole:
        with reading(ledger) as conn:
            counts.update({int(panel): int(count) for panel, count in conn.execute(query)})
            if behind is not None:  # the tail's rows are counted from the tail
                counts.subtract(key[0] for key in _stored_keys(conn, behind))
    if behind is not None:
        counts.update(key[0] for key in behind.state.recommendations)
    return {panel: count for panel, count in sorted(counts.items()) if count}


def stored_choices(ledger: Ledger) -> tuple[int, list[str]]:
    """The highest panel number and every portfolio the stored rows name, in order (for a
    filter form). Both are read from the indexes, in a few steps however many rows there are:
    the maximum, and the portfolios one after the other (a loose index scan)."""
    column = tables.current().recommendations.c
    behind = tail(ledger)
    highest, names = 0, []
    if behind is None or not behind.whole:
        with reading(ledger) as conn:
            highest = int(conn.execute(select(func.max(column.panel))).scalar() or 0)
            table = tables.current().recommendations.name
            names = list(conn.execute(text(_PORTFOLIOS.format(table=table))).scalars())
            if behind is not None:
                names = _still_named(conn, behind, names)
    if behind is None:
        return highest, names
    recs = behind.state.recommendations.values()
    highest = max([highest, *(rec.panel for rec in recs)])
    return highest, sorted({*names, *(rec.portfolio for rec in recs)})


def _still_named(conn: Connection, behind: Tail, names: list[str]) -> list[str]:
    """The portfolios of ``names`` that a stored row the tail does not replace still names."""
    column = tables.current().recommendations.c
    replaced = Counter(_stored_keys(conn, behind).values())
    count = select(func.count()).where(column.portfolio == bindparam("name"))
    return [
        name
        for name in names
        if not replaced[name] or conn.execute(count, {"name": name}).scalar_one() > replaced[name]
    ]


def _stored_keys(conn: Connection, behind: Tail) -> dict[Key, str]:
    """The tail's recommendations that have a stored row, and the portfolio that row names."""
    column = tables.current().recommendations.c
    keys = sorted(behind.state.recommendations)
    found: dict[Key, str] = {}
    for first in range(0, len(keys), _KEYS):
        chunk = keys[first : first + _KEYS]
        query = select(column.panel, column.number, column.portfolio).where(
            tuple_(column.panel, column.number).in_(chunk)
        )
        found.update(
            ((int(panel), int(number)), name) for panel, number, name in conn.execute(query)
        )
    return found


def stored_numbers(ledger: Ledger, panel: int) -> list[int]:
    """The numbers of the recommendations panel ``panel`` adopted, in order."""
    behind = tail(ledger)
    column = tables.current().recommendations.c
    numbers: set[int] = set()
    if behind is None or not behind.whole:
        query = select(column.number).where(column.panel == panel)
        with reading(ledger) as conn:
            numbers.update(int(number) for number in conn.execute(query).scalars())
    if behind is not None:
        numbers.update(number for at, number in behind.state.recommendations if at == panel)
    return sorted(numbers)


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
    table = tables.current().recommendations
    query = select(table.c.detail)
    if panel is not None:
        query = query.where(table.c.panel == panel)
    rows = conn.execute(query).scalars()
    found = {status.key: status for status in map(from_row, rows)}
    return replace(settings_only(conn), recommendations=MappingProxyType(found))


def write(conn: Connection, before: Status, after: Status) -> None:
    """Write what changed from ``before`` to ``after``, and move the position from
    ``before``'s to ``after``'s (raise ``_Moved`` if it is no longer ``before``'s)."""
    _move(conn, before.seq, after.seq)
    part = _part(conn.dialect, before, after)
    # Every changed recommendation's rows are deleted first, even one adopted in this batch:
    # tables whose position was lost (a format's settings cleared, a rebuild over them) may
    # still hold its rows, and skipping them broke the insert on the primary key.
    _store(conn, part.keys, [part])
    _write_settings(conn, before, after)


def _move(conn: Connection, before: int, after: int) -> None:
    """Move the position from ``before`` to ``after`` (raise ``_Moved`` if it is not
    ``before``)."""
    this = tables.current()
    moved = conn.execute(
        update(positions)
        .where(positions.c.name == this.name, positions.c.seq == before)
        .values(seq=after)
    )
    if moved.rowcount != 1:
        raise _Moved


def _part(dialect: Dialect, before: Status, after: Status) -> _Part:
    """The rows of the recommendations that changed from ``before`` to ``after``, as
    ``dialect``'s driver takes them."""
    this = tables.current()
    had = before.recommendations
    changed = [
        status for key, status in after.recommendations.items() if had.get(key) is not status
    ]
    rows = [recommendation_row(s, reviews=len(after.offsets)) for s in changed]
    due = [row for s in changed for row in review_rows(s, after.offsets)]
    keys = [status.key for status in changed]
    return _Part(
        after.seq,
        keys,
        [key for key in keys if key in had],
        _params(this.recommendations, dialect, rows),
        _params(this.reviews, dialect, due),
    )


def _store(conn: Connection, keys: list[Key], parts: Sequence[_Part]) -> None:
    """Delete the rows of the recommendations ``keys``, and insert the rows of ``parts``
    (several in the order of their keys, as one part's are)."""
    this = tables.current()
    stored = _runs(sorted(keys))  # by runs of consecutive numbers: one statement per run
    if stored:
        for table in (this.recommendations, this.reviews):
            conn.execute(
                delete(table).where(
                    table.c.panel == bindparam("key_panel"),
                    table.c.number.between(bindparam("first"), bindparam("last")),
                ),
                stored,
            )
    for table, rows in (
        (this.recommendations, [row for part in parts for row in part.recommendations]),
        (this.reviews, [row for part in parts for row in part.reviews]),
    ):
        if len(parts) > 1:
            rows.sort(key=_keyed(table, conn.dialect))
        _insert_many(conn, table, rows)


@lru_cache(maxsize=64)
def _keyed(table: Table, dialect: Dialect) -> Callable[[Any], Any]:
    """The primary key of a row of ``table`` as ``_params`` gives it for ``dialect``."""
    key = [column.name for column in table.primary_key.columns]
    names = _inserting(table, dialect)[1]
    return itemgetter(*(key if names is None else [names.index(name) for name in key]))


def _write_settings(conn: Connection, before: Status, after: Status) -> None:
    """Write ``after``'s settings if they are not ``before``'s."""
    if (before.offsets, before.suspensions, before.statements) != (
        after.offsets,
        after.suspensions,
        after.statements,
    ):
        name = tables.current().name
        conn.execute(delete(settings).where(settings.c.name == name))
        conn.execute(insert(settings).values(name=name, value=settings_value(after)))


def _runs(keys: list[Key]) -> list[dict[str, int]]:
    """``keys`` (sorted) as runs of consecutive numbers in one panel, each every key from
    ``first`` to ``last``: ``(1, 1), (1, 2), (1, 4)`` are the runs 1/1-2 and 1/4."""
    found: list[dict[str, int]] = []
    for panel, number in keys:
        if found and found[-1]["key_panel"] == panel and found[-1]["last"] == number - 1:
            found[-1]["last"] = number
        else:
            found.append({"key_panel": panel, "first": number, "last": number})
    return found


def _params(table: Table, dialect: Dialect, rows: list[dict[str, Any]]) -> list[Any]:
    """``rows`` (each with every column of ``table``) as the parameters of ``_inserting``'s
    statement for ``dialect``."""
    names = _inserting(table, dialect)[1]
    return rows if names is None or not rows else list(map(itemgetter(*names), rows))


def _insert_many(conn: Connection, table: Table, params: list[Any]) -> None:
    """Insert rows (``_params``) by the driver's ``executemany`` on the statement compiled
    once: the columns are plain numbers and texts, which need no conversion, and
    SQLAlchemy's work per parameter set was a rebuild's largest cost after the fold."""
    if params:
        conn.exec_driver_sql(_inserting(table, conn.dialect)[0], params)


@lru_cache(maxsize=64)
def _inserting(table: Table, dialect: Dialect) -> tuple[str, tuple[str, ...] | None]:
    """The ``INSERT`` of every column of ``table`` for ``dialect`` (an engine's), and the
    order its positional parameters take (None: it takes them by name)."""
    compiled = insert(table).compile(dialect=dialect)
    names = compiled.positiontup
    return str(compiled), None if names is None else tuple(names)


def _keys(ledger: Ledger, events: Sequence[Parsed]) -> set[Key]:
    """The recommendations ``events`` are about, as far as they were adopted before them.

    A correction is about the recommendation of the entry it supersedes; when that entry is
    not among ``events`` it is read from the ledger (by seq, an indexed read).
    """
    keys: set[Key] = set()
    here = {item.seq for item in events}
    adopted: set[Key] = set()  # here: no stored row to read (a rebuild adopts thousands)
    for item in events:
        key = about(item)
        if key is not None:
            (adopted if item.type == ADOPTED else keys).add(key)
        elif isinstance(item.event, CorrectionRecorded) and item.event.supersedes not in here:
            found = ledger.recorder.read_bodies(start=item.event.supersedes, limit=1)
            earlier = _recorded(*found[0]) if found else None
            if earlier is not None and (key := about(earlier)) is not None:
                keys.add(key)
    return keys - adopted


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
    """Create this format's tables beside any other format's (or in place of an older format
    whose tables have the same names).

    Two runners may start on a new database at once: PostgreSQL then refuses the second
    ``CREATE TABLE`` of a pair; the loser finds the winner's tables on its second try.

    Tables already in this format are found by one read, without a write transaction, so that
    a writer whose catching up has nothing to do does not queue for SQLite's writer lock.
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
    """Whether this format's tables are the ones in force and have applied the ledger's last
    entry: one indexed read, so that a writer with nothing to catch up does nothing."""
    found, this = stored_and_head(engine), tables.current()
    return (
        found.pointer == this.format
        and found.stored is not None
        and found.head is not None
        and found.stored == found.head
    )


def _ready(engine: Engine) -> bool:
    """Whether this format's tables are there, with their position (a read)."""
    return stored_and_head(engine).stored is not None


def _create(engine: Engine) -> None:
    this = tables.current()
    metadata.create_all(engine)  # the positions and the settings, shared by every format
    with engine.begin() as conn:
        _lock(conn)  # one runner at a time decides, so none drops tables another just made
        found = conn.execute(select(settings.c.value).where(settings.c.name == POINTER)).scalar()
        if found is None:
            conn.execute(insert(settings).values(name=POINTER, value=this.format))
        elif (
            found != this.format and layout(found).recommendations.name == this.recommendations.name
        ):
            # An older format in tables of the same names: derived data, made again in place.
            layout(found).metadata.drop_all(conn)
            conn.execute(delete(settings).where(settings.c.name == this.name))
            conn.execute(delete(positions).where(positions.c.name == this.name))
            pointed = update(settings).where(settings.c.name == POINTER)
            conn.execute(pointed.values(value=this.format))
        this.metadata.create_all(conn)
    _ensure_position(engine)


def _switch(engine: Engine) -> None:
    """Once this format's tables hold the head, make them the ones in force: the ``format`` row
    points at them and the older format's position and settings go, in one transaction; its
    tables are dropped after. A writer of an older release never points back."""
    this = tables.current()
    if stored_and_head(engine).pointer == this.format:
        return
    with engine.begin() as conn:
        _lock(conn)
        found = conn.execute(select(settings.c.value).where(settings.c.name == POINTER)).scalar()
        if found is None or found == this.format or not _older(found, this.format):
            return
        old = layout(found)
        conn.execute(update(settings).where(settings.c.name == POINTER).values(value=this.format))
        conn.execute(delete(settings).where(settings.c.name == old.name))
        conn.execute(delete(positions).where(positions.c.name == old.name))
    with suppress(DBAPIError):  # a reader of the old release holds them: left, derived data
        old.metadata.drop_all(engine)


def _older(found: str, this: str) -> bool:
    """Whether format ``found`` came before format ``this`` (formats are numbered)."""
    return found.isdigit() and this.isdigit() and int(found) < int(this)


def _lock(conn: Connection) -> None:
    """Hold the projections' lock until the transaction ends."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('projection_tables'))"))
    else:  # SQLite: any write statement takes the database's writer lock
        conn.execute(update(settings).where(settings.c.name == POINTER).values(name=POINTER))


def _ensure_position(engine: Engine) -> None:
    """Give the status model a position row (-1) if it has none, so moves are updates."""
    name = tables.current().name
    with engine.connect() as conn:
        if conn.execute(select(positions.c.seq).where(positions.c.name == name)).first():
            return
    try:
        with engine.begin() as conn:
            conn.execute(insert(positions).values(name=name, seq=-1))
    except IntegrityError:
        pass  # another runner made it first


@contextmanager
def reading(ledger: Ledger) -> Iterator[Connection]:
    """A connection to read the status model's tables (it writes nothing, and makes nothing:
    the reads above ask ``tail`` first whether the tables are there and up to date)."""
    with engine_of(ledger).connect() as conn:
        yield conn
