"""HTTP caching that proves itself: an ETag naming everything a response depends on, 304 when
the reader already holds it, and how long each answer may be kept.

A response to a GET depends on the ledger's head (its last seq and that entry's hash), the
checkpoints issued and the witnesses' cosignatures on them, the day
(overdue is judged on it), the path and the full query string, the reader's Accept-Language
(a page without ``lang`` is in that language), the public URL links start with, and the code
serving it (``release``). The ETag is a digest of all of these, read in one indexed statement
before the route runs: a reader sending it back in If-None-Match gets a 304 without the page
being read or rendered; the route is handed the head the tag was read on
(``web.context.TAGGED_HEAD``) and does not read it again. The tag is weak (``W/``): the same
content is served compressed or not.
The tag is read before the answer, never after: an entry appended meanwhile can only make the
answer newer than its tag, never older. So the first answer after the head moves, which brings
the read model up to it, carries a tag the next request no longer computes: one full answer
more per reader and head, never a stale 304.

How long an answer may be kept (Cache-Control, on a 200 whose route did not say):

- what is addressed by a seq is the same forever (``IMMUTABLE``): an entry; tiles say so
  themselves (``web.proofs``). A tile's path (its level, number and width) addresses bytes
  that never change, so its tag names only the code, the public URL and the path: it is read
  without a statement, and a tile kept is sent again whatever was appended since (a monitor
  reads thousands of them, and reading the state for their tags was a third of what they
  cost the server);
- a checkpoint, even of a past size, is a signed note that witnesses' cosignatures extend
  after it is issued: revalidated each time (its route says ``no-cache``), cheaply, with the
  ETag; receipts and consistency proofs, which carry such notes, are kept as the present;
- everything else describes the present: ``PRESENT`` (30 s);
- the desk (``/desk``, ``/api/desk``), every submission (POST) and the description of
  submissions (it holds the server's clock) are never stored (``no-store``).

The server keeps answers too (``Kept``, in each process ``assembly serve`` starts): since the
tag names everything an answer depends on, a GET whose tag the process answered before is sent
the same bytes again without being read or rendered. An answer is kept only if its tag, read
again once it was sent, has not moved (an entry appended while the page was read would
otherwise file a newer page under the older tag), only a 200 of at most ``KEPT_LARGEST`` bytes,
and at most ``KEPT_BYTES`` of them, the least recently sent dropped first. Compression is
inside this middleware: what is kept is the answer as sent, compressed when the reader accepted
gzip, kept apart from the plain one (``kept_as``), so a page sent again is not compressed again.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any
from weakref import WeakSet

from anyio import to_thread
from sqlalchemy import Select, column, func, or_, select, table
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ledger import Head
from ledger.errors import LedgerError
from ledger.storage import LedgerRecorder, entries_table
from ledger.tree import checkpoints_table, cosignatures_table
from web.context import TAGGED_HEAD, Settings

IMMUTABLE = "public, max-age=31536000, immutable"
PRESENT = "public, max-age=30"
NO_STORE = "no-store"
_NEVER_STORED = re.compile(r"^/(desk|api/desk)(/|$)|^/api/submissions/?$")
_FOREVER = re.compile(r"^/api/submissions/entries/[0-9]+$")
_TILE = re.compile(r"^/api/tiles/tile/")  # a tile, addressed by its width: never another
_UNTAGGED = ("/healthz", "/static/", "/openapi.json", "/docs")
_CODE = ("web", "projections", "domain", "ledger")
KEPT_BYTES = 32 * 1024 * 1024  # the answers a process keeps, at most (bodies, as sent)
KEPT_LARGEST = 512 * 1024  # a larger answer (a download) is sent, never kept
_HEAD = "assembly.head"  # where ``Caching.tag`` leaves the head it read, in the request's scope


class Kept:
    """Answers already sent, by ETag, the least recently sent dropped first beyond ``capacity``
    bytes. Used from the event loop's thread only, so it needs no lock."""

    def __init__(self, capacity: int = KEPT_BYTES) -> None:
        self.capacity = capacity
        self.size = 0
        self._answers: OrderedDict[str, tuple[list[tuple[bytes, bytes]], bytes]] = OrderedDict()

    def get(self, tag: str) -> tuple[list[tuple[bytes, bytes]], bytes] | None:
        """The headers and body sent under ``tag``, if kept."""
        found = self._answers.get(tag)
        if found is not None:
            self._answers.move_to_end(tag)
        return found

    def put(self, tag: str, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        """Keep the answer sent under ``tag``, dropping the oldest to make room."""
        if tag in self._answers or len(body) > min(KEPT_LARGEST, self.capacity):
            return
        self._answers[tag] = (headers, body)
        self.size += len(body)
        while self.size > self.capacity:
            _, (_, dropped) = self._answers.popitem(last=False)
            self.size -= len(dropped)


class Caching:
    """ASGI middleware: ETags and 304s on GET, Cache-Control on every answer."""

    def __init__(self, app: ASGIApp, *, settings: Settings, served_with: str = "") -> None:
        """``served_with``: what else than the database the answers depend on, as text (the
        witness policy the server was started with): another gives every answer another tag."""
        self.app = app
        self.settings = settings
        self.served_with = hashlib.sha256(served_with.encode()).hexdigest()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if scope["method"] not in ("GET", "HEAD") or _NEVER_STORED.match(path):
            await self.app(scope, receive, _on_start(send, _never_stored))
            return
        if path.startswith(_UNTAGGED):
            await self.app(scope, receive, send)
            return
        tag = await self._tag(scope)
        if tag is None:  # no ledger there (yet): the route says what is wrong
            await self.app(scope, receive, send)
            return
        tagged = TAGGED_HEAD.set(scope.get(_HEAD))  # the route reads at the tag's head
        try:
            await self._answer(scope, receive, send, tag)
        finally:
            TAGGED_HEAD.reset(tagged)

    async def _answer(self, scope: Scope, receive: Receive, send: Send, tag: str) -> None:
        """Answer a GET or HEAD whose ETag is ``tag``: a 304, what was kept, or the route's."""
        path: str = scope["path"]
        kept = IMMUTABLE if _FOREVER.match(path) else PRESENT
        if matches(Headers(scope=scope).get("if-none-match"), tag):
            start: Message = {"type": "http.response.start", "status": 304, "headers": []}
            _tagged(start["status"], MutableHeaders(scope=start), tag=tag, kept=kept)
            await send(start)
            await send({"type": "http.response.body", "body": b""})
            return
        tagging = partial(_tagged, tag=tag, kept=kept)
        answers: Kept | None = getattr(scope["app"].state, "kept", None)
        if answers is None or scope["method"] != "GET":
            await self.app(scope, receive, _on_start(send, tagging))
            return
        key = kept_as(tag, scope)
        if (found := answers.get(key)) is not None:
            headers, body = found
            await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
            await send({"type": "http.response.body", "body": body})
            return
        sent = _Recording(send)
        await self.app(scope, receive, _on_start(sent.send, tagging))
        if sent.whole() and await self._tag(scope) == tag:
            answers.put(key, sent.headers, b"".join(sent.body))

    async def _tag(self, scope: Scope) -> str | None:
        """``tag``: in the event loop's thread when the ledger is open locally (one indexed
        read, tens of microseconds, which the hop to a worker thread and back cost a page more
        than: a rendered page reads its tag twice), else in a worker thread (opening the
        ledger, or a round trip to PostgreSQL, may wait)."""
        if self.settings.pool.local():
            return self.tag(scope)
        return await to_thread.run_sync(self.tag, scope)

    def tag(self, scope: Scope) -> str | None:
        """The ETag of what a GET of ``scope`` answers now (None: the ledger cannot be read)."""
        parts: tuple[str, ...] = (
            release(),
            self.settings.public_url,
            scope["path"],
            scope["query_string"].decode("latin-1"),
        )
        if not _TILE.match(scope["path"]):  # a tile is the same at any head, on any day
            try:
                state = ledger_state(self.settings.pool.recorder())
            except (LedgerError, SQLAlchemyError):
                return None
            seq, hashed = state[:2]
            scope[_HEAD] = (
                None if seq is None else Head(int(str(seq)), bytes.fromhex(str(hashed))),
            )
            asked = Headers(scope=scope).get("accept-language", "")
            parts = (
                *parts,
                self.served_with,
                datetime.now(UTC).date().isoformat(),
                *map(str, state),
                asked,
            )
        digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]
        return f'W/"{digest}"'


def ledger_state(recorder: LedgerRecorder) -> tuple[object, ...]:
    """What in the database a response can depend on, in one statement: the head's seq and
    hash, the checkpoints issued and the cosignatures kept (only the head, while the tree's
    tables are not made yet). Not the read models' position: a read folds in memory what their
    tables lack, so an answer is the same whether they are behind or not, and the server
    catching them up neither changes a tag nor drops what the process keeps."""
    engine = recorder.datastore.engine
    assert isinstance(engine, Engine), "a recorder opened on a URL has an engine"
    with engine.connect() as conn:
        if engine not in _TREE_MADE and engine.dialect.name == "sqlite":
            # Asked for the tree's tables, a statement would fail on every request until the
            # first checkpoint: SQLite says in the same statement as the head whether they are
            # there (they are never dropped once made).
            *found, tree = conn.execute(_HEAD_AND_TREE).one()
            if tree < len(_TREE):
                return _hexed(found)
            _TREE_MADE.add(engine)
        try:
            found = list(conn.execute(_STATE).one())
        except SQLAlchemyError:
            conn.rollback()  # PostgreSQL: the failed statement ended the transaction
            found = list(conn.execute(_HEAD_ONLY).one())
    return _hexed(found)


def _hexed(values: list[object]) -> tuple[object, ...]:
    return tuple(value.hex() if isinstance(value, bytes) else value for value in values)


_TREE = (checkpoints_table.name, cosignatures_table.name)
_TREE_MADE: WeakSet[Engine] = WeakSet()  # databases whose tree's tables were found made


def _state_statements() -> tuple[Select[Any], Select[Any], Select[Any]]:
    """``ledger_state``'s statement, the one without the tree's tables, and the latter with
    how many of them SQLite holds: built once, so that SQLAlchemy finds them compiled without
    working out their cache key on each request (and with no IN list, which it would expand
    into the statement's text on each request)."""
    last = entries_table.c.seq.desc()
    head = (
        select(entries_table.c.seq).order_by(last).limit(1).scalar_subquery(),
        select(entries_table.c.hash).order_by(last).limit(1).scalar_subquery(),
    )
    rest = (
        select(func.count()).select_from(checkpoints_table).scalar_subquery(),
        select(func.count()).select_from(cosignatures_table).scalar_subquery(),
    )
    schema = table("sqlite_master", column("type"), column("name"))
    made = (
        select(func.count())
        .select_from(schema)
        .where(schema.c.type == "table", or_(*(schema.c.name == name for name in _TREE)))
        .scalar_subquery()
    )
    return select(*head, *rest), select(*head), select(*head, made)


_STATE, _HEAD_ONLY, _HEAD_AND_TREE = _state_statements()


def kept_as(tag: str, scope: Scope) -> str:
    """Where an answer under ``tag`` is kept: apart for a reader accepting gzip, the test the
    compression inside (Starlette's ``GZipMiddleware``) makes."""
    return f"{tag} gzip" if "gzip" in Headers(scope=scope).get("accept-encoding", "") else tag


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether If-None-Match names ``tag`` (weak comparison, RFC 9110 13.1.2)."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    bare = tag.removeprefix("W/")
    return any(each.strip().removeprefix("W/") == bare for each in if_none_match.split(","))


@cache
def release() -> str:
    """A digest of the files of the code serving the pages (their paths, sizes and times):
    a new release changes every ETag, and every worker of one release computes the same."""
    root = Path(__file__).resolve().parents[1]
    found = sorted(
        f"{each.relative_to(root)}:{info.st_size}:{info.st_mtime_ns}"
        for package in _CODE
        for each in (root / package).rglob("*")
        if each.is_file() and "__pycache__" not in each.parts and (info := each.stat())
    )
    return hashlib.sha256("\n".join(found).encode()).hexdigest()[:16]


def _never_stored(status: int, headers: MutableHeaders) -> None:
    headers["Cache-Control"] = NO_STORE


def _tagged(status: int, headers: MutableHeaders, *, tag: str, kept: str) -> None:
    """A 200 or 304 carries its ETag and, unless its route said otherwise, how long it may be
    kept; anything else (a 404, a 503) carries neither."""
    if status in (200, 304):
        headers["ETag"] = tag
        headers.setdefault("Cache-Control", kept)
        headers.add_vary_header("Accept-Language")


class _Recording:
    """A ``send`` that also records a 200's headers and body, up to ``KEPT_LARGEST`` bytes."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.headers: list[tuple[bytes, bytes]] = []
        self.body: list[bytes] = []
        self.recording = True
        self.ended = False
        self._size = 0

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":  # before the outer layers change it
            self.recording = message["status"] == 200
            self.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body" and self.recording:
            chunk = bytes(message.get("body", b""))
            self._size += len(chunk)
            self.recording = self._size <= KEPT_LARGEST
            self.body.append(chunk)
            self.ended = not message.get("more_body", False)
        await self._send(message)

    def whole(self) -> bool:
        """Whether a 200 was sent whole and small enough to keep."""
        return self.recording and self.ended


def _on_start(send: Send, change: Callable[[int, MutableHeaders], None]) -> Send:
    """``send``, with ``change`` made to the response's status line and headers."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            change(message["status"], MutableHeaders(scope=message))
        await send(message)

    return sending
