"""The `assembly` command end to end, as an administrator and a journalist use it."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.runner import assembly, enrol


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    result = assembly("init", cwd=tmp_path)
    assert result.code == 0, result.stderr
    return tmp_path


def test_init_makes_the_ledger_the_charter_key_and_the_charter_entry(folder: Path) -> None:
    assert (folder / "assembly.db").is_file()
    mode = stat.S_IMODE(os.stat(folder / "charter.key").st_mode)
    assert mode == 0o600
    log = json.loads(assembly("log", "--format", "json", cwd=folder).stdout)
    assert [row["type"] for row in log] == ["ledger.signer.enrolled"]
    assert log[0]["seq"] == 0


def test_init_twice_is_refused_and_changes_nothing(folder: Path) -> None:
    before = (folder / "assembly.db").read_bytes()
    result = assembly("init", cwd=folder)
    assert result.code == 4
    assert "already holds a ledger" in result.stderr
    assert (folder / "assembly.db").read_bytes() == before


def test_a_key_is_made_enrolled_listed_shown_and_revoked(folder: Path) -> None:
    assert assembly("keys", "new", "--key", "gov.key", cwd=folder).code == 0
    enrolled = enrol(folder)
    assert enrolled.code == 0, enrolled.stderr
    listed = json.loads(assembly("keys", "list", "--format", "json", cwd=folder).stdout)
    assert [(r["role"], r["name"]) for r in listed] == [
        ("charter", "Charter of the citizens' assembly"),
        ("government", "Minister of Climate"),
    ]
    key_id = listed[1]["key_id"]
    shown = json.loads(
        assembly("keys", "show", "--key", "gov.key", "--format", "json", cwd=folder).stdout
    )
    assert shown["key_id"] == key_id and shown["revoked_seq"] is None
    revoked = assembly(
        "keys",
        "revoke",
        key_id,
        "--reason",
        "left office",
        env={"ASSEMBLY_KEY": "charter.key"},
        cwd=folder,
    )
    assert revoked.code == 0, revoked.stderr
    shown = json.loads(assembly("keys", "show", key_id, "--format", "json", cwd=folder).stdout)
    assert shown["revoked_seq"] == 2 and shown["revocation_reason"] == "left office"
    assert assembly("verify", cwd=folder).code == 0


def test_the_ledger_and_key_come_from_the_environment(tmp_path: Path) -> None:
    env = {
        "ASSEMBLY_LEDGER": str(tmp_path / "elsewhere.db"),
        "ASSEMBLY_KEY": str(tmp_path / "root.key"),
    }
    assert assembly("init", env=env, cwd=tmp_path).code == 0
    assert (tmp_path / "elsewhere.db").is_file() and (tmp_path / "root.key").is_file()
    result = assembly("verify", "--format", "json", env=env, cwd=tmp_path)
    assert json.loads(result.stdout)["entries"] == 1


def test_an_encrypted_charter_key_works_with_its_passphrase(tmp_path: Path) -> None:
    env = {"ASSEMBLY_PASSPHRASE": "correct horse"}
    assert assembly("init", "--encrypt", env=env, cwd=tmp_path).code == 0
    assert b"ENCRYPTED" in (tmp_path / "charter.key").read_bytes()
    assert assembly("keys", "new", "--key", "c.key", cwd=tmp_path).code == 0
    result = enrol(tmp_path, public="c.key.pub", role="commission", name="Commission", env=env)
    assert result.code == 0, result.stderr


def test_log_lists_seq_time_type_signer_and_hash(folder: Path) -> None:
    result = assembly("log", cwd=folder)
    assert result.code == 0
    assert "ledger.signer.enrolled" in result.stdout
    rows = json.loads(assembly("log", "--format", "json", cwd=folder).stdout)
    assert set(rows[0]) >= {"seq", "recorded_at", "type", "signer", "hash"}
    assert len(rows[0]["hash"]) == 64


def test_verify_prints_the_head_to_remember(folder: Path) -> None:
    result = assembly("verify", cwd=folder)
    assert result.code == 0
    assert "Verified 1 entries" in result.stdout and "head 0:" in result.stdout


def test_log_with_a_key_shows_only_what_that_key_signed(folder: Path) -> None:
    assert assembly("keys", "new", "--key", "gov.key", cwd=folder).code == 0
    assert enrol(folder).code == 0
    mine = json.loads(
        assembly("log", "--key", "charter.key", "--format", "json", cwd=folder).stdout
    )
    theirs = json.loads(assembly("log", "--key", "gov.key", "--format", "json", cwd=folder).stdout)
    assert [row["seq"] for row in mine] == [0, 1]
    assert theirs == []


def test_verify_with_a_key_says_whether_it_may_still_sign(folder: Path) -> None:
    assert assembly("keys", "new", "--key", "gov.key", cwd=folder).code == 0
    unknown = json.loads(
        assembly("verify", "--key", "gov.key", "--format", "json", cwd=folder).stdout
    )
    assert unknown["key"]["standing"] == "not enrolled in this ledger"
    assert enrol(folder).code == 0
    known = assembly("verify", "--key", "gov.key", cwd=folder)
    assert "may sign as government" in known.stdout


def test_init_leaves_no_key_file_behind_when_the_ledger_cannot_be_made(folder: Path) -> None:
    result = assembly("init", "--key", "second.key", cwd=folder)
    assert result.code == 4
    assert not (folder / "second.key").exists() and not (folder / "second.key.pub").exists()
