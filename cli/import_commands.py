"""``assembly import answers|implementation|recommendations|verdicts FILE``: a spreadsheet of
one kind (``sheets.kinds``) written to the ledger all or nothing (``cli.bulk``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from cli.bulk import import_kind
from cli.options import DEFAULT_LEDGER, KeyOption, LedgerOption
from cli.remote import ServerOption
from cli.writing import AtOption
from sheets.kinds import KINDS, Kind

import_app = typer.Typer(
    help="Import spreadsheets of answers, implementation reports, recommendations or verdicts.",
    no_args_is_help=True,
)
WHO = {
    "answers": "the government's answers (government key)",
    "implementation": "the government's implementation reports (government key)",
    "recommendations": "a panel's recommendations as adopted and their hand-over (secretariat key)",
    "verdicts": "the commission's verdicts (commission key)",
}


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import", rich_help_panel="Any office")


def _command(kind: Kind) -> Callable[..., None]:
    def command(
        file: Annotated[
            Path, typer.Argument(help="The file: .xlsx for a workbook, else CSV.", dir_okay=False)
        ],
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Check every row, write nothing.")
        ] = False,
        sheet: Annotated[
            str | None, typer.Option("--sheet", help="With FILE.xlsx: the sheet to read.")
        ] = None,
        ledger: LedgerOption = DEFAULT_LEDGER,
        key: KeyOption = None,
        at: AtOption = None,
        server: ServerOption = None,
    ) -> None:
        import_kind(kind, ledger, key, file, dry_run=dry_run, at=at, server=server, sheet=sheet)

    columns = ", ".join(kind.columns)
    optional = ", ".join(kind.optional)
    texts = ", ".join(f"{name}_LANG" for name in kind.translated)
    command.__doc__ = (
        f"Import {WHO[kind.name]} from a CSV or .xlsx file, all or nothing.\n\n"
        f"Columns: {columns}; optional: {optional}"
        + (f"; per language: {texts}" if texts else "")
        + ". Headers may be in English, French or Dutch. A row the ledger already holds is "
        "unchanged and skipped; a row repeated word for word counts once; every bad row is "
        "listed by its row and column, and nothing is written.\n\n"
        f"Example: assembly import {kind.name} {kind.name}.xlsx --dry-run --key office.key"
    )
    return command


for _kind in KINDS.values():
    import_app.command(_kind.name)(_command(_kind))
