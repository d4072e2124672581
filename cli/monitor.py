"""``assembly monitor``: follow a log over its tiles and check all it serves (docs/design.md 3.5).

One run, made for a scheduled job:

1. fetch the log's signed checkpoint (``/api/tiles/checkpoint``) and open it with the log's key;
   with witness keys, check the quorum of cosignatures;
2. check it extends the checkpoint of the last run: not smaller (a rollback), and the
   consistency proof computed from the tiles ties both signed roots (else a fork);
3. fetch the entries it adds (entry bundles, a few ahead); the entries seen before, served
   again in the last bundle, must be the same bytes;
4. re-verify each new entry as it arrives, as ``assembly verify`` does (hash, chain, signature,
   the signer's role and validity), taking up the walk where the last run's ended, and fold
   each batch checked with the project's own status fold (``cli.monitor_fold``) from the last
   run's fold; once all are in, the entries must give the signed root (said before any entry
   that failed);
5. compare every recommendation with the server's ``/api/status``, read meanwhile
   (``cli.monitor_board``), then with the pages people read (``cli.monitor_pages``).

Misbehaviour ends the run with an evidence file (``cli.monitor_evidence``) and leaves the state
as it was; a clean run moves the state on (``cli.monitor_state``), so the next run fetches,
verifies and folds only what is new. A state without the walk (an earlier release's) walks every
entry once more.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows has no fcntl: its pipes stay as they are
    fcntl = None  # type: ignore[assignment]

from cli.errors import UsageProblem
from cli.monitor_board import board_rows
from cli.monitor_entries import Checked, check_entries, parsed_parts
from cli.monitor_evidence import (
    CHANGED,
    ENTRY,
    FORK,
    ORIGIN,
    ROLLBACK,
    ROOT,
    UNSIGNED,
    WITNESS,
    Found,
    Misbehaviour,
    b64,
    proven_entry,
    write_evidence,
)
from cli.monitor_fold import BoardCheck
from cli.monitor_pages import Pages, check_pages, pages_to_read
from cli.monitor_state import EntriesFile, Remembered, Resumed, load_state, save_state
from ledger.policy import RolePolicy
from projections.runner import collection_paused
from tlog.checkpoint import Checkpoint, cosigned_by, open_checkpoint
from tlog.merkle import MemoryNodes, MerkleError, consistency_proof, leaf_hash, root
from tlog.merkle import verify_consistency as consistent
from tlog.note import NoteError, VerifierKey, parse_note
from tlog.tiles import (
    CHECKPOINT,
    TILE_WIDTH,
    BadTiles,
    Bundle,
    Fetch,
    TileNodes,
    TilesError,
    bundle_of,
    bundle_path,
    decode_bundle,
    fetcher,
    read_bundle,
    tile_width,
)

FETCHING = 4  # bundles fetched at once, ahead of the checks
PIPE_BYTES = 1 << 20  # Linux's largest pipe for a process without privileges, by default
# Bundles fetched ahead of the one the checks take next: enough to keep the checks fed, few
# enough that memory holds a few MB of them, not the whole log (fetching runs many times
# faster than checking).
FETCHED_AHEAD = 64
# With worker processes, each reads its bundles and makes every check of an entry that needs no
# other (hash, body, canonical form, signature), and this process walks the order and folds.
# Forked before this process starts a thread, they cost no start-up, and pay for themselves on
# all but short catch-ups; started afresh ("spawn", when a thread is already running), each
# first imports the program, which pays only on long ones (``benchmarks/monitor.py``, 2 cores).
PARALLEL_FROM = 50_000  # workers started afresh
FORKED_FROM = 4_096  # forked workers


@dataclass(frozen=True)
class Watched:
    """What a clean run saw: the checkpoint, the one of the run before, what it compared."""

    checkpoint: Checkpoint
    previous: Checkpoint | None
    new_entries: int
    verified: int  # the entries this run walked: the new ones, or all without the last walk
    recommendations: int
    pages: int
    cosigned: int


def monitor(
    server: str,
    folder: Path,
    policy: RolePolicy,
    *,
    vkey: VerifierKey | None = None,
    witnesses: Sequence[VerifierKey] = (),
    quorum: int = 0,
    workers: int | None = None,
    timeout: float = 30.0,
    pages: Pages | str = Pages.changed,
) -> Watched:
    """Check the log served at ``server`` (its base URL) against the state in ``folder``, and
    the pages ``pages`` says (``cli.monitor_pages.Pages``); raise Misbehaviour (evidence
    written), TilesUnavailable (the server cannot be reached) or UsageProblem; return what a
    clean run saw."""
    which = _pages(pages)
    # A run makes objects by the million, almost none cyclic garbage, and keeps them to its end
    # (the state read back, the walk, the fold): a collection on the way, even the first after
    # the walk, would walk them all; reading back the state of 200,000 entries set off seven,
    # 2 s of its 4.5.
    with collection_paused():
        return _monitor(server, folder, policy, vkey, witnesses, quorum, workers, timeout, which)


def _monitor(
    server: str,
    folder: Path,
    policy: RolePolicy,
    vkey: VerifierKey | None,
    witnesses: Sequence[VerifierKey],
    quorum: int,
    workers: int | None,
    timeout: float,
    which: Pages,
) -> Watched:
    base = server.rstrip("/")
    remembered = load_state(folder)
    if vkey is None and remembered is None:
        raise UsageProblem(
            f"{folder} holds no monitor state yet: give the log's verifier key with --vkey."
        )
    if vkey is not None and remembered is not None and vkey != remembered.vkey:
        raise UsageProblem(
            f"{folder} follows the log of the key {remembered.vkey.text()}, not {vkey.text()}: "
            "give another --state folder."
        )
    key = vkey if vkey is not None else remembered.vkey  # type: ignore[union-attr]
    served = _Served(
        fetcher(f"{base}/api/tiles", timeout=timeout),
        fetcher(f"{base}/api", timeout=timeout),
        fetcher(base, timeout=timeout),
    )
    note = served.tiles(CHECKPOINT)
    if remembered is not None:
        _check_same_log(folder, base, remembered, note)
    notes = [note] if remembered is None else [remembered.note, note]
    try:
        return _check(key, note, remembered, served, policy, witnesses, quorum, workers, folder,
                      which)  # fmt: skip
    except Found as found:
        path = write_evidence(folder, found, server=base, notes=notes)
        raise Misbehaviour(found.summary, path) from None


def _pages(pages: Pages | str) -> Pages:
    try:
        return Pages(pages)
    except ValueError:
        named = ", ".join(choice.value for choice in Pages)
        raise UsageProblem(f"--pages is one of {named}, not {pages!r}.") from None


def _check_same_log(folder: Path, base: str, remembered: Remembered, note: bytes) -> None:
    """Raise UsageProblem when the server names another log than the one ``folder`` follows
    and its checkpoint carries no signature of that log's key, by name or key id (a state given
    for the wrong server); a checkpoint that does, or cannot be read, is for the checks."""
    try:
        parsed = parse_note(note)
    except NoteError:
        return
    origin, old, key = parsed.text.split("\n", 1)[0], remembered.checkpoint, remembered.vkey
    if origin == old.origin or any(
        line.name == key.name or line.key_id == key.key_id for line in parsed.signatures
    ):
        return
    raise UsageProblem(
        f"{folder} follows the log {old.origin}, and {base} serves the log {origin}: "
        "give another --state folder for it."
    )


@dataclass(frozen=True)
class _Served:
    """What reads the server: its tiles, its API and its pages."""

    tiles: Fetch
    api: Fetch
    site: Fetch


def _check(
    key: VerifierKey,
    note: bytes,
    remembered: Remembered | None,
    served: _Served,
    policy: RolePolicy,
    witnesses: Sequence[VerifierKey],
    quorum: int,
    workers: int | None,
    folder: Path,
    pages: Pages,
) -> Watched:
    tiles = served.tiles
    try:
        new, _ = open_checkpoint(note, [key])
    except NoteError as exc:
        raise Found(UNSIGNED, f"the checkpoint served does not open with the log's key: "
                    f"{exc.sentence().rstrip('.')}") from None  # fmt: skip
    cosigned = len(cosigned_by(new, parse_note(note).signatures, witnesses))
    if cosigned < quorum:
        raise Found(WITNESS, f"the checkpoint of {new.size} entries carries {cosigned} valid "
                    f"cosignatures of the witnesses given, not the {quorum} required")  # fmt: skip
    old = None if remembered is None else remembered.checkpoint
    if old is not None and new.origin != old.origin:
        raise Found(ORIGIN, f"the log's key signs a checkpoint of the log {new.origin}, where "
                    f"it signed one of the log {old.origin} before")  # fmt: skip
    known = [] if remembered is None else remembered.entries
    if old is not None:
        _check_extends(old, new, tiles, known)
    resumed = None if remembered is None else remembered.resumed
    walked = 0 if resumed is None else resumed.reached.seq  # the entries not walked again
    before = known[:walked]
    forks = can_fork()
    chosen = default_workers(new.size - walked, forks=forks) if workers is None else workers
    folding = BoardCheck() if resumed is None else BoardCheck(resumed.fold, resumed.history)
    parser = _parser(chosen, forks=forks)  # before the threads below: its workers are forked now
    with parser, ThreadPoolExecutor(1) as reader, _entries_file(folder, before) as written:
        board = reader.submit(board_rows, served.api)  # read while the entries are checked
        bundles = written.through(_after(_bundles(tiles, known, new.size), walked))
        reached = None if resumed is None else resumed.reached
        parts = parsed_parts(bundles, parser, first=walked, alone=chosen > 0, start=reached)
        # With workers, they check each entry's signature and all else that needs no other
        # entry as they read it: the walk is left the checks of order.
        tree = MemoryNodes([leaf_hash(entry) for entry in before])  # grown as the walk goes
        checked = check_entries(parts, policy, workers=0, checked=folding.add, tree=tree,
                                start=reached)  # fmt: skip
        parser.shutdown(wait=False)  # the workers are done: they end while the tail runs
        written.all_in()  # synced while the rest is checked and written
        rows = board.result()
        nodes = _checked_tree(new, checked, written, tree)
        try:
            compared = folding.compare(new.size, rows)
            state = folding.folded()
            again = () if resumed is None else resumed.pages_later
            keys = pages_to_read(pages, folding.start, state, again=again)
            read = check_pages(served.site, served.api, state, new.size, keys)
        except Found as found:
            seqs = found.details.pop("entry_seqs", [])
            entries = written.entries()
            found.details["entries"] = [proven_entry(entries, nodes, seq) for seq in seqs]
            raise
        assert checked.reached is not None  # the entries verified
        later = again if pages is Pages.none else read.later  # a run that reads none leaves them
        walk = Resumed(checked.reached, state, folding.history, folding.details(),
                       pages_later=tuple(later))  # fmt: skip
        save_state(folder, key, note, written, walk, before=resumed)
    return Watched(new, old, new.size - len(known), new.size - walked, compared, read.compared,
                   cosigned)  # fmt: skip


@contextmanager
def _entries_file(folder: Path, before: list[bytes]) -> Iterator[EntriesFile]:
    """The state's next entries file, written as the entries are read (``EntriesFile``):
    removed unless the run saved it."""
    written = EntriesFile(folder, before)
    try:
        yield written
    finally:
        written.discard()


def can_fork() -> bool:
    """Whether worker processes may be forked from this one: where the system forks, and while
    this process runs no other thread (a thread holding a lock at the fork would leave it held
    for ever in the child)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def _parser(workers: int, *, forks: bool = False) -> Executor:
    """What reads the bundles: a thread of this process, or ``workers`` processes, which leave
    an interrupt at the terminal to this one (it stops them, without a traceback from each).
    With ``forks`` (``can_fork``), they are forked from this process at once, before it starts
    a thread; else each is started afresh and imports the program."""
    if workers <= 0:
        return ThreadPoolExecutor(1)
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork" if forks else "spawn"),
        initializer=_worker_started,
    )
    _widen_pipes(pool)
    if forks:
        pool.submit(int)  # the first task forks every worker, then starts the pool's threads
    return pool


def _widen_pipes(pool: ProcessPoolExecutor) -> None:
    """Let the workers write their answers, and this process its bundles, a few ahead into the
    pipes between them (Linux's F_SETPIPE_SZ, up to ``PIPE_BYTES``). An answer is some 190 KB,
    a pipe 64 KB: a worker stood, half an answer written, until the pool's thread that reads
    it got the interpreter back from the walk, 3 s of a 12 s run over 200,000 entries
    (``benchmarks/monitor.py``). The pool's pipes are not public: where they are not found,
    or cannot be widened, they stay as they are."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    for queue in (getattr(pool, "_result_queue", None), getattr(pool, "_call_queue", None)):
        reader = getattr(queue, "_reader", None)
        if setting is None or reader is None:
            continue
        with suppress(OSError, ValueError):
            fcntl.fcntl(reader.fileno(), setting, PIPE_BYTES)


def _worker_started() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()  # a forked worker's collections leave alone what it inherited


def default_workers(count: int, *, forks: bool = False) -> int:
    """Entry-checking processes for a run that walks ``count`` entries: none below
    ``FORKED_FROM`` when they are forked (``can_fork``), else below ``PARALLEL_FROM``; above,
    one per core."""
    return (os.cpu_count() or 1) if count >= (FORKED_FROM if forks else PARALLEL_FROM) else 0


def _checked_tree(
    new: Checkpoint, checked: Checked, written: EntriesFile, tree: MemoryNodes
) -> MemoryNodes:
    """The tree of the entries (``tree``: of those checked on an earlier run, then of those
    walked now, as ``written``), once they give the signed root and verify (else Found)."""
    entries: list[bytes] | None = None  # read back from the file only for a failure
    if tree.size < new.size:  # the entries after one that could not be read
        entries = written.entries()
        tree.extend(leaf_hash(entry) for entry in entries[tree.size :])
    nodes = tree
    if root(new.size, nodes) != new.root_hash:
        raise Found(ROOT, f"the {new.size} entries served do not give the root the checkpoint "
                    "signs", root_of_entries=b64(root(new.size, nodes)))  # fmt: skip
    if checked.failure is not None:
        failure = checked.failure
        seq = min(failure.seq, new.size - 1)  # an empty log has no entry to prove
        if entries is None:
            entries = written.entries()
        entry = proven_entry(entries, nodes, seq) if seq >= 0 else None
        raise Found(ENTRY, f"entry {failure.seq} does not verify: {failure.problem}",
                    entry=entry)  # fmt: skip
    return nodes


def _check_extends(old: Checkpoint, new: Checkpoint, tiles: Fetch, known: list[bytes]) -> None:
    """Raise Found unless the new checkpoint extends the old one (RFC 9162 2.1.4)."""
    if new.size < old.size:
        raise Found(ROLLBACK, f"the log was rolled back: its checkpoint of {new.size} entries is "
                    f"smaller than the checkpoint of {old.size} seen before")  # fmt: skip
    if new.size == old.size:
        if new.root_hash != old.root_hash:
            raise Found(FORK, f"the log forked: two checkpoints of {new.size} entries sign "
                        "different roots")  # fmt: skip
        return
    nodes = TileNodes(tiles, new.size)
    try:
        proof = consistency_proof(old.size, new.size, nodes) if old.size else []
    except (MerkleError, BadTiles) as exc:
        raise Found(FORK, f"the log's tiles give no consistency proof from {old.size} to "
                    f"{new.size} entries: {exc.sentence().rstrip('.')}") from None  # fmt: skip
    if old.size and not consistent(old.size, new.size, old.root_hash, new.root_hash, proof):
        raise Found(
            FORK,
            f"the log forked: its checkpoint of {new.size} entries does not extend the "
            f"checkpoint of {old.size} seen before (the consistency proof from the tiles fails)",
            consistency_proof=[b64(node) for node in proof],
            **_first_difference(nodes, known),
        )


def _first_difference(nodes: TileNodes, known: list[bytes]) -> dict[str, Any]:
    """Where the tiles' leaves part from the entries checked before, if they can tell."""
    for seq, entry in enumerate(known):
        try:
            served = nodes.node(0, seq)
        except (MerkleError, TilesError):
            return {}
        if served != leaf_hash(entry):
            return {"first_differing_seq": seq, "leaf_served": served.hex(),
                    "entry_seen": entry.decode(errors="replace")}  # fmt: skip
    return {}


def _bundles(tiles: Fetch, known: list[bytes], size: int) -> Iterator[Bundle]:
    """The entries of the checkpoint of ``size``, a bundle at a time: those checked before,
    then the new ones from their bundles, fetched a few ahead (``FETCHED_AHEAD``) by a few
    threads, each handed on as fetched, whole. The last bundle seen before is fetched again
    even when nothing is new, and must hold the same entries as before (else Found)."""
    start = max(0, min(len(known), size - 1)) // TILE_WIDTH
    for first in range(0, start * TILE_WIDTH, TILE_WIDTH):
        yield bundle_of(known[first : first + TILE_WIDTH])
    indexes = iter(range(start, -(-size // TILE_WIDTH)))
    pool = ThreadPoolExecutor(FETCHING)
    fetch = partial(_bundle, tiles, size)
    try:
        fetched = deque((index, pool.submit(fetch, index))
                        for index in islice(indexes, FETCHED_AHEAD))  # fmt: skip
        while fetched:
            index, future = fetched.popleft()
            bundle = future.result()
            fetched.extend((later, pool.submit(fetch, later)) for later in islice(indexes, 1))
            first = index * TILE_WIDTH
            if first < len(known):  # the one bundle fetched again: read here
                _check_same(known, first, decode_bundle(bundle.data))
            yield bundle
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _check_same(known: list[bytes], first: int, served: list[bytes]) -> None:
    """Raise Found unless the entries ``served`` from seq ``first`` are those ``known``."""
    for seq in range(first, min(first + len(served), len(known))):
        if known[seq] != served[seq - first]:
            raise Found(
                CHANGED,
                f"entry {seq} changed: the server now serves other bytes than those "
                "checked on an earlier run",
                seq=seq,
                entry_seen=known[seq].decode(errors="replace"),
                entry_served=served[seq - first].decode(errors="replace"),
            )


def _after(bundles: Iterator[Bundle], skip: int) -> Iterator[Bundle]:
    """The entries of ``bundles`` after the first ``skip``, a bundle at a time."""
    for bundle in bundles:
        if skip == 0:
            yield bundle
        elif skip < bundle.size:
            yield bundle_of(decode_bundle(bundle.data)[skip:])
        skip = max(0, skip - bundle.size)


def _bundle(tiles: Fetch, size: int, index: int) -> Bundle:
    width = tile_width(size, 0, index)
    path = bundle_path(index, width)
    bundle = read_bundle(tiles(path), what=path)
    if bundle.size != width:
        raise BadTiles(f"{path} holds {bundle.size} entries, not {width}")
    return bundle
