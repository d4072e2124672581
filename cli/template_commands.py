"""``assembly template answers|implementation|verdicts|recommendations --panel N FILE.xlsx``: a
workbook to fill in, one row per step the ledger still awaits, with drop-down lists, the
charter's rules and instructions in French, Dutch and English, that ``assembly import`` reads
once filled (``cli.template_kinds``, ``cli.template_book``)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.context import open_ledger
from cli.errors import UsageProblem
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.render import stdout
from cli.template_book import write_template
from cli.template_kinds import PanelView, template
from cli.template_texts import import_command
from cli.writing import today
from domain.charter import Chartered
from domain.recommendation import Adopted
from ledger import Ledger
from projections.status import recorded
from projections.view import view_at

template_app = typer.Typer(
    help="Write a workbook to fill in for a bulk step: its rows, drop-down lists and rules.",
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
    review and its portfolio, for `assembly import answers FILE.xlsx` (or `assembly respond
    --csv FILE.xlsx`) once filled.

    Example: assembly template answers --panel 1 answers-panel-1.xlsx --lang nl
    """
    write("answers", file, panel=panel, lang=lang, ledger=ledger, review=review)


def _command(kind: str, what: str, awaited: str) -> Callable[..., None]:
    def command(
        file: FileArgument,
        panel: PanelOption,
        lang: LangOption = Language.fr,
        ledger: LedgerOption = DEFAULT_LEDGER,
    ) -> None:
        write(kind, file, panel=panel, lang=lang, ledger=ledger)

    importer = import_command(kind, dry_run=False)
    command.__doc__ = (
        f"Write a workbook of the {what} panel N still awaits: {awaited}, with drop-down "
        f"lists, the charter's rules and instructions in three languages, for `{importer}` "
        "once filled.\n\n"
        f"Example: assembly template {kind} --panel 1 {kind}-panel-1.xlsx"
    )
    return command


template_app.command("implementation")(
    _command(
        "implementation",
        "implementation reports",
        "a row per recommendation accepted, accepted in part or already in place",
    )
)
template_app.command("verdicts")(
    _command("verdicts", "verdicts", "a row per recommendation answered and not yet assessed")
)
template_app.command("recommendations")(
    _command(
        "recommendations",
        "hand-overs and adoptions",
        "a row per recommendation adopted and not yet handed over, its handed_over day to "
        "fill, and room below to adopt more",
    )
)


def write(
    kind: str,
    file: Path,
    *,
    panel: int,
    lang: Language,
    ledger: str,
    review: int | None = None,
) -> None:
    """Read the panel from the ledger and write the template of ``kind`` to ``file``."""
    if file.suffix.lower() != ".xlsx":
        raise UsageProblem(f"A template is an .xlsx workbook: name the file {file.stem}.xlsx.")
    book = open_ledger(ledger)
    try:
        view = PanelView(
            state=view_at(book, today=today(), panel=panel).state,
            charter=_charter(book),
            adoptions=_adoptions(book, panel) if kind == "recommendations" else {},
            panel=panel,
            today=today(),
        )
    finally:
        book.close()
    if review is not None and review > view.charter.reviews:
        raise UsageProblem(
            f"--review {review}: the charter sets {view.charter.reviews} review "
            f"appointment(s), so give a review from 1 to {view.charter.reviews}."
        )
    found = template(kind, view, lang=lang.value, review=review)
    write_template(file, found)
    stdout.print(f"Wrote {len(found.rows)} row(s) to fill to {file}.")


def _charter(book: Ledger) -> Chartered:
    for entry in book.recorder.read_types(Chartered.TYPE):
        found = recorded(entry)
        if found is not None and isinstance(found.event, Chartered):
            return found.event
    raise UsageProblem("The ledger has no charter yet: run `assembly charter` first.")


def _adoptions(book: Ledger, panel: int) -> dict[tuple[int, int], Adopted]:
    """The panel's adoptions as signed, by (panel, number)."""
    found = {}
    for entry in book.recorder.read_types(Adopted.TYPE):
        item = recorded(entry)
        if item is not None and isinstance(item.event, Adopted) and item.event.panel == panel:
            found[item.event.panel, item.event.number] = item.event
    return found
