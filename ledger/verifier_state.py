"""The verifier's memory of checkpoints, and its misbehaviour reports (docs/design.md 3.5).

A verifier remembers, per origin, the last checkpoint it accepted from a checked bundle, and
that checkpoint's leaf hashes (to say where two histories part, and to tell an older view of the
same history from a fork). A smaller checkpoint whose root the remembered leaves give is an
older bundle, reported as such. A bundle whose entries give another root at the remembered
size, or a smaller one the remembered leaves do not give (a fork), is refused with a
self-contained report written next to the state file: both signed checkpoints, verbatim,
and the failing consistency evidence. The state is written atomically, under a lock.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ledger.bundle import BadBundle, BundleSetupError, Examined, tree_head
from tlog.atomic import replace_file
from tlog.checkpoint import Checkpoint, parse_checkpoint
from tlog.merkle import (
    MemoryNodes,
    consistency_proof,
    inclusion_proof,
    root,
)
from tlog.note import NoteError, parse_note

STATE_FORMAT = "assembly-ledger/verifier-state@v1"
REPORT_FORMAT = "assembly-ledger/misbehaviour@v1"


class Misbehaviour(BadBundle):
    """The log showed a checkpoint that does not extend the one accepted before."""

    def __init__(self, summary: str, report: Path) -> None:
        super().__init__(summary)
        self.summary = summary
        self.report = report

    def sentence(self) -> str:
        return f"Refused: {self.summary}; the proof of misbehaviour is in {self.report}."


def accept_bundle(examined: Examined, state: Path) -> Checkpoint | None:
    """Check that a verified bundle's checkpoint extends the one remembered for its origin, then
    remember it; return the one remembered before (None the first time). A smaller checkpoint
    consistent with the remembered one (an older bundle) is no misbehaviour: the remembered one
    is returned and kept.

    On a fork (or a smaller checkpoint that cannot be checked), write the misbehaviour report
    next to ``state``, keep the state as it was, and raise Misbehaviour naming the report.
    """
    try:
        state.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BundleSetupError(f"Cannot make the folder of {state}: {exc.strerror}.") from None
    origin = examined.checkpoint.origin
    with _locked(state):
        logs = _load_state(state)
        remembered = logs.get(origin)
        previous = None
        if remembered is not None:
            previous = _checkpoint_of(remembered["checkpoint"].encode(), state)
            if _older(state, previous, remembered["checkpoint"].encode(), examined):
                return previous  # an older view of the same history: remember the newer one
        leaves = _leaves_path(state, origin)
        replace_file(leaves, examined.leaves)
        logs[origin] = {"checkpoint": examined.note.decode(), "leaves": leaves.name}
        document = {"format": STATE_FORMAT, "logs": logs}
        replace_file(state, (json.dumps(document, indent=2, sort_keys=True) + "\n").encode())
    return previous


def remembered_checkpoint(state: Path, origin: str) -> bytes | None:
    """The signed checkpoint the state remembers for ``origin``, verbatim, if any."""
    remembered = _load_state(state).get(origin)
    return None if remembered is None else remembered["checkpoint"].encode()


def _older(state: Path, old: Checkpoint, old_note: bytes, examined: Examined) -> bool:
    """Tell whether the bundle's checkpoint is older than the remembered one and consistent
    with it (False: it extends it); raise Misbehaviour with a report when it is neither."""
    new = examined.checkpoint
    if new.size >= old.size and tree_head(examined.leaves, old.size) == old.root_hash:
        return False
    old_leaves = _remembered_leaves(state, old)
    # The remembered tree's first new.size leaves give the new root: the same history, seen
    # earlier (as an honest older bundle is; a verifier wanting the newest state asks for a
    # fresher checkpoint, which it would remember).
    if (
        new.size < old.size
        and old_leaves is not None
        and tree_head(old_leaves, new.size) == new.root_hash
    ):
        return True
    common = min(old.size, new.size)
    first = None
    if old_leaves is not None:
        first = next(
            (
                seq
                for seq in range(common)
                if old_leaves[32 * seq : 32 * seq + 32] != examined.leaf(seq)
            ),
            None,
        )
    where = "" if first is None else f", and the histories first differ at seq {first}"
    if new.size < old.size and old_leaves is None:
        kind = "rollback"
        summary = (
            f"the log {new.origin} may have been rolled back: its checkpoint of {new.size} "
            f"entries is smaller than the checkpoint of {old.size} accepted before, whose "
            "leaves, kept to tell an older view of the same history from a fork, are gone"
        )
    elif new.size < old.size:
        kind = "fork"
        summary = (
            f"the log {new.origin} forked: its checkpoint of {new.size} entries is not the "
            f"start of the checkpoint of {old.size} accepted before{where}"
        )
    else:
        kind = "fork"
        summary = (
            f"the log {new.origin} forked: its checkpoint of {new.size} entries does not extend "
            f"the checkpoint of {old.size} accepted before{where}"
        )
    report = _report(kind, summary, old, old_note, examined, old_leaves, first)
    digest = hashlib.sha256(examined.note).hexdigest()[:8]
    path = state.with_name(f"misbehaviour-{_slug(new.origin)}-{old.size}-{new.size}-{digest}.json")
    replace_file(path, (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode())
    raise Misbehaviour(summary, path)


def _report(
    kind: str,
    summary: str,
    old: Checkpoint,
    old_note: bytes,
    examined: Examined,
    old_leaves: bytes | None,
    first: int | None,
) -> dict[str, Any]:
    """The self-contained evidence: both signed notes, the new tree's head at the remembered
    size with the RFC 9162 proof tying it to the new root, and where the leaves differ."""
    new = examined.checkpoint
    new_nodes = MemoryNodes(_split(examined.leaves))
    extends = new.size >= old.size
    report: dict[str, Any] = {
        "format": REPORT_FORMAT,
        "kind": kind,
        "summary": summary[0].upper() + summary[1:] + ".",
        "origin": new.origin,
        "remembered_checkpoint": old_note.decode(),
        "new_checkpoint": examined.note.decode(),
        "remembered_size": old.size,
        "remembered_root": _b64(old.root_hash),
        "new_size": new.size,
        "new_root": _b64(new.root_hash),
        "root_at_remembered_size": _b64(root(old.size, new_nodes)) if extends else None,
        "consistency_proof": (
            [_b64(h) for h in consistency_proof(old.size, new.size, new_nodes)]
            if extends and old.size > 0
            else None
        ),
        "first_differing_seq": first,
        "first_missing_seq": new.size if not extends and first is None else None,
        "difference": None,
        "how_to_check": _HOW_TO_CHECK,
    }
    if first is not None and old_leaves is not None:
        old_nodes = MemoryNodes(_split(old_leaves[: 32 * old.size]))
        report["difference"] = {
            "seq": first,
            "remembered_leaf": old_leaves[32 * first : 32 * first + 32].hex(),
            "remembered_inclusion_proof": [
                _b64(h) for h in inclusion_proof(first, old.size, old_nodes)
            ],
            "new_entry": _line(examined.lines, first),
            "new_leaf": examined.leaf(first).hex(),
            "new_inclusion_proof": [_b64(h) for h in inclusion_proof(first, new.size, new_nodes)],
        }
    return report


_HOW_TO_CHECK = (
    "Open both checkpoints with the log's verifier key: the log signed both. For a fork: "
    "consistency_proof verifies (RFC 9162 section 2.1.4.2) from root_at_remembered_size to "
    "new_root, so the new tree's first remembered_size entries hash to root_at_remembered_size, "
    "not to remembered_root. At difference.seq, remembered_leaf is in the remembered tree "
    "(remembered_inclusion_proof to remembered_root, RFC 9162 section 2.1.3.2) and new_leaf, "
    "SHA-256(0x00 || new_entry without its hash member), is in the new tree "
    "(new_inclusion_proof to new_root): one log, two histories. For a rollback: new_size is "
    "smaller than remembered_size, which the log signed before."
)


def _line(lines: Path, seq: int) -> str | None:
    with lines.open("rb") as handle:
        for index, line in enumerate(handle):
            if index == seq:
                return line.rstrip(b"\n").decode()
    return None


def _remembered_leaves(state: Path, old: Checkpoint) -> bytes | None:
    """The leaf hashes kept with the remembered checkpoint, if they still reproduce its root."""
    try:
        leaves = _leaves_path(state, old.origin).read_bytes()
    except OSError:
        return None
    if len(leaves) < 32 * old.size or tree_head(leaves, old.size) != old.root_hash:
        return None
    return leaves


def _load_state(state: Path) -> dict[str, dict[str, str]]:
    try:
        document = json.loads(state.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        document = None
    logs = document.get("logs") if isinstance(document, dict) else None
    if (
        not isinstance(document, dict)
        or document.get("format") != STATE_FORMAT
        or not isinstance(logs, dict)
        or not all(
            isinstance(log, dict) and isinstance(log.get("checkpoint"), str)
            for log in logs.values()
        )
    ):
        raise BundleSetupError(
            f"The verifier's state file {state} cannot be read as {STATE_FORMAT}; "
            "give another one with --state."
        )
    return logs


def _checkpoint_of(note: bytes, state: Path) -> Checkpoint:
    try:
        return parse_checkpoint(parse_note(note).text)
    except NoteError as exc:
        raise BundleSetupError(
            f"The checkpoint remembered in {state} cannot be read: {exc.sentence()}"
        ) from None


def _leaves_path(state: Path, origin: str) -> Path:
    digest = hashlib.sha256(origin.encode()).hexdigest()[:16]
    return state.with_name(f"{state.stem}-{digest}.leaves")


@contextlib.contextmanager
def _locked(state: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the state: two verifiers at once must not lose a check."""
    descriptor = os.open(state.with_name(state.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _split(leaves: bytes) -> list[bytes]:
    return [leaves[start : start + 32] for start in range(0, len(leaves), 32)]


def _slug(origin: str) -> str:
    return "".join(char if char.isalnum() or char in ".-" else "_" for char in origin)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
