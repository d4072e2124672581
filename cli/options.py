"""Options shared by the commands, declared once."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

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


def key_option(help: str) -> Any:
    """``--key`` / ASSEMBLY_KEY, with what this command does with the key."""
    return typer.Option("--key", envvar="ASSEMBLY_KEY", help=help, dir_okay=False)


KeyOption = Annotated[Path | None, key_option("Your Ed25519 key file.")]
FormatOption = Annotated[
    OutputFormat, typer.Option("--format", help="table for people, json for programs.")
]


__all__ = [
    "DEFAULT_LEDGER",
    "FormatOption",
    "KeyOption",
    "LedgerOption",
    "OutputFormat",
    "key_option",
]
