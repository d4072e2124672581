"""Output for people (rich tables) and for programs (JSON on stdout)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

stdout = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 240)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def print_json(value: Any) -> None:
    """Write a JSON document to stdout, one per command."""
    print(json.dumps(value, indent=2, ensure_ascii=False))


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Write a table for people."""
    table = Table(title=title, show_edge=False, header_style="bold")
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if cell is None else escape(str(cell)) for cell in row))
    stdout.print(table)


def print_fields(pairs: Sequence[tuple[str, Any]]) -> None:
    """Write name: value lines for one record; a value of several lines (a text's paragraphs)
    goes on under its first line, indented."""
    width = max(len(name) for name, _ in pairs)
    for name, value in pairs:
        lines = ("" if value is None else str(value)).split("\n")
        indent = "\n" + " " * (width + 2)
        stdout.print(escape(f"{name.ljust(width)}  {indent.join(lines)}"))
