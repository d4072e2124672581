"""The monitor's state folder: what a clean run leaves for the next one.

- ``monitor.json`` (format ``assembly-ledger/monitor-state@v1``): the log's verifier key and the
  last checkpoint checked, verbatim;
- ``entries.bundle``: the entries that checkpoint covers, in the tiles' bundle encoding (the
  evidence of a later run proves them, and a run fetches only the entries after them);
- ``walk.jsonl`` (format ``assembly-ledger/monitor-walk@v2``): where the walk over those
  entries ended (``ledger.verify.Reached``) and the status fold of them, tied to the checkpoint
  by its size and root, so that a run verifies and folds only the entries after it, and the
  recommendations whose pages the run left for a later one (``pages_later``): a first line of
  JSON, then the fold's recommendations, one row of ``projections.tables`` (its ``detail``, a
  line of compact JSON) per line, as many as the first line says. They are written as the fold
  keeps them, not escaped into strings of one document: that took half the time a first run
  spent saving its state. A state of the release before has ``walk.json`` (format
  ``assembly-ledger/monitor-walk@v1``, the same in one JSON document, the rows as strings): it
  is read, and replaced by ``walk.jsonl`` at the next clean run.

The files are replaced one at a time, each atomically, in that order backwards: a run stopped
between two leaves a walk of another checkpoint, which is set aside (the next run walks every
entry again), never one taken for the wrong entries. A state of an earlier release without a
walk: its next run walks every entry once, then writes one.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cli.errors import UsageProblem
from ledger.signers import SignerRecord
from ledger.verify import Reached
from projections.status import Key, Status
from projections.tables import detail_of, from_row, settings_value, with_settings
from tlog.atomic import replace_file
from tlog.checkpoint import Checkpoint, parse_checkpoint
from tlog.note import NoteError, VerifierKey, parse_note, parse_verifier_key
from tlog.tiles import BadTiles, Bundle, decode_bundle, encode_bundle

STATE_FORMAT = "assembly-ledger/monitor-state@v1"
WALK_FORMAT = "assembly-ledger/monitor-walk@v2"
WALK_FORMAT_V1 = "assembly-ledger/monitor-walk@v1"  # the release before's, still read
STATE_FILE, ENTRIES_FILE, WALK_FILE = "monitor.json", "entries.bundle", "walk.jsonl"
WALK_FILE_V1 = "walk.json"


@dataclass(frozen=True)
class Resumed:
    """Where the last clean run's walk and fold ended: at the end of its checkpoint."""

    reached: Reached
    fold: Status
    history: date | None  # the ledger's ``history_before``, which the fold reads
    # Each recommendation's row as read (its line's bytes, UTF-8), written again as it is
    # while the fold keeps it (of a walk just made: the rows already written of some of its
    # records)
    details: Mapping[Key, bytes] = field(default_factory=dict)
    # The pages that disagreed but changed after the checkpoint: the next run reads them again
    pages_later: tuple[Key, ...] = ()


@dataclass(frozen=True)
class Remembered:
    """The state of the last clean run; ``resumed`` is None when the walk starts again at 0."""

    vkey: VerifierKey
    note: bytes
    checkpoint: Checkpoint
    entries: list[bytes]
    resumed: Resumed | None


def load_state(folder: Path) -> Remembered | None:
    """The state of the last clean run in ``folder``, or None before the first; raise
    UsageProblem when it cannot be read."""
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
        raise _unreadable(folder, STATE_FORMAT) from None
    resumed = _load_walk(folder, checkpoint)
    return Remembered(vkey, note, checkpoint, entries[: checkpoint.size], resumed)


class EntriesFile:
    """The next ``entries.bundle``, written as the run reads the entries (a temporary file in
    the state folder, its bytes those ``save_state`` would write of them): ``save_state`` puts
    it in place; ``discard`` removes it, for a run that does not save."""

    def __init__(self, folder: Path, before: Sequence[bytes]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=folder, prefix=f".{ENTRIES_FILE}.", suffix=".tmp")
        self.path = Path(name)
        self.handle = os.fdopen(descriptor, "wb")
        self.saved = False
        self._syncing: threading.Thread | None = None
        self._sync_failed: OSError | None = None
        self.add(before)

    def add(self, entries: Sequence[bytes]) -> None:
        self.handle.write(encode_bundle(entries))

    def through(self, bundles: Iterator[Bundle]) -> Iterator[Bundle]:
        """``bundles``, each written as it passes (as it came: the file is their bundles one
        after the other)."""
        for bundle in bundles:
            self.handle.write(bundle.data)
            yield bundle

    def entries(self) -> list[bytes]:
        """Every entry written so far, read back from the file (for evidence: a run does not
        keep them in memory)."""
        self.handle.flush()
        return decode_bundle(self.path.read_bytes())

    def all_in(self) -> None:
        """Every entry is in: the file is synced to the disk in a thread of its own while the
        run compares and writes the rest of its state (``put`` waits for it). Synced in turn
        after the walk, its 145 MB (200,000 entries) held the run up 0.08 s."""
        if self._syncing is None:
            self._syncing = threading.Thread(target=self._sync, name="monitor-entries-sync")
            self._syncing.start()

    def _sync(self) -> None:
        try:
            self.handle.flush()
            os.fsync(self.handle.fileno())
        except OSError as exc:  # raised by put
            self._sync_failed = exc

    def put(self, path: Path) -> None:
        """Sync the file and rename it over ``path``, then sync the folder (``replace_file``)."""
        self.all_in()
        assert self._syncing is not None
        self._syncing.join()
        self.handle.close()
        if self._sync_failed is not None:
            raise self._sync_failed
        os.replace(self.path, path)
        self.saved = True
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)

    def discard(self) -> None:
        """Remove the file, unless it was put in place."""
        if self._syncing is not None:
            self._syncing.join()
        self.handle.close()
        if not self.saved:
            with suppress(OSError):
                os.unlink(self.path)


def save_state(
    folder: Path,
    vkey: VerifierKey,
    note: bytes,
    entries: list[bytes] | EntriesFile,
    resumed: Resumed,
    *,
    before: Resumed | None = None,
) -> None:
    """Remember a clean run: the entries first (or the file written of them), then the walk,
    then the checkpoint that covers them; ``before``, the walk the run took up, gives the rows
    of the recommendations it did not change."""
    checkpoint = parse_checkpoint(parse_note(note).text)
    document: dict[str, Any] = {"format": STATE_FORMAT, "vkey": vkey.text(),
                                "checkpoint": note.decode()}  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(entries, EntriesFile):
        entries.put(folder / ENTRIES_FILE)
    else:
        replace_file(folder / ENTRIES_FILE, encode_bundle(entries))
    replace_file(folder / WALK_FILE, _walk_lines(checkpoint, resumed, before))
    with suppress(FileNotFoundError):
        os.unlink(folder / WALK_FILE_V1)  # the release before's, replaced
    replace_file(folder / STATE_FILE, (json.dumps(document, indent=2) + "\n").encode())


def _load_walk(folder: Path, checkpoint: Checkpoint) -> Resumed | None:
    """The walk of ``checkpoint``'s entries, or None when there is none for it."""
    try:
        data = (folder / WALK_FILE).read_bytes()
    except FileNotFoundError:
        return _load_walk_v1(folder, checkpoint)
    except OSError:
        raise _unreadable(folder, WALK_FORMAT) from None
    try:
        head, _, rest = data.partition(b"\n")
        document = json.loads(head)
        if not isinstance(document, dict) or document.get("format") != WALK_FORMAT:
            raise ValueError
        rows = rest.split(b"\n")  # each read as UTF-8 JSON, kept as its bytes
        if rows.pop() != b"" or len(rows) != document["fold"]["recommendations"]:
            raise ValueError  # cut short, or a row of more than one line
        document["fold"]["recommendations"] = rows
    except (ValueError, KeyError, TypeError):
        raise _unreadable(folder, WALK_FORMAT) from None
    return _walk_of(folder, checkpoint, document, WALK_FORMAT)


def _load_walk_v1(folder: Path, checkpoint: Checkpoint) -> Resumed | None:
    """The walk the release before kept (``walk.json``), or None without one."""
    try:
        document = json.loads((folder / WALK_FILE_V1).read_bytes())
    except FileNotFoundError:
        return None  # written by an earlier release: walk every entry once more
    except (OSError, ValueError):
        raise _unreadable(folder, WALK_FORMAT_V1) from None
    if not isinstance(document, dict) or document.get("format") != WALK_FORMAT_V1:
        raise _unreadable(folder, WALK_FORMAT_V1)
    return _walk_of(folder, checkpoint, document, WALK_FORMAT_V1)


def _walk_of(
    folder: Path, checkpoint: Checkpoint, document: dict[str, Any], form: str
) -> Resumed | None:
    """The walk ``document`` keeps, when it is of ``checkpoint`` (else None)."""
    try:
        if document["size"] != checkpoint.size or _b64(document["root"]) != checkpoint.root_hash:
            return None  # a run stopped between writing it and the checkpoint
        resumed = _resumed(document["walk"], document["fold"], document.get("pages_later", []))
    except (ValueError, KeyError, TypeError, AttributeError, binascii.Error):
        raise _unreadable(folder, form) from None
    if resumed.reached.seq != checkpoint.size or resumed.fold.seq != checkpoint.size - 1:
        raise _unreadable(folder, form)
    return resumed


def _walk_lines(
    checkpoint: Checkpoint, resumed: Resumed, before: Resumed | None
) -> Iterator[bytes]:
    """The lines of ``walk.jsonl``, each made as it is written."""
    reached, fold = resumed.reached, resumed.fold
    kept = {} if before is None else before.fold.recommendations
    details = {} if before is None else before.details
    written = resumed.details  # the rows of its own records, written during the walk
    recommendations = fold.recommendations
    head = {
        "format": WALK_FORMAT,
        "size": checkpoint.size,
        "root": base64.b64encode(checkpoint.root_hash).decode(),
        "walk": {
            "seq": reached.seq,
            "prev": reached.prev.hex(),
            "last_notification": reached.last_notification,
            "signers": [record.as_dict() for record in reached.signers],
            "identity": reached.identity,
            "moved_on": reached.moved_on,
            "streams": dict(reached.streams),
        },
        "fold": {
            "seq": fold.seq,
            "history": None if resumed.history is None else resumed.history.isoformat(),
            "settings": settings_value(fold),
            "recommendations": len(recommendations),
        },
        "pages_later": [f"{panel}/{number}" for panel, number in resumed.pages_later],
    }
    yield (json.dumps(head, separators=(",", ":")) + "\n").encode()
    # A row is compact JSON: a line break in it could only be escaped, as "\n".
    for key, rec in recommendations.items():
        row = written.get(key)
        if row is None:
            row = details[key] if kept.get(key) is rec else detail_of(rec).encode()
        yield row
        yield b"\n"


def _resumed(walk: dict[str, Any], fold: dict[str, Any], later: list[str]) -> Resumed:
    signers = tuple(
        SignerRecord(**{**record, "public_key": _b64(record["public_key"])})
        for record in walk["signers"]
    )
    reached = Reached(
        seq=int(walk["seq"]),
        prev=bytes.fromhex(walk["prev"]),
        last_notification=int(walk["last_notification"]),
        signers=signers,
        identity=walk["identity"],
        moved_on=bool(walk["moved_on"]),
        streams={str(name): int(version) for name, version in walk["streams"].items()},
    )
    rows = [(from_row(_text(detail)), _line(detail)) for detail in fold["recommendations"]]
    state = Status(MappingProxyType({rec.key: rec for rec, _ in rows}), seq=int(fold["seq"]))
    history = fold["history"]
    return Resumed(
        reached,
        with_settings(state, fold["settings"]),
        None if history is None else date.fromisoformat(history),
        {rec.key: detail for rec, detail in rows},
        tuple(_key(ref) for ref in later),
    )


def _text(row: str | bytes) -> str:
    """A row as text: a v2 walk's line (bytes), or a v1 walk's string."""
    return row if isinstance(row, str) else row.decode()


def _line(row: str | bytes) -> bytes:
    """A row as the bytes of its line in ``walk.jsonl``."""
    return row if isinstance(row, bytes) else row.encode()


def _key(ref: str) -> Key:
    panel, number = ref.split("/")
    return int(panel), int(number)


def _b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _unreadable(folder: Path, form: str) -> UsageProblem:
    return UsageProblem(
        f"The monitor's state in {folder} cannot be read as {form}; give another --state folder."
    )
