"""``assembly projections``: the read models kept in the ledger's database."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.context import open_ledger
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.render import stderr, stdout
from ledger import Ledger
from projections import catch_up, position, rebuild, tables
from projections.runner import in_force

app = typer.Typer(help="The read models kept beside the ledger.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="projections", rich_help_panel="Set up and verify")


@app.command("update")
def update(ledger: LedgerOption = DEFAULT_LEDGER) -> None:
    """Apply the entries the read models have not seen yet (write commands do it themselves).

    Example: assembly projections update --ledger postgresql://127.0.0.1/assembly
    """
    book = open_ledger(ledger)
    try:
        applied = bring_up_to_date(book)
        stdout.print(f"Applied {applied} entries; the read models are at seq {position(book)}.")
    finally:
        book.close()


def bring_up_to_date(book: Ledger) -> int:
    """Apply the entries the read models lack, with a progress bar; how many were applied.
    After an upgrade that changes the read models' format, that is all of them, into tables
    of the new format beside the old, which readers go on reading until the switch."""
    found = in_force(book)
    what = "Updating the read models"
    if found is not None and found != tables.FORMAT:
        what = f"Building the read models' format {tables.FORMAT} beside format {found}"
    with _bar(book, what) as progress:
        return catch_up(book, progress=progress)


@app.command("rebuild")
def rebuild_command(ledger: LedgerOption = DEFAULT_LEDGER) -> None:
    """Drop the read models and fold them again from entry 0 (after an upgrade, or to check
    that the stored read models are what the ledger says).

    Example: assembly projections rebuild
    """
    book = open_ledger(ledger)
    try:
        with _bar(book, "Rebuilding the read models") as progress:
            applied = rebuild(book, progress=progress)
        stdout.print(f"Rebuilt the read models from {applied} entries.")
    finally:
        book.close()


@contextmanager
def _bar(book: Ledger, description: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error up to the ledger's last entry (gone when done), drawn
    again at each batch rather than by a thread of its own: a rebuild folds in two processes
    only where this one has no other thread to fork (``projections.runner``)."""
    last = book.count() - 1
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(
        *columns, TimeElapsedColumn(), console=stderr, transient=True, auto_refresh=False
    ) as bar:
        task = bar.add_task(description, total=last + 1)
        yield lambda seq: bar.update(task, completed=seq + 1, refresh=True)
