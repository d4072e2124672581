"""Ed25519 keys, key ids and key files (``ledger/keys.py``)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import (
    BadPublicKey,
    KeyFileCorrupt,
    KeyFileError,
    KeyFileExists,
    KeyFileMissing,
    PassphraseRequired,
    WrongPassphrase,
)
from ledger.keys import PublicKey, Signer, first_bad_signature, key_id_of, load_signer

# RFC 8032 section 7.1, TEST 1: a fixed key, so ids pinned here stay comparable across runs.
RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_KEY_ID = "21fe31dfa154a261626bf854046fd227"


@pytest.fixture
def signer() -> Signer:
    return Signer.from_seed(RFC8032_SEED)


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _match(path: Path, sentence: str) -> str:
    return re.escape(sentence.format(path=path))


# --- key ids ---------------------------------------------------------------------------------


def test_key_id_is_32_hex_characters_of_the_sha256_of_the_public_key(signer: Signer) -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", signer.key_id)
    assert signer.key_id == hashlib.sha256(RFC8032_PUBLIC).hexdigest()[:32]


def test_key_id_of_a_fixed_key_is_stable(signer: Signer) -> None:
    assert signer.key_id == RFC8032_KEY_ID
    assert key_id_of(RFC8032_PUBLIC) == RFC8032_KEY_ID
    assert PublicKey(RFC8032_PUBLIC).key_id == RFC8032_KEY_ID


def test_different_keys_have_different_ids() -> None:
    assert Signer.generate().key_id != Signer.generate().key_id


# --- key files -------------------------------------------------------------------------------


def test_saves_the_key_with_mode_0600_and_its_public_half_beside_it(
    signer: Signer, tmp_path: Path
) -> None:
    path = tmp_path / "charter.key"

    signer.save(path)

    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    public_path = tmp_path / "charter.key.pub"
    assert public_path.read_text(encoding="utf-8") == signer.public_key.b64 + "\n"
    assert base64.b64decode(public_path.read_text(encoding="utf-8")) == RFC8032_PUBLIC


def test_keeps_mode_0600_under_a_permissive_umask(signer: Signer, tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        signer.save(tmp_path / "open.key")
    finally:
        os.umask(previous)

    assert stat.S_IMODE(os.stat(tmp_path / "open.key").st_mode) == 0o600


def test_a_saved_key_loads_back_as_the_same_key(signer: Signer, tmp_path: Path) -> None:
    signer.save(tmp_path / "k.key")

    loaded = load_signer(tmp_path / "k.key")

    assert loaded.key_id == signer.key_id
    assert loaded.sign(b"{}") == signer.sign(b"{}")


def test_refuses_to_overwrite_an_existing_file(signer: Signer, tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    path.write_bytes(b"precious")

    with pytest.raises(KeyFileExists, match=_match(path, "A file already exists at {path}; ")):
        signer.save(path)

    assert path.read_bytes() == b"precious"
    assert not (tmp_path / "k.key.pub").exists()


def test_an_encrypted_key_loads_with_its_passphrase(signer: Signer, tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    signer.save(path, passphrase=b"correct horse")

    assert b"ENCRYPTED PRIVATE KEY" in path.read_bytes()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_signer(path, passphrase=b"correct horse").key_id == signer.key_id


def test_an_encrypted_key_needs_a_passphrase(signer: Signer, tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    signer.save(path, passphrase=b"correct horse")

    with pytest.raises(
        PassphraseRequired,
        match=_match(path, "The key file {path} is encrypted; give its passphrase in "),
    ):
        load_signer(path)


def test_an_encrypted_key_refuses_a_wrong_passphrase(signer: Signer, tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    signer.save(path, passphrase=b"correct horse")

    with pytest.raises(
        WrongPassphrase, match=_match(path, "The passphrase does not open the key file {path}.")
    ):
        load_signer(path, passphrase=b"battery staple")


def test_a_missing_key_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.key"

    with pytest.raises(KeyFileMissing, match=_match(path, "There is no key file at {path}.")):
        load_signer(path)


@pytest.fixture(scope="module")
def foreign_keys() -> dict[str, bytes]:
    """Private keys of other algorithms, as PEM."""
    return {
        "rsa": _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        "ec": _pem(ec.generate_private_key(ec.SECP256R1())),
    }


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\x00\xff garbage \x13\x37" * 20, id="garbage"),
        pytest.param(
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", id="bad-pem"
        ),
        pytest.param(b"an ed25519 key, honestly\n", id="text"),
    ],
)
def test_refuses_a_corrupt_key_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "k.key"
    path.write_bytes(content)

    with pytest.raises(
        KeyFileCorrupt,
        match=_match(path, "The key file {path} is not an Ed25519 private key in PEM form."),
    ):
        load_signer(path)


@pytest.mark.parametrize("algorithm", ["rsa", "ec"])
def test_refuses_a_private_key_of_another_algorithm(
    tmp_path: Path, foreign_keys: dict[str, bytes], algorithm: str
) -> None:
    path = tmp_path / f"{algorithm}.key"
    path.write_bytes(foreign_keys[algorithm])

    with pytest.raises(KeyFileCorrupt, match=_match(path, "The key file {path} is not an Ed25519")):
        load_signer(path)


def test_refuses_a_truncated_key_file(signer: Signer, tmp_path: Path) -> None:
    path = tmp_path / "k.key"
    signer.save(path)
    path.write_bytes(path.read_bytes()[:40])

    with pytest.raises(KeyFileCorrupt, match=_match(path, "The key file {path} is not an Ed25519")):
        load_signer(path)


def test_refuses_a_folder_as_a_key_file(tmp_path: Path) -> None:
    with pytest.raises(KeyFileCorrupt, match=_match(tmp_path, "The key file {path} is not an")):
        load_signer(tmp_path)


@given(st.binary(max_size=300))
def test_random_bytes_in_a_key_file_raise_a_key_file_error(
    tmp_path_factory: pytest.TempPathFactory, content: bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "k.key"
    path.write_bytes(content)

    with pytest.raises(KeyFileError):
        load_signer(path, passphrase=b"pass")


# --- public keys -----------------------------------------------------------------------------


def test_reads_a_public_key_from_base64_text(signer: Signer) -> None:
    assert PublicKey.from_text(signer.public_key.b64) == signer.public_key
    assert PublicKey.from_text(f"  {signer.public_key.b64}\n") == signer.public_key


def test_reads_a_public_key_from_a_pub_file(signer: Signer, tmp_path: Path) -> None:
    signer.save(tmp_path / "k.key")

    assert PublicKey.from_text(str(tmp_path / "k.key.pub")) == signer.public_key


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not base64!",
        base64.b64encode(bytes(31)).decode(),
        base64.b64encode(bytes(33)).decode(),
        base64.urlsafe_b64encode(b"\xff" * 32).decode(),
    ],
)
def test_refuses_text_that_is_not_a_public_key(text: str) -> None:
    with pytest.raises(BadPublicKey, match=re.escape(f"{text!r} is not an Ed25519 public key")):
        PublicKey.from_text(text)


def test_refuses_a_pub_file_that_does_not_hold_a_key(tmp_path: Path) -> None:
    path = tmp_path / "k.key.pub"
    path.write_text("hello\n", encoding="utf-8")

    with pytest.raises(BadPublicKey, match=r"is not an Ed25519 public key \(32 bytes, base64\)"):
        PublicKey.from_text(str(path))


def test_refuses_a_binary_pub_file_as_a_bad_public_key(tmp_path: Path) -> None:
    path = tmp_path / "k.key.pub"
    path.write_bytes(b"\xff\xfe\x00 not text")

    with pytest.raises(BadPublicKey, match=r"is not an Ed25519 public key"):
        PublicKey.from_text(str(path))


def test_refuses_long_text_as_a_bad_public_key() -> None:
    # Long enough that the file system refuses it as a file name.
    with pytest.raises(BadPublicKey, match=r"is not an Ed25519 public key"):
        PublicKey.from_text("A" * 300)


@given(st.text(max_size=100))
def test_public_key_text_either_reads_as_32_bytes_or_raises_bad_public_key(text: str) -> None:
    try:
        key = PublicKey.from_text(text)
    except BadPublicKey:
        return
    assert len(key.raw) == 32


# --- signatures ------------------------------------------------------------------------------


def test_a_signature_verifies_only_for_its_body_and_key(signer: Signer) -> None:
    body = b'{"a":1}'
    signature = signer.sign(body)

    assert signer.public_key.verify(signature, body)
    assert not signer.public_key.verify(signature, b'{"a":2}')
    assert not Signer.generate().public_key.verify(signature, body)


def test_a_signature_without_the_context_does_not_verify(signer: Signer) -> None:
    body = b'{"a":1}'
    raw = Ed25519PrivateKey.from_private_bytes(RFC8032_SEED).sign(body)

    assert not signer.public_key.verify(raw, body)


def test_a_malformed_signature_does_not_verify(signer: Signer) -> None:
    assert not signer.public_key.verify(b"", b"{}")
    assert not signer.public_key.verify(signer.sign(b"{}")[:63], b"{}")


def _signed_items(signers: list[Signer], count: int) -> list[tuple[int, bytes, bytes, bytes]]:
    items = []
    for seq in range(count):
        signer = signers[seq % len(signers)]
        body = f'{{"seq":{seq}}}'.encode()
        items.append((seq, signer.public_key.raw, signer.sign(body), body))
    return items


def test_first_bad_signature_is_none_when_every_signature_verifies(signer: Signer) -> None:
    assert first_bad_signature(_signed_items([signer, Signer.generate()], 12)) is None
    assert first_bad_signature([]) is None


@pytest.mark.parametrize("bad", [0, 5, 11])
def test_first_bad_signature_names_the_first_bad_seq(signer: Signer, bad: int) -> None:
    items = _signed_items([signer, Signer.generate()], 12)
    for position in (bad, 11):
        seq, public_key, signature, body = items[position]
        items[position] = (seq, public_key, signature, body + b" ")

    assert first_bad_signature(items) == bad


def test_first_bad_signature_uses_the_seq_of_the_item_not_its_position(signer: Signer) -> None:
    items = [(100 + seq, *rest) for seq, *rest in _signed_items([signer], 3)]
    seq, public_key, _, body = items[1]
    items[1] = (seq, public_key, bytes(64), body)

    assert first_bad_signature(items) == 101


def test_first_bad_signature_flags_a_signature_by_another_key(signer: Signer) -> None:
    items = _signed_items([signer], 3)
    other = Signer.generate()
    seq, public_key, _, body = items[2]
    items[2] = (seq, public_key, other.sign(body), body)

    assert first_bad_signature(items) == 2


@pytest.mark.parametrize(
    "public_key",
    [pytest.param(bytes(31), id="too-short"), pytest.param(bytes(33), id="too-long")],
)
def test_first_bad_signature_flags_a_malformed_public_key(
    signer: Signer, public_key: bytes
) -> None:
    items = _signed_items([signer], 3)
    seq, _, signature, body = items[1]
    items[1] = (seq, public_key, signature, body)

    assert first_bad_signature(items) == 1


def test_first_bad_signature_flags_a_malformed_signature(signer: Signer) -> None:
    items = _signed_items([signer], 3)
    seq, public_key, signature, body = items[0]
    items[0] = (seq, public_key, signature[:10], body)

    assert first_bad_signature(items) == 0
