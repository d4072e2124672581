"""``assembly export tiles DIR``: the log as static C2SP tlog-tiles, servable by any web host,
from which anyone with the log's verifier key can prove an entry (``ledger.tiles``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.context import open_ledger
from cli.errors import UsageProblem
from cli.export_commands import export_app
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.proof_commands import latest_or_refuse
from cli.render import stdout
from ledger.tiles import FolderTaken, export_tiles

COMMAND = "tiles"


def register(app: typer.Typer) -> None:
    """Add ``tiles`` to the ``export`` group (which ``cli.export_commands`` adds to ``app``)."""
    if not any(command.name == COMMAND for command in export_app.registered_commands):
        export_app.command(COMMAND)(tiles)


def tiles(
    folder: Annotated[
        Path, typer.Argument(help="The folder to write (replaced if an earlier export).")
    ],
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Write the log at its latest checkpoint as static C2SP tlog-tiles: the signed checkpoint,
    the hash tiles and the entry bundles, ready for any static web host.

    Example: assembly export tiles public/log ; python -m http.server --directory public
    """
    book = open_ledger(ledger)
    try:
        issued = latest_or_refuse(book)
        try:
            written = export_tiles(book.recorder, issued, folder)
        except FolderTaken as error:
            raise UsageProblem(error.sentence()) from None
        except OSError as exc:
            raise UsageProblem(f"Cannot write {folder}: {exc.strerror}.") from None
    finally:
        book.close()
    stdout.print(
        f"Wrote {written.tiles} tile(s) and {written.bundles} entry bundle(s) of the checkpoint "
        f"of {written.size} entries to {written.folder}."
    )
