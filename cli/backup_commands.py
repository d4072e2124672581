"""``assembly backup DEST``: a consistent copy of a live ledger and its head."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.context import open_ledger
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.render import stdout
from ledger.backup import back_up


def register(app: typer.Typer) -> None:
    """Add the command to the root app."""
    app.command("backup", rich_help_panel="Set up and verify")(backup)


def backup(
    dest: Annotated[
        Path,
        typer.Argument(
            help="The copy to write (it must not exist): a SQLite file for a SQLite ledger, a "
            "pg_dump archive for PostgreSQL. Its head goes to DEST.head.",
            dir_okay=False,
        ),
    ],
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Copy a live ledger consistently, writers or not, and write the copy's head beside it.

    Example: assembly backup backups/assembly-2026-03-01.db
    """
    book = open_ledger(ledger)
    done = back_up(book.recorder, ledger, dest)
    stdout.print(
        f"Backed up {done.entries} entries to {done.path}; head {done.head} (in "
        f"{done.head_file}). Check a restored copy with: assembly verify --ledger COPY "
        f'--expect-head "$(cat {done.head_file})"',
        soft_wrap=True,
    )
