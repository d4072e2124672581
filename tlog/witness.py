"""A witness (C2SP tlog-witness, offline): it cosigns a log's checkpoints only as the log grows.

The add-checkpoint request body of c2sp.org/tlog-witness is parsed and built here::

    old <size the client thinks the witness last cosigned, decimal>\\n
    <base64 consistency proof hash>\\n            (0 to 63 lines, RFC 6962 section 2.1.2)
    \\n
    <the log's signed checkpoint note (c2sp.org/tlog-checkpoint)>

and answered with v1 cosignature lines (c2sp.org/tlog-cosignature, key type 0x04). The witness
remembers, per log origin, the log's verifier keys and the last checkpoint it cosigned.

That state lives in a directory: ``state.json`` (integers and text only), ``cosigner.key`` (the
signer key in Go's ``PRIVATE+KEY+...`` form, mode 0600) and ``lock``. Every read-check-write
holds an exclusive ``flock`` on ``lock`` and replaces ``state.json`` atomically (a temporary
file in the same directory, fsync, ``os.replace``, fsync of the directory): the spec requires
the check of the old size and the saving of the new checkpoint to be one step, or two racing
requests could roll the witness back.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import ClassVar

from tlog.checkpoint import (
    Checkpoint,
    Cosignature,
    MalformedCheckpoint,
    cosign,
    open_checkpoint,
    parse_checkpoint,
)
from tlog.errors import StorageError, TlogError
from tlog.merkle import EMPTY_ROOT, verify_consistency
from tlog.note import (
    COSIGNATURE_V1,
    ED25519,
    InvalidNoteSignature,
    MalformedNote,
    NoteError,
    SignerKey,
    VerifierKey,
    parse_note,
)

MAX_PROOF_LINES = 63
_SIZE = re.compile(r"0|[1-9][0-9]*")


# --- refusals (each with the HTTP status c2sp.org/tlog-witness gives it) ----------------------


class WitnessRefusal(TlogError):
    """The witness refuses an add-checkpoint request and cosigns nothing."""

    status: ClassVar[int]
    meaning: ClassVar[str]

    def sentence(self) -> str:
        return f"{self.reason()} ({self.status} {self.meaning})."

    def reason(self) -> str:
        """Why the request is refused, without the status."""
        raise NotImplementedError


class MalformedRequest(WitnessRefusal):
    status, meaning = 400, "Bad Request"

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem

    def reason(self) -> str:
        return f"The add-checkpoint request is malformed: {self.problem}"


class UnknownOrigin(WitnessRefusal):
    status, meaning = 404, "Not Found"

    def __init__(self, origin: str) -> None:
        super().__init__(origin)
        self.origin = origin

    def reason(self) -> str:
        return f"The witness does not know the log {self.origin!r}; trust it first with its keys"


class UntrustedSignature(WitnessRefusal):
    status, meaning = 403, "Forbidden"

    def __init__(self, origin: str, problem: str) -> None:
        super().__init__(origin, problem)
        self.origin = origin
        self.problem = problem

    def reason(self) -> str:
        return f"The checkpoint of {self.origin} is not signed by a key the witness trusts: " + (
            self.problem
        )


class OldSizeTooLarge(WitnessRefusal):
    status, meaning = 400, "Bad Request"

    def __init__(self, old_size: int, size: int) -> None:
        super().__init__(old_size, size)
        self.old_size = old_size
        self.size = size

    def reason(self) -> str:
        return f"The old size {self.old_size} is larger than the checkpoint's size {self.size}"


class Conflict(WitnessRefusal):
    """The request disagrees with what the witness last cosigned; the caller may retry."""

    status, meaning = 409, "Conflict"

    def __init__(self, origin: str, witness_size: int) -> None:
        super().__init__(origin, witness_size)
        self.origin = origin
        self.witness_size = witness_size

    def response_body(self) -> str:
        """The 409 body the spec gives (``text/x.tlog.size``): the witness's size and a newline."""
        return f"{self.witness_size}\n"


class SizeMismatch(Conflict):
    def __init__(self, origin: str, witness_size: int, old_size: int) -> None:
        super().__init__(origin, witness_size)
        self.old_size = old_size

    def reason(self) -> str:
        return (
            f"The witness last cosigned {self.origin} at size {self.witness_size}, "
            f"not {self.old_size}; send the request again with old {self.witness_size}"
        )


class RootMismatch(Conflict):
    def reason(self) -> str:
        return (
            f"The checkpoint of {self.origin} at size {self.witness_size} has another root hash "
            "than the one the witness cosigned at that size, so the log has forked"
        )


class InconsistentProof(WitnessRefusal):
    status, meaning = 422, "Unprocessable Entity"

    def __init__(self, origin: str, old_size: int, size: int) -> None:
        super().__init__(origin, old_size, size)
        self.origin = origin
        self.old_size = old_size
        self.size = size

    def reason(self) -> str:
        return (
            f"The consistency proof does not show that {self.origin} at size {self.size} "
            f"extends the checkpoint the witness cosigned at size {self.old_size}"
        )


class WitnessSetupConflict(TlogError):
    """Setting the witness up would silently change who it is or whom it trusts."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem

    def sentence(self) -> str:
        return f"The witness is not changed: {self.problem}."


class WitnessStorageError(StorageError):
    """The witness's directory cannot be read or written."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = problem

    def sentence(self) -> str:
        return f"The witness file {self.path} cannot be used: {self.problem}."


class NoWitness(StorageError):
    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.directory = directory

    def sentence(self) -> str:
        return f"{self.directory} holds no witness; make one with `assembly witness init`."


# --- the request body ------------------------------------------------------------------------


@dataclass(frozen=True)
class AddCheckpoint:
    """An add-checkpoint request: the old size, a consistency proof and a signed checkpoint."""

    old_size: int
    proof: tuple[bytes, ...]
    checkpoint: bytes


def format_add_checkpoint(request: AddCheckpoint) -> bytes:
    """Return the request body: ``old N``, one base64 hash per line, a blank line, the note."""
    lines = [f"old {request.old_size}", *(base64.b64encode(h).decode() for h in request.proof)]
    return "".join(f"{line}\n" for line in lines).encode() + b"\n" + request.checkpoint


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """Read a request body; its checkpoint note is only split off here, not yet checked."""
    head, blank, note = body.partition(b"\n\n")
    if not blank:
        raise MalformedRequest("it has no blank line before the checkpoint")
    try:
        first, *proof_lines = head.decode("ascii").split("\n")
    except UnicodeDecodeError:
        raise MalformedRequest("the lines before the checkpoint are not ASCII") from None
    keyword, _, size = first.partition(" ")
    if keyword != "old" or not _SIZE.fullmatch(size):
        raise MalformedRequest(f"the first line {first!r} is not 'old' and a decimal size")
    if len(proof_lines) > MAX_PROOF_LINES:
        raise MalformedRequest(f"it has {len(proof_lines)} proof lines, more than 63")
    return AddCheckpoint(int(size), tuple(_proof_hash(line) for line in proof_lines), note)


def _proof_hash(line: str) -> bytes:
    hashed = decode_hash(line)
    if hashed is None:
        raise MalformedRequest(f"the proof line {line!r} is not the base64 of a 32-byte hash")
    return hashed


def decode_hash(text: str) -> bytes | None:
    """Decode canonical base64 of 32 bytes, or return None."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == 32 and base64.b64encode(raw).decode() == text else None


def format_cosignatures(cosignatures: Sequence[Cosignature]) -> bytes:
    """Return the response body: one note signature line per cosignature."""
    return "".join(c.note_signature().line() for c in cosignatures).encode()


# --- the state and the checks ----------------------------------------------------------------


@dataclass(frozen=True)
class LogState:
    """One log as the witness knows it: its keys and the last checkpoint the witness cosigned.

    ``checkpoint`` is the signed note as the log submitted it (None before the first one), kept
    as evidence; ``size`` 0 and the empty tree's root stand for "never cosigned".
    """

    keys: tuple[VerifierKey, ...]
    size: int = 0
    root_hash: bytes = EMPTY_ROOT
    checkpoint: str | None = None


@dataclass(frozen=True)
class WitnessState:
    """The witness's cosigner key (type 0x04) and the logs it witnesses, by origin."""

    cosigner: SignerKey
    logs: Mapping[str, LogState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.cosigner.signature_type != COSIGNATURE_V1:
            raise AssertionError("a witness cosigns with a tlog-cosignature v1 key (type 0x04)")


def trust_log(state: WitnessState, origin: str, keys: Sequence[VerifierKey]) -> WitnessState:
    """Return the state that also witnesses ``origin``, whose checkpoints ``keys`` sign.

    Trusting a known origin again with the same keys changes nothing; other keys are refused,
    so that a typo cannot silently hand the log's name to someone else.
    """
    try:
        Checkpoint(origin, 0, EMPTY_ROOT)
    except MalformedCheckpoint:
        problem = f"the origin {origin!r} is empty or holds a control character"
        raise WitnessSetupConflict(problem) from None
    wanted = tuple(dict.fromkeys(keys))
    if not wanted or any(key.signature_type != ED25519 for key in wanted):
        raise WitnessSetupConflict("a log's checkpoints are signed by Ed25519 keys (type 0x01)")
    known = state.logs.get(origin)
    if known is not None:
        if set(known.keys) != set(wanted):
            raise WitnessSetupConflict(f"it already trusts other keys for {origin}")
        return state
    return replace(state, logs={**state.logs, origin: LogState(wanted)})


def add_checkpoint(
    state: WitnessState, request: AddCheckpoint, *, now: int
) -> tuple[WitnessState, Cosignature]:
    """Check a request as c2sp.org/tlog-witness orders it, then cosign at ``now`` (seconds).

    Returns the new state (the same one when the checkpoint repeats the last cosigned one) and
    the cosignature; refuses with a ``WitnessRefusal``. A checkpoint smaller than the last one
    cosigned never passes: its old size is either larger than its size (400) or not the
    witness's size (409), so the witness cannot be rolled back.
    """
    if now <= 0:
        raise AssertionError("a witness's cosignature carries a timestamp after 1970 (not 0)")
    checkpoint = _read_checkpoint(request.checkpoint)
    log = state.logs.get(checkpoint.origin)
    if log is None:
        raise UnknownOrigin(checkpoint.origin)
    _check_signature(request.checkpoint, checkpoint.origin, log.keys)
    if request.old_size > checkpoint.size:
        raise OldSizeTooLarge(request.old_size, checkpoint.size)
    if request.old_size != log.size:
        raise SizeMismatch(checkpoint.origin, log.size, request.old_size)
    if not _extends(log, checkpoint, request.proof):
        raise InconsistentProof(checkpoint.origin, log.size, checkpoint.size)
    if checkpoint.size == log.size and checkpoint.root_hash != log.root_hash:
        raise RootMismatch(checkpoint.origin, log.size)
    cosignature = cosign(checkpoint, state.cosigner, timestamp=now)
    if checkpoint.size == log.size:
        return state, cosignature
    advanced = LogState(log.keys, checkpoint.size, checkpoint.root_hash, _text(request.checkpoint))
    return replace(state, logs={**state.logs, checkpoint.origin: advanced}), cosignature


def _read_checkpoint(message: bytes) -> Checkpoint:
    """Read the note's checkpoint (origin first: the keys to check it with depend on it)."""
    try:
        return parse_checkpoint(parse_note(message).text)
    except MalformedNote as error:
        raise MalformedRequest(f"its checkpoint note is malformed: {error.reason}") from None
    except MalformedCheckpoint as error:
        raise MalformedRequest(f"its checkpoint is malformed: {error.reason}") from None


def _check_signature(message: bytes, origin: str, keys: Sequence[VerifierKey]) -> None:
    try:
        open_checkpoint(message, keys)
    except InvalidNoteSignature as error:
        key = f"{error.name}+{error.key_id:08x}"
        raise UntrustedSignature(origin, f"the signature of {key} does not verify") from None
    except NoteError:
        raise UntrustedSignature(origin, "none of its signatures is by a trusted key") from None


def _extends(log: LogState, checkpoint: Checkpoint, proof: Sequence[bytes]) -> bool:
    """Tell whether ``proof`` is the RFC 6962 consistency proof from the log's state.

    From size 0 the proof must be empty (the spec), and between equal sizes it is empty too
    (RFC 6962 section 2.1.2); equal sizes with different roots are a conflict, checked after.
    """
    if log.size in (0, checkpoint.size):
        return not proof
    return verify_consistency(log.size, checkpoint.size, log.root_hash, checkpoint.root_hash, proof)


def _text(message: bytes) -> str:
    return message.decode("utf-8")  # parse_note has already read it as UTF-8
