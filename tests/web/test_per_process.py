"""One connection pool per server process: a page read again costs only its reads (the
signers once, no catching up when the ledger's head has not moved, the audit trail's
corrections and entries before in one statement each), requests at once share it, it is
closed when the server stops, and the pages are the bytes a ledger opened per request gives."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine

from ledger.storage import LedgerRecorder, open_recorder
from tests.features.cycle import CHARTER, LEDGER, copy_of, ok
from tests.features.forked import assembly
from tests.web.conftest import Built, serving
from web.context import Pool

PAGE = "/recommendations/1/1?lang=en"
PAGES = (
    PAGE,
    "/recommendations/1/2?lang=fr",
    "/recommendations?lang=nl",
    "/?lang=en",
    "/panels/1?lang=en",
    "/overdue?lang=en",
    "/portfolios?lang=en",
    "/api/status",
    "/api/recommendations/1/1",
    "/api/feed.atom",
)
CATCHING_UP = "SELECT ledger_entries.seq, ledger_entries.recorded_at, ledger_events.state"


@contextmanager
def statements(client: TestClient) -> Iterator[list[str]]:
    """The SQL statements the server runs while the block runs, whitespace folded."""
    engine = client.app.state.settings.pool.recorder().datastore.engine  # type: ignore[attr-defined]
    assert isinstance(engine, Engine)
    seen: list[str] = []

    def record(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        seen.append(" ".join(sql.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_recommendation_page_read_again_reads_only_what_the_head_does_not_settle(
    built: Built,
) -> None:
    client = TestClient(serving(built.ledger))
    with statements(client) as first:
        assert client.get(PAGE).status_code == 200
    with statements(client) as seen:
        assert client.get(PAGE).status_code == 200
    # The signers and the names are read once per head by the process, entry 0 once.
    by_type = [sql for sql in first if "ledger_events.topic IN" in sql]
    assert len(by_type) == 2
    assert not [sql for sql in seen if "ledger_events.topic IN" in sql]
    corrections = [sql for sql in seen if "ledger_events.originator_id IN" in sql]
    before = [sql for sql in seen if "ledger_entries.seq IN" in sql]
    assert (len(corrections), len(before)) == (1, 1)
    assert not [sql for sql in seen if sql.startswith(CATCHING_UP)]  # the head has not moved
    # 19 when every request opened the ledger; now the ETag's, the head, catching up, the
    # model's row, the stream, its corrections and the entries before them.
    assert len(seen) <= 10


def test_every_request_of_a_server_process_uses_one_recorder(built: Built) -> None:
    client = TestClient(serving(built.ledger))
    pool = client.app.state.settings.pool  # type: ignore[attr-defined]
    assert client.get(PAGE).status_code == 200
    first = pool.recorder()
    with ThreadPoolExecutor(8) as threads:
        answers = list(threads.map(lambda path: client.get(path), PAGES * 3))
    assert [answer.status_code for answer in answers] == [200] * len(answers)
    assert pool.recorder() is first


def test_the_server_closes_its_connections_when_it_stops(built: Built) -> None:
    app = serving(built.ledger)
    with TestClient(app) as client:
        assert client.get(PAGE).status_code == 200
        assert app.state.settings.pool._recorder is not None
    assert app.state.settings.pool._recorder is None


def test_pages_are_the_bytes_a_ledger_opened_per_request_gives(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    pooled = TestClient(serving(built.ledger))
    shared = {path: pooled.get(path).content for path in PAGES}
    opened: list[LedgerRecorder] = []

    def fresh(pool: Pool) -> LedgerRecorder:
        opened.append(open_recorder(pool.location))
        return opened[-1]

    monkeypatch.setattr(Pool, "recorder", fresh)
    monkeypatch.setattr(Pool, "remembered", lambda pool, head, key, read: read())
    apart = TestClient(serving(built.ledger))
    assert {path: apart.get(path).content for path in PAGES} == shared
    assert len(opened) >= len(PAGES)
    for recorder in opened:
        recorder.datastore.engine.dispose()  # type: ignore[union-attr]


def test_a_key_enrolled_while_the_server_runs_is_known_at_the_next_request(
    built: Built, tmp_path: Path
) -> None:
    own = copy_of(built.folder, tmp_path / "own")
    client = TestClient(serving(str(own / LEDGER)))
    before = client.get("/api/submissions").json()["signers"]
    ok(assembly("keys", "new", "--key", "clerk.key", cwd=own))
    enrol = ("keys", "enrol", "clerk.key.pub", "--role", "government", "--name", "Clerk")
    ok(assembly(*enrol, "--key", CHARTER, cwd=own))
    after = client.get("/api/submissions").json()["signers"]
    assert len(after) == len(before) + 1
    [new] = set(after) - set(before)
    assert after[new] == "government"
