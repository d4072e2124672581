"""The spreadsheet formula guard (OWASP "CSV Injection"), shared by every file we write and read.

A spreadsheet runs what looks like a formula: a cell whose first character is ``=``, ``+``,
``-`` or ``@``, or a tab or carriage return (the characters OWASP's "CSV Injection" page lists).
Texts come from citizens and ministries, so nothing from the data is trusted: such a cell is
written with a single quote in front (``'=1+1``), which spreadsheets show as text.

So that a file written and read again gives back exactly what was written, the rule is exact
both ways:

- ``guarded``: a cell that, after any leading single quotes, starts with one of those characters
  gets one more quote in front (``=1`` -> ``'=1``, ``'=1`` -> ``''=1``);
- ``unguarded``: a cell that starts with a quote and, after all its leading quotes, with one of
  those characters loses exactly one quote (``''=1`` -> ``'=1``).

Every other cell (``'hello``, ``-`` inside a text) is left as it is, both ways.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guarded(text: str) -> str:
    """The cell as a spreadsheet file should hold it: a formula-looking text quoted."""
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def unguarded(text: str) -> str:
    """The cell as it was before ``guarded``: the quote it added taken off."""
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS):
        return text[1:]
    return text
