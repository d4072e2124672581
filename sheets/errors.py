"""The error of a spreadsheet that cannot be read or written as the file it should be."""

from __future__ import annotations

from ledger.errors import LedgerError


class SheetProblem(LedgerError):
    """A file is not the spreadsheet it should be (no header, a missing column, not CSV nor
    .xlsx, unreadable): the command line exits with its usage code, the desk shows the
    sentence."""
