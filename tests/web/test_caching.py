"""HTTP caching that proves itself: an ETag naming what a response depends on, 304 on a
match, how long each answer may be kept, never storing the desk or a submission, and
compression when the reader asks for it."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from anyio import to_thread
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy, Signer
from tests.features.cycle import GOVERNMENT, LEDGER, copy_of, ok
from tests.features.forked import assembly
from tests.web.conftest import Built, serving
from tests.web.test_per_process import statements
from web import caching
from web.context import Pool

PAGE = "/recommendations/1/1?lang=en"
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def own(built: Built, tmp_path: Path) -> Path:
    """A private copy of the session's assembly folder, to append to."""
    return copy_of(built.folder, tmp_path / "own")


def test_a_page_s_etag_is_the_same_while_nothing_changes(client: TestClient) -> None:
    first, again = client.get(PAGE), client.get(PAGE)
    assert first.headers["etag"].startswith('W/"')
    assert again.headers["etag"] == first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=30"
    assert "Accept-Language" in first.headers["vary"]


def test_a_page_s_etag_changes_when_one_more_entry_is_appended(own: Path) -> None:
    client = TestClient(serving(str(own / LEDGER)))
    before = client.get(PAGE).headers["etag"]
    answer = ("respond", "1/2", "--position", "accepted", "--portfolio", "climate")
    ok(assembly(*answer, "--key", GOVERNMENT, cwd=own))
    refreshed = client.get(PAGE, headers={"If-None-Match": before})
    assert refreshed.status_code == 200
    assert refreshed.headers["etag"] != before


def test_a_reader_holding_the_etag_gets_a_304_without_the_page(client: TestClient) -> None:
    tag = client.get(PAGE).headers["etag"]
    again = client.get(PAGE, headers={"If-None-Match": f'"other", {tag}'})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert again.headers["cache-control"] == "public, max-age=30"
    assert again.headers["x-content-type-options"] == "nosniff"  # still secured
    assert client.get(PAGE, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize(
    ("other", "headers"),
    [
        ("/recommendations/1/1?lang=fr", {}),
        ("/recommendations/1/1?lang=en&as_of=2099-01-01", {}),
        ("/recommendations/1/2?lang=en", {}),
        (PAGE, {"Accept-Language": "nl"}),
    ],
    ids=["language", "query", "path", "accept-language"],
)
def test_another_language_query_or_path_has_another_etag(
    client: TestClient, other: str, headers: dict[str, str]
) -> None:
    assert client.get(other, headers=headers).headers["etag"] != client.get(PAGE).headers["etag"]


def test_the_etag_changes_with_the_day(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    today = client.get(PAGE).headers["etag"]

    class Tomorrow(datetime):
        @classmethod
        def now(cls, tz: object = None) -> Tomorrow:  # type: ignore[override]
            return cls.fromtimestamp(datetime.now(UTC).timestamp() + 86400, UTC)

    monkeypatch.setattr(caching, "datetime", Tomorrow)
    assert client.get(PAGE).headers["etag"] != today


def test_the_json_api_is_tagged_and_answers_304(client: TestClient) -> None:
    first = client.get("/api/status")
    assert first.status_code == 200
    again = client.get("/api/status", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


def test_what_a_seq_or_a_tile_width_addresses_is_kept_forever(client: TestClient) -> None:
    entry = client.get("/api/submissions/entries/0")
    assert entry.status_code == 200
    assert entry.headers["cache-control"] == IMMUTABLE
    size = int(client.get("/api/checkpoint").text.splitlines()[1])
    tile = client.get(f"/api/tiles/tile/0/000.p/{size}")
    assert tile.status_code == 200
    assert tile.headers["cache-control"] == IMMUTABLE


def test_a_tile_is_tagged_and_sent_again_without_a_statement_whatever_is_appended(
    own: Path,
) -> None:
    """What a tile's path addresses never changes: its tag names no head, so an entry appended
    since neither changes it nor makes the server read anything to send the tile it kept."""
    app = serving(str(own / LEDGER))
    app.state.kept = caching.Kept()  # as each process of ``assembly serve`` keeps answers
    client = TestClient(app)
    size = int(client.get("/api/checkpoint").text.splitlines()[1])
    path = f"/api/tiles/tile/entries/000.p/{size}"
    first = client.get(path)
    assert first.status_code == 200
    page = client.get(PAGE).headers["etag"]
    answer = ("respond", "1/2", "--position", "accepted", "--portfolio", "climate")
    ok(assembly(*answer, "--key", GOVERNMENT, cwd=own))
    with statements(client) as seen:
        again = client.get(path)
        held = client.get(path, headers={"If-None-Match": first.headers["etag"]})
    assert (again.status_code, again.content) == (200, first.content)
    assert again.headers["etag"] == first.headers["etag"]
    assert held.status_code == 304
    assert seen == []
    assert client.get(PAGE).headers["etag"] != page  # a page's tag still names the head


def test_a_checkpoint_by_size_is_revalidated_since_witnesses_cosign_it_later(
    client: TestClient,
) -> None:
    size = int(client.get("/api/checkpoint").text.splitlines()[1])
    issued = client.get(f"/api/checkpoints/{size}")
    assert issued.headers["cache-control"] == "no-cache"
    again = client.get(
        f"/api/checkpoints/{size}", headers={"If-None-Match": issued.headers["etag"]}
    )
    assert again.status_code == 304


def test_a_missing_entry_is_not_kept(client: TestClient) -> None:
    missing = client.get("/api/submissions/entries/999999")
    assert missing.status_code == 404
    assert "immutable" not in missing.headers.get("cache-control", "")
    assert "etag" not in missing.headers


@pytest.mark.parametrize("path", ["/desk", "/api/submissions"])
def test_the_desk_and_the_submissions_description_are_never_stored(
    client: TestClient, path: str
) -> None:
    answer = client.get(path)
    assert answer.headers["cache-control"] == "no-store"
    assert "etag" not in answer.headers


def test_a_submission_is_never_stored(client: TestClient) -> None:
    refused = client.post("/api/submissions", content=b"{}")
    assert refused.status_code >= 400
    assert refused.headers["cache-control"] == "no-store"


def test_pages_and_json_are_compressed_when_the_reader_asks(client: TestClient) -> None:
    for path in (PAGE, "/api/status"):
        packed = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in packed.headers["vary"]
        plain = client.get(path, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        assert packed.content == plain.content  # the client decompressed it
        assert packed.headers["etag"] == plain.headers["etag"]


def test_a_compressed_page_is_much_smaller(client: TestClient) -> None:
    with client.stream("GET", PAGE, headers={"Accept-Encoding": "gzip"}) as answer:
        raw = b"".join(answer.iter_raw())
    assert len(raw) * 3 < len(gzip.decompress(raw))


@pytest.mark.postgres
def test_etags_and_304_on_postgresql_before_and_after_the_tree_s_tables_exist(
    postgres_url: str,
) -> None:
    book = Ledger.create(postgres_url, RolePolicy(ROLE_GRANTS), Signer.generate(), name="Charter")
    book.close()
    with TestClient(serving(postgres_url)) as client:  # its keeper may catch up at any time
        entry = client.get("/api/submissions/entries/0")  # no read model, no tree yet
        assert entry.headers["cache-control"] == IMMUTABLE
        again = client.get(
            "/api/submissions/entries/0", headers={"If-None-Match": entry.headers["etag"]}
        )
        assert again.status_code == 304
        assert client.get("/api/checkpoint").status_code == 404  # makes the tree's tables
        client.get("/?lang=en")
        page = client.get("/?lang=en")
        assert page.status_code == 200
        assert page.headers["etag"] != entry.headers["etag"]
        revalidated = client.get("/?lang=en", headers={"If-None-Match": page.headers["etag"]})
        assert revalidated.status_code == 304


def test_the_tag_is_read_in_the_event_loop_once_a_local_ledger_is_open(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    hops: list[str] = []
    hop = to_thread.run_sync

    async def recorded(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(func, "__name__", ""))
        return await hop(func, *args, **kwargs)

    monkeypatch.setattr(to_thread, "run_sync", recorded)
    client = TestClient(serving(built.ledger))
    first = client.get(PAGE)
    assert hops.count("tag") == 1  # the ledger was not open yet: opening it may wait
    hops.clear()
    again = client.get(PAGE)
    assert again.headers["etag"] == first.headers["etag"]
    assert hops == []  # neither the tag nor the page itself (``web.context.in_turn``)


def test_the_tag_is_not_read_in_the_event_loop_while_every_pooled_connection_is_taken(
    built: Built,
) -> None:
    """The event loop must not wait for a connection a page's thread holds: with none idle,
    the tag goes to a worker thread like the page."""
    pool = Pool(built.ledger)
    try:
        engine = pool.recorder().datastore.engine
        assert isinstance(engine, Engine)
        with engine.connect():  # the connection the open left idle, now taken
            assert engine.pool.checkedin() == 0  # type: ignore[attr-defined]
            assert not pool.local()
        assert pool.local()
    finally:
        pool.close()


@pytest.mark.postgres
def test_a_ledger_on_postgresql_is_not_read_in_the_event_loop(postgres_url: str) -> None:
    book = Ledger.create(postgres_url, RolePolicy(ROLE_GRANTS), Signer.generate(), name="Charter")
    book.close()
    pool = Pool(postgres_url)
    try:
        pool.recorder()
        assert not pool.local()  # a round trip to the server may wait
    finally:
        pool.close()


def test_a_sqlite_ledger_s_tags_before_and_after_the_tree_s_tables_exist(tmp_path: Path) -> None:
    ledger = str(tmp_path / "ledger.db")
    book = Ledger.create(ledger, RolePolicy(ROLE_GRANTS), Signer.generate(), name="Charter")
    book.close()
    client = TestClient(serving(ledger))
    entry = client.get("/api/submissions/entries/0")  # no tree yet
    held = {"If-None-Match": entry.headers["etag"]}
    with statements(client) as seen:
        assert client.get("/api/submissions/entries/0", headers=held).status_code == 304
    assert len(seen) == 1, seen  # the head and whether the tree is there: none fails
    assert client.get("/api/checkpoint").status_code == 404  # makes the tree's tables
    after = client.get("/api/submissions/entries/0", headers=held)
    assert after.status_code == 200  # the tag now names the checkpoints and cosignatures
    with statements(client) as seen:
        again = client.get(
            "/api/submissions/entries/0", headers={"If-None-Match": after.headers["etag"]}
        )
    assert again.status_code == 304
    assert len(seen) == 1, seen
