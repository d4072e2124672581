"""Ed25519 keys (RFC 8032, through ``cryptography``): key ids, signing, key files.

A key id is the hex of the first 16 bytes of SHA-256 of the raw 32-byte public key. Private keys
live in PKCS#8 PEM files written with mode 0600, encrypted when a passphrase is given; the public
half is written beside it as ``<file>.pub`` (one line of base64) so it can be handed to the
charter holder for enrolment. A private key never enters the database.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ledger.canonical import signing_input
from ledger.errors import (
    BadPublicKey,
    KeyFileCorrupt,
    KeyFileExists,
    KeyFileMissing,
    PassphraseRequired,
    WrongPassphrase,
)


def key_id_of(public_key: bytes) -> str:
    """Return the key id of a raw Ed25519 public key."""
    return hashlib.sha256(public_key).digest()[:16].hex()


@dataclass(frozen=True)
class PublicKey:
    """A raw Ed25519 public key and its id."""

    raw: bytes

    @property
    def key_id(self) -> str:
        return key_id_of(self.raw)

    @property
    def b64(self) -> str:
        return base64.b64encode(self.raw).decode()

    @classmethod
    def from_text(cls, text: str) -> PublicKey:
        """Read a public key from base64 text or from a ``.pub`` file holding it."""
        candidate = text.strip()
        try:
            if Path(candidate).is_file():
                candidate = Path(candidate).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            raise BadPublicKey(text) from None
        try:
            raw = base64.b64decode(candidate, validate=True)
        except (binascii.Error, ValueError):
            raise BadPublicKey(text) from None
        if len(raw) != 32:
            raise BadPublicKey(text)
        return cls(raw)

    def verify(self, signature: bytes, body: bytes, *, dry_run: bool = False) -> bool:
        """Tell whether ``signature`` is this key's signature over an event body."""
        return verify_signature(self.raw, signature, body, dry_run=dry_run)


def verify_signature(
    public_key: bytes, signature: bytes, body: bytes, *, dry_run: bool = False
) -> bool:
    """Tell whether ``signature`` is a valid Ed25519 signature over an event body (with the
    dry-run context when ``dry_run``: a rehearsal's signature is never a real one)."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, signing_input(body, dry_run=dry_run)
        )
    except (InvalidSignature, ValueError):
        return False
    return True


class Signer:
    """A private key that signs event bodies."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        raw = private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        self.public_key = PublicKey(raw)

    @classmethod
    def generate(cls) -> Signer:
        """Make a new random key."""
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_seed(cls, seed: bytes) -> Signer:
        """Make the key of a 32-byte RFC 8032 seed (for test vectors and reproducible fixtures)."""
        return cls(Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def key_id(self) -> str:
        return self.public_key.key_id

    @property
    def seed(self) -> bytes:
        """The 32-byte RFC 8032 seed (for signed notes, which carry their own key form)."""
        return self._key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )

    def sign(self, body: bytes, *, dry_run: bool = False) -> bytes:
        """Sign an event body (the signing context is added here; ``dry_run`` signs for a
        rehearsal, which no ledger ever stores)."""
        return self._key.sign(signing_input(body, dry_run=dry_run))

    def save(self, path: Path, *, passphrase: bytes | None = None) -> None:
        """Write the key to a new file with mode 0600 and its public half to ``<path>.pub``."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase)
            if passphrase
            else serialization.NoEncryption()
        )
        pem = self._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise KeyFileExists(str(path)) from None
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        public_path = Path(f"{path}.pub")
        public_path.write_text(self.public_key.b64 + "\n", encoding="utf-8")


def load_signer(path: Path, *, passphrase: bytes | None = None) -> Signer:
    """Read a key file; raise a KeyFileError that says what is wrong with it."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise KeyFileMissing(str(path)) from None
    except IsADirectoryError:
        raise KeyFileCorrupt(str(path)) from None
    encrypted = b"ENCRYPTED PRIVATE KEY" in data
    if encrypted and not passphrase:
        raise PassphraseRequired(str(path))
    try:
        key = serialization.load_pem_private_key(data, password=passphrase if encrypted else None)
    except ValueError:
        if encrypted:
            raise WrongPassphrase(str(path)) from None
        raise KeyFileCorrupt(str(path)) from None
    except (TypeError, UnsupportedAlgorithm):
        raise KeyFileCorrupt(str(path)) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileCorrupt(str(path))
    return Signer(key)


_verifiers: dict[bytes, Ed25519PublicKey] = {}


def first_bad_signature(items: list[tuple[int, bytes, bytes, bytes]]) -> int | None:
    """Return the seq of the first (seq, public key, signature, body) that does not verify.

    Runs in the verifier's worker processes, so it takes and returns plain values.
    """
    for seq, public_key, signature, body in items:
        verifier = _verifiers.get(public_key)
        if verifier is None:
            try:
                verifier = Ed25519PublicKey.from_public_bytes(public_key)
            except ValueError:
                return seq
            _verifiers[public_key] = verifier
        try:
            verifier.verify(signature, signing_input(body))
        except InvalidSignature:
            return seq
    return None
