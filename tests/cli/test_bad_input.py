"""Bad input: one clear sentence on stderr, the documented exit code, never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.runner import Result, assembly, enrol


def one_sentence(result: Result, code: int, words: str) -> None:
    assert result.code == code, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert words in lines[0]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    assert assembly("init", cwd=tmp_path).code == 0
    assert assembly("keys", "new", "--key", "gov.key", cwd=tmp_path).code == 0
    return tmp_path


def test_a_corrupt_key_file(folder: Path) -> None:
    (folder / "bad.key").write_bytes(b"-----BEGIN PRIVATE KEY-----\nnot base64\n")
    one_sentence(enrol(folder, key="bad.key"), 5, "is not an Ed25519 private key")


def test_a_key_of_another_kind(folder: Path) -> None:
    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (folder / "ec.key").write_bytes(other)
    one_sentence(enrol(folder, key="ec.key"), 5, "is not an Ed25519 private key")


def test_a_wrong_passphrase(tmp_path: Path) -> None:
    assert (
        assembly("init", "--encrypt", env={"ASSEMBLY_PASSPHRASE": "right"}, cwd=tmp_path).code == 0
    )
    assert assembly("keys", "new", "--key", "gov.key", cwd=tmp_path).code == 0
    result = enrol(tmp_path, key="charter.key", env={"ASSEMBLY_PASSPHRASE": "wrong"})
    one_sentence(result, 5, "passphrase does not open the key file")


def test_an_encrypted_key_without_a_passphrase(tmp_path: Path) -> None:
    assert (
        assembly("init", "--encrypt", env={"ASSEMBLY_PASSPHRASE": "right"}, cwd=tmp_path).code == 0
    )
    assert assembly("keys", "new", "--key", "gov.key", cwd=tmp_path).code == 0
    one_sentence(enrol(tmp_path, key="charter.key"), 5, "is encrypted")


def test_a_missing_key_option(folder: Path) -> None:
    result = assembly("charter", "--name", "A", "--region", "R", "--language", "fr", cwd=folder)
    one_sentence(result, 2, "give your key file with --key or ASSEMBLY_KEY")


def test_a_missing_charter_key_where_init_would_have_made_it(folder: Path) -> None:
    (folder / "charter.key").rename(folder / "vault.key")
    result = assembly(
        "keys", "enrol", "gov.key.pub", "--role", "government", "--name", "M", cwd=folder
    )
    one_sentence(result, 2, "give its file with --key or ASSEMBLY_KEY")


def test_a_key_file_that_does_not_exist(folder: Path) -> None:
    one_sentence(enrol(folder, key="nowhere.key"), 5, "There is no key file at nowhere.key")


def test_an_unreachable_database(tmp_path: Path) -> None:
    result = assembly("verify", "--ledger", "postgresql://nobody@127.0.0.1:1/none", cwd=tmp_path)
    one_sentence(
        result, 4, "Cannot reach the ledger database postgresql+psycopg://nobody@127.0.0.1:1/none"
    )


def test_a_database_file_that_is_not_a_ledger(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "other.db") as conn:
        conn.execute("CREATE TABLE accounts (id INTEGER)")
    one_sentence(assembly("log", "--ledger", "other.db", cwd=tmp_path), 4, "holds no ledger")


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "notes.db").write_text("shopping list\n")
    one_sentence(assembly("verify", "--ledger", "notes.db", cwd=tmp_path), 4, "Cannot reach")


def test_a_ledger_file_that_does_not_exist_is_not_created(tmp_path: Path) -> None:
    one_sentence(assembly("verify", "--ledger", "missing.db", cwd=tmp_path), 4, "holds no ledger")
    assert not (tmp_path / "missing.db").exists()


@pytest.mark.postgres
def test_a_postgres_database_that_is_not_a_ledger(postgres_url: str, tmp_path: Path) -> None:
    one_sentence(assembly("verify", "--ledger", postgres_url, cwd=tmp_path), 4, "holds no ledger")


def test_a_refused_append_exits_with_the_refusal_code(folder: Path) -> None:
    result = enrol(folder, key="gov.key")  # a key the ledger never enrolled
    one_sentence(result, 3, "is not enrolled in this ledger")


def test_a_role_not_in_the_table_is_a_usage_error(folder: Path) -> None:
    result = enrol(folder, role="mayor", name="Mayor")
    one_sentence(result, 2, "'mayor' is not one of 'charter', 'secretariat'")


def test_a_malformed_head(folder: Path) -> None:
    one_sentence(assembly("verify", "--expect-head", "seven", cwd=folder), 2, "is not a head")


def test_a_bad_public_key(folder: Path) -> None:
    result = enrol(folder, public="bm90IGEga2V5")
    one_sentence(result, 5, "is not an Ed25519 public key")


def test_a_bad_date(folder: Path) -> None:
    result = assembly(
        "keys",
        "enrol",
        "gov.key.pub",
        "--role",
        "government",
        "--name",
        "M",
        "--valid-from",
        "next tuesday",
        "--key",
        "charter.key",
        cwd=folder,
    )
    one_sentence(result, 2, "is not a date")
