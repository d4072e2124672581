"""``assembly template answers --panel N FILE.xlsx``: a workbook to fill in, one row per step
the ledger still awaits, with drop-down lists, the charter's rules and instructions in French,
Dutch and English (``cli.template_kinds``, ``cli.template_book``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.context import open_ledger
from cli.errors import UsageProblem
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.render import stdout
from cli.template_book import write_template
from cli.template_kinds import answers as answers_template
from cli.writing import today
from domain.charter import Chartered
from ledger import Ledger
from projections.status import Status, recorded
from projections.view import view_at

template_app = typer.Typer(
    help="Write a workbook to fill in for a bulk step, with its rows, lists and rules.",
    no_args_is_help=True,
)


class Language(StrEnum):
    fr = "fr"
    nl = "nl"
    en = "en"


FileArgument = Annotated[
    Path, typer.Argument(help="The workbook to write (.xlsx).", dir_okay=False)
]
PanelOption = Annotated[int, typer.Option("--panel", min=1, help="The panel's recommendations.")]
LangOption = Annotated[Language, typer.Option("--lang", help="The language of the titles shown.")]


def register(app: typer.Typer) -> None:
    app.add_typer(template_app, name="template", rich_help_panel="Any office")


@template_app.command("answers")
def answers(
    file: FileArgument,
    panel: PanelOption,
    lang: LangOption = Language.fr,
    review: Annotated[
        int | None, typer.Option("--review", min=1, help="Only this review's answers.")
    ] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Write a workbook of the answers panel N still awaits: a row per review of a handed-over
    recommendation with no answer yet (due or coming), prefilled with the recommendation, the
    review and its portfolio, for `assembly respond --csv FILE.xlsx` to import once filled.

    Example: assembly template answers --panel 1 answers-panel-1.xlsx --lang nl
    """
    _check_workbook(file)
    state, charter = _read(ledger, panel)
    template = answers_template(
        state, charter, panel=panel, lang=lang.value, today=today(), review=review
    )
    write_template(file, template)
    stdout.print(f"Wrote {len(template.rows)} row(s) to fill to {file}.")


def _check_workbook(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise UsageProblem(f"A template is an .xlsx workbook: name the file {path.stem}.xlsx.")


def _read(location: str, panel: int) -> tuple[Status, Chartered]:
    """The status of ``panel``'s recommendations now, and the charter."""
    book = open_ledger(location)
    try:
        charter = _charter(book)
        return view_at(book, today=today(), panel=panel).state, charter
    finally:
        book.close()


def _charter(book: Ledger) -> Chartered:
    for entry in book.recorder.read_types(Chartered.TYPE):
        found = recorded(entry)
        if found is not None and isinstance(found.event, Chartered):
            return found.event
    raise UsageProblem("The ledger has no charter yet: run `assembly charter` first.")
