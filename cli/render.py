"""Output for people (rich tables) and for programs (JSON on stdout)."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.measure import Measurement
from rich.table import Table

PIPE_WIDTH = 240  # written to a file or a pipe, without COLUMNS: wide enough for every column


def terminal_width() -> int | None:
    """The width to write to: COLUMNS when set, else the terminal's (None: rich asks it), else
    ``PIPE_WIDTH``."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return None if sys.stdout.isatty() else PIPE_WIDTH


def at_terminal() -> bool:
    """Whether stdout is read by people at a terminal (or COLUMNS says how wide it is), rather
    than written to a file or a pipe."""
    return terminal_width() != PIPE_WIDTH or sys.stdout.isatty()


stdout = Console(highlight=False, soft_wrap=True, width=terminal_width())
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def fit_to_terminal() -> None:
    """Measure the terminal again (a command runs in a process forked after this module was
    imported, with its own COLUMNS)."""
    stdout.width = terminal_width()  # type: ignore[assignment]


def fits(table: Table) -> bool:
    """Whether ``table`` fits the width of stdout without folding a cell."""
    unbounded = stdout.options.update(max_width=100_000)  # the table's own widest, unclamped
    return Measurement.get(stdout, unbounded, table).maximum <= stdout.width


def print_json(value: Any) -> None:
    """Write a JSON document to stdout, one per command."""
    print(json.dumps(value, indent=2, ensure_ascii=False))


def table_of(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    """A table for people whose cells wrap, and fold a word too long for its column, rather
    than end in an ellipsis: nothing is cut, however narrow the terminal."""
    table = Table(title=title, show_edge=False, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if cell is None else escape(str(cell)) for cell in row))
    return table


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write a table for people."""
    stdout.print(table_of(title, columns, rows))


def print_fields(pairs: Sequence[tuple[str, Any]]) -> None:
    """Write name: value lines for one record; a value of several lines (a text's paragraphs)
    goes on under its first line, indented."""
    width = max(len(name) for name, _ in pairs)
    # At a terminal, long lines wrap under their value's first line; a pipe gets them whole.
    room = max(20, stdout.width - width - 2) if at_terminal() else None
    for name, value in pairs:
        lines = [
            wrapped
            for line in ("" if value is None else str(value)).split("\n")
            for wrapped in (
                textwrap.wrap(line, room, break_on_hyphens=False) or [""] if room else [line]
            )
        ]
        indent = "\n" + " " * (width + 2)
        stdout.print(escape(f"{name.ljust(width)}  {indent.join(lines)}".rstrip()))
