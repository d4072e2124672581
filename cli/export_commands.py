"""``assembly export answers``: the government's answers in the file ``respond --csv`` reads,
so a ministry can export, edit and import them again."""

from __future__ import annotations

import csv
from datetime import UTC, date
from pathlib import Path
from typing import Annotated

import typer

from cli.bulk import answer_row, export_header
from cli.errors import UsageProblem
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.read_commands import AsOfOption, AtSeqOption, view_at
from cli.render import stdout
from domain.responses import Responded
from projections import Status

export_app = typer.Typer(help="Export what the ledger holds as files.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export", rich_help_panel="Read")


def recorded_answers(state: Status, *, panel: int | None = None) -> list[tuple[Responded, date]]:
    """Every answer as it stands (a correction's replacement, if any) with the day its author
    gave it (a replacement keeps the original's), by recommendation and review."""
    found = [
        (Responded.model_validate(dict(said.payload)), said.change.at.astimezone(UTC).date())
        for status in state.recommendations.values()
        if panel is None or status.panel == panel
        for said in status.answers
    ]
    return sorted(found, key=lambda pair: (pair[0].panel, pair[0].number, pair[0].review))


@export_app.command("answers")
def answers(
    path: Annotated[Path, typer.Option("--csv", help="The CSV file to write.", dir_okay=False)],
    panel: Annotated[int | None, typer.Option("--panel", help="Only panel N's answers.")] = None,
    as_of: AsOfOption = None,
    at_seq: AtSeqOption = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Write every recorded answer in the format `assembly respond --csv` reads, with the day
    each was given, its joint statement, its language and its translations (a column such as
    justification_nl per language some answer is translated into; with --as-of or --at-seq,
    the answers as they stood then).

    Example: assembly export answers --csv answers.csv --panel 1
    """
    found = recorded_answers(view_at(ledger, as_of, at_seq).state, panel=panel)
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            columns = export_header(answer for answer, _ in found)
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(answer_row(answer, on=on, columns=columns) for answer, on in found)
    except OSError as exc:
        raise UsageProblem(f"Cannot write {path}: {exc.strerror}.") from None
    stdout.print(f"Wrote {len(found)} answer(s) to {path}.")
