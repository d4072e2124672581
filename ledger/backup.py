"""Consistent copies of a live ledger: SQLite's online backup, PostgreSQL's ``pg_dump``.

A plain copy of a live SQLite file is not a backup: appends acknowledged but still in the
write-ahead log (``-wal``) are missing from it. SQLite's online backup API copies the database as
one read transaction sees it, WAL included, while writers go on. ``pg_dump`` reads PostgreSQL in
one snapshot; the head is read in that same snapshot (``pg_export_snapshot``), so the head written
beside the copy is exactly the copy's last entry.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.engine import Engine

from ledger.entry import Head
from ledger.errors import BackupFailed
from ledger.storage import ENTRIES_TABLE, LedgerRecorder, database_url

_HEAD_SQL = f"SELECT seq, hash FROM {ENTRIES_TABLE} ORDER BY seq DESC LIMIT 1"
_COUNT_SQL = f"SELECT count(*) FROM {ENTRIES_TABLE}"


@dataclass(frozen=True)
class Backup:
    """A copy written, and the head it holds (None: an empty ledger)."""

    path: Path
    head_file: Path
    entries: int
    head: Head | None


def head_file_of(dest: Path) -> Path:
    """Where the head of the copy at ``dest`` is written: ``DEST.head``."""
    return dest.with_name(dest.name + ".head")


def back_up(recorder: LedgerRecorder, location: str, dest: Path) -> Backup:
    """Write a consistent copy of the ledger at ``location`` to ``dest`` (which must not exist)
    and its head to ``DEST.head``: a SQLite file for SQLite, a ``pg_dump`` archive (custom
    format) for PostgreSQL."""
    if dest.exists():
        raise BackupFailed(f"{dest} already exists; a backup never overwrites a file.")
    if not dest.parent.is_dir():
        raise BackupFailed(f"The folder {dest.parent} does not exist.")
    url = database_url(location)
    partial = dest.with_name(f".{dest.name}.partial")
    try:
        if url.startswith("sqlite:///"):
            entries, head = _sqlite_backup(Path(url.removeprefix("sqlite:///")), partial)
        else:
            entries, head = _postgres_backup(recorder, url, partial)
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    head_file = head_file_of(dest)
    head_file.write_text(f"{head}\n" if head else "\n", encoding="utf-8")
    return Backup(dest, head_file, entries, head)


def _sqlite_backup(source: Path, partial: Path) -> tuple[int, Head | None]:
    # One step (pages=-1): the whole database as one read transaction sees it. In steps, a write
    # between them would restart the copy, and under a steady writer it might never end.
    with (
        _closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as live,
        _closing(sqlite3.connect(partial)) as copy,
    ):
        try:
            live.backup(copy)
        except sqlite3.Error as exc:
            raise BackupFailed(f"SQLite could not copy {source}: {exc}.") from None
        # A self-contained file: no -wal beside it for a later `cp` to forget.
        copy.execute("PRAGMA journal_mode=DELETE")
        found = copy.execute(_HEAD_SQL).fetchone()
        count = int(copy.execute(_COUNT_SQL).fetchone()[0])
    return count, None if found is None else Head(int(found[0]), bytes(found[1]))


def _postgres_backup(recorder: LedgerRecorder, url: str, partial: Path) -> tuple[int, Head | None]:
    program = shutil.which("pg_dump")
    if program is None:
        raise BackupFailed(
            "pg_dump is not on PATH: install PostgreSQL's client programs (the same major "
            "version as the server, or newer) to back up a PostgreSQL ledger."
        )
    parsed = make_url(url)
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    libpq = parsed.set(drivername="postgresql", password=None).render_as_string()
    engine = recorder.datastore.engine
    assert isinstance(engine, Engine)
    # The head is read in the snapshot pg_dump copies, held open until it is done.
    snapshot_reader = engine.connect().execution_options(
        isolation_level="REPEATABLE READ", postgresql_readonly=True
    )
    with snapshot_reader as conn:
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        found = conn.execute(text(_HEAD_SQL)).first()
        count = int(conn.execute(text(_COUNT_SQL)).scalar_one())
        command = [
            program,
            "--format=custom",
            f"--snapshot={snapshot}",
            f"--schema={schema}",
            "--no-owner",
            f"--file={partial}",
            f"--dbname={libpq}",
        ]
        done = subprocess.run(command, env=environment, capture_output=True, text=True)
        conn.rollback()
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        raise BackupFailed(f"pg_dump failed: {lines[-1] if lines else done.returncode}.")
    return count, None if found is None else Head(int(found[0]), bytes(found[1]))


@contextmanager
def _closing(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    # sqlite3's own context manager commits; it does not close.
    try:
        yield conn
    finally:
        conn.close()
