"""``assembly backup``: a consistent copy of a live ledger, taken while another process appends."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ledger import Head
from tests.backends import scratch_database
from tests.conftest import World
from tests.ledger.test_concurrency import acknowledged, start_writer
from tests.runner import assembly


def back_up_while_appending(world: World, dest: Path) -> tuple[int, Head]:
    """Back up while a writer appends in a loop; return the seq acknowledged last before the
    backup began, and the copy's head."""
    world.ledger.close()
    writer = start_writer(world.url, "own", 1_000_000, "busy")
    assert writer.stdout is not None
    lines = []
    try:
        for line in writer.stdout:
            lines.append(line)
            if len(acknowledged(lines)) == 40:
                break
        acked_before = acknowledged(lines)[-1][0]
        result = assembly("backup", str(dest), "--ledger", world.url)
        assert result.code == 0, result
        # The writer went on during the backup: the copy is of a live ledger.
        lines.append(writer.stdout.readline())
        assert acknowledged(lines)[-1][0] > acked_before
    finally:
        writer.kill()
        writer.communicate(timeout=60)
    head = Head.parse((dest.parent / f"{dest.name}.head").read_text(encoding="utf-8"))
    assert f"head {head}" in result.stdout
    return acked_before, head


SQLITE = pytest.mark.parametrize("ledger_url", ["sqlite"], indirect=True)
POSTGRES = pytest.mark.parametrize(
    "ledger_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


@SQLITE
def test_a_sqlite_backup_during_appends_verifies_and_holds_every_acknowledged_entry(
    tmp_path: Path, world: World
) -> None:
    acked_before, head = back_up_while_appending(world, tmp_path / "copy.db")
    assert head.seq >= acked_before
    assert not (tmp_path / "copy.db-wal").exists()
    restored = tmp_path / "restored.db"
    shutil.copyfile(tmp_path / "copy.db", restored)  # restoring: copy the file back
    check = assembly("verify", "--ledger", str(restored), "--expect-head", str(head))
    assert check.code == 0, check
    assert f"Verified {head.seq + 1} entries" in check.stdout


@POSTGRES
def test_a_postgres_backup_during_appends_restores_verifies_and_holds_every_acknowledged_entry(
    tmp_path: Path, world: World
) -> None:
    if shutil.which("pg_restore") is None:
        pytest.fail("pg_restore is not on PATH, though pg_dump was needed for this test")
    acked_before, head = back_up_while_appending(world, tmp_path / "ledger.dump")
    assert head.seq >= acked_before
    with scratch_database() as database:
        restore(tmp_path / "ledger.dump", database)
        restored = f"{database}?{world.url.partition('?')[2]}"
        check = assembly("verify", "--ledger", restored, "--expect-head", str(head))
        assert check.code == 0, check
        assert f"Verified {head.seq + 1} entries" in check.stdout


@pytest.mark.postgres
def test_a_ledger_in_the_public_schema_restores_into_an_empty_database(
    tmp_path: Path, postgres_database: str
) -> None:
    with scratch_database() as original:
        assert assembly("init", "--ledger", original, cwd=tmp_path).code == 0
        assert assembly("backup", "ledger.dump", "--ledger", original, cwd=tmp_path).code == 0
    head = (tmp_path / "ledger.dump.head").read_text().strip()
    with scratch_database() as database:
        restore(tmp_path / "ledger.dump", database)
        check = assembly("verify", "--ledger", database, "--expect-head", head)
        assert check.code == 0, check


def restore(dump: Path, database: str) -> None:
    """Restore as the README says (--clean --if-exists: the public schema an empty database
    already has is made again, not an error)."""
    command = ["pg_restore", "--no-owner", "--clean", "--if-exists", f"--dbname={database}"]
    done = subprocess.run([*command, str(dump)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_backup_never_overwrites_a_file(tmp_path: Path) -> None:
    assert assembly("init", cwd=tmp_path).code == 0
    (tmp_path / "copy.db").write_text("an older backup")
    result = assembly("backup", "copy.db", cwd=tmp_path)
    assert result.code == 4
    assert result.stderr.strip() == (
        "error: copy.db already exists; a backup never overwrites a file."
    )
    assert (tmp_path / "copy.db").read_text() == "an older backup"


@POSTGRES
def test_a_postgres_backup_without_pg_dump_says_so(tmp_path: Path, world: World) -> None:
    result = assembly(
        "backup", str(tmp_path / "ledger.dump"), "--ledger", world.url, env={"PATH": "/nowhere"}
    )
    assert result.code == 4, result
    assert "pg_dump is not on PATH" in result.stderr
    assert not (tmp_path / "ledger.dump").exists()
