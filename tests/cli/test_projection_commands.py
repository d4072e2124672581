"""The read models through ``assembly``: write commands keep them up to date, ``projections
update`` applies what they have not seen, ``projections rebuild`` starts them from zero."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import projections.runner as runner
from cli.projection_commands import _bar
from tests.features.cycle import as_government
from tests.features.forked import assembly


def stored_position(folder: Path) -> int:
    with sqlite3.connect(folder / "assembly.db") as db:
        (seq,) = db.execute("SELECT seq FROM projection_positions").fetchone()
    return int(seq)


def last_seq(folder: Path) -> int:
    with sqlite3.connect(folder / "assembly.db") as db:
        (seq,) = db.execute("SELECT max(seq) FROM ledger_entries").fetchone()
    return int(seq)


def test_a_write_command_brings_the_read_models_up_to_date(folder: Path) -> None:
    answered = as_government(
        folder, "respond", "1/1", "--position", "accepted", "--portfolio", "climate"
    )
    assert answered.code == 0, answered.stderr
    assert stored_position(folder) == last_seq(folder)


def test_update_applies_what_the_read_models_have_not_seen(folder: Path) -> None:
    updated = assembly("projections", "update", cwd=folder)
    assert updated.code == 0, updated.stderr
    assert f"the read models are at seq {last_seq(folder)}" in updated.stdout
    again = assembly("projections", "update", cwd=folder)
    assert "Applied 0 entries" in again.stdout


def test_rebuild_folds_again_from_entry_0(folder: Path) -> None:
    assembly("projections", "update", cwd=folder)
    rebuilt = assembly("projections", "rebuild", cwd=folder)
    assert rebuilt.code == 0, rebuilt.stderr
    assert f"from {last_seq(folder) + 1} entries" in rebuilt.stdout
    assert stored_position(folder) == last_seq(folder)


def test_the_progress_bar_leaves_a_rebuild_free_to_fold_in_two_processes() -> None:
    """The bar is drawn at each batch, not by a thread of its own: a process with another
    thread may not fork, and a rebuild then folds in this process alone."""

    class Book:
        def count(self) -> int:
            return 100_000

    alone = threading.active_count()
    with _bar(Book(), "Rebuilding the read models") as progress:  # type: ignore[arg-type]
        progress(49_999)
        assert threading.active_count() == alone
        assert runner._forkable() == (alone == 1)
