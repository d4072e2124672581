"""The tracked runner: folds new ledger entries into the status tables, each exactly once.

Each batch is read from the stored position + 1, folded, and written with the new position in
one transaction, so the tables and the position always move together: a crash (or a projection
that stops on an entry) leaves the previous position and rows, and the next run picks up there.
``rebuild`` drops the rows and the position and folds from entry 0.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from sqlalchemy import Connection, bindparam, delete, insert, select
from sqlalchemy.engine import Engine

from domain.errors import RuleBroken
from domain.events import Recorded
from ledger import Ledger
from projections.errors import Inconsistent, ProjectionFailed
from projections.status import Status, fold, recorded
from projections.tables import (
    from_row,
    metadata,
    positions,
    recommendation_row,
    recommendations,
    settings,
    settings_value,
    with_settings,
)

NAME = "status"
BATCH = 1000


def catch_up(ledger: Ledger, *, batch: int = BATCH) -> int:
    """Fold every entry after the stored position; return how many entries were applied."""
    engine = _engine(ledger)
    metadata.create_all(engine)
    with engine.connect() as conn:
        state = load(conn)
    applied = 0
    while True:
        entries = ledger.recorder.read_entries(start=state.seq + 1, limit=batch)
        if not entries:
            return applied
        events: list[Recorded] = []
        try:
            for entry in entries:
                try:
                    found = recorded(entry)
                except RuleBroken as exc:  # an undecodable payload
                    raise Inconsistent(entry.seq, str(exc)) from exc
                if found is not None:
                    events.append(found)
            folded = replace(fold(state, events), seq=entries[-1].seq)
        except Inconsistent as exc:
            raise ProjectionFailed(NAME, exc.seq, state.seq, exc.problem) from exc
        with engine.begin() as conn:
            write(conn, state, folded)
        state = folded
        applied += len(entries)


def rebuild(ledger: Ledger, *, batch: int = BATCH) -> int:
    """Drop the status rows and position, then fold the whole ledger; return entries applied."""
    engine = _engine(ledger)
    metadata.create_all(engine)
    with engine.begin() as conn:
        for table in (recommendations, settings):
            conn.execute(delete(table))
        conn.execute(delete(positions).where(positions.c.name == NAME))
    return catch_up(ledger, batch=batch)


def position(ledger: Ledger) -> int:
    """The seq of the last entry the status projection applied (-1: none yet)."""
    engine = _engine(ledger)
    metadata.create_all(engine)
    with engine.connect() as conn:
        return _position(conn)


def stored(ledger: Ledger) -> Status:
    """The status read model as the tables hold it."""
    engine = _engine(ledger)
    metadata.create_all(engine)
    with engine.connect() as conn:
        return load(conn)


def load(conn: Connection) -> Status:
    """The state the stored rows and position stand for."""
    rows = conn.execute(select(recommendations.c.detail)).scalars()
    found = {status.key: status for status in map(from_row, rows)}
    state = Status(MappingProxyType(found), seq=_position(conn))
    value = conn.execute(select(settings.c.value).where(settings.c.name == NAME)).scalar()
    return state if value is None else with_settings(state, value)


def write(conn: Connection, before: Status, after: Status) -> None:
    """Write what changed from ``before`` to ``after``, and ``after``'s position."""
    changed = [
        status
        for key, status in after.recommendations.items()
        if before.recommendations.get(key) is not status
    ]
    if changed:
        conn.execute(
            delete(recommendations).where(
                recommendations.c.panel == bindparam("key_panel"),
                recommendations.c.number == bindparam("key_number"),
            ),
            [{"key_panel": status.panel, "key_number": status.number} for status in changed],
        )
        conn.execute(insert(recommendations), [recommendation_row(s) for s in changed])
    if (before.offsets, before.suspensions) != (after.offsets, after.suspensions):
        conn.execute(delete(settings).where(settings.c.name == NAME))
        conn.execute(insert(settings).values(name=NAME, value=settings_value(after)))
    conn.execute(delete(positions).where(positions.c.name == NAME))
    conn.execute(insert(positions).values(name=NAME, seq=after.seq))


def _position(conn: Connection) -> int:
    seq = conn.execute(select(positions.c.seq).where(positions.c.name == NAME)).scalar()
    return -1 if seq is None else int(seq)


def _engine(ledger: Ledger) -> Engine:
    engine = ledger.recorder.datastore.engine
    assert isinstance(engine, Engine)
    return engine
