"""The root of the errors the transparency log raises on purpose.

``ledger.errors.LedgerError`` is this same class: the ledger is built on the log, and the command
line catches one family and maps each part of it to its exit code (``cli/errors.py``).
"""

from __future__ import annotations


class TlogError(Exception):
    """Root of every error the log (and the ledger built on it) raises on purpose."""

    def __str__(self) -> str:
        return self.sentence()

    def sentence(self) -> str:
        """One sentence a user can act on."""
        return str(self.args[0]) if self.args else type(self).__name__


class StorageError(TlogError):
    """A store cannot be reached or used: the ledger's database, a witness's folder, a tile host."""
