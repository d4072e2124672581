"""Storage on eventsourcing 9.5 with eventsourcing-sqlalchemy, on a SQLite file or PostgreSQL.

Every event is stored once by eventsourcing's application recorder (table ``ledger_events``:
stream id, stream version, type as topic, canonical body as state). ``LedgerRecorder`` extends
that recorder so the same transaction also writes the event's entry (table ``ledger_entries``:
gapless ``seq``, ``prev``, signature, ``recorded_at``, hash, and eventsourcing's notification id as
a cross-reference). Any error rolls both back. On PostgreSQL eventsourcing's ``LOCK TABLE ... IN
EXCLUSIVE MODE`` keeps appends serial; on SQLite the database's single writer does.

Triggers make both tables, and the metadata table, append-only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from eventsourcing.persistence import OperationalError, PersistenceError, StoredEvent
from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    func,
    inspect,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ledger.canonical import ZERO_HASH, entry_hash
from ledger.connections import LedgerDatastore
from ledger.entry import Entry, SignedEvent, parse_body
from ledger.errors import AlreadyInitialised, NotALedger, StreamVersionConflict
from ledger.faults import storage_fault
from ledger.identity import IDENTITY_STREAM, identity_of
from ledger.signers import signer_stream

FORMAT = "assembly-ledger/1"
EVENTS_TABLE = "ledger_events"
ENTRIES_TABLE = "ledger_entries"
META_TABLE = "ledger_meta"

_metadata = MetaData()
SeqType = BigInteger().with_variant(Integer(), "sqlite")  # 64-bit; SQLite's rowid type

entries_table = Table(
    ENTRIES_TABLE,
    _metadata,
    Column("seq", SeqType, primary_key=True, autoincrement=False),
    Column("notification_id", SeqType, nullable=False, unique=True),
    Column("prev", LargeBinary(32), nullable=False),
    Column("sig", LargeBinary(64), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
)

meta_table = Table(
    META_TABLE,
    _metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text(), nullable=False),
)

_STATE_SQL = f"""
SELECT (SELECT seq FROM {ENTRIES_TABLE} ORDER BY seq DESC LIMIT 1),
       (SELECT hash FROM {ENTRIES_TABLE} ORDER BY seq DESC LIMIT 1),
       (SELECT count(*) FROM {EVENTS_TABLE} WHERE originator_id = :stream),
       (SELECT count(*) FROM {EVENTS_TABLE} WHERE originator_id = :signer),
       (SELECT count(*) FROM {EVENTS_TABLE} WHERE originator_id = :identity)
"""
_COUNT_SQL = f"SELECT count(*) FROM {EVENTS_TABLE} WHERE originator_id = :stream"
_ENTRIES_SQL = f"""
INSERT INTO {ENTRIES_TABLE} (seq, notification_id, prev, sig, recorded_at, hash)
VALUES (:seq, :notification_id, :prev, :sig, :recorded_at, :hash)
"""
_IN_LIMIT = 500  # values bound in one IN list: far below SQLite's and PostgreSQL's limits
_STATE_AFTER_LOCK = "ledger: state query to run with the table lock"
_STATE_READ = "ledger: state read with the table lock"
_SQLITE_GUARD = """
CREATE TRIGGER IF NOT EXISTS {table}_no_{op} BEFORE {OP} ON {table}
BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: {OP} on {table} refused'); END
"""
_POSTGRES_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME; END $$
"""
_POSTGRES_GUARDS = """
CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()
"""


@dataclass(frozen=True)
class AppendPoint:
    """What the append path sees inside the write transaction, once the head is known."""

    seq: int  # of the first new entry
    recorded_at: str  # the ledger's clock reading, shared by the new entries
    signer_events: int  # events already in the signer's own stream (1: enrolled, not revoked)
    lookup: Callable[[Collection[str]], list[dict[str, Any]]]  # keys' enrolment, revocation
    identity: Callable[[], str | None]  # the ledger's identity before this append (None: empty)


# Called inside the append transaction; raises to refuse the append (and so roll back the
# events already inserted).
Admit = Callable[[AppendPoint], None]


class LedgerRecorder(SQLAlchemyApplicationRecorder):
    """eventsourcing's SQLAlchemy application recorder, extended to write the chain."""

    def __init__(self, datastore: SQLAlchemyDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.tables.extend([entries_table, meta_table])
        self.events = self.events_record_cls.__table__
        # The append path runs these in every transaction. They go to the driver as written:
        # SQLAlchemy's statement handling cost more than the statements themselves.
        engine = datastore.engine
        assert isinstance(engine, Engine)
        self._postgres = engine.dialect.name == "postgresql"
        self._state_sql = self._driver_sql(_STATE_SQL)
        self._count_sql = self._driver_sql(_COUNT_SQL)
        self._entries_sql = self._driver_sql(_ENTRIES_SQL)
        self._signers_query = (
            select(self.events.c.id, self.events.c.state)
            .where(
                self.events.c.originator_id.in_(
                    bindparam("streams", expanding=True, type_=self.events.c.originator_id.type)
                )
            )
            .order_by(self.events.c.originator_id, self.events.c.originator_version)
        )
        # (events in the identity stream, the identity they give): declarations are rare, so
        # the append path reads the identity again only when their count changes.
        self._identity: tuple[int, str] | None = None
        self.clock: Callable[[], str] = _no_clock
        self.location = "the ledger database"  # for messages; open_recorder names it

    # -- schema ---------------------------------------------------------------------------

    def create_table(self) -> None:
        """Create the tables and their append-only guards (once, by `assembly init`)."""
        super().create_table()
        engine = _engine(self)
        with engine.begin() as conn:
            if self._postgres:
                conn.execute(text(_POSTGRES_GUARD_FUNCTION))
            for table in (EVENTS_TABLE, ENTRIES_TABLE, META_TABLE):
                guard_table(conn, table, function=False)
            # Signers and adopted recommendations are looked up by type: an index, not a scan.
            conn.execute(text(f"CREATE INDEX {EVENTS_TABLE}_topic ON {EVENTS_TABLE} (topic)"))
            conn.execute(meta_table.insert().values(key="format", value=FORMAT))

    # -- writing --------------------------------------------------------------------------

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if "signed" not in kwargs:
            raise AssertionError("ledger events are written through Ledger.append, signed")
        return super().insert_events(stored_events, **kwargs)

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        signed: Sequence[SignedEvent] = kwargs["signed"]
        expected_version: int = kwargs["expected_version"]
        admit: Admit = kwargs["admit"]
        out: list[Entry] = kwargs["out"]
        stream = stored_events[0].originator_id
        streams = {
            "stream": self._uuid(stream),
            "signer": self._uuid(kwargs["signer_stream"]),
            "identity": self._uuid(IDENTITY_STREAM),
        }
        if self._postgres:
            # Read the chain's state in the same round trip as eventsourcing's table lock:
            # before this insert, and under the lock, so nothing can change it until commit.
            session.info[_STATE_AFTER_LOCK] = self._state_sql % {
                name: f"'{value}'::uuid" for name, value in streams.items()
            }
        notification_ids = super()._insert_stored_events(session, stored_events)
        if self._postgres:
            top, top_hash, before, signer_events, declared = session.info.pop(_STATE_READ)
        else:
            # SQLite: the insert took the database's writer lock; read the state under it.
            top, top_hash, in_stream, signer_events, declared = (
                session.connection().exec_driver_sql(self._state_sql, streams).one()
            )
            before = in_stream - sum(1 for e in stored_events if e.originator_id == stream)
            declared -= sum(1 for e in stored_events if e.originator_id == IDENTITY_STREAM)
        # Every stream's versions run 1..n (the ledger only ever appends the next ones), so the
        # count before this insert is the stream's version.
        if before != expected_version:
            raise StreamVersionConflict(str(stream), expected_version, before)
        # The other streams of a multi-stream append, counted after the insert (and under the
        # same lock): all of them are at their expected versions, or nothing is written.
        also: Sequence[tuple[uuid.UUID, int, int]] = kwargs.get("also", ())
        for other, expected, added in also:
            found = session.connection().exec_driver_sql(
                self._count_sql, {"stream": self._uuid(other)}
            )
            other_before = found.scalar_one() - added
            if other_before != expected:
                raise StreamVersionConflict(str(other), expected, other_before)
        seq, prev = (0, ZERO_HASH) if top is None else (top + 1, bytes(top_hash))
        recorded_at = self.clock()
        new = set(notification_ids)

        def lookup(key_ids: Collection[str]) -> list[dict[str, Any]]:
            streams = [signer_stream(key_id) for key_id in sorted(key_ids)]
            rows = session.execute(self._signers_query, {"streams": streams})
            return [
                parse_body(bytes(row.state), canonical=False) for row in rows if row.id not in new
            ]

        def identity() -> str | None:
            if top is None:
                return None
            if self._identity is None or self._identity[0] != declared:
                found = self._read_identity(session, new)
                assert found is not None, "a ledger with a head has an entry 0"
                self._identity = (int(declared), found)
            return self._identity[1]

        admit(AppendPoint(seq, recorded_at, signer_events, lookup, identity))
        rows = []
        for event, notification_id in zip(signed, notification_ids, strict=True):
            digest = entry_hash(
                seq=seq, prev=prev, body=event.body, sig=event.sig, recorded_at=recorded_at
            )
            rows.append(
                {
                    "seq": seq,
                    "notification_id": notification_id,
                    "prev": prev,
                    "sig": event.sig,
                    "recorded_at": recorded_at,
                    "hash": digest,
                }
            )
            out.append(Entry(seq, prev, event.body, event.sig, recorded_at, digest))
            seq, prev = seq + 1, digest
        session.connection().exec_driver_sql(self._entries_sql, rows[0] if len(rows) == 1 else rows)
        return notification_ids

    def _read_identity(self, session: Session, new: Collection[int] = ()) -> str | None:
        genesis = session.execute(self._entries_query().where(entries_table.c.seq == 0)).first()
        if genesis is None:
            return None
        rows = session.execute(self._signers_query, {"streams": [IDENTITY_STREAM]})
        declarations = [bytes(row.state) for row in rows if row.id not in new]
        return identity_of(bytes(genesis.state), bytes(genesis.hash), declarations)

    def identity(self) -> str | None:
        """Return the ledger's identity, which every new signature names (None: empty)."""
        with self.transaction(commit=False) as session:
            return self._read_identity(session)

    # -- where the ledger lives -----------------------------------------------------------

    def place(self) -> str:
        """Where this database is: a SQLite file's real path, or PostgreSQL's system
        identifier, database and schema (what a copy of the database does not share)."""
        engine = _engine(self)
        if not self._postgres:
            return f"sqlite:{Path(str(engine.url.database)).resolve()}"
        with engine.connect() as conn:
            database, schema = conn.execute(
                text("SELECT current_database(), current_schema()")
            ).one()
            try:
                with conn.begin_nested():
                    system = conn.execute(
                        text("SELECT system_identifier FROM pg_control_system()")
                    ).scalar_one()
            except SQLAlchemyError:  # not granted to this role: the server's address instead
                system = f"{engine.url.host}:{engine.url.port or 5432}"
        return f"postgresql:{system}/{database}/{schema}"

    def home(self) -> str | None:
        """Where the ledger was made, or last recorded as moved or copied (None: not recorded,
        as in ledgers of earlier releases)."""
        query = (
            select(meta_table.c.value)
            .where(meta_table.c.key.like("home@%"))
            .order_by(meta_table.c.key.desc())
            .limit(1)
        )
        with _engine(self).connect() as conn:
            return conn.execute(query).scalar()

    def record_home(self, place: str) -> None:
        """Record ``place`` as the ledger's home from now on (the metadata is append-only: each
        record is a new row, the last one counts)."""
        with _engine(self).begin() as conn:
            count = conn.execute(
                select(func.count()).where(meta_table.c.key.like("home@%"))
            ).scalar_one()
            conn.execute(meta_table.insert().values(key=f"home@{count + 1:06d}", value=place))

    def _lock_table(self, session: Session) -> None:
        state_sql = session.info.pop(_STATE_AFTER_LOCK, None)
        if state_sql is None:
            super()._lock_table(session)
            return
        import psycopg

        dbapi = session.connection().connection.dbapi_connection
        assert dbapi is not None
        cursor: Any = dbapi.cursor()
        try:
            cursor.execute(f"LOCK TABLE {self.events_table_name} IN EXCLUSIVE MODE; {state_sql}")
            cursor.nextset()
            session.info[_STATE_READ] = cursor.fetchone()
        except psycopg.Error as exc:
            raise OperationalError(exc) from exc
        finally:
            cursor.close()

    def _driver_sql(self, sql: str) -> str:
        return re.sub(r":(\w+)", r"%(\1)s", sql) if self._postgres else sql

    def _uuid(self, value: uuid.UUID | str) -> Any:
        # As eventsourcing-sqlalchemy stores stream ids: native on PostgreSQL, 16 bytes elsewhere.
        value = value if isinstance(value, uuid.UUID) else uuid.UUID(value)
        return value if self._postgres else value.bytes

    # -- reading --------------------------------------------------------------------------

    def _entries_query(self) -> Any:
        return select(
            entries_table.c.seq,
            entries_table.c.prev,
            self.events.c.state,
            entries_table.c.sig,
            entries_table.c.recorded_at,
            entries_table.c.hash,
        ).join(self.events, self.events.c.id == entries_table.c.notification_id)

    def head(self) -> tuple[int, bytes] | None:
        """Return the seq and hash of the last entry, or None for an empty ledger."""
        with self.transaction(commit=False) as session:
            row = session.execute(
                select(entries_table.c.seq, entries_table.c.hash)
                .order_by(entries_table.c.seq.desc())
                .limit(1)
            ).first()
        return None if row is None else (row.seq, bytes(row.hash))

    def read_entries(self, *, start: int = 0, limit: int | None = None) -> list[Entry]:
        """Return entries from ``start`` in seq order (at most ``limit``)."""
        query = self._entries_query().where(entries_table.c.seq >= start)
        query = query.order_by(entries_table.c.seq).limit(limit)
        with self.transaction(commit=False) as session:
            return [_entry(row) for row in session.execute(query)]

    def read_bodies(
        self, *, start: int = 0, limit: int, engine: Engine | None = None
    ) -> list[tuple[int, str, bytes]]:
        """Return ``(seq, recorded_at, body)`` of entries from ``start`` in seq order: what a
        read model folds, without the chain's columns or building ``Entry`` objects.

        ``engine``: read through it rather than the recorder's own (a forked process, which
        must not use the connections it inherited: ``projections.runner.rebuild``)."""
        query = (
            select(entries_table.c.seq, entries_table.c.recorded_at, self.events.c.state)
            .join(self.events, self.events.c.id == entries_table.c.notification_id)
            .where(entries_table.c.seq >= start)
            .order_by(entries_table.c.seq)
            .limit(limit)
        )
        with (engine or _engine(self)).connect() as conn:
            return [(seq, at, bytes(body)) for seq, at, body in conn.execute(query)]

    def read_routed(
        self,
        first: int,
        last: int,
        *,
        engine: Engine | None = None,
        routed: Collection[str] = (),
        endings: Collection[int] = (),
    ) -> list[tuple[int, str, bytes, bytes, str]]:
        """Return ``(seq, recorded_at, body, stream, type)`` of the entries from seq ``first``
        to ``last``, in seq order: ``read_bodies`` with what tells, before the body is parsed,
        which stream an entry belongs to (its id's 16 bytes) and its event type. Entries of
        the types ``routed`` are read only when their stream id's last byte is one of
        ``endings`` (``projections.runner.rebuild`` shares the entries out by stream, and each
        process reads only its own). ``engine`` as for ``read_bodies``."""
        engine = engine or _engine(self)
        column = self.events.c.originator_id
        stream: Any = column
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:  # stored as its bytes: read as they are, not made a UUID to take them again
            stream = type_coerce(column, LargeBinary)
        query = (
            select(
                entries_table.c.seq,
                entries_table.c.recorded_at,
                self.events.c.state,
                stream,
                self.events.c.topic,
            )
            .join(self.events, self.events.c.id == entries_table.c.notification_id)
            .where(entries_table.c.seq.between(first, last))
            .order_by(entries_table.c.seq)
        )
        if routed:
            ending = (
                func.substr(column, 16, 1)
                if sqlite
                else func.substring(func.uuid_send(column), 16, 1)
            )
            query = query.where(
                or_(
                    self.events.c.topic.not_in(sorted(routed)),
                    type_coerce(ending, LargeBinary).in_([bytes([n]) for n in sorted(endings)]),
                )
            )
        with engine.connect() as conn:
            return [
                (seq, at, bytes(body), bytes(found) if sqlite else found.bytes, topic)
                for seq, at, body, found, topic in conn.execute(query)
            ]

    def read_stream(self, stream: uuid.UUID) -> list[Entry]:
        """Return the entries of one stream in version order."""
        with self.transaction(commit=False) as session:
            return [_entry(row) for row in session.execute(self._reads.stream, {"stream": stream})]

    def read_streams(self, streams: Sequence[uuid.UUID]) -> list[Entry]:
        """Return the entries of every stream in ``streams``, in seq order (one statement per
        ``_IN_LIMIT`` streams)."""
        return self._read_in(self._reads.streams, "streams", list(streams))

    def read_seqs(self, seqs: Collection[int]) -> list[Entry]:
        """Return the entries at ``seqs`` that exist, in seq order (one statement per
        ``_IN_LIMIT`` seqs)."""
        return self._read_in(self._reads.seqs, "seqs", sorted(set(seqs)))

    def read_hashes(self, seqs: Collection[int]) -> dict[int, bytes]:
        """Return the stored hash of each entry at ``seqs`` that exists, as ``read_seqs`` finds
        them, without reading their bodies."""
        rows = self._rows_in(self._reads.hashes, "seqs", sorted(set(seqs)))
        return {int(seq): bytes(hashed) for seq, hashed in rows}

    @cached_property
    def _reads(self) -> _Reads:
        """The statements pages read entries by, built once: SQLAlchemy then finds them
        compiled without working out their cache key again on every read."""
        stream = self.events.c.originator_id
        return _Reads(
            stream=self._entries_query()
            .where(stream == bindparam("stream", type_=stream.type))
            .order_by(entries_table.c.seq),
            streams=self._entries_query().where(
                stream.in_(bindparam("streams", expanding=True, type_=stream.type))
            ),
            seqs=self._entries_query().where(
                entries_table.c.seq.in_(bindparam("seqs", expanding=True))
            ),
            hashes=select(entries_table.c.seq, entries_table.c.hash)
            .join(self.events, self.events.c.id == entries_table.c.notification_id)
            .where(entries_table.c.seq.in_(bindparam("seqs", expanding=True))),
        )

    def _read_in(self, query: Any, name: str, values: list[Any]) -> list[Entry]:
        found = [_entry(row) for row in self._rows_in(query, name, values)]
        return sorted(found, key=lambda entry: entry.seq)

    def _rows_in(self, query: Any, name: str, values: list[Any]) -> list[Any]:
        """The rows of ``query`` with ``values`` bound as ``name``, ``_IN_LIMIT`` at a time."""
        found: list[Any] = []
        with self.transaction(commit=False) as session:
            for start in range(0, len(values), _IN_LIMIT):
                found.extend(session.execute(query, {name: values[start : start + _IN_LIMIT]}))
        return found

    def read_types(self, *names: str) -> list[Entry]:
        """Return the entries whose event type is one of ``names``, in seq order (indexed)."""
        query = self._entries_query().where(self.events.c.topic.in_(names))
        with self.transaction(commit=False) as session:
            return [_entry(row) for row in session.execute(query.order_by(entries_table.c.seq))]

    def scan(self, batch_size: int = 2000) -> Iterator[Sequence[Any]]:
        """Stream every stored entry with its event columns, in seq order, for verification.

        Rows come as the driver gives them (the stream id as 16 bytes on SQLite, a UUID on
        PostgreSQL): skipping SQLAlchemy's type processing halves the cost of reading. An outer
        join, so an entry whose event is gone still shows (with ``state`` None).
        """
        engine = _engine(self)
        query = (
            select(
                entries_table.c.seq,
                entries_table.c.notification_id,
                entries_table.c.prev,
                entries_table.c.sig,
                entries_table.c.recorded_at,
                entries_table.c.hash,
                self.events.c.state,
                self.events.c.originator_id,
                self.events.c.originator_version,
                self.events.c.topic,
            )
            .select_from(
                entries_table.outerjoin(
                    self.events, self.events.c.id == entries_table.c.notification_id
                )
            )
            .order_by(entries_table.c.seq)
        )
        sql = str(query.compile(dialect=engine.dialect))
        with engine.connect() as conn:
            result = conn.execution_options(
                stream_results=True, yield_per=batch_size
            ).exec_driver_sql(sql)
            yield from result.partitions(batch_size)

    def first_orphan_event(self) -> int | None:
        """Return the notification id of the first event that has no entry, if any."""
        query = (
            select(func.min(self.events.c.id))
            .select_from(
                self.events.outerjoin(
                    entries_table, entries_table.c.notification_id == self.events.c.id
                )
            )
            .where(entries_table.c.seq.is_(None))
        )
        with self.transaction(commit=False) as session:
            return session.execute(query).scalar()

    def seq_after_notification(self, notification_id: int) -> int:
        """Return the seq where an event with this notification id would sit in the chain."""
        with self.transaction(commit=False) as session:
            before = session.execute(
                select(func.max(entries_table.c.seq)).where(
                    entries_table.c.notification_id < notification_id
                )
            ).scalar()
        return 0 if before is None else int(before) + 1

    def count(self) -> int:
        """Return the number of entries."""
        with self.transaction(commit=False) as session:
            return int(
                session.execute(select(func.count()).select_from(entries_table)).scalar_one()
            )


class _Reads(NamedTuple):
    """Entries by stream, by several streams (bound as ``streams``) and by seqs (``seqs``), and
    the hashes of entries by seqs (``seqs``)."""

    stream: Any
    streams: Any
    seqs: Any
    hashes: Any


def _entry(row: Any) -> Entry:
    return Entry(
        seq=row.seq,
        prev=bytes(row.prev),
        body=bytes(row.state),
        sig=bytes(row.sig),
        recorded_at=row.recorded_at,
        hash=bytes(row.hash),
    )


def guard_table(conn: Connection, table: str, *, function: bool = True) -> None:
    """Make ``table`` refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL), as the ledger's
    own tables do (``function``: also (re)make PostgreSQL's refusing function first)."""
    if conn.dialect.name == "postgresql":
        if function:
            conn.execute(text(_POSTGRES_GUARD_FUNCTION))
        for statement in _POSTGRES_GUARDS.format(table=table).split(";"):
            conn.execute(text(statement))
    else:
        for op in ("update", "delete"):
            conn.execute(text(_SQLITE_GUARD.format(table=table, op=op, OP=op.upper())))


def _engine(recorder: LedgerRecorder) -> Engine:
    engine = recorder.datastore.engine
    assert isinstance(engine, Engine)
    return engine


def _no_clock() -> str:
    raise AssertionError("the ledger sets the recorder's clock before appending")


class LedgerFactory(SQLAlchemyFactory):
    """eventsourcing-sqlalchemy's factory, building the chain-writing recorder on an engine
    with the ledger's timeouts and connection checks (``ledger.connections``)."""

    datastore_class = LedgerDatastore
    application_recorder_class = LedgerRecorder


def database_url(location: str) -> str:
    """Turn what a user typed (a URL or a path to a SQLite file) into a SQLAlchemy URL."""
    if location.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + location.split("://", 1)[1]
    if "://" in location:
        return location
    return f"sqlite:///{Path(location).expanduser().resolve()}"


def open_recorder(location: str, *, create: bool = False) -> LedgerRecorder:
    """Open the ledger at ``location``; with ``create``, make a new empty one there.

    Raises a StorageError naming the cause when the database cannot be used, NotALedger when
    it holds no ledger, and AlreadyInitialised when asked to create one where one exists.
    """
    url = database_url(location)
    shown = _redact(url)
    if url.startswith("sqlite:///") and not create:
        path = Path(url.removeprefix("sqlite:///"))
        if not path.is_file():
            raise NotALedger(shown)
    env = Environment(name="ledger", env={"SQLALCHEMY_URL": url, "CREATE_TABLE": "no"})
    try:
        factory = LedgerFactory(env)
        recorder = factory.application_recorder()
        assert isinstance(recorder, LedgerRecorder)
        recorder.location = shown
        with _engine(recorder).connect() as conn:
            tables = set(inspect(conn).get_table_names())
            holds_ledger = {EVENTS_TABLE, ENTRIES_TABLE, META_TABLE} <= tables
            fmt = (
                conn.execute(
                    select(meta_table.c.value).where(meta_table.c.key == "format")
                ).scalar()
                if holds_ledger
                else None
            )
            # Tables of our format holding no event: an `assembly init` stopped between making
            # the tables and writing entry 0. Creating may finish it.
            # (Whether any event exists, not how many: opening costs the same at any size.)
            unfinished = (
                fmt == FORMAT
                and conn.execute(select(recorder.events.c.id).limit(1)).first() is None
            )
        if create and not tables & {EVENTS_TABLE, ENTRIES_TABLE, META_TABLE}:
            recorder.create_table()
    except (SQLAlchemyError, PersistenceError, ModuleNotFoundError) as exc:
        raise storage_fault(exc, shown, opening=True) from None
    if create and tables & {EVENTS_TABLE, ENTRIES_TABLE, META_TABLE} and not unfinished:
        raise AlreadyInitialised(shown)
    if not create and fmt != FORMAT:
        raise NotALedger(shown)
    return recorder


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}@{host}"
    return url
