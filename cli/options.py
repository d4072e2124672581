"""Options shared by the commands, declared once."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.context import DEFAULT_LEDGER
from cli.errors import UsageProblem


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


WitnessOption = Annotated[
    list[str] | None,
    typer.Option("--witness", help="A witness's verifier key (name+hash+base64) or a file of it."),
]
QuorumOption = Annotated[
    int | None,
    typer.Option(min=0, help="Cosignatures required of the --witness keys (default: all given)."),
]


def quorum_of(witnesses: Sequence[object], quorum: int | None) -> int:
    """How many of the witnesses given must have cosigned (all of them unless --quorum)."""
    needed = len(witnesses) if quorum is None else quorum
    if needed > len(witnesses):
        given = len(witnesses)
        raise UsageProblem(f"--quorum {needed} asks for more witnesses than the {given} given.")
    return needed


__all__ = [
    "DEFAULT_LEDGER",
    "FormatOption",
    "KeyOption",
    "LedgerOption",
    "OutputFormat",
    "QuorumOption",
    "WitnessOption",
    "key_option",
    "quorum_of",
]
