"""Signed notes (C2SP signed-note) and their keys in the text form of Go's ``sumdb/note``.

A signed note is UTF-8 text ending in a newline, a blank line, then signature lines
``— <key name> base64(key id || signature)`` (em dash U+2014). The key id of a key is
``SHA-256(name || 0x0A || signature type || public key)[:4]``, read big-endian. Two Ed25519
signature types are supported, and this module is the one place that builds the bytes they sign:

- ``0x01`` (c2sp.org/signed-note): the Ed25519 signature of the note text itself;
- ``0x04`` (c2sp.org/tlog-cosignature, v1): ``timestamp (u64, big-endian) || Ed25519 signature``
  of ``"cosignature/v1\\n" "time <timestamp>\\n" || note text``.

Keys print as ``<name>+<key id, 8 hex>+base64(type || public key)`` (verifier keys) and
``PRIVATE+KEY+<name>+<key id>+base64(type || 32-byte seed)`` (signer keys), which Go's
``note.NewVerifier`` and ``note.NewSigner`` read. Raw 32-byte keys come from ``ledger.keys``
(``Signer.public_key.raw``) or from a seed; the ledger's own event signatures use a signing
context, so they are never note signatures.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tlog.errors import TlogError

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
SIGNATURE_TYPES = (ED25519, COSIGNATURE_V1)
# The spec requires accepting at least 16; Go's sumdb/note stops at 100.
MAX_SIGNATURES = 100
MAX_TIMESTAMP = 2**63 - 1

_DASH = "\u2014 "
_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


class NoteError(TlogError):
    """A signed note, or a key for one, cannot be used."""


class MalformedNote(NoteError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def sentence(self) -> str:
        return f"The signed note is malformed: {self.reason}."


class MalformedKey(NoteError):
    def __init__(self, what: str, reason: str) -> None:
        super().__init__(what, reason)
        self.what = what
        self.reason = reason

    def sentence(self) -> str:
        return f"The {self.what} is malformed: {self.reason}."


class UnverifiedNote(NoteError):
    def __init__(self, unknown: int) -> None:
        super().__init__(unknown)
        self.unknown = unknown

    def sentence(self) -> str:
        return (
            f"The note has no valid signature from a known key "
            f"(it has {self.unknown} signature(s) from unknown keys)."
        )


class InvalidNoteSignature(NoteError):
    def __init__(self, name: str, key_id: int) -> None:
        super().__init__(name, key_id)
        self.name = name
        self.key_id = key_id

    def sentence(self) -> str:
        return f"The signature of the known key {self.name}+{self.key_id:08x} does not verify."


class AmbiguousKey(NoteError):
    def __init__(self, name: str, key_id: int) -> None:
        super().__init__(name, key_id)
        self.name = name
        self.key_id = key_id

    def sentence(self) -> str:
        return f"Two different known keys are both {self.name}+{self.key_id:08x}; keep only one."


# --- keys ------------------------------------------------------------------------------------


def key_id(name: str, signature_type: int, public_key: bytes) -> int:
    """Return the C2SP key id: the first 4 bytes, big-endian, of SHA-256(name \\n type key)."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def name_problem(name: str) -> str | None:
    """Say what is wrong with a key name (empty, a space, a plus or a control character)."""
    if not name:
        return "the name is empty"
    if "+" in name or any(char.isspace() for char in name):
        return f"the name {name!r} contains a space or a plus"
    if _CONTROL.search(name):
        return f"the name {name!r} contains a control character"
    return None


def _b64decode(text: str) -> bytes | None:
    """Decode canonical standard base64, or return None: a sloppy encoding is a different text."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return raw if base64.b64encode(raw).decode() == text else None


def _check_key(what: str, name: str, signature_type: int, raw: bytes) -> None:
    problem = name_problem(name)
    if problem:
        raise MalformedKey(what, problem)
    if signature_type not in SIGNATURE_TYPES:
        raise MalformedKey(what, f"signature type 0x{signature_type:02x} is not Ed25519 (01, 04)")
    if len(raw) != 32:
        raise MalformedKey(what, f"an Ed25519 key has 32 bytes, not {len(raw)}")


@dataclass(frozen=True)
class VerifierKey:
    """A named Ed25519 public key of signature type 0x01 (notes) or 0x04 (cosignatures)."""

    name: str
    public_key: bytes
    signature_type: int = ED25519

    def __post_init__(self) -> None:
        _check_key("verifier key", self.name, self.signature_type, self.public_key)

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.signature_type, self.public_key)

    def text(self) -> str:
        """Return the ``name+hash+base64`` form that Go's ``note.NewVerifier`` reads."""
        material = base64.b64encode(bytes([self.signature_type]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{material}"

    def verify(self, text: bytes, signature: bytes) -> bool:
        """Tell whether ``signature`` (the bytes after the key id) signs the note ``text``."""
        timestamp = None
        if self.signature_type == COSIGNATURE_V1:
            if len(signature) != 8 + 64:
                return False
            timestamp = int.from_bytes(signature[:8], "big")
            signature = signature[8:]
            if timestamp > MAX_TIMESTAMP:
                return False
        message = signed_message(self.signature_type, text, timestamp=timestamp)
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True)
class SignerKey:
    """A named Ed25519 private key (its 32-byte RFC 8032 seed) that signs notes or cosigns."""

    name: str
    seed: bytes = field(repr=False)
    signature_type: int = ED25519

    def __post_init__(self) -> None:
        _check_key("signer key", self.name, self.signature_type, self.seed)

    @property
    def verifier_key(self) -> VerifierKey:
        public = Ed25519PrivateKey.from_private_bytes(self.seed).public_key()
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return VerifierKey(self.name, raw, self.signature_type)

    @property
    def key_id(self) -> int:
        return self.verifier_key.key_id

    def text(self) -> str:
        """Return the ``PRIVATE+KEY+name+hash+base64`` form that Go's ``note.NewSigner`` reads."""
        material = base64.b64encode(bytes([self.signature_type]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{material}"

    def sign(self, text: bytes, *, timestamp: int | None = None) -> bytes:
        """Return the signature bytes (after the key id) of the note ``text``."""
        if (timestamp is None) != (self.signature_type == ED25519):
            raise NoteError(
                "A cosignature key (type 0x04) signs with a timestamp, a note key (0x01) without."
            )
        message = signed_message(self.signature_type, text, timestamp=timestamp)
        signature = Ed25519PrivateKey.from_private_bytes(self.seed).sign(message)
        if timestamp is None:
            return signature
        return timestamp.to_bytes(8, "big") + signature


def signed_message(signature_type: int, text: bytes, *, timestamp: int | None = None) -> bytes:
    """Return the bytes a signature of ``signature_type`` signs over the note ``text``.

    0x01 (c2sp.org/signed-note): the text. 0x04 (c2sp.org/tlog-cosignature, "Ed25519 signed
    message"): ``cosignature/v1\\n``, ``time <timestamp>\\n`` (decimal, no leading zeros), text.
    """
    if signature_type == ED25519:
        return text
    assert signature_type == COSIGNATURE_V1 and timestamp is not None, signature_type
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise NoteError(f"A cosignature timestamp lies in 0..2^63-1, not {timestamp}.")
    return b"cosignature/v1\ntime %d\n" % timestamp + text


def _split_key(what: str, text: str, prefix: str) -> tuple[str, int, int, bytes]:
    """Split ``prefix name+hash+base64`` into name, key id, type and key bytes.

    The name holds no ``+`` and the hash is 8 hex digits, so everything after the second ``+``
    is base64, which may itself contain ``+``.
    """
    if not text.startswith(prefix):
        raise MalformedKey(what, f"it does not begin with {prefix!r}")
    name, plus, rest = text[len(prefix) :].partition("+")
    if not plus or not _HEX8.fullmatch(rest[:8]) or rest[8:9] != "+":
        raise MalformedKey(what, "it is not of the form name+<8 hex digits>+<base64>")
    material = _b64decode(rest[9:])
    if not material:
        raise MalformedKey(what, "the key material is not canonical base64")
    return name, int(rest[:8], 16), material[0], material[1:]


def parse_verifier_key(text: str) -> VerifierKey:
    """Read a verifier key ``name+hash+base64(type || public key)``; check its hash."""
    what = f"verifier key {text!r}"
    name, claimed, signature_type, raw = _split_key(what, text, "")
    _check_key(what, name, signature_type, raw)
    key = VerifierKey(name, raw, signature_type)
    if key.key_id != claimed:
        raise MalformedKey(what, f"its hash {claimed:08x} is not its key id {key.key_id:08x}")
    return key


def parse_signer_key(text: str) -> SignerKey:
    """Read a signer key ``PRIVATE+KEY+name+hash+base64(type || seed)``; check its hash."""
    # The text is secret, so the errors never quote it.
    what = "signer key"
    name, claimed, signature_type, seed = _split_key(what, text, "PRIVATE+KEY+")
    _check_key(what, name, signature_type, seed)
    key = SignerKey(name, seed, signature_type)
    if key.key_id != claimed:
        raise MalformedKey(what, f"its hash {claimed:08x} is not its key id {key.key_id:08x}")
    return key


# --- notes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, key id and the signature bytes after the key id."""

    name: str
    key_id: int
    signature: bytes

    def names(self, key: VerifierKey) -> bool:
        """Whether this line names ``key`` (its name and key id), verified or not."""
        return (self.name, self.key_id) == (key.name, key.key_id)

    def line(self) -> str:
        """Return ``— name base64(key id || signature)`` and its newline."""
        encoded = base64.b64encode(self.key_id.to_bytes(4, "big") + self.signature).decode()
        return f"{_DASH}{self.name} {encoded}\n"


@dataclass(frozen=True)
class SignedNote:
    """A note text and its signature lines, verified or not."""

    text: str
    signatures: tuple[NoteSignature, ...]


@dataclass(frozen=True)
class OpenedNote:
    """A note whose signatures from known keys all verified (at least one did)."""

    text: str
    verified: tuple[NoteSignature, ...]
    unverified: tuple[NoteSignature, ...]


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise MalformedNote("the text does not end with a newline")
    if _CONTROL.search(text):
        raise MalformedNote("the text contains a control character other than newline")
    try:
        text.encode()
    except UnicodeEncodeError:
        raise MalformedNote("the text is not valid UTF-8") from None


def parse_signature_line(line: str) -> NoteSignature:
    if not line.startswith(_DASH):
        raise MalformedNote(f"the line {line!r} after the blank line is not a signature line")
    name, space, encoded = line[len(_DASH) :].partition(" ")
    problem = name_problem(name) if space else "it has no space after the key name"
    if problem:
        raise MalformedNote(f"in the signature line {line!r}, {problem}")
    raw = _b64decode(encoded)
    if raw is None or len(raw) < 5:
        raise MalformedNote(f"the signature of {name} is not base64 of a key id and a signature")
    return NoteSignature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def parse_note(message: bytes) -> SignedNote:
    """Split a signed note into its text and signature lines, checking only their syntax."""
    try:
        decoded = message.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedNote("it is not valid UTF-8") from None
    if _CONTROL.search(decoded):
        raise MalformedNote("it contains a control character other than newline")
    split = decoded.rfind("\n\n")
    if split < 0:
        raise MalformedNote("it has no blank line before its signatures")
    text, block = decoded[: split + 1], decoded[split + 2 :]
    if not block.endswith("\n"):
        raise MalformedNote("it does not end with a signature line and a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNote(f"it has {len(lines)} signatures, more than {MAX_SIGNATURES}")
    return SignedNote(text, tuple(parse_signature_line(line) for line in lines))


def format_note(note: SignedNote) -> bytes:
    """Return the bytes of a signed note: text, blank line, signature lines."""
    _check_text(note.text)
    if not 1 <= len(note.signatures) <= MAX_SIGNATURES:
        raise MalformedNote(f"it has {len(note.signatures)} signatures, not 1 to {MAX_SIGNATURES}")
    for signature in note.signatures:
        problem = name_problem(signature.name)
        if problem:
            raise MalformedNote(f"in a signature, {problem}")
        if not signature.signature:
            raise MalformedNote(f"the signature of {signature.name} is empty")
    lines = "".join(signature.line() for signature in note.signatures)
    return f"{note.text}\n{lines}".encode()


def sign_note(
    text: str,
    signers: Sequence[SignerKey],
    *,
    timestamp: int | None = None,
    existing: Sequence[NoteSignature] = (),
) -> bytes:
    """Sign ``text`` with each signer and return the signed note.

    As Go's ``note.Sign`` does, ``existing`` signatures come first, except those of a key that
    signs again here; ``timestamp`` (POSIX seconds) is for cosignature keys.
    """
    _check_text(text)
    body = text.encode()
    fresh = [
        NoteSignature(
            signer.name, signer.key_id, signer.sign(body, timestamp=_when(signer, timestamp))
        )
        for signer in signers
    ]
    replaced = {(signature.name, signature.key_id) for signature in fresh}
    kept = [s for s in existing if (s.name, s.key_id) not in replaced]
    return format_note(SignedNote(text, (*kept, *fresh)))


def _when(signer: SignerKey, timestamp: int | None) -> int | None:
    return None if signer.signature_type == ED25519 else timestamp


def open_note(message: bytes, known: Iterable[VerifierKey]) -> OpenedNote:
    """Parse a signed note and verify its signatures against the known keys.

    Following c2sp.org/signed-note: a signature is by a known key when both its name and key id
    match; others are ignored. Every signature by a known key must verify, and at least one must
    exist. Repeated signatures by one key are listed once.
    """
    note = parse_note(message)
    keys: dict[tuple[str, int], VerifierKey] = {}
    for known_key in known:
        if keys.setdefault((known_key.name, known_key.key_id), known_key) != known_key:
            raise AmbiguousKey(known_key.name, known_key.key_id)
    body = note.text.encode()
    verified: dict[tuple[str, int], NoteSignature] = {}
    unverified: dict[NoteSignature, None] = {}
    for signature in note.signatures:
        slot = (signature.name, signature.key_id)
        key = keys.get(slot)
        if key is None:
            unverified[signature] = None
        elif not key.verify(body, signature.signature):
            raise InvalidNoteSignature(signature.name, signature.key_id)
        else:
            verified.setdefault(slot, signature)
    if not verified:
        raise UnverifiedNote(len(unverified))
    return OpenedNote(note.text, tuple(verified.values()), tuple(unverified))
