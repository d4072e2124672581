"""The commission's read commands (docs/design.md 6-7): the dashboard of counts and overdue answers,
and the report on one panel, in which every line cites the ledger entry it rests on.

Both read the status model as ``assembly status`` does (``cli.read_commands``: brought up to
date, or folded in memory up to ``--at-seq`` / ``--as-of``). The report cites each entry by seq
and hash, read from the ledger one indexed entry at a time, so that anyone can check a line
with ``assembly trail`` and the whole chain with ``assembly verify``.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from html import escape
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.context import open_ledger
from cli.errors import UsageProblem
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.read_commands import AsOfOption, AtSeqOption, ref, title, view_at
from cli.read_render import ReadFormat, ReadFormatOption, Row, cell, markdown_table
from cli.render import print_json, print_table, stdout
from projections import RecommendationStatus
from projections.dashboard import AXES, PANEL, PORTFOLIO, Count, Dashboard, Late, dashboard, reading
from projections.view import View

COUNTS = ("group", "name", "axis", "value", "count", "recommendations", "seqs")
LATE = ("ref", "title", "portfolio", "review", "due", "days_late", "handed_over_seq")
CITED = ("seq", "hash")
SECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {  # section: (heading, columns)
    "count": (
        "Counts per position, implementation state and verdict",
        ("group", "name", "axis", "value", "count", "recommendations", *CITED),
    ),
    "recommendation": (
        "Recommendations",
        ("ref", "title", "portfolio", "axis", "value", *CITED),
    ),
    "overdue": (
        "Overdue answers",
        ("ref", "title", "portfolio", "review", "due", "days_late", *CITED),
    ),
}
CSV_COLUMNS = (
    "section", "group", "name", "ref", "title", "portfolio", "axis", "value", "count",
    "recommendations", "review", "due", "days_late", "seq", "hash",
)  # fmt: skip


class ReportFormat(StrEnum):
    md = "md"
    html = "html"
    csv = "csv"


def register(app: typer.Typer) -> None:
    app.command("dashboard", rich_help_panel="Read")(dashboard_command)
    app.command("annex", rich_help_panel="Read")(report)


def dashboard_command(
    panel: Annotated[int | None, typer.Option(help="Only this panel's recommendations.")] = None,
    as_of: AsOfOption = None,
    at_seq: AtSeqOption = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    output: ReadFormatOption = ReadFormat.table,
) -> None:
    """The commission's dashboard: how many recommendations stand at each position,
    implementation state and verdict, per panel and per portfolio, and what is overdue.

    Example: assembly dashboard --panel 1 --as-of 2026-06-30 --format md
    """
    view = view_at(ledger, as_of, at_seq)
    board = dashboard(view.state, as_of=view.as_of, panel=panel)
    counts = [_count_row(count) for count in board.counts]
    late = [_late_row(line) for line in board.overdue]
    title = f"as of {board.as_of} (entry {board.seq})"
    if output is ReadFormat.json:
        digest = entry_hashes(ledger, [board.seq])[board.seq] if board.seq >= 0 else None
        head = {"as_of": board.as_of.isoformat(), "seq": board.seq, "hash": digest}
        print_json({**head, "counts": counts, "overdue": late})
    elif output is ReadFormat.csv:
        rows = [{"section": "count", **row} for row in counts]
        rows += [{"section": "overdue", **row} for row in late]
        sys.stdout.write(_csv(("section", *COUNTS, *LATE), rows))
    elif output is ReadFormat.md:
        print(f"## Counts {title}\n\n{markdown_table(COUNTS, counts)}\n")
        print(f"## Overdue {title}\n\n{markdown_table(LATE, late)}")
    else:
        print_table(f"Counts {title}", COUNTS, [[cell(r[c]) for c in COUNTS] for r in counts])
        stdout.print()
        print_table(f"Overdue {title}", LATE, [[cell(r[c]) for c in LATE] for r in late])


def report(
    panel: Annotated[int, typer.Option(help="The panel the report is about.")],
    output: Annotated[
        ReportFormat, typer.Option("--format", help="md (Markdown), html (a web page) or csv.")
    ] = ReportFormat.md,
    out: Annotated[
        Path | None,
        typer.Option(dir_okay=False, help="Write the report to this file (default: stdout)."),
    ] = None,
    as_of: AsOfOption = None,
    at_seq: AtSeqOption = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """The commission's report on one panel: counts per portfolio, each recommendation's three
    axes, the overdue answers; every line cites the seq and hash of the entry it rests on.

    The audit annex to the press report (``assembly report``): each line by seq and hash.

    Example: assembly annex --panel 1 --as-of 2026-06-30 --format html --out panel-1.html
    """
    view = view_at(ledger, as_of, at_seq, panel=panel)
    board = dashboard(view.state, as_of=view.as_of, panel=panel, groups=(PANEL, PORTFOLIO))
    if not board.recommendations:
        raise UsageProblem(
            f"Panel {panel} has no recommendation in the ledger as of {view.as_of} "
            f"(entry {board.seq}); check the panel number or the date."
        )
    sections = report_sections(view, board)
    hashes = entry_hashes(ledger, _seqs(sections, board.seq))
    cited = {
        name: [{**row, "hash": hashes[row["seq"]]} for row in rows]
        for name, rows in sections.items()
    }
    head = {
        "panel": panel,
        "as_of": board.as_of.isoformat(),
        "seq": board.seq,
        "hash": hashes[board.seq],
    }
    render = {ReportFormat.md: _markdown, ReportFormat.html: _html, ReportFormat.csv: _csv_report}
    text = render[output](head, cited)
    if out is None:
        sys.stdout.write(text)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageProblem(f"Cannot write the report to {out}: {exc.strerror}.") from None
    stdout.print(f"Wrote the report on panel {panel} (as of {board.as_of}) to {out}.")


def report_sections(view: View, board: Dashboard) -> dict[str, list[Row]]:
    """The report's lines per section, each with the seq it cites (hashes not yet added)."""
    recs = [view.state.recommendations[key] for key in board.recommendations]
    return {
        "count": [
            {**_count_row(count), "recommendations": _refs(count), "seq": board.seq}
            for count in board.counts
        ],
        "recommendation": [_axis_row(rec, axis) for rec in recs for axis in AXES],
        "overdue": [{**_late_row(line), "seq": line.handed_over_seq} for line in board.overdue],
    }


def _axis_row(rec: RecommendationStatus, axis: str) -> dict[str, Any]:
    value, seq = reading(rec, axis)
    return {
        "ref": ref(rec),
        "title": title(rec),
        "portfolio": rec.portfolio,
        "axis": axis,
        "value": value,
        "seq": seq,
    }


def entry_hashes(location: str, seqs: Iterable[int]) -> dict[int, str]:
    """The hex hash of each entry ``seqs`` names, read one indexed entry at a time."""
    book = open_ledger(location)
    try:
        found = {}
        for seq in sorted(set(seqs)):
            entries = book.recorder.read_entries(start=seq, limit=1)
            if not entries or entries[0].seq != seq:
                raise AssertionError(f"entry {seq} was folded but cannot be read back")
            found[seq] = entries[0].hash.hex()
        return found
    finally:
        book.close()


def _seqs(sections: Mapping[str, Sequence[Row]], head: int) -> set[int]:
    return {head} | {row["seq"] for rows in sections.values() for row in rows}


def _count_row(count: Count) -> dict[str, Any]:
    return {
        "group": count.group,
        "name": count.name,
        "axis": count.axis,
        "value": count.value,
        "count": count.count,
        "recommendations": [f"{key[0]}/{key[1]}" for key, _ in _pairs(count)],
        "seqs": [seq for _, seq in _pairs(count)],
    }


def _pairs(count: Count) -> list[tuple[tuple[int, int], int]]:
    return [(counted.key, counted.seq) for counted in count.counted]


def _refs(count: Count) -> str:
    """The recommendations of a count with the entries their values rest on: ``1/2@41``."""
    return " ".join(f"{key[0]}/{key[1]}@{seq}" for key, seq in _pairs(count))


def _late_row(line: Late) -> dict[str, Any]:
    return {
        "ref": f"{line.key[0]}/{line.key[1]}",
        "title": line.title,
        "portfolio": line.portfolio,
        "review": line.review,
        "due": line.due.isoformat(),
        "days_late": line.days_late,
        "handed_over_seq": line.handed_over_seq,
    }


def _csv(columns: Sequence[str], rows: Iterable[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([cell(row.get(column)) for column in columns] for row in rows)
    return buffer.getvalue()


def _csv_report(head: Row, sections: Mapping[str, Sequence[Row]]) -> str:
    """One table: a ``head`` line (the as-of date, the head it was computed at), then every
    line, with the section it belongs to."""
    first = {"section": "head", "group": PANEL, "name": head["panel"], "value": head["as_of"]}
    rows = [{**first, "seq": head["seq"], "hash": head["hash"]}]
    rows += [{"section": name, **row} for name, lines in sections.items() for row in lines]
    return _csv(CSV_COLUMNS, rows)


def _intro(
    head: Row, code: Callable[[str], str], plain: Callable[[str], str] = str
) -> tuple[str, str, str]:
    """The report's title, the head and date it was computed at, and how to check it; ``code``
    marks up a command or a hash, ``plain`` the rest (escaping, in a page)."""
    return (
        plain(f"Commission report on panel {head['panel']}"),
        plain(f"As of {head['as_of']}, computed at ledger entry {head['seq']} (hash ")
        + code(head["hash"])
        + plain(")."),
        plain(
            "Every line cites the entry it rests on, by seq and hash: counts rest on the ledger "
            "head; a recommendation's value on the entry that set it (its adoption while none "
            "did), and a count lists its recommendations as PANEL/NUMBER@SEQ, the entry each "
            "value rests on; an overdue answer rests on the hand-over its due date is counted "
            "from. "
        )
        + code("assembly trail PANEL/NUMBER")
        + plain(" lists each entry about a recommendation with its hash; ")
        + code("assembly verify")
        + plain(" checks the whole chain."),
    )


def _markdown(head: Row, sections: Mapping[str, Sequence[Row]]) -> str:
    title, computed, check = _intro(head, lambda text: f"`{text}`")
    parts = [f"# {title}", computed, check]
    for name, rows in sections.items():
        heading, columns = SECTIONS[name]
        parts.append(f"## {heading}")
        parts.append(markdown_table(columns, rows) if rows else _none(head))
    return "\n\n".join(parts) + "\n"


def _none(head: Row) -> str:
    return f"None as of {head['as_of']} (ledger entry {head['seq']}, hash {head['hash']})."


_STYLE = """
body { font-family: system-ui, sans-serif; line-height: 1.4; margin: 0 auto; max-width: 72rem;
  padding: 0.75rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin-bottom: 1.5rem; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0; }
th, td { border: 1px solid #999; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
code { overflow-wrap: anywhere; font-size: 0.85em; }
"""


def _html(head: Row, sections: Mapping[str, Sequence[Row]]) -> str:
    """A self-contained page: no script, no outside resource, tables that scroll on a phone."""
    title, computed, check = _intro(head, lambda text: f"<code>{escape(text)}</code>", escape)
    body = [f"<h1>{title}</h1>", f"<p>{computed}</p>", f"<p>{check}</p>"]
    for name, rows in sections.items():
        heading, columns = SECTIONS[name]
        body.append(f"<section>\n<h2>{escape(heading)}</h2>")
        body.append(
            _html_table(heading, columns, rows) if rows else f"<p>{escape(_none(head))}</p>"
        )
        body.append("</section>")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n</head>\n"
        "<body>\n<main>\n" + "\n".join(body) + "\n</main>\n</body>\n</html>\n"
    )


def _html_table(caption: str, columns: Sequence[str], rows: Sequence[Row]) -> str:
    head = "".join(f'<th scope="col">{escape(column)}</th>' for column in columns)
    lines = []
    for row in rows:
        first, *rest = (escape(cell(row[column])) for column in columns)
        hashed = [f"<code>{text}</code>" for text in rest[-1:]]
        cells = "".join(f"<td>{text}</td>" for text in [*rest[:-1], *hashed])
        lines.append(f'<tr><th scope="row">{first}</th>{cells}</tr>')
    return (
        f'<div class="scroll"><table>\n<caption>{escape(caption)}</caption>\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(lines) + "\n</tbody>\n"
        "</table></div>"
    )
