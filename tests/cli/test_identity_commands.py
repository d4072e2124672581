"""`assembly ledger ...`: a copy of a ledger's database, as an administrator makes a staging one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.runner import assembly, enrol


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    assert assembly("init", cwd=tmp_path).code == 0
    assert assembly("keys", "new", "--key", "gov.key", cwd=tmp_path).code == 0
    return tmp_path


def _identity(folder: Path, ledger: str) -> str:
    shown = assembly("ledger", "identity", "--ledger", ledger, "--format", "json", cwd=folder)
    assert shown.code == 0, shown.stderr
    return str(json.loads(shown.stdout)["identity"])


def test_a_staging_copy_takes_writes_only_once_it_has_its_own_identity(folder: Path) -> None:
    shutil.copyfile(folder / "assembly.db", folder / "staging.db")
    env = {"ASSEMBLY_KEY": "charter.key", "ASSEMBLY_LEDGER": "staging.db"}

    refused = enrol(folder, env=env)
    assert refused.code == 3
    assert "it accepts no writes until it is told which" in refused.stderr
    assert "`assembly ledger new-identity`" in refused.stderr

    declared = assembly("ledger", "new-identity", "--reason", "staging copy", env=env, cwd=folder)
    assert declared.code == 0, declared.stderr
    assert _identity(folder, "staging.db") != _identity(folder, "assembly.db")
    assert enrol(folder, env=env).code == 0
    verified = assembly("verify", "--format", "json", env=env, cwd=folder)
    assert json.loads(verified.stdout)["identity"] == _identity(folder, "staging.db")


def test_a_moved_ledger_keeps_its_identity(folder: Path) -> None:
    (folder / "moved").mkdir()
    shutil.move(folder / "assembly.db", folder / "moved" / "assembly.db")
    env = {"ASSEMBLY_KEY": "charter.key", "ASSEMBLY_LEDGER": "moved/assembly.db"}
    before = _identity(folder, "moved/assembly.db")

    assert enrol(folder, env=env).code == 3
    assert assembly("ledger", "moved", env=env, cwd=folder).code == 0
    assert enrol(folder, env=env).code == 0
    assert _identity(folder, "moved/assembly.db") == before
