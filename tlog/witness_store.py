"""A witness's state directory: its cosigner key and, per log, what it last cosigned.

The state is a JSON file (integers and text only) beside the cosigner's key file (mode 0600).
Check-and-save is atomic: an exclusive lock on the directory's lock file is held for the whole
read-check-write, the new state is written to a temporary file in the same directory, synced,
and put in place with ``os.replace``, then the directory is synced. Two witnesses racing on one
directory can neither roll it back nor lose an update: the loser sees the winner's size.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tlog.atomic import replace_file
from tlog.checkpoint import (
    Checkpoint,
    Cosignature,
    parse_checkpoint,
)
from tlog.merkle import EMPTY_ROOT
from tlog.note import (
    COSIGNATURE_V1,
    NoteError,
    SignerKey,
    VerifierKey,
    name_problem,
    parse_note,
    parse_signer_key,
    parse_verifier_key,
)
from tlog.witness import (
    AddCheckpoint,
    InconsistentProof,
    LogState,
    NoWitness,
    RootMismatch,
    WitnessSetupConflict,
    WitnessState,
    WitnessStorageError,
    add_checkpoint,
    decode_hash,
    trust_log,
)
from tlog.witness_evidence import keep_evidence

STATE_FILE, KEY_FILE, LOCK_FILE = "state.json", "cosigner.key", "lock"
STATE_VERSION = 1


def init_witness(
    directory: Path, *, name: str, origin: str, log_keys: Sequence[VerifierKey], seed: bytes
) -> WitnessState:
    """Make the witness ``name`` in ``directory`` if there is none (its cosigner key from
    ``seed``), and have it witness ``origin``; return the state saved."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise WitnessStorageError(directory, error.strerror or str(error)) from None
    with _locked(directory):
        fresh = not (directory / STATE_FILE).exists()
        if fresh:
            problem = name_problem(name)
            if problem:
                raise WitnessSetupConflict(problem)
            state = WitnessState(SignerKey(name, seed, COSIGNATURE_V1))
        else:
            state = _load(directory)
            if state.cosigner.name != name:
                known = state.cosigner.name
                raise WitnessSetupConflict(f"the witness in {directory} is {known}, not {name}")
        changed = trust_log(state, origin, log_keys)
        if fresh:
            _write_key(directory / KEY_FILE, state.cosigner)
        if fresh or changed != state:
            _save(directory, changed)
    return changed


def load_witness(directory: Path) -> WitnessState:
    """Read the witness's state; no lock, since the state file is only ever replaced whole."""
    if not (directory / STATE_FILE).is_file():
        raise NoWitness(directory)
    return _load(directory)


def cosign_in(directory: Path, request: AddCheckpoint, *, now: int) -> Cosignature:
    """Apply a request to the witness in ``directory`` (``add_checkpoint``) and save the result
    before answering, all under the directory's lock; a refused fork leaves its evidence there
    (``tlog.witness_evidence``)."""
    if not (directory / STATE_FILE).is_file():
        raise NoWitness(directory)
    with _locked(directory):
        state = _load(directory)
        try:
            changed, cosignature = add_checkpoint(state, request, now=now)
        except (RootMismatch, InconsistentProof) as refusal:
            keep_evidence(directory, state.logs[refusal.origin], request, refusal, now=now)
            raise
        if changed != state:
            _save(directory, changed)
    return cosignature


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold the directory's exclusive lock; closing the descriptor releases it, even on a crash."""
    path = directory / LOCK_FILE
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise WitnessStorageError(path, error.strerror or str(error)) from None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _write_key(path: Path, cosigner: SignerKey) -> None:
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise WitnessStorageError(path, "a key is there but no state.json; restore it") from None
    except OSError as error:
        raise WitnessStorageError(path, error.strerror or str(error)) from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(cosigner.text() + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def _save(directory: Path, state: WitnessState) -> None:
    """Replace the state file atomically and durably."""
    text = json.dumps(_encode(state), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    try:
        replace_file(directory / STATE_FILE, text.encode())
    except OSError as error:
        raise WitnessStorageError(directory / STATE_FILE, error.strerror or str(error)) from None


def _encode(state: WitnessState) -> dict[str, object]:
    logs = {
        origin: {
            "keys": [key.text() for key in log.keys],
            "size": log.size,
            "root_hash": base64.b64encode(log.root_hash).decode(),
            "checkpoint": log.checkpoint,
        }
        for origin, log in state.logs.items()
    }
    witness = state.cosigner.verifier_key.text()
    return {"version": STATE_VERSION, "witness": witness, "logs": logs}


class _Corrupt(Exception):
    """A problem found while decoding the state file; becomes a WitnessStorageError."""


def _load(directory: Path) -> WitnessState:
    cosigner = _read_key(directory / KEY_FILE)
    path = directory / STATE_FILE
    try:
        return _decode(path.read_text(encoding="utf-8"), cosigner)
    except OSError as error:
        raise WitnessStorageError(path, error.strerror or str(error)) from None
    except (_Corrupt, NoteError, ValueError) as error:
        problem = error.sentence() if isinstance(error, NoteError) else str(error)
        raise WitnessStorageError(path, problem.rstrip(".")) from None


def _read_key(path: Path) -> SignerKey:
    try:
        cosigner = parse_signer_key(path.read_text(encoding="utf-8").strip())
    except OSError as error:
        raise WitnessStorageError(path, error.strerror or str(error)) from None
    except (NoteError, UnicodeDecodeError):
        raise WitnessStorageError(path, "it is not a signer key in Go's note form") from None
    if cosigner.signature_type != COSIGNATURE_V1:
        raise WitnessStorageError(path, "it is not a cosignature key (type 0x04)")
    return cosigner


def _decode(text: str, cosigner: SignerKey) -> WitnessState:
    data = json.loads(text, parse_float=_no_float, parse_constant=_no_float)
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        raise _Corrupt(f"it is not a version {STATE_VERSION} witness state")
    if data.get("witness") != cosigner.verifier_key.text():
        raise _Corrupt(f"its witness key is not the one in {KEY_FILE}")
    logs = data.get("logs")
    if not isinstance(logs, dict):
        raise _Corrupt("its logs are not an object")
    return WitnessState(
        cosigner, {origin: _decode_log(origin, log) for origin, log in logs.items()}
    )


def _decode_log(origin: str, data: object) -> LogState:
    if not isinstance(data, dict) or set(data) != {"keys", "size", "root_hash", "checkpoint"}:
        raise _Corrupt(
            f"the log {origin!r} does not have exactly keys, size, root_hash, checkpoint"
        )
    keys, size, root, note = data["keys"], data["size"], data["root_hash"], data["checkpoint"]
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
        raise _Corrupt(f"the keys of {origin!r} are not a list of verifier keys")
    if not isinstance(size, int) or isinstance(size, bool) or not isinstance(root, str):
        raise _Corrupt(f"the size or root hash of {origin!r} is not an integer and a text")
    recorded = Checkpoint(origin, size, decode_hash(root) or b"")
    if note is None and (size, recorded.root_hash) != (0, EMPTY_ROOT):
        raise _Corrupt(f"{origin!r} has a size or root but no checkpoint")
    if note is not None and not (isinstance(note, str) and _reads_as(note, recorded)):
        raise _Corrupt(f"the checkpoint of {origin!r} is not the one its size and root say")
    return LogState(tuple(parse_verifier_key(k) for k in keys), size, recorded.root_hash, note)


def _reads_as(note: str, recorded: Checkpoint) -> bool:
    checkpoint = parse_checkpoint(parse_note(note.encode()).text)
    return (checkpoint.origin, checkpoint.size, checkpoint.root_hash) == (
        recorded.origin,
        recorded.size,
        recorded.root_hash,
    )


def _no_float(text: str) -> object:
    raise _Corrupt(f"it holds the number {text}, but the witness state has no floats")
