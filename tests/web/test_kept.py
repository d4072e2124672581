"""Answers kept by ETag (``web.caching.Kept``): a page asked again while nothing it depends on
has moved is sent again, the same bytes and headers, without a statement beyond its tag's; a
new entry, another language or a tag that moved while the page was read is never answered from
what was kept; the store is bounded; each process ``assembly serve`` starts keeps its own."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.middleware import gzip

from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy, Signer
from tests.features.cycle import GOVERNMENT, LEDGER, copy_of, ok
from tests.features.forked import assembly
from tests.web.conftest import Built, serving
from tests.web.test_per_process import PAGES, statements
from web import caching
from web import serving as served
from web.caching import KEPT_LARGEST, Caching, Kept

PAGE = "/recommendations/1/1?lang=en"


def keeping(ledger: str) -> TestClient:
    """A client of the application on ``ledger``, keeping its answers as a served one does."""
    app = serving(ledger)
    app.state.kept = Kept()
    return TestClient(app)


def test_a_page_asked_again_is_the_same_answer_read_from_what_was_kept(built: Built) -> None:
    client = keeping(built.ledger)
    plain = TestClient(serving(built.ledger))
    for path in PAGES:
        first = client.get(path)
        with statements(client) as seen:
            again = client.get(path)
        assert again.status_code == first.status_code == 200, path
        assert again.content == first.content == plain.get(path).content, path
        assert again.headers == first.headers, path
        assert len(seen) == 1, (path, seen)  # the tag's statement alone: nothing read again
    assert client.get(PAGE).headers["content-security-policy"].find("script-src 'self'") > 0


def test_a_kept_page_is_compressed_and_revalidated_as_any(built: Built) -> None:
    client = keeping(built.ledger)
    first = client.get(PAGE)
    zipped = client.get(PAGE, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == first.content  # httpx decompressed it
    raw = client.get(PAGE, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert raw.content == first.content
    tag = first.headers["etag"]
    assert client.get(PAGE, headers={"If-None-Match": tag}).status_code == 304


def sent_as_is(client: TestClient, path: str, **headers: str) -> tuple[bytes, dict[str, str]]:
    """The body as it came (still compressed, if it was) and the headers of a GET of ``path``."""
    with client.stream("GET", path, headers=headers) as answer:
        return b"".join(answer.iter_raw()), dict(answer.headers)


def test_a_kept_page_is_sent_compressed_as_kept_not_compressed_again(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = keeping(built.ledger)
    made: list[object] = []

    class Counted(gzip.GZipResponder):
        def __init__(self, *args: Any, **options: Any) -> None:
            made.append(self)
            super().__init__(*args, **options)

    monkeypatch.setattr(gzip, "GZipResponder", Counted)
    plain, plain_headers = sent_as_is(client, PAGE, **{"Accept-Encoding": "identity"})
    packed, headers = sent_as_is(client, PAGE, **{"Accept-Encoding": "gzip"})
    assert len(made) == 1
    with statements(client) as seen:
        again, again_headers = sent_as_is(client, PAGE, **{"Accept-Encoding": "gzip, br"})
    assert len(made) == 1, "a kept page was compressed again"
    assert len(seen) == 1, seen  # the tag's statement alone
    assert (again, again_headers) == (packed, headers)
    assert headers["content-encoding"] == "gzip"
    assert zlib.decompress(packed, wbits=31) == plain  # one page, two encodings
    assert int(headers["content-length"]) == len(packed) < len(plain)
    assert headers["etag"] == plain_headers["etag"]  # weak: the same content either way
    assert "content-encoding" not in plain_headers
    for each in (headers, plain_headers):
        vary = {name.strip().lower() for name in each["vary"].split(",")}
        assert vary == {"accept-encoding", "accept-language"}
    assert sent_as_is(client, PAGE, **{"Accept-Encoding": "identity"}) == (plain, plain_headers)
    assert len(made) == 1


def test_a_new_entry_or_another_language_is_never_answered_from_what_was_kept(
    built: Built, tmp_path: Path
) -> None:
    own = copy_of(built.folder, tmp_path / "own")
    client = keeping(str(own / LEDGER))
    before = client.get("/recommendations/1/2?lang=en")
    assert "No answer yet." in before.text
    assert client.get("/recommendations/1/2?lang=fr").text != before.text
    answer = ("respond", "1/2", "--position", "accepted", "--portfolio", "climate")
    ok(assembly(*answer, "--key", GOVERNMENT, cwd=own))
    after = client.get("/recommendations/1/2?lang=en")
    assert after.headers["etag"] != before.headers["etag"]
    assert "No answer yet." not in after.text


def test_an_answer_whose_tag_moved_while_it_was_read_is_not_kept(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = keeping(built.ledger)
    tags = iter(['W/"before"', 'W/"after"'])
    monkeypatch.setattr(Caching, "tag", lambda self, scope: next(tags))
    client.get(PAGE)
    kept: Kept = client.app.state.kept  # type: ignore[attr-defined]
    assert kept.get('W/"before"') is None
    assert kept.size == 0


def test_only_a_whole_200_small_enough_is_kept(built: Built) -> None:
    client = keeping(built.ledger)
    assert client.get("/recommendations/9/9?lang=en").status_code == 404
    kept: Kept = client.app.state.kept  # type: ignore[attr-defined]
    assert kept.size == 0
    kept.put("big", [], b"x" * (KEPT_LARGEST + 1))
    assert kept.get("big") is None


def test_the_least_recently_sent_answer_is_dropped_first() -> None:
    kept = Kept(capacity=10)
    kept.put("a", [], b"1234")
    kept.put("b", [], b"1234")
    assert kept.get("a") is not None  # now the most recently sent
    kept.put("c", [], b"1234")
    assert (kept.get("a"), kept.get("b")) == (([], b"1234"), None)
    assert kept.size == 8


def test_each_served_process_keeps_its_answers(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(served.SETTINGS, served.settings_json(built.ledger))
    app: FastAPI = served.from_environment()
    assert isinstance(app.state.kept, caching.Kept)
    assert served.from_environment().state.kept is not app.state.kept


def test_answers_are_kept_on_every_backend(ledger_url: str) -> None:
    book = Ledger.create(ledger_url, RolePolicy(ROLE_GRANTS), Signer.generate(), name="Charter")
    book.close()
    client = keeping(ledger_url)
    first = client.get("/api/submissions/entries/0")
    kept: Kept = client.app.state.kept  # type: ignore[attr-defined]
    assert kept.size == len(first.content) > 0
    again = client.get("/api/submissions/entries/0")
    assert (again.content, again.headers) == (first.content, first.headers)
    assert client.get("/api/submissions/entries/1").status_code == 404
    assert kept.size == len(first.content)  # the 404 is not kept


HEAD_READ = "SELECT ledger_entries.seq, ledger_entries.hash FROM ledger_entries ORDER BY"


def test_a_page_is_read_at_the_head_its_tag_was_read_on_without_reading_it_again(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(serving(built.ledger))
    first = client.get(PAGE)
    with statements(client) as seen:
        again = client.get(PAGE)
    assert again.content == first.content
    assert [sql for sql in seen if sql.startswith(HEAD_READ)] == []
    monkeypatch.setattr(Caching, "tag", lambda self, scope: 'W/"no head"')
    with statements(client) as seen:  # a tag that leaves no head: the ledger reads its own
        assert client.get(PAGE).content == first.content
    assert len([sql for sql in seen if sql.startswith(HEAD_READ)]) == 1
