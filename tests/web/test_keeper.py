"""The server's own writer (``web.keeper``): requests never write, the server's thread keeps
the read models up to date, and with ``read_only`` (ASSEMBLY_READ_ONLY) nothing is written."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import projections.runner as runner
from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy
from tests.projections.test_reads_never_write import table_state
from tests.projections.test_runner_backends import write_assembly
from tests.web.conftest import serving


def opened(path: Path) -> Ledger:
    return Ledger.open(str(path), RolePolicy(ROLE_GRANTS))


def test_a_server_that_may_write_brings_the_read_models_up_to_date_itself(tmp_path: Path) -> None:
    path = tmp_path / "ledger.db"
    write_assembly(str(path), 12)
    book = opened(path)
    try:
        assert table_state(book)[0] == "no tables"
        with TestClient(serving(str(path))) as client:
            assert client.get("/recommendations/1/4").status_code == 200
            deadline = time.monotonic() + 30
            while runner.position(book) != book.count() - 1:
                assert time.monotonic() < deadline, "the server did not catch up"
                time.sleep(0.05)  # polling the database: the thread tells no one
        assert runner.settled(book)
    finally:
        book.close()


@pytest.mark.parametrize("how", ["argument", "environment"])
def test_a_read_only_server_writes_nothing(
    tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "ledger.db"
    write_assembly(str(path), 12)
    if how == "environment":
        monkeypatch.setenv("ASSEMBLY_READ_ONLY", "1")
        app = serving(str(path))
    else:
        app = serving(str(path), read_only=True)
    book = opened(path)
    try:
        with TestClient(app) as client:
            assert client.get("/recommendations/1/4").status_code == 200
            assert client.get("/recommendations").status_code == 200
            time.sleep(0.3)
        assert table_state(book)[0] == "no tables"
    finally:
        book.close()
