"""Exit codes, and the one place where errors become a sentence on stderr and an exit code."""

from __future__ import annotations

from enum import IntEnum

from ledger.errors import (
    AppendRefused,
    BadHead,
    BadSetting,
    CanonicalizationError,
    KeyFileError,
    LedgerError,
    StorageError,
    VerificationFailed,
)
from ledger.tree import NoCheckpoint
from sheets.errors import SheetProblem
from tlog.merkle import MerkleError
from tlog.note import NoteError
from tlog.receipt import BadProof


class Exit(IntEnum):
    """The exit codes of ``assembly``; the README lists them."""

    OK = 0
    VERIFICATION_FAILED = 1
    USAGE = 2
    REFUSED = 3
    STORAGE = 4
    KEY = 5
    INTERNAL = 70


class UsageProblem(LedgerError):
    """The command was called in a way it cannot work with (a missing --key, a bad date)."""


def exit_code_for(error: LedgerError) -> Exit:
    """Map an error family to its exit code."""
    if isinstance(error, VerificationFailed | CheckFailed | BadProof):
        return Exit.VERIFICATION_FAILED
    if isinstance(error, AppendRefused | CanonicalizationError):
        return Exit.REFUSED
    if isinstance(error, StorageError):
        return Exit.STORAGE
    if isinstance(error, KeyFileError):
        return Exit.KEY
    if isinstance(
        error,
        UsageProblem | SheetProblem | BadSetting | BadHead | NoCheckpoint | MerkleError | NoteError,
    ):
        return Exit.USAGE
    return Exit.INTERNAL


class CheckFailed(LedgerError):
    """An independent check (a draw re-run from its files) does not match the ledger."""
