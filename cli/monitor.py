"""``assembly monitor``: follow a log over its tiles and check all it serves (docs/design.md 3.5).

One run, made for a scheduled job:

1. fetch the log's signed checkpoint (``/api/tiles/checkpoint``) and open it with the log's key;
   with witness keys, check the quorum of cosignatures;
2. check it extends the checkpoint of the last run: not smaller (a rollback), and the
   consistency proof computed from the tiles ties both signed roots (else a fork);
3. fetch the entries it adds (entry bundles, a few ahead); the entries seen before, served
   again in the last bundle, must be the same bytes;
4. re-verify every entry as it arrives, as ``assembly verify`` does (hash, chain, signature, the
   signer's role and validity), and fold each batch checked with the project's own status fold
   (``cli.monitor_fold``); once all are in, they must give the signed root (said before any
   entry that failed);
5. compare every recommendation with the server's ``/api/status``, read meanwhile
   (``cli.monitor_board``).

Misbehaviour ends the run with an evidence file (``cli.monitor_evidence``) and leaves the state
as it was; a clean run moves the state on. The state folder holds ``monitor.json`` (the log's
verifier key and the last checkpoint, verbatim) and ``entries.bundle`` (the entries checked, in
the tiles' bundle encoding), so a run fetches only what is new.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from cli.errors import UsageProblem
from cli.monitor_board import board_rows
from cli.monitor_entries import Checked, check_entries, parsed_parts
from cli.monitor_evidence import (
    CHANGED,
    ENTRY,
    FORK,
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
from ledger.policy import RolePolicy
from ledger.verify import default_workers
from projections.runner import collection_paused
from tlog.atomic import replace_file
from tlog.checkpoint import Checkpoint, cosigned_by, open_checkpoint, parse_checkpoint
from tlog.merkle import MemoryNodes, MerkleError, consistency_proof, leaf_hash, root
from tlog.merkle import verify_consistency as consistent
from tlog.note import NoteError, VerifierKey, parse_note, parse_verifier_key
from tlog.tiles import (
    CHECKPOINT,
    TILE_WIDTH,
    BadTiles,
    Fetch,
    TileNodes,
    TilesError,
    bundle_path,
    decode_bundle,
    encode_bundle,
    fetcher,
    tile_width,
)

STATE_FORMAT = "assembly-ledger/monitor-state@v1"
STATE_FILE, ENTRIES_FILE = "monitor.json", "entries.bundle"
FETCHING = 4  # bundles fetched at once, ahead of the checks


@dataclass(frozen=True)
class Watched:
    """What a clean run saw: the checkpoint, the one of the run before, what it compared."""

    checkpoint: Checkpoint
    previous: Checkpoint | None
    new_entries: int
    recommendations: int
    cosigned: int


@dataclass(frozen=True)
class Remembered:
    """The state of the last clean run."""

    vkey: VerifierKey
    note: bytes
    checkpoint: Checkpoint
    entries: list[bytes]


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
) -> Watched:
    """Check the log served at ``server`` (its base URL) against the state in ``folder``; raise
    Misbehaviour (evidence written), TilesUnavailable (the server cannot be reached) or
    UsageProblem; return what a clean run saw."""
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
    tiles, api = (
        fetcher(f"{base}/api/tiles", timeout=timeout),
        fetcher(f"{base}/api", timeout=timeout),
    )
    note = tiles(CHECKPOINT)
    notes = [note] if remembered is None else [remembered.note, note]
    try:
        return _check(key, note, remembered, tiles, api, policy, witnesses, quorum, workers, folder)
    except Found as found:
        path = write_evidence(folder, found, server=base, notes=notes)
        raise Misbehaviour(found.summary, path) from None


def _check(
    key: VerifierKey,
    note: bytes,
    remembered: Remembered | None,
    tiles: Fetch,
    api: Fetch,
    policy: RolePolicy,
    witnesses: Sequence[VerifierKey],
    quorum: int,
    workers: int | None,
    folder: Path,
) -> Watched:
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
    known = [] if remembered is None else remembered.entries
    if old is not None:
        _check_extends(old, new, tiles, known)
    chosen = default_workers(new.size) if workers is None else workers
    folding = BoardCheck()
    with ThreadPoolExecutor(1) as reader:
        board = reader.submit(board_rows, api)  # read while the entries are checked
        # Reading, walking and folding make objects by the million, almost none cyclic garbage.
        with ThreadPoolExecutor(1) as parser, collection_paused():
            parts = parsed_parts(_bundles(tiles, known, new.size), parser)
            checked = check_entries(parts, policy, workers=chosen, checked=folding.add)
        rows = board.result()
        entries = checked.entries
        nodes = _checked_tree(new, checked)
        try:
            compared = folding.compare(new.size, rows)
        except Found as found:
            seqs = found.details.pop("entry_seqs", [])
            found.details["entries"] = [proven_entry(entries, nodes, seq) for seq in seqs]
            raise
    save_state(folder, key, note, entries)
    return Watched(new, old, new.size - len(known), compared, cosigned)


def _checked_tree(new: Checkpoint, checked: Checked) -> MemoryNodes:
    """The tree of the entries, once they give the signed root and verify (else Found)."""
    entries = checked.entries
    read = checked.leaves  # all of them, unless an entry could not be read
    nodes = MemoryNodes(read + [leaf_hash(entry) for entry in entries[len(read) :]])
    if root(new.size, nodes) != new.root_hash:
        raise Found(ROOT, f"the {new.size} entries served do not give the root the checkpoint "
                    "signs", root_of_entries=b64(root(new.size, nodes)))  # fmt: skip
    if checked.failure is not None:
        failure = checked.failure
        seq = min(failure.seq, new.size - 1)  # an empty log has no entry to prove
        raise Found(ENTRY, f"entry {failure.seq} does not verify: {failure.problem}",
                    entry=proven_entry(entries, nodes, seq) if seq >= 0 else None)  # fmt: skip
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


def _bundles(tiles: Fetch, known: list[bytes], size: int) -> Iterator[list[bytes]]:
    """The entries of the checkpoint of ``size``, a bundle at a time: those checked before,
    then the new ones from their bundles, fetched ahead by a few threads. The last bundle seen
    before is fetched again even when nothing is new, and must hold the same entries as before
    (else Found)."""
    start = max(0, min(len(known), size - 1)) // TILE_WIDTH
    for first in range(0, start * TILE_WIDTH, TILE_WIDTH):
        yield known[first : first + TILE_WIDTH]
    indexes = range(start, -(-size // TILE_WIDTH))
    pool = ThreadPoolExecutor(FETCHING)
    try:
        fetched = pool.map(partial(_bundle, tiles, size), indexes)
        for index, bundle in zip(indexes, fetched, strict=True):
            first = index * TILE_WIDTH
            for seq in range(first, min(first + len(bundle), len(known))):
                if known[seq] != bundle[seq - first]:
                    raise Found(
                        CHANGED,
                        f"entry {seq} changed: the server now serves other bytes than those "
                        "checked on an earlier run",
                        seq=seq,
                        entry_seen=known[seq].decode(errors="replace"),
                        entry_served=bundle[seq - first].decode(errors="replace"),
                    )
            yield bundle
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _bundle(tiles: Fetch, size: int, index: int) -> list[bytes]:
    width = tile_width(size, 0, index)
    path = bundle_path(index, width)
    bundle = decode_bundle(tiles(path), what=path)
    if len(bundle) != width:
        raise BadTiles(f"{path} holds {len(bundle)} entries, not {width}")
    return bundle


# --- state ---------------------------------------------------------------------------------------


def load_state(folder: Path) -> Remembered | None:
    """The state of the last clean run in ``folder``, or None before the first."""
    path = folder / STATE_FILE
    try:
        document = json.loads(path.read_bytes())
        entries = decode_bundle((folder / ENTRIES_FILE).read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError, BadTiles):
        document = None
    try:
        if not isinstance(document, dict) or document.get("format") != STATE_FORMAT:
            raise ValueError
        vkey = parse_verifier_key(document["vkey"])
        note = document["checkpoint"].encode()
        checkpoint = parse_checkpoint(parse_note(note).text)
        if len(entries) < checkpoint.size:  # more: a run stopped before it saved the checkpoint
            raise ValueError
    except (ValueError, KeyError, AttributeError, NoteError):
        raise UsageProblem(
            f"The monitor's state in {folder} cannot be read as {STATE_FORMAT}; "
            "give another --state folder."
        ) from None
    return Remembered(vkey, note, checkpoint, entries[: checkpoint.size])


def save_state(folder: Path, vkey: VerifierKey, note: bytes, entries: list[bytes]) -> None:
    """Remember a clean run: the entries first, then the checkpoint that covers them."""
    document: dict[str, Any] = {"format": STATE_FORMAT, "vkey": vkey.text(),
                                "checkpoint": note.decode()}  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    replace_file(folder / ENTRIES_FILE, encode_bundle(entries))
    replace_file(folder / STATE_FILE, (json.dumps(document, indent=2) + "\n").encode())
