"""Output of the read commands: the same rows as a rich table, JSON, CSV or a Markdown table."""

from __future__ import annotations

import csv
import sys
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.markup import escape

from cli.render import fits, print_fields, print_json, print_table, stdout, table_of

Row = Mapping[str, Any]


class ReadFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


class RecordFormat(StrEnum):
    """The formats of one record with nested sections (no single CSV table fits it)."""

    table = "table"
    json = "json"
    md = "md"


ReadFormatOption = Annotated[
    ReadFormat,
    typer.Option("--format", help="table for people; json, csv or md (Markdown) for machines."),
]
RecordFormatOption = Annotated[
    RecordFormat,
    typer.Option("--format", help="table for people; json or md (Markdown) for machines."),
]


def cell(value: Any) -> str:
    """One value as text: empty for None, yes/no for booleans, lists joined by commas, texts
    per language as ``fr=..., nl=...``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(cell(item) for item in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{key}={cell(item)}" for key, item in value.items())
    return str(value)


def markdown_table(columns: Sequence[str], rows: Sequence[Row]) -> str:
    """A GitHub-flavoured Markdown table: header row, separator, one line per row."""

    def line(cells: Sequence[str]) -> str:
        escaped = (text.replace("|", "\\|").replace("\n", "<br>") for text in cells)
        return "| " + " | ".join(escaped) + " |"

    lines = [line(columns), line(["---"] * len(columns))]
    lines += [line([cell(row[column]) for column in columns]) for row in rows]
    return "\n".join(lines)


def print_rows(title: str, columns: Sequence[str], rows: Sequence[Row], output: ReadFormat) -> None:
    """Write ``rows`` (dicts keyed by ``columns``) in the chosen format."""
    if output is ReadFormat.json:
        print_json([{column: row[column] for column in columns} for row in rows])
    elif output is ReadFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([cell(row[column]) for column in columns] for row in rows)
    elif output is ReadFormat.md:
        print(markdown_table(columns, rows))
    else:
        print_table(title, columns, [[cell(row[column]) for column in columns] for row in rows])


def print_record(
    fields: Row, sections: Mapping[str, tuple[Sequence[str], Sequence[Row]]], output: RecordFormat
) -> None:
    """Write one record: its ``fields``, then each named section as a table."""
    if output is RecordFormat.json:
        nested = {
            name.lower().replace(" ", "_"): [{c: row[c] for c in columns} for row in rows]
            for name, (columns, rows) in sections.items()
        }
        if clash := set(nested) & set(fields):
            raise AssertionError(f"sections named like fields: {', '.join(sorted(clash))}")
        print_json({**fields, **nested})
        return
    if output is RecordFormat.md:
        pairs = [{"field": name, "value": value} for name, value in fields.items()]
        print(markdown_table(["field", "value"], pairs))
        for name, (columns, rows) in sections.items():
            print(f"\n## {name}\n")
            print(markdown_table(columns, rows) if rows else "None.")
        return
    print_fields([(name, cell(value)) for name, value in fields.items()])
    for name, (columns, rows) in sections.items():
        stdout.print()
        if not rows:
            stdout.print(f"{name}: none.")
            continue
        table = table_of(name, columns, [[cell(row[column]) for column in columns] for row in rows])
        if fits(table):
            stdout.print(table)
            continue
        for number, row in enumerate(rows, start=1):  # too wide: one block of fields per row
            if number > 1:
                stdout.print()
            stdout.print(escape(f"{name}, {number} of {len(rows)}"), style="italic")
            print_fields([(c, cell(row[c])) for c in columns if row[c] not in (None, "")])
