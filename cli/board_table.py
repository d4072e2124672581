"""The status board as a table for people: in words, and only the columns the terminal has room
for (every one with ``--wide``); csv, json and md keep every column."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table

from cli.read_render import cell
from cli.render import at_terminal, fits, stdout, table_of

EVERY = (
    "ref", "title", "portfolio", "position", "implementation", "verdict",
    "due_review_1", "due_review_2", "overdue", "last_seq",
)  # fmt: skip
NARROW = ("ref", "title", "position", "implementation", "verdict", "overdue")
IN_WORDS = ("position", "implementation", "verdict")  # codes such as accepted_in_part
LEFT_OUT = "Portfolio, due dates and last entry left out to fit: --wide shows them."


def print_board(title: str, rows: Sequence[Mapping[str, Any]], *, wide: bool) -> None:
    """Write the board's ``rows`` (dicts keyed by ``EVERY``) as a table for people: every
    column when asked, in a file or a pipe, or when they fit the terminal, else the ``NARROW``
    ones."""
    every = board_table(title, EVERY, rows)
    if wide or not at_terminal() or fits(every):
        stdout.print(every)
        return
    stdout.print(board_table(title, NARROW, rows))
    stdout.print(LEFT_OUT)


def board_table(title: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> Table:
    """The table of ``columns`` of the board, headed and written in words."""
    return table_of(
        title,
        [column.replace("_", " ") for column in columns],
        [[cell_in_words(column, row[column]) for column in columns] for row in rows],
    )


def cell_in_words(column: str, value: Any) -> str:
    """A cell as people read it: "accepted in part" rather than ``accepted_in_part``."""
    text = cell(value)
    return text.replace("_", " ") if column in IN_WORDS else text
