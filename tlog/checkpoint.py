"""Checkpoints (C2SP tlog-checkpoint) and witness cosignatures on them (C2SP tlog-cosignature v1).

A checkpoint is the text of a signed note (``tlog.note``)::

    <origin>\\n<tree size, decimal, no leading zeros>\\n<base64 root hash>\\n[<extension>\\n]...

A v1 cosignature is a note signature of type 0x04 whose bytes are ``timestamp (u64 big-endian)
|| Ed25519 signature``; what it signs is built in ``tlog.note.signed_message``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from dataclasses import dataclass

from tlog.note import (
    COSIGNATURE_V1,
    MAX_TIMESTAMP,
    InvalidNoteSignature,
    NoteError,
    NoteSignature,
    OpenedNote,
    SignerKey,
    VerifierKey,
    open_note,
)

MAX_SIZE = 2**64 - 1
_SIZE = re.compile(r"0|[1-9][0-9]*")
_CONTROL = re.compile(r"[\x00-\x1f]")


class MalformedCheckpoint(NoteError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def sentence(self) -> str:
        return f"The checkpoint is malformed: {self.reason}."


class MalformedCosignature(NoteError):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(name, reason)
        self.name = name
        self.reason = reason

    def sentence(self) -> str:
        return f"The cosignature of {self.name} is malformed: {self.reason}."


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, tree size, RFC 6962 root hash and opaque extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or _CONTROL.search(self.origin):
            raise MalformedCheckpoint("the origin is empty or holds a control character")
        if not 0 <= self.size <= MAX_SIZE:
            raise MalformedCheckpoint(f"the tree size {self.size} is not in 0..2^64-1")
        if len(self.root_hash) != 32:
            raise MalformedCheckpoint(f"the root hash has {len(self.root_hash)} bytes, not 32")
        for line in self.extensions:
            if not line or _CONTROL.search(line):
                raise MalformedCheckpoint("an extension line is empty or holds a control character")


def format_checkpoint(checkpoint: Checkpoint) -> str:
    """Return the checkpoint's note text, final newline included."""
    root = base64.b64encode(checkpoint.root_hash).decode()
    lines = (checkpoint.origin, str(checkpoint.size), root, *checkpoint.extensions)
    return "".join(f"{line}\n" for line in lines)


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a checkpoint from a note text (as ``OpenedNote.text`` gives it)."""
    if not text.endswith("\n"):
        raise MalformedCheckpoint("it does not end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedCheckpoint(f"it has {len(lines)} lines, fewer than origin, size and root")
    origin, size, root, *extensions = lines
    if not _SIZE.fullmatch(size):
        raise MalformedCheckpoint(f"the tree size {size!r} is not a decimal without leading zeros")
    try:
        root_hash = base64.b64decode(root, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedCheckpoint(f"the root hash {root!r} is not base64") from None
    if base64.b64encode(root_hash).decode() != root:
        raise MalformedCheckpoint(f"the root hash {root!r} is not canonical base64")
    return Checkpoint(origin, int(size), root_hash, tuple(extensions))


def open_checkpoint(message: bytes, known: Iterable[VerifierKey]) -> tuple[Checkpoint, OpenedNote]:
    """Verify a signed checkpoint against the known keys (see ``open_note``) and read it."""
    note = open_note(message, known)
    return parse_checkpoint(note.text), note


@dataclass(frozen=True)
class Cosignature:
    """A v1 cosignature: who (name, key id), when (POSIX seconds) and the Ed25519 signature."""

    name: str
    key_id: int
    timestamp: int
    signature: bytes

    def note_signature(self) -> NoteSignature:
        """Return it as a note signature line (timestamp || signature after the key id)."""
        return NoteSignature(
            self.name, self.key_id, self.timestamp.to_bytes(8, "big") + self.signature
        )


def parse_cosignature(signature: NoteSignature) -> Cosignature:
    """Read the timestamp and Ed25519 signature of a v1 cosignature line."""
    raw = signature.signature
    if len(raw) != 8 + 64:
        raise MalformedCosignature(signature.name, f"it has {len(raw)} bytes, not 8 + 64")
    timestamp = int.from_bytes(raw[:8], "big")
    if timestamp > MAX_TIMESTAMP:
        raise MalformedCosignature(signature.name, f"its timestamp {timestamp} exceeds 2^63-1")
    return Cosignature(signature.name, signature.key_id, timestamp, raw[8:])


def cosign(checkpoint: Checkpoint, cosigner: SignerKey, *, timestamp: int) -> Cosignature:
    """Cosign a checkpoint at ``timestamp`` (POSIX seconds) with a type 0x04 key."""
    if cosigner.signature_type != COSIGNATURE_V1:
        raise MalformedCosignature(cosigner.name, "the cosigner key is not of type 0x04")
    body = format_checkpoint(checkpoint).encode()
    signed = cosigner.sign(body, timestamp=timestamp)
    return parse_cosignature(NoteSignature(cosigner.name, cosigner.key_id, signed))


def verify_cosignature(checkpoint: Checkpoint, cosignature: Cosignature, key: VerifierKey) -> None:
    """Check that ``key`` (type 0x04) made ``cosignature`` on ``checkpoint``; raise if not."""
    if key.signature_type != COSIGNATURE_V1:
        raise MalformedCosignature(key.name, "the verifier key is not of type 0x04")
    if (cosignature.name, cosignature.key_id) != (key.name, key.key_id):
        expected = f"{key.name}+{key.key_id:08x}"
        raise MalformedCosignature(cosignature.name, f"it is not by the key {expected}")
    body = format_checkpoint(checkpoint).encode()
    if not key.verify(body, cosignature.note_signature().signature):
        raise InvalidNoteSignature(key.name, key.key_id)


def cosigned_by(
    checkpoint: Checkpoint, signatures: Iterable[NoteSignature], witnesses: Iterable[VerifierKey]
) -> list[VerifierKey]:
    """The witnesses (type 0x04 keys) with a valid cosignature of ``checkpoint`` among
    ``signatures``, each counted once."""
    found: list[VerifierKey] = []
    lines = list(signatures)
    for key in witnesses:
        for line in lines:
            if (line.name, line.key_id) != (key.name, key.key_id) or key in found:
                continue
            try:
                verify_cosignature(checkpoint, parse_cosignature(line), key)
            except NoteError:
                continue
            found.append(key)
    return found
