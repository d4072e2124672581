"""The ledger's Merkle tree in its database, and the checkpoints issued over it
(docs/design.md 3.5).

The leaves are the entries' hashes (each already the RFC 9162 leaf hash of the entry's canonical
bytes), in seq order. ``ledger_tree`` keeps every complete subtree, (level, index, hash), level 0
being the leaves: any inclusion or consistency proof then reads O(log n) rows
(``ledger.merkle``), and a checkpoint never rehashes the tree.

Why a tracked integrator, not the append transaction: appends are the hot path and hold the
ledger's writer lock, while the tree only serves proofs and checkpoints, which are always made
at a size of the tree. So, as a transparency log's integrator does, ``integrate`` extends the
tree up to the last entry in its own transactions (before every checkpoint and proof); its
position is the tree's size itself (the number of leaves stored), nodes are written with the
leaves that close them in one transaction, and two integrators racing write the same rows, the
loser's transaction failing on the primary key and starting again. Ledgers made before the tree
existed gain it on first use: the tables are made then, and the tree grown from entry 0.

``ledger_checkpoints`` keeps every checkpoint issued (the signed note), so any past one can be
served again; ``ledger_cosignatures`` the witnesses' cosignatures of them (C2SP
tlog-cosignature lines, checked before they are kept), served appended to the note. All three
tables refuse UPDATE and DELETE, like the ledger's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
    union_all,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from ledger.canonical import format_time
from ledger.errors import LedgerError
from ledger.storage import LedgerRecorder, SeqType, entries_table, guard_table
from tlog.checkpoint import Checkpoint, cosigned_by, format_checkpoint, parse_checkpoint
from tlog.merkle import (
    MissingNode,
    Nodes,
    consistency_proof,
    inclusion_proof,
    node_hash,
    root,
)
from tlog.note import NoteSignature, SignerKey, VerifierKey, parse_note, sign_note

TREE_TABLE = "ledger_tree"
CHECKPOINTS_TABLE = "ledger_checkpoints"
COSIGNATURES_TABLE = "ledger_cosignatures"
BATCH = 10_000  # leaves per integrating transaction

_metadata = MetaData()

tree_table = Table(
    TREE_TABLE,
    _metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", SeqType, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

checkpoints_table = Table(
    CHECKPOINTS_TABLE,
    _metadata,
    Column("size", SeqType, primary_key=True, autoincrement=False),
    Column("key_id", String(8), primary_key=True),
    Column("origin", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("issued_at", String(32), nullable=False),
)


cosignatures_table = Table(
    COSIGNATURES_TABLE,
    _metadata,
    Column("size", SeqType, primary_key=True, autoincrement=False),
    Column("line", Text, primary_key=True),
    Column("added_at", String(32), nullable=False),
)


class NoCheckpoint(LedgerError):
    """No checkpoint was issued at the size asked for."""

    def __init__(self, size: int, issued: Sequence[int]) -> None:
        super().__init__(size, issued)
        self.size, self.issued = size, issued

    def sentence(self) -> str:
        known = ", ".join(str(size) for size in self.issued[-10:]) or "none yet"
        return f"No checkpoint was issued at size {self.size} (issued at sizes: {known})."


@dataclass(frozen=True)
class Issued:
    """A checkpoint as issued: its size, the signed note, and when."""

    size: int
    origin: str
    note: bytes
    issued_at: str


class StoredNodes:
    """The ``Nodes`` of ``ledger.merkle`` read from ``ledger_tree``, one row per lookup."""

    def __init__(self, conn: Connection, written: dict[tuple[int, int], bytes] | None = None):
        self.conn = conn
        self.written = written if written is not None else {}

    def node(self, level: int, index: int) -> bytes:
        found = self.written.get((level, index))
        if found is not None:
            return found
        row = self.conn.execute(
            select(tree_table.c.hash).where(tree_table.c.level == level, tree_table.c.idx == index)
        ).first()
        if row is None:
            raise MissingNode(level, index, tree_size(self.conn))
        return bytes(row.hash)


def prepare(recorder: LedgerRecorder) -> None:
    """Make the tree's tables with their append-only guards, if the ledger lacks them."""
    engine = _engine(recorder)
    for attempt in range(3):  # two first users at once: the loser finds the winner's tables
        try:
            with engine.begin() as conn:
                tables = (tree_table, checkpoints_table, cosignatures_table)
                missing = [t for t in tables if not _exists(conn, t)]
                for table in missing:
                    table.create(conn)
                    guard_table(conn, table.name)
            return
        except DBAPIError:
            if attempt == 2:
                raise


def integrate(recorder: LedgerRecorder) -> int:
    """Extend the tree to the ledger's last entry; return the tree's size."""
    prepare(recorder)
    engine = _engine(recorder)
    while True:
        with engine.connect() as conn:
            size = tree_size(conn)
            leaves = conn.execute(
                select(entries_table.c.seq, entries_table.c.hash)
                .where(entries_table.c.seq >= size)
                .order_by(entries_table.c.seq)
                .limit(BATCH)
            ).all()
        if not leaves:
            return size
        try:
            with engine.begin() as conn:
                written = _grow(StoredNodes(conn), [(seq, bytes(h)) for seq, h in leaves])
                rows = [{"level": lvl, "idx": i, "hash": h} for (lvl, i), h in written.items()]
                conn.execute(insert(tree_table), rows)
        except IntegrityError:
            continue  # another integrator wrote these leaves first: go on from its size


def tree_size(conn: Connection) -> int:
    """The number of leaves the stored tree holds."""
    top = conn.execute(select(func.max(tree_table.c.idx)).where(tree_table.c.level == 0)).scalar()
    return 0 if top is None else int(top) + 1


def tree_root(recorder: LedgerRecorder, size: int) -> bytes:
    """The tree head at ``size`` (at most the integrated size)."""
    return _in_one_read(recorder, lambda nodes: root(size, nodes))


def prove_inclusion(recorder: LedgerRecorder, seq: int, size: int) -> list[bytes]:
    """The inclusion proof of entry ``seq`` in the tree of ``size`` leaves."""
    return _in_one_read(recorder, lambda nodes: inclusion_proof(seq, size, nodes))


def prove_consistency(recorder: LedgerRecorder, old_size: int, new_size: int) -> list[bytes]:
    """The consistency proof from the tree of ``old_size`` leaves to ``new_size``."""
    return _in_one_read(recorder, lambda nodes: consistency_proof(old_size, new_size, nodes))


_T = TypeVar("_T")


class _Wanted:
    """``Nodes`` that notes which nodes are read (the algorithms read by position, whatever
    the hashes are), answering with placeholders."""

    def __init__(self) -> None:
        self.read: set[tuple[int, int]] = set()

    def node(self, level: int, index: int) -> bytes:
        self.read.add((level, index))
        return bytes(32)


class _Found:
    """``Nodes`` answered from the rows read in one query."""

    def __init__(self, rows: dict[tuple[int, int], bytes], size: int) -> None:
        self.rows, self.size = rows, size

    def node(self, level: int, index: int) -> bytes:
        found = self.rows.get((level, index))
        if found is None:
            raise MissingNode(level, index, self.size)
        return found


def _in_one_read(recorder: LedgerRecorder, compute: Callable[[Nodes], _T]) -> _T:
    """Run a tree computation with every node it needs read in one query: first with
    placeholders to learn which nodes it reads, then with the stored ones."""
    wanted = _Wanted()
    compute(wanted)
    with _engine(recorder).connect() as conn:
        by_level: dict[int, list[int]] = {}
        for level, index in sorted(wanted.read):
            by_level.setdefault(level, []).append(index)
        # One statement, one indexed lookup per level (a row-value IN would scan on SQLite).
        parts = [
            select(tree_table.c.level, tree_table.c.idx, tree_table.c.hash).where(
                tree_table.c.level == level, tree_table.c.idx.in_(indexes)
            )
            for level, indexes in by_level.items()
        ]
        rows: dict[tuple[int, int], bytes] = {}
        if parts:
            rows = {(lvl, i): bytes(h) for lvl, i, h in conn.execute(union_all(*parts))}
        size = tree_size(conn) if len(rows) < len(wanted.read) else 0
    return compute(_Found(rows, size))


def issue_checkpoint(recorder: LedgerRecorder, key: SignerKey, *, origin: str) -> Issued:
    """Integrate, sign the checkpoint of the whole ledger with ``key`` and keep it."""
    size = integrate(recorder)
    checkpoint = Checkpoint(origin, size, tree_root(recorder, size))
    note = sign_note(format_checkpoint(checkpoint), [key])
    issued = Issued(size, origin, note, format_time(datetime.now(UTC)))
    key_hex = f"{key.key_id:08x}"
    try:
        with _engine(recorder).begin() as conn:
            conn.execute(
                insert(checkpoints_table).values(
                    size=size,
                    key_id=key_hex,
                    origin=origin,
                    note=note.decode(),
                    issued_at=issued.issued_at,
                )
            )
    except IntegrityError:
        # Issued before at this size by this key: Ed25519 is deterministic, so it is this note.
        kept = checkpoint_at(recorder, size, key_id=key_hex)
        if kept.note != note:
            raise AssertionError("a checkpoint at this size was signed differently") from None
        return kept
    return issued


def checkpoint_at(recorder: LedgerRecorder, size: int, *, key_id: str | None = None) -> Issued:
    """The checkpoint issued at ``size`` (by ``key_id``, if given; else the first issued)."""
    prepare(recorder)
    query = select(checkpoints_table).where(checkpoints_table.c.size == size)
    if key_id is not None:
        query = query.where(checkpoints_table.c.key_id == key_id)
    with _engine(recorder).connect() as conn:
        row = conn.execute(query.order_by(checkpoints_table.c.issued_at).limit(1)).first()
        if row is None:
            raise NoCheckpoint(size, issued_sizes(conn))
        lines = conn.execute(
            select(cosignatures_table.c.line)
            .where(cosignatures_table.c.size == size)
            .order_by(cosignatures_table.c.added_at, cosignatures_table.c.line)
        ).scalars()
        note = row.note.encode() + "".join(lines).encode()
    return Issued(int(row.size), row.origin, note, row.issued_at)


def add_cosignatures(
    recorder: LedgerRecorder,
    size: int,
    signatures: Sequence[NoteSignature],
    witnesses: Sequence[VerifierKey],
) -> list[VerifierKey]:
    """Keep the cosignatures of the checkpoint at ``size`` that ``witnesses`` made (each
    checked first); from then on the checkpoint is served with them. Return who cosigned."""
    issued = checkpoint_at(recorder, size)
    checkpoint = parse_checkpoint(parse_note(issued.note).text)
    valid = cosigned_by(checkpoint, signatures, witnesses)
    keep = [line for line in signatures if any(line.names(key) for key in valid)]
    already = set(parse_note(issued.note).signatures)
    rows = [
        {"size": size, "line": line.line(), "added_at": format_time(datetime.now(UTC))}
        for line in keep
        if line not in already
    ]
    if rows:
        with _engine(recorder).begin() as conn:
            conn.execute(insert(cosignatures_table), rows)
    return valid


def latest_checkpoint(recorder: LedgerRecorder) -> Issued | None:
    """The checkpoint of the largest size issued, if any."""
    prepare(recorder)
    with _engine(recorder).connect() as conn:
        sizes = issued_sizes(conn)
    return checkpoint_at(recorder, sizes[-1]) if sizes else None


def cosigned_sizes(recorder: LedgerRecorder, *, at_least: int = 1) -> list[int]:
    """The sizes whose checkpoint has at least ``at_least`` cosignatures kept, largest first
    (a cosignature is kept once: ``add_cosignatures``)."""
    prepare(recorder)
    size = cosignatures_table.c.size
    query = select(size).group_by(size).having(func.count() >= at_least).order_by(size.desc())
    with _engine(recorder).connect() as conn:
        return [int(found) for found in conn.execute(query).scalars()]


def issued_sizes(conn: Connection) -> list[int]:
    """Every size a checkpoint was issued at, smallest first."""
    query = select(checkpoints_table.c.size).distinct().order_by(checkpoints_table.c.size)
    return [int(size) for size in conn.execute(query).scalars()]


def iter_leaves(recorder: LedgerRecorder, size: int) -> Iterator[bytes]:
    """The first ``size`` leaf hashes, in order (for exporting tiles)."""
    with _engine(recorder).connect() as conn:
        query = (
            select(tree_table.c.hash)
            .where(tree_table.c.level == 0, tree_table.c.idx < size)
            .order_by(tree_table.c.idx)
        )
        for hashed in conn.execute(query).scalars():
            yield bytes(hashed)


def _grow(nodes: StoredNodes, leaves: Sequence[tuple[int, bytes]]) -> dict[tuple[int, int], bytes]:
    """The nodes the leaves close, leaves included (left siblings read from ``nodes``)."""
    written = nodes.written
    for seq, leaf in leaves:
        level, index, hashed = 0, seq, leaf
        written[(0, seq)] = leaf
        while index % 2 == 1:
            hashed = node_hash(nodes.node(level, index - 1), hashed)
            level, index = level + 1, index // 2
            written[(level, index)] = hashed
    return written


def _exists(conn: Connection, table: Table) -> bool:
    dialect = conn.dialect
    return bool(dialect.has_table(conn, table.name))


def _engine(recorder: LedgerRecorder) -> Engine:
    engine = recorder.datastore.engine
    assert isinstance(engine, Engine)
    return engine
