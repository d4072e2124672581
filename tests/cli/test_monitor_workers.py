"""The monitor's checks of each entry in worker processes (``cli.monitor_entries.checked_alone``):
the same walk as in its own process, a bad signature caught there, and a signature the worker
checked with a key other than the signer's enrolled one checked again by the walk."""

from __future__ import annotations

import base64
import errno
import fcntl
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from unittest.mock import patch

import pytest

import cli.monitor as monitor_module
import cli.monitor_entries as monitor_entries
import cli.monitor_fold as monitor_fold
import ledger.verify as ledger_verify
from cli.monitor_board import board_rows, ours
from cli.monitor_entries import (
    Checked,
    Part,
    check_entries,
    checked_alone,
    parsed_parts,
    rows_of,
)
from cli.monitor_evidence import ENTRY, Found
from cli.monitor_fold import BoardCheck
from cli.monitor_state import EntriesFile
from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy, Signer
from ledger.errors import VerificationFailed
from ledger.verify import Reached
from projections.tables import detail_of
from tests.features.cycle import LEDGER
from tests.served import Monitored
from tlog.checkpoint import Checkpoint
from tlog.merkle import MemoryNodes, leaf_hash, root, verify_inclusion
from tlog.tiles import BadTiles, bundle_of, encode_bundle

POLICY = RolePolicy(ROLE_GRANTS)
ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
SIGNATURE_FAILS = "the signature does not verify with the signer's enrolled key"


def entries_of(base: Monitored) -> list[bytes]:
    book = Ledger.open(str(base.folder / LEDGER), POLICY)
    try:
        return [entry.canonical_bytes() for entry in book.recorder.read_entries()]
    finally:
        book.close()


def walked(
    entries: list[bytes],
    parser: Executor,
    *,
    alone: bool,
    width: int = 8,
    tree: MemoryNodes | None = None,
) -> Checked:
    bundles = [bundle_of(entries[first : first + width]) for first in range(0, len(entries), width)]
    with parser:
        parts = parsed_parts(iter(bundles), parser, first=0, alone=alone)
        return checked_all(parts, MemoryNodes() if tree is None else tree)


def checked_all(parts: Iterable[Part], tree: MemoryNodes, start: Reached | None = None) -> Checked:
    """``check_entries`` of ``parts``, folding nothing, growing ``tree``."""
    return check_entries(iter(parts), POLICY, workers=0, checked=lambda rows, events: None,
                         tree=tree, start=start)  # fmt: skip


def leaves(tree: MemoryNodes) -> list[bytes]:
    return [tree.node(0, index) for index in range(tree.size)]


def workers() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))


def resigned(data: bytes, signer: Signer) -> bytes:
    """The entry's bytes with its signature made by ``signer`` (the entry's hash changes, so
    the next entry's prev no longer matches: a later failure than this entry's)."""
    entry = json.loads(data)
    body = data[len(b'{"event":') : data.rfind(b',"prev":"')]
    signature = signer.sign(body)
    entry["sig"] = base64.b64encode(signature).decode()
    tail = json.dumps({k: entry[k] for k in ("prev", "recorded_at", "seq", "sig")},
                      separators=(",", ":"))  # fmt: skip
    return b'{"event":' + body + b"," + tail[1:].encode()


def test_the_walk_of_entries_checked_in_worker_processes_is_the_walk_in_this_process(
    base: Monitored,
) -> None:
    entries = entries_of(base)
    here_tree, there_tree = MemoryNodes(), MemoryNodes()
    here = walked(entries, ThreadPoolExecutor(1), alone=False, tree=here_tree)
    there = walked(entries, workers(), alone=True, tree=there_tree)
    assert here.failure is None and there.failure is None
    assert there.reached == here.reached
    assert leaves(there_tree) == leaves(here_tree) == [leaf_hash(entry) for entry in entries]


def test_a_worker_s_rows_and_bodies_are_those_read_in_this_process(base: Monitored) -> None:
    """The rows and bodies a worker's answer gives the walk and the fold are those of this
    process's own reading, for a bundle cut short by an entry that is not one too."""
    entries = entries_of(base)
    cut = [*entries[:7], b"not an entry", *entries[8:]]
    for bundle in (entries, cut):
        here, bodies, failure = rows_of(0, encode_bundle(bundle))
        there, parsed, failed = checked_alone(0, encode_bundle(bundle), {})
        # The stream id as text where this process reads a UUID: the walk takes either.
        assert [row[:10] for row in there] == [(*r[:7], str(r[7]), *r[8:]) for r in here]
        assert parsed == bodies
        assert [row[10].fields for row in there] == bodies
        assert (failure is None) == (failed is None) == (bundle is entries)
        if failure is not None and failed is not None:
            assert (
                (failed.seq, failed.problem)
                == (failure.seq, failure.problem)
                == (7, "its bytes in the tiles are not an entry")
            )


def test_a_bad_signature_is_caught_by_the_workers(base: Monitored) -> None:
    entries = entries_of(base)
    seq = len(entries) - 3
    entries[seq] = resigned(entries[seq], Signer.from_seed(bytes([99]) * 32))
    for parser, alone in ((ThreadPoolExecutor(1), False), (workers(), True)):
        failure = walked(entries, parser, alone=alone).failure
        assert failure is not None
        assert (failure.seq, failure.problem) == (seq, SIGNATURE_FAILS)


def test_a_signature_checked_with_another_key_than_the_signers_is_checked_again(
    base: Monitored,
) -> None:
    entries = entries_of(base)
    seq = len(entries) - 3
    intruder = Signer.from_seed(bytes([99]) * 32)
    entries[seq] = resigned(entries[seq], intruder)
    signer = json.loads(entries[seq])["event"]["signer"]
    # A worker told the wrong key for the entry's signer finds the signature good...
    first = seq - seq % 8  # a bundle without the signer's enrolment
    part = checked_alone(first, encode_bundle(entries[first : first + 8]),
                         {signer: intruder.public_key.raw})  # fmt: skip
    done = part[0][seq - first][10]
    assert done.signed_by == intruder.public_key.raw and done.signature_holds
    # ...which the walk, whose signer has another key, does not take.
    before = checked_alone(0, encode_bundle(entries[:first]), {})
    failure = checked_all([before, part], MemoryNodes()).failure
    assert failure is not None
    assert (failure.seq, failure.problem) == (seq, SIGNATURE_FAILS)


def test_a_resumed_walk_tells_the_workers_the_keys_enrolled_before_it(base: Monitored) -> None:
    entries = entries_of(base)
    first = len(entries) - 4
    before = walked(entries[:first], ThreadPoolExecutor(1), alone=False)
    assert before.failure is None and before.reached is not None
    with ThreadPoolExecutor(1) as parser:
        bundles = iter([bundle_of(entries[first:])])
        parts = list(parsed_parts(bundles, parser, first=first, alone=True, start=before.reached))
    rows = [row for part in parts for row in part[0]]
    assert [row[1] for row in rows] == list(range(first, len(entries)))
    # Each signature was checked by the worker, with the key the walk will admit: none is
    # left for the walk's own process.
    assert all(row[10].signed_by is not None and row[10].signature_holds for row in rows)
    resumed = checked_all(parts, MemoryNodes(), start=before.reached)
    whole = walked(entries, ThreadPoolExecutor(1), alone=False)
    assert resumed.failure is None and resumed.reached == whole.reached


def _interrupt_handler() -> object:
    return signal.getsignal(signal.SIGINT)


def test_the_monitor_s_workers_leave_an_interrupt_to_the_monitor() -> None:
    """Ctrl-C at the terminal reaches every process of the group: the workers ignore it, and
    the monitor, which takes it, stops them (no traceback from each worker)."""
    with monitor_module._parser(1) as pool:
        assert pool.submit(_interrupt_handler).result(timeout=60) == signal.SIG_IGN


_FORKED = """
import multiprocessing, threading
import cli.monitor as monitor
assert monitor.can_fork()
pool = monitor._parser(2, forks=monitor.can_fork())
started = len(multiprocessing.active_children())  # before any entry is given them
methods = {child.__class__.__name__ for child in multiprocessing.active_children()}
assert pool.submit(sum, [1, 2]).result(timeout=60) == 3
pool.shutdown()
held = threading.Event()
beside = threading.Thread(target=held.wait)
beside.start()
print(started, sorted(methods), monitor.can_fork())
held.set()
beside.join()
"""


def test_the_workers_are_forked_at_once_and_never_beside_a_thread() -> None:
    """Forked, the workers cost no start-up (no import of the program); they are forked when
    the parser is made, before the run starts its threads, and never while another thread
    runs (it could hold a lock the child would wait on for ever)."""
    done = subprocess.run([sys.executable, "-c", _FORKED], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    assert done.stdout.split("\n")[0] == "2 ['ForkProcess'] False"


def noncanonical_base64(data: bytes) -> bytes:
    """The entry with its signature's base64 written with a padding bit set: the same
    signature once decoded, other bytes."""
    at = data.rindex(b'=="}') - 1
    written = data[at : at + 1]
    other = ALPHABET[ALPHABET.index(written) + 1 : ALPHABET.index(written) + 2]
    assert base64.b64decode(data[data.rindex(b'"sig":"') + 7 : at + 3]) == base64.b64decode(
        data[data.rindex(b'"sig":"') + 7 : at] + other + b"=="
    )
    return data[:at] + other + data[at + 1 :]


def test_the_rows_read_on_their_fast_path_are_those_of_the_walk_s_own_reading(
    base: Monitored,
) -> None:
    """``checked_apart`` reads an entry's stream, type and version from its body's end and
    leaves it to ``alone`` to check them against the body parsed: its rows are those of
    ``entry_row`` and ``alone`` (its slow path), for good entries and bad ones alike."""
    entries = entries_of(base)
    seq = len(entries) - 2
    data = entries[seq]
    changed = [
        data.replace(b'","type":"', b'", "type":"', 1),  # not canonical: checked on
        data.replace(b'"stream":"', b'"stream":"A', 1),  # no stream id: not an entry
        data.replace(b'"stream":"', b'"stream":"\\u0030', 1),  # an escape: not that stream
        data.replace(b'"version":', b'"version":0', 1),  # not JSON
        data.replace(b'","version":', b'x","version":', 1),  # a type the body does not give
        data.replace(b'"version":', b'"type":"x","version":', 1),  # twice a key
        # The hash of the bytes is taken for the parts' only where the bytes are the parts'
        # canonical bytes: not a signature's base64 with bits set in its padding, nor a stored
        # seq other than the entry's, nor a time in the stored form of no real day.
        noncanonical_base64(data),
        data.replace(b'"seq":%d,' % seq, b'"seq":%d,' % (seq + 1), 1),
        re.sub(rb'"recorded_at":"(\d{4})-\d\d-', rb'"recorded_at":"\1-13-', data, count=1),
    ]
    assert len(set(changed)) == len(changed) and data not in changed

    def read(bundle: list[bytes]) -> tuple[object, ...]:
        rows, failure = monitor_entries.checked_apart(0, encode_bundle(bundle), {})
        return rows, None if failure is None else (failure.seq, failure.problem)

    for bundle in [entries] + [[*entries[:seq], bad, *entries[seq + 1 :]] for bad in changed]:
        fast = read(bundle)
        with patch.object(monitor_entries, "_checked_row", lambda seq, data: None):
            assert read(bundle) == fast


def test_the_rows_written_during_the_walk_are_those_of_the_fold_s_last_records(
    base: Monitored,
) -> None:
    """The fold's rows are written while the walk goes on for the records it has left alone
    since the last look; a record it changes after is written again, never kept stale."""
    entries = entries_of(base)
    rows, events, failure = checked_alone(0, encode_bundle(entries), {})
    assert failure is None
    folding = BoardCheck()
    stale = 0
    with patch.object(monitor_fold, "SETTLE_EVERY", 1):
        for at in range(len(rows)):  # a batch of one entry each: a look after each
            folding.add(rows[at : at + 1], events[at : at + 1])
            records = folding.folded().recommendations
            stale += sum(rec is not records[key] for key, (rec, _, _) in folding.rows.items())
            details = folding.details()
            assert details == {key: detail_of(records[key]).encode() for key in details}
            # and what the board should say of them, said then for the comparison after
            assert {key: folding.rows[key][2] for key in details} == {
                key: ours(records[key]) for key in details
            }
    assert details and stale  # rows written, and some of them for records changed since


def test_the_entries_after_one_that_could_not_be_read_are_proven_from_the_file(
    base: Monitored, tmp_path: Path
) -> None:
    """The run keeps no entry in memory: the leaves after an entry that could not be read, and
    the failing entry the evidence proves, are read back from the entries file."""
    entries = entries_of(base)
    seq = 9
    entries[seq] = b"not an entry"  # its leaf changes, so the tree is of these bytes
    nodes = MemoryNodes([leaf_hash(entry) for entry in entries])
    new = Checkpoint("example.org/log", len(entries), root(len(entries), nodes))
    before, rest = entries[:4], entries[4:]
    written = EntriesFile(tmp_path, before)
    try:
        for first in range(0, len(rest), 8):
            written.add(rest[first : first + 8])
        failure = VerificationFailed(seq, "its bytes in the tiles are not an entry")
        read = MemoryNodes([leaf_hash(entry) for entry in entries[:seq]])  # of the rows read
        with pytest.raises(Found) as found:
            monitor_module._checked_tree(new, Checked(failure), written, read)
    finally:
        written.discard()
    assert found.value.kind == ENTRY  # not "the entries do not give the root"
    proven = found.value.details["entry"]
    assert (proven["seq"], proven["entry"]) == (seq, "not an entry")
    proof = [base64.b64decode(node) for node in proven["inclusion_proof"]]
    assert verify_inclusion(leaf_hash(b"not an entry"), seq, len(entries), proof, new.root_hash)


def test_the_entries_file_is_synced_in_a_thread_of_its_own_once_written(tmp_path: Path) -> None:
    """Once every entry is in, the file is synced while the run goes on; ``put`` waits for
    the sync before it renames the file, and says a sync that failed, leaving no file."""
    synced: list[tuple[int, str]] = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        synced.append((descriptor, threading.current_thread().name))
        real_fsync(descriptor)

    written = EntriesFile(tmp_path, [b"entry 0", b"entry 1"])
    with patch.object(os, "fsync", fsync):
        written.all_in()
        descriptor = written.handle.fileno()
        written.put(tmp_path / "entries.bundle")
    assert synced[0] == (descriptor, "monitor-entries-sync")  # the file's, then the folder's
    assert [name for _, name in synced[1:]] == [threading.current_thread().name]
    assert (tmp_path / "entries.bundle").read_bytes() == encode_bundle([b"entry 0", b"entry 1"])

    def refused(descriptor: int) -> None:
        raise OSError(errno.EIO, "the disk refused")

    failing = EntriesFile(tmp_path, [b"entry 0"])
    with patch.object(os, "fsync", refused), pytest.raises(OSError, match="the disk refused"):
        try:
            failing.put(tmp_path / "other.bundle")
        finally:
            failing.discard()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["entries.bundle"]


@pytest.mark.skipif(not hasattr(fcntl, "F_GETPIPE_SZ"), reason="pipes are widened on Linux")
def test_the_pipes_to_and_from_the_workers_are_widened() -> None:
    """A worker's answer (some 190 KB) goes into the pipe back at once, rather than half of it
    waiting until this process's reading thread gets the interpreter from the walk."""
    pool = monitor_module._parser(1, forks=False)
    try:
        assert isinstance(pool, ProcessPoolExecutor)
        for queue in (pool._result_queue, pool._call_queue):  # type: ignore[attr-defined]
            size = fcntl.fcntl(queue._reader.fileno(), fcntl.F_GETPIPE_SZ)
            assert size == monitor_module.PIPE_BYTES
    finally:
        pool.shutdown()


def test_the_workers_check_every_signature_even_of_bundles_read_ahead_of_the_enrolments(
    base: Monitored, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The keys a bundle enrols are given with every bundle handed out after it, not only once
    the walk has taken it: the walk is left no signature to check itself."""
    checked_here: list[int] = []
    real = ledger_verify.first_bad_signature

    def counting(items: list[tuple[int, bytes, bytes, bytes]]) -> int | None:
        checked_here.extend(seq for seq, *_ in items)
        return real(items)

    monkeypatch.setattr(ledger_verify, "first_bad_signature", counting)
    entries = entries_of(base)
    assert walked(entries, workers(), alone=True, width=4).failure is None
    assert checked_here == []
    assert walked(entries, ThreadPoolExecutor(1), alone=False, width=4).failure is None
    assert len(checked_here) == len(entries)  # in this process, the walk checks them all


@pytest.mark.parametrize(
    "answer",
    [b"<html>not JSON</html>", b'{"recommendations": [], "next_after": "1/1"', b"[]", b"\xff\xfe"],
)
def test_a_status_board_that_is_not_the_board_s_json_is_a_sentence(answer: bytes) -> None:
    with pytest.raises(BadTiles, match=r"/api/status\?limit=5000 does not answer"):
        board_rows(lambda path: answer)


def test_the_status_board_is_read_page_after_page() -> None:
    pages = {
        "status?limit=5000": {"recommendations": [{"n": 1}], "next_after": "1/1"},
        "status?limit=5000&after=1%2F1": {"recommendations": [{"n": 2}], "next_after": None},
    }
    assert board_rows(lambda path: json.dumps(pages[path]).encode()) == [{"n": 1}, {"n": 2}]
