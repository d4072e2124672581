"""The ``assembly export`` group itself, apart from its commands: ``export bundle``
(``cli.bundle_commands``) and ``export tiles`` join it without importing what the board and the
spreadsheets need (the server's downloads, openpyxl), so ``verify-bundle`` stays light."""

from __future__ import annotations

import typer

export_app = typer.Typer(help="Export what the ledger holds as files.", no_args_is_help=True)
