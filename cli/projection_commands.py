"""``assembly projections``: the read models kept in the ledger's database."""

from __future__ import annotations

import typer

from cli.context import open_ledger
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.render import stdout
from projections import catch_up, position, rebuild

app = typer.Typer(help="The read models kept beside the ledger.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="projections", rich_help_panel="Set up and verify")


@app.command("update")
def update(ledger: LedgerOption = DEFAULT_LEDGER) -> None:
    """Apply the entries the read models have not seen yet (write commands do it themselves)."""
    book = open_ledger(ledger)
    try:
        applied = catch_up(book)
        stdout.print(f"Applied {applied} entries; the read models are at seq {position(book)}.")
    finally:
        book.close()


@app.command("rebuild")
def rebuild_command(ledger: LedgerOption = DEFAULT_LEDGER) -> None:
    """Drop the read models and fold them again from entry 0."""
    book = open_ledger(ledger)
    try:
        applied = rebuild(book)
        stdout.print(f"Rebuilt the read models from {applied} entries.")
    finally:
        book.close()
