"""Storage faults provoked for real: one sentence naming the cause, exit 4, nothing written, and
the next command succeeds once the fault is gone. A closed pipe ends quietly."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from tests.backends import PG_HOST
from tests.runner import Result, assembly

ENROL = ("keys", "enrol", "gov.key.pub", "--role", "government", "--name", "Minister")


def one_sentence(result: Result, words: str) -> None:
    assert result.code == 4, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert words in lines[0]
    for driver_text in ("sqlite3.", "psycopg.", "OperationalError", "Background on this error"):
        assert driver_text not in lines[0]


def enrol(folder: Path, ledger: str, **env: str) -> Result:
    return assembly(*ENROL, "--key", "charter.key", "--ledger", ledger, cwd=folder, env=env)


def entries(folder: Path, ledger: str) -> int:
    result = assembly("log", "--format", "json", "--ledger", ledger, cwd=folder)
    assert result.code == 0, result
    return result.stdout.count('"seq"')


def a_ledger_in(folder: Path, ledger: str = "assembly.db") -> Path:
    assert assembly("init", "--ledger", ledger, cwd=folder).code == 0
    assert assembly("keys", "new", "--key", "gov.key", cwd=folder).code == 0
    return folder


@contextmanager
def small_filesystem(path: Path, size: str) -> Iterator[Path]:
    """A tmpfs of ``size`` at ``path``, where the machine lets this test mount one."""
    path.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("this machine does not let the test mount a small filesystem")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=True)


# -- SQLite ----------------------------------------------------------------------------------


def test_a_lock_held_by_another_writer_is_named_and_the_next_try_succeeds(tmp_path: Path) -> None:
    folder = a_ledger_in(tmp_path)
    holder = sqlite3.connect(folder / "assembly.db", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = enrol(folder, "assembly.db", ASSEMBLY_LOCK_TIMEOUT="0.2")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    one_sentence(result, "Another writer holds the lock on the ledger database")
    assert "try again" in result.stderr
    assert entries(folder, "assembly.db") == 1
    assert enrol(folder, "assembly.db").code == 0
    assert entries(folder, "assembly.db") == 2


def test_a_read_only_filesystem_is_named(tmp_path: Path) -> None:
    with small_filesystem(tmp_path / "disk", "4m") as disk:
        folder = a_ledger_in(disk)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        try:
            one_sentence(enrol(folder, "assembly.db"), "assembly.db is read-only here")
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        assert entries(folder, "assembly.db") == 1
        assert enrol(folder, "assembly.db").code == 0


def test_a_full_disk_is_named_and_freeing_space_is_enough(tmp_path: Path) -> None:
    with small_filesystem(tmp_path / "disk", "512k") as disk:
        folder = a_ledger_in(disk)
        filler = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(filler, bytes(4096)):
                pass
        except OSError:  # no space left on the device: the point
            pass
        finally:
            os.close(filler)
        one_sentence(enrol(folder, "assembly.db"), "is full; nothing was written")
        (disk / "filler").unlink()
        assert entries(folder, "assembly.db") == 1
        assert enrol(folder, "assembly.db").code == 0


def test_a_bad_timeout_setting_is_a_usage_error(tmp_path: Path) -> None:
    folder = a_ledger_in(tmp_path)
    result = enrol(folder, "assembly.db", ASSEMBLY_LOCK_TIMEOUT="soon")
    assert result.code == 2, result
    assert result.stderr.strip() == (
        "error: ASSEMBLY_LOCK_TIMEOUT=soon is not a number of seconds (0 for no limit)."
    )


# -- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture
def pg_folder(tmp_path: Path, postgres_url: str) -> Path:
    return a_ledger_in(tmp_path, postgres_url)


def blocked_backends(url: str) -> list[int]:
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND datname = current_database()"
        )
        return [row[0] for row in rows]


@pytest.mark.postgres
def test_a_postgres_lock_held_past_the_lock_timeout_is_named(
    pg_folder: Path, postgres_url: str
) -> None:
    with psycopg.connect(postgres_url) as holder:
        holder.execute("LOCK TABLE ledger_events IN EXCLUSIVE MODE")
        result = enrol(pg_folder, postgres_url, ASSEMBLY_LOCK_TIMEOUT="0.5")
        holder.rollback()
    one_sentence(result, "Another writer holds the lock on the ledger database")
    assert entries(pg_folder, postgres_url) == 1
    assert enrol(pg_folder, postgres_url).code == 0
    assert entries(pg_folder, postgres_url) == 2


@pytest.mark.postgres
def test_a_connection_killed_with_pg_terminate_backend_is_named(
    pg_folder: Path, postgres_url: str
) -> None:
    with psycopg.connect(postgres_url) as holder:
        # The append waits behind this lock, where its connection is killed.
        holder.execute("LOCK TABLE ledger_events IN EXCLUSIVE MODE")
        command = [sys.executable, "-m", "cli", *ENROL, "--key", "charter.key"]
        writer = subprocess.Popen(
            [*command, "--ledger", postgres_url],
            cwd=pg_folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not (waiting := blocked_backends(postgres_url)):
            assert time.monotonic() < deadline and writer.poll() is None, writer.communicate()
            time.sleep(0.05)  # polling the server: there is nothing to await
        with psycopg.connect(postgres_url, autocommit=True) as killer:
            killer.execute("SELECT pg_terminate_backend(%s)", (waiting[0],))
        _, stderr = writer.communicate(timeout=60)
        holder.rollback()
    one_sentence(Result(writer.returncode, "", stderr), "The connection to the ledger database")
    assert "was lost" in stderr
    assert entries(pg_folder, postgres_url) == 1
    assert enrol(pg_folder, postgres_url).code == 0


@pytest.mark.postgres
def test_a_read_only_postgres_session_is_named(pg_folder: Path, postgres_url: str) -> None:
    read_only = postgres_url.replace("?options=", "?options=-cdefault_transaction_read_only%3Don ")
    assert read_only != postgres_url
    one_sentence(enrol(pg_folder, read_only), "is read-only here")
    assert entries(pg_folder, postgres_url) == 1


@pytest.mark.postgres
def test_a_postgres_server_that_refuses_the_user_says_so(tmp_path: Path) -> None:
    url = f"postgresql://no_{uuid.uuid4().hex[:6]}@{PG_HOST.rsplit('@', 1)[1]}/postgres"
    result = assembly("verify", "--ledger", url, cwd=tmp_path)
    one_sentence(result, "Cannot reach the ledger database")
    assert "the server refuses this user" in result.stderr


# -- a closed pipe ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", [("status",), ("log",), ("log", "--format", "json")])
def test_a_closed_pipe_ends_quietly(tmp_path: Path, command: tuple[str, ...]) -> None:
    folder = a_ledger_in(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSEMBLY_")}
    reader, writer = os.pipe()
    os.close(reader)  # as `assembly status | head -c 0` leaves it: nobody reads
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cli", *command],
            cwd=folder,
            env=env,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(writer)
    assert (done.returncode, done.stderr) == (0, "")
