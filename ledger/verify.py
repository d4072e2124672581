"""Re-derive the whole ledger from its stored bytes and stop at the first bad ``seq``.

The main process streams the entries in seq order and checks everything that depends on order
(gapless seq, ``prev``, hashes, stream versions, signer enrolment, validity, revocation and role);
signature checks, the costly part, go in batches to one worker process per core. Memory holds one
batch per worker, the signer book and one integer per stream, whatever the ledger's length.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, NamedTuple

from ledger.canonical import ZERO_HASH, check_canonical, entry_hash, is_timestamp
from ledger.entry import Head, parse_body
from ledger.errors import AppendRefused, CanonicalizationError, HeadMismatch, VerificationFailed
from ledger.identity import IdentityBook
from ledger.keys import first_bad_signature
from ledger.policy import RolePolicy
from ledger.signers import SignerBook, SignerRecord
from ledger.storage import LedgerRecorder

SignatureItem = tuple[int, bytes, bytes, bytes]
# A row whose signature was checked before the walk, with the key of the signer it admitted.
_CHECKED: SignatureItem = (-1, b"", b"", b"")
PARALLEL_FROM = 4096
BATCH = 2048


@dataclass(frozen=True)
class Report:
    """What a successful verification saw."""

    entries: int
    head: Head | None
    signers: int
    streams: int
    identity: str | None = None  # the ledger's identity at its head
    # Entries an earlier release stored whose v1 bodies are not their canonical form: signed and
    # chained as stored, so they verify, but a reader should know (see the README).
    noncanonical: tuple[int, ...] = ()


def verification_report(
    recorder: LedgerRecorder,
    policy: RolePolicy,
    *,
    expect: Sequence[Head] = (),
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Verify every entry and report what was seen; raise VerificationFailed at the first bad seq.

    ``expect`` holds heads seen before: the ledger must still hold each entry, unchanged.
    ``workers`` is the number of signature-checking processes (0: this process only); by
    default one per core, except for ledgers shorter than a few thousand entries, which are
    checked in this process.
    """
    total = recorder.count()
    orphan = recorder.first_orphan_event()
    orphan_seq = None if orphan is None else recorder.seq_after_notification(orphan)
    walked = verify_rows(
        recorder.scan(BATCH),
        policy,
        expect=expect,
        orphan_seq=orphan_seq,
        workers=default_workers(total) if workers is None else workers,
        progress=progress,
    )
    return walked.report


@dataclass(frozen=True)
class Reached:
    """Where a walk ended: all that the checks of the entries after it need of those before
    (the next seq, the last entry's hash and event position, the signers, the ledger's
    identity, each stream's last version), so that a later walk can start there."""

    seq: int
    prev: bytes
    last_notification: int
    signers: tuple[SignerRecord, ...]
    identity: str | None
    moved_on: bool
    streams: Mapping[str, int]  # stream id (text) -> its last version


@dataclass(frozen=True)
class Walked:
    """What a verification saw: the report, the signers as the entries enrolled them, and
    where the walk ended."""

    report: Report
    book: SignerBook
    reached: Reached


def default_workers(total: int) -> int:
    """Signature-checking processes for ``total`` entries: one per core, none for short runs."""
    return (os.cpu_count() or 1) if total >= PARALLEL_FROM else 0


def verify_rows(
    batches: Iterable[Sequence[Any]],
    policy: RolePolicy,
    *,
    expect: Sequence[Head] = (),
    orphan_seq: int | None = None,
    workers: int = 0,
    progress: Callable[[int], None] | None = None,
    start: Reached | None = None,
) -> Walked:
    """Run every check over stored rows, a batch at a time, from the database (``scan``) or
    from files; raise VerificationFailed at the first bad seq. A source that cannot read a row
    raises VerificationFailed itself, after handing over the rows before it. From ``start``
    (where an earlier walk of the same entries ended), the rows begin at its seq."""
    walk = _Walk(policy, expect=expect, orphan_seq=orphan_seq)
    if start is not None:
        walk.resume(start)
    signatures = _Signatures(workers)
    unreadable: VerificationFailed | None = None
    try:
        try:
            for rows in batches:
                signatures.submit(walk.check(rows))
                for seq in walk.bad_signatures:
                    signatures.note(seq)
                walk.bad_signatures.clear()
                if progress is not None:
                    progress(len(rows))
                if walk.failure is not None or signatures.bad is not None:
                    break
        except VerificationFailed as failure:
            unreadable = failure
        bad_signature = signatures.finish()
    finally:
        signatures.close()
    found = [failure for failure in (walk.failure, unreadable) if failure is not None]
    if bad_signature is not None:  # first: at the same seq, the signature is what failed
        reason = "the signature does not verify with the signer's enrolled key"
        found.insert(0, VerificationFailed(bad_signature, reason))
    if found:
        raise min(found, key=lambda failure: failure.seq)
    ended = walk.end()
    if ended is not None:
        raise ended
    head = None if walk.seq == 0 else Head(walk.seq - 1, walk.prev)
    reached = walk.reached()
    report = Report(
        entries=walk.seq,
        head=head,
        signers=len(walk.book.records),
        streams=len(reached.streams),
        identity=walk.identity.current,
        noncanonical=tuple(walk.noncanonical),
    )
    return Walked(report, walk.book, reached)


class _Walk:
    """The in-order checks, one entry at a time."""

    def __init__(
        self, policy: RolePolicy, *, expect: Sequence[Head], orphan_seq: int | None
    ) -> None:
        self.book = SignerBook(policy)
        self.identity = IdentityBook()
        self.noncanonical: list[int] = []
        self.expect = {head.seq: head.hash for head in expect}
        self.orphan_seq = orphan_seq
        self.seq = 0
        self.prev = ZERO_HASH
        self.last_notification = -1
        # stream id as stored -> (its text form, its last version seen)
        self.streams: dict[Any, tuple[str, int]] = {}
        self.seen_expected: dict[int, bytes] = {}
        self.failure: VerificationFailed | None = None
        self.resumed: Mapping[str, int] = {}  # the streams' last versions before ``start``
        self.bad_signatures: list[int] = []  # those checked before the walk, with the signer's key

    def resume(self, start: Reached) -> None:
        """Take up the walk where ``start`` says an earlier one ended."""
        self.seq, self.prev, self.last_notification = start.seq, start.prev, start.last_notification
        self.book.records = {record.key_id: record for record in start.signers}
        self.identity = IdentityBook(start.identity, moved_on=start.moved_on)
        self.resumed = start.streams

    def reached(self) -> Reached:
        """Where the walk is: what a later walk needs to take it up."""
        streams = dict(self.resumed)
        streams.update(self.streams.values())
        return Reached(
            seq=self.seq,
            prev=self.prev,
            last_notification=self.last_notification,
            signers=tuple(self.book.records.values()),
            identity=self.identity.current,
            moved_on=self.identity.moved_on,
            streams=streams,
        )

    def check(self, rows: Sequence[Any]) -> list[SignatureItem]:
        """Check rows in order; return the signatures still to verify."""
        items: list[SignatureItem] = []
        for row in rows:
            try:
                item = self._check_row(row)
            except VerificationFailed as failure:
                self.failure = failure
                return items
            if item is not _CHECKED:
                items.append(item)
        return items

    def _check_row(self, row: Any) -> SignatureItem:
        seq = self.seq
        (
            stored_seq,
            notification_id,
            prev,
            sig,
            recorded_at,
            digest,
            state,
            stream,
            version,
            topic,
        ) = row[:10]
        # A row read elsewhere may carry its order-free checks done (``Alone``, of ``alone``).
        done: Alone | None = row[10] if len(row) > 10 else None
        if self.orphan_seq is not None and seq >= self.orphan_seq:
            raise _orphan(self.orphan_seq)
        if stored_seq != seq:
            raise VerificationFailed(
                seq, f"entry {seq} is missing (the next stored entry is {stored_seq})"
            )
        if state is None:
            raise VerificationFailed(seq, "the entry's event is missing from the event table")
        if notification_id <= self.last_notification:
            raise VerificationFailed(seq, "its event was stored before the previous entry's")
        prev, sig, body, digest = bytes(prev), bytes(sig), bytes(state), bytes(digest)
        known = self.streams.get(stream)
        if known is None:
            text = stream_text(stream)
            known = (text, self.resumed.get(text, 0))
        name, last_version = known
        if prev != self.prev:
            raise VerificationFailed(
                seq,
                "prev is not the hash of the entry before: an entry was changed, removed, "
                "inserted or reordered",
            )
        if done is None or done.seq != seq:
            done = alone(seq, prev, sig, recorded_at, digest, body, name, version, topic)
        fields = done.fields
        if fields is None:
            raise VerificationFailed(seq, done.problem or "")
        if last_version + 1 != version:
            raise VerificationFailed(seq, f"version {version} of stream {name} is out of order")
        try:
            signer = self.book.admit(seq, fields)
            self.identity.admit(seq, fields, digest)
        except AppendRefused as exc:
            raise VerificationFailed(seq, exc.sentence().rstrip(".")) from None
        if done.problem is not None:  # the body is not canonical
            if "ledger" in fields:  # this release never stores such a body
                raise VerificationFailed(seq, f"the event body is not canonical: {done.problem}")
            self.noncanonical.append(seq)
        self.streams[stream] = (name, version)
        self.last_notification = notification_id
        self.prev = digest
        if seq in self.expect:
            self.seen_expected[seq] = digest
        self.seq = seq + 1
        if done.signed_by is not None and done.signed_by == signer.public_key:
            if not done.signature_holds:
                self.bad_signatures.append(seq)
            return _CHECKED
        return (seq, signer.public_key, sig, body)

    def end(self) -> VerificationFailed | None:
        """The checks that need the whole ledger walked: orphans at the end, the expected head."""
        if self.orphan_seq is not None:
            return _orphan(self.orphan_seq)
        if self.seq == 0:
            return VerificationFailed(
                0, "the ledger has no entries, not even the charter's entry 0"
            )
        for seq, digest in sorted(self.expect.items()):
            if seq >= self.seq:
                return HeadMismatch(
                    self.seq,
                    f"the ledger ends before seq {seq}, which was seen before with hash "
                    f"{digest.hex()}: it was truncated or rolled back",
                )
            if self.seen_expected[seq] != digest:
                return HeadMismatch(
                    seq,
                    f"the entry differs from the head seen before ({digest.hex()}): the "
                    "ledger was rewritten at or before this seq",
                )
        return None


def _orphan(seq: int) -> VerificationFailed:
    return VerificationFailed(seq, "an event without a ledger entry was stored here")


class Alone(NamedTuple):
    """The checks of entry ``seq`` that need no other entry, done: its body parsed
    (``fields``; None when a check failed, ``problem`` saying which), else ``problem``, if any,
    says how the body is not canonical; ``signed_by``, when not None, is the public key its
    signature was checked with, and ``signature_holds`` the answer (the walk takes it only when
    the signer it admits has that key)."""

    seq: int
    fields: dict[str, Any] | None
    problem: str | None = None
    signed_by: bytes | None = None
    signature_holds: bool = False


# A UUID's text as ``str(uuid.UUID(...))`` writes it, the form an event body gives its stream
_UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def stream_text(stream: Any) -> str:
    """A stream id as stored (a UUID, its 16 bytes, or its text) as text: text already in
    the UUID's own form is that text (the monitor reads every stream as its text, and making a
    UUID of each to write it again was a twentieth of its walk's own work)."""
    if isinstance(stream, str):
        return stream if _UUID_TEXT.fullmatch(stream) else str(uuid.UUID(stream))
    return str(stream if isinstance(stream, uuid.UUID) else uuid.UUID(bytes=bytes(stream)))


def alone(
    seq: int,
    prev: bytes,
    sig: bytes,
    recorded_at: Any,
    digest: bytes,
    body: bytes,
    name: str,
    version: Any,
    topic: Any,
    *,
    of_its_bytes: bool = False,
) -> Alone:
    """The checks of an entry that need no other entry (the walk makes them in this order,
    after those of the chain): its time's form, its hash, its body's form, the event table's
    columns, occurred_at, and last, whether its body is canonical. The walk makes them itself,
    or takes them made elsewhere (``cli.monitor_entries``, in worker processes).

    ``of_its_bytes``: ``digest`` is the leaf hash of bytes already known to be the entry's
    canonical bytes (``ledger.canonical.entry_bytes``) of these very parts, once ``recorded_at``
    is a timestamp; the hash is then not made again from the parts."""
    if not is_timestamp(recorded_at):
        return Alone(seq, None, f"recorded_at {recorded_at!r} is not a UTC timestamp")
    if not of_its_bytes:
        computed = entry_hash(seq=seq, prev=prev, body=body, sig=sig, recorded_at=recorded_at)
        if computed != digest:
            return Alone(seq, None, "the stored hash does not match the entry's bytes")
    try:
        fields = parse_body(body, canonical=False)  # judged below, by the body's version
    except AppendRefused as exc:
        return Alone(seq, None, exc.sentence().rstrip("."))
    if (fields["type"], fields["stream"], fields["version"]) != (topic, name, version):
        return Alone(seq, None, "the event table disagrees with the signed event body")
    if fields["occurred_at"] > recorded_at:  # parse_body checked its form
        return Alone(seq, None, "occurred_at is not a UTC timestamp at or before recorded_at")
    try:
        check_canonical(body, fields)
    except CanonicalizationError as exc:
        return Alone(seq, fields, exc.sentence().rstrip("."))
    return Alone(seq, fields)


class _Signatures:
    """Signature checks, in this process or spread over worker processes."""

    def __init__(self, workers: int) -> None:
        self.pool = (
            ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
            if workers > 0
            else None
        )
        self.limit = 2 * max(workers, 1)
        self.pending: deque[Future[int | None]] = deque()
        self.bad: int | None = None

    def submit(self, items: list[SignatureItem]) -> None:
        if not items:
            return
        if self.pool is None:
            self.note(first_bad_signature(items))
            return
        self.pending.append(self.pool.submit(first_bad_signature, items))
        while len(self.pending) > self.limit:
            self.note(self.pending.popleft().result())

    def finish(self) -> int | None:
        while self.pending:
            self.note(self.pending.popleft().result())
        return self.bad

    def note(self, bad: int | None) -> None:
        if bad is not None and (self.bad is None or bad < self.bad):
            self.bad = bad

    def close(self) -> None:
        if self.pool is not None:
            for future in self.pending:
                future.cancel()
            self.pool.shutdown(wait=True, cancel_futures=True)
