"""Options shared by the commands, declared once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.context import DEFAULT_LEDGER


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


LedgerOption = Annotated[
    str,
    typer.Option(
        "--ledger",
        envvar="ASSEMBLY_LEDGER",
        help="The ledger: a SQLite file path or a database URL (postgresql://...).",
        show_default=True,
    ),
]
KeyOption = Annotated[
    Path | None,
    typer.Option("--key", envvar="ASSEMBLY_KEY", help="Your Ed25519 key file.", dir_okay=False),
]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", help="table for people, json for programs.")
]


__all__ = ["DEFAULT_LEDGER", "FormatOption", "KeyOption", "LedgerOption", "OutputFormat"]
