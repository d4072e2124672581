"""``assembly report``: the commission's report for a press conference on one panel, in French,
Dutch or English, as an A4 page, a PDF, Markdown or CSV (``web.press`` computes it, and
``web.press_render`` writes it, for this command and for the web page alike).

The status model is read as ``assembly status`` reads it (``--as-of``, ``--at-seq``); the
entries the report cites are then read back one indexed entry at a time, for their type, day
and hash, so that the annex is what ``assembly trail`` and ``assembly verify`` show.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cli.context import open_ledger
from cli.errors import UsageProblem
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.read_commands import AsOfOption, AtSeqOption, view_at
from cli.render import stdout
from projections.names import names_in
from web import press_render
from web.press import build


class PressFormat(StrEnum):
    html = "html"
    pdf = "pdf"
    md = "md"
    csv = "csv"


class Language(StrEnum):
    fr = "fr"
    nl = "nl"
    en = "en"


def register(app: typer.Typer) -> None:
    app.command("report", rich_help_panel="Read")(report)


def report(
    panel: Annotated[int, typer.Option(help="The panel the report is about.")],
    lang: Annotated[Language, typer.Option(help="The report's language.")] = Language.fr,
    output: Annotated[
        PressFormat,
        typer.Option("--format", help="html (an A4 page), pdf, md (Markdown) or csv."),
    ] = PressFormat.html,
    out: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="Write the report to this file (default: stdout)."),
    ] = None,
    as_of: AsOfOption = None,
    at_seq: AtSeqOption = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """The commission's report for the press on one panel: headline figures and a chart, each
    recommendation in words with the government's justification and the commission's verdict,
    and an annex of every entry cited, with its hash.

    Example: assembly report --panel 1 --lang nl --format pdf --out panel-1.pdf
    """
    view = view_at(ledger, as_of, at_seq, panel=panel)
    book = open_ledger(ledger)
    try:
        names = names_in(book, up_to=view.state.seq)
        found = build(view.state, names, panel=panel, lang=lang.value, as_of=view.as_of)
        if not found.total:
            raise UsageProblem(
                f"Panel {panel} has no recommendation in the ledger as of {view.as_of} "
                f"(entry {view.state.seq}); check the panel number or the date."
            )
        found = press_render.cite(book, found)
    finally:
        book.close()
    if output is PressFormat.pdf:
        _write_bytes(press_render.pdf(found), out)
    else:
        writers = {
            PressFormat.html: press_render.html,
            PressFormat.md: press_render.markdown,
            PressFormat.csv: press_render.table,
        }
        text = writers[output](found)
        if out is None:
            sys.stdout.write(text)
            return
        _write_bytes(text.encode("utf-8"), out)
    if out is not None:
        stdout.print(f"Wrote the report on panel {panel} (as of {found.as_of}) to {out}.")


def _write_bytes(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise UsageProblem(f"Cannot write the report to {out}: {exc.strerror}.") from None
