"""``assembly trail``: the signed history behind a recommendation, a panel or a signer."""

from __future__ import annotations

import csv
import sys
from dataclasses import asdict
from enum import StrEnum
from typing import Annotated

import typer

from cli.context import open_ledger
from cli.errors import UsageProblem
from cli.naming import recommendation_key
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.read_commands import AsOfOption, AtSeqOption
from cli.render import print_json, print_table, stdout
from cli.writing import day
from projections.trail import TrailLine, panel_trail, recommendation_trail, signer_trail
from projections.view import end_of

COLUMNS = ("seq", "recorded_at", "type", "name", "role", "signer", "hash", "verifies")


class TrailFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


def register(app: typer.Typer) -> None:
    app.command("trail", rich_help_panel="Read")(trail)


def trail(
    recommendation: Annotated[
        str | None, typer.Argument(help="The recommendation, PANEL/NUMBER (e.g. 1/12).")
    ] = None,
    panel: Annotated[int | None, typer.Option("--panel", help="Every entry about panel N.")] = None,
    signer: Annotated[
        str | None, typer.Option("--signer", help="Every entry signed by this key id (a scan).")
    ] = None,
    output: Annotated[
        TrailFormat, typer.Option("--format", help="table for people; json, csv or md.")
    ] = TrailFormat.table,
    as_of: AsOfOption = None,
    at_seq: AtSeqOption = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Every entry behind a recommendation, a panel or a signer, each marked if it verifies.

    Example: assembly trail 1/12 --format md
    """
    if sum(given is not None for given in (recommendation, panel, signer)) != 1:
        raise UsageProblem("Give one of: a recommendation (1/12), --panel N or --signer KEYID.")
    until = end_of(day(as_of, "--as-of"))
    book = open_ledger(ledger)
    try:
        if recommendation is not None:
            number = recommendation_key(book, recommendation)
            lines, about = recommendation_trail(book, *number), f"recommendation {recommendation}"
        elif panel is not None:
            lines, about = panel_trail(book, panel), f"panel {panel}"
        else:
            assert signer is not None
            if signer not in {record.key_id for record in book.signers()}:
                raise UsageProblem(f"No key {signer} was ever enrolled on this ledger.")
            lines, about = signer_trail(book, signer), f"signer {signer}"
    finally:
        book.close()
    lines = [line for line in lines if line.kept(at_seq=at_seq, until=until)]
    if not lines:
        when = "" if as_of is None and at_seq is None else " at the point asked for"
        raise UsageProblem(f"The ledger holds no entry about {about}{when}.")
    render(lines, output, title=f"Trail of {about}")


def render(lines: list[TrailLine], output: TrailFormat, *, title: str) -> None:
    """Write the trail in the format asked for."""
    if output is TrailFormat.json:
        print_json([{**asdict(line), "verifies": line.verifies} for line in lines])
    elif output is TrailFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([*COLUMNS, "problem"])
        writer.writerows([*_cells(line), line.problem or ""] for line in lines)
    elif output is TrailFormat.md:
        print(f"## {title}\n")
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "---|" * len(COLUMNS))
        for line in lines:
            print("| " + " | ".join(cell.replace("|", "\\|") for cell in _cells(line)) + " |")
    else:
        print_table(title, COLUMNS, [_cells(line) for line in lines])
        bad = [line for line in lines if not line.verifies]
        for line in bad:
            stdout.print(f"[bold red]entry {line.seq} does not verify:[/] {line.problem}.")


def _cells(line: TrailLine) -> list[str]:
    mark = "yes" if line.verifies else "NO"
    return [
        str(line.seq),
        line.recorded_at,
        line.type,
        line.name,
        line.role,
        line.signer,
        line.hash,
        mark,
    ]
