"""``assembly serve --read-only`` (issue 18): a server that writes nothing, with one process or
several. With the read models behind the ledger it answers the pages (each read folds the
missing entries in memory) and leaves the tables as they were; a server without the flag
brings them up to date as it starts, which is what the check would see."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ledger import Ledger
from tests.cli.test_serve_workers import serving
from tests.projections.test_reads_never_write import behind_at, table_state

PAGES = ["/", "/recommendations", "/recommendations/1/33", "/api/status"]


@pytest.fixture
def behind(tmp_path: Path) -> Iterator[tuple[str, Ledger]]:
    """A SQLite ledger whose read models lack its last entries."""
    url = str(tmp_path / "ledger.db")
    with behind_at(url) as book:
        yield url, book


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_read_only_server_answers_and_writes_nothing(
    behind: tuple[str, Ledger], tmp_path: Path, workers: str
) -> None:
    url, book = behind
    written = table_state(book)
    assert isinstance(written[0], int) and written[0] < book.count() - 1, "not behind"
    with serving(url, tmp_path, "--read-only", "--workers", workers) as (served, _):
        time.sleep(1)  # the keeper, were it on, would have caught up by now
        answers = [httpx.get(served + path, timeout=60) for path in PAGES]
        assert [answer.status_code for answer in answers] == [200] * len(PAGES)
        assert "1/33" in answers[2].text  # a recommendation only the ledger holds yet
    assert table_state(book) == written, "a read-only server wrote"
    with serving(url, tmp_path):  # the check can fail: a writing server catches up
        pass
    assert table_state(book) != written
