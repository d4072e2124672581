"""The log's errors after the move to tlog/: still caught by the command line's one handler
(``except LedgerError``) and mapped to the exit codes they had in ledger/."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.errors import Exit, exit_code_for
from ledger.errors import LedgerError, StorageError
from tlog.checkpoint import MalformedCheckpoint
from tlog.errors import TlogError
from tlog.merkle import NegativeSize
from tlog.note import MalformedNote
from tlog.receipt import BadProof
from tlog.tiles import BadTiles, TilesUnavailable
from tlog.witness import NoWitness, RootMismatch, WitnessSetupConflict, WitnessStorageError
from tlog.witnessing import PolicyError

CASES = [
    (NegativeSize(-1), Exit.USAGE),
    (MalformedNote("no signature"), Exit.USAGE),
    (MalformedCheckpoint("no origin"), Exit.USAGE),
    (BadProof("the root differs"), Exit.VERIFICATION_FAILED),
    (BadTiles("a tile is short"), Exit.VERIFICATION_FAILED),
    (TilesUnavailable("tile/0/000", "HTTP 404"), Exit.STORAGE),
    (WitnessStorageError(Path("w/state.json"), "unreadable"), Exit.STORAGE),
    (NoWitness(Path("w")), Exit.STORAGE),
    (WitnessSetupConflict("another key"), Exit.INTERNAL),
    (RootMismatch("example.com/log", 6), Exit.INTERNAL),
    (PolicyError("p", "no quorum"), Exit.INTERNAL),
]


@pytest.mark.parametrize(("error", "code"), CASES)
def test_every_error_of_the_log_is_one_the_command_line_catches_with_its_old_exit_code(
    error: TlogError, code: Exit
) -> None:
    assert isinstance(error, LedgerError)
    assert exit_code_for(error) is code
    assert str(error) == error.sentence()


def test_the_ledger_and_the_log_share_one_root_and_one_storage_family() -> None:
    assert LedgerError is TlogError
    assert issubclass(WitnessStorageError, StorageError)
    assert issubclass(TilesUnavailable, StorageError)
