"""The JSON API (issue 6): the read models as JSON, the log's proofs and tiles, and an Atom feed.

Every route opens the ledger for the request (``web.context.opened``) and reads through the
functions the command line uses (``projections.view.view_at``, ``ledger.tree``,
``ledger.receipt``, ``ledger.tiles``), so the API, the pages and ``assembly`` always agree. JSON
responses are the models of ``web.models``, which the OpenAPI schema (``/openapi.json``,
``/docs``) describes exactly. What is not there is a 404 with one sentence in ``detail``; a
malformed parameter a 422 (FastAPI's validation) or a 400; integers are bounded to 64 bits so
that no input reaches the database as a number it cannot hold.

Time travel: ``as_of`` reads the ledger as it stood at the end of that day (UTC), ``at_seq`` as
it stood after that entry; overdue is judged on ``as_of`` (default: today, or the day entry
``at_seq`` was recorded).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse
from pydantic import AfterValidator

from domain.government import Implementation
from ledger import Ledger
from ledger.canonical import parse_time
from ledger.merkle import EmptyOldTree
from ledger.receipt import Consistency, Inclusion, format_consistency, format_inclusion
from ledger.tiles import (
    CHECKPOINT,
    TILE_WIDTH,
    Tile,
    bundle_path,
    checked_entries,
    encode_bundle,
    stored_tile,
    tile_path,
    tile_width,
)
from ledger.tree import (
    Issued,
    NoCheckpoint,
    checkpoint_at,
    latest_checkpoint,
    prove_consistency,
    prove_inclusion,
)
from projections.board import ordered, overdue_reviews
from projections.composition import read_composition, strata
from projections.dashboard import dashboard, late_line
from projections.status import Key
from projections.trail import recommendation_trail
from projections.view import View, end_of, view_at
from web import feed, models
from web.context import opened

router = APIRouter(prefix="/api")

MAX_INT = 2**63 - 1  # the largest integer SQLite and PostgreSQL store
NO_CHECKPOINT = "No checkpoint was issued yet: the log operator signs one with assembly checkpoint."
IMMUTABLE = "public, max-age=31536000, immutable"  # a tile at a given width never changes


def _before_the_last_day(day: date | None) -> date | None:
    if day == date.max:
        raise ValueError("as_of must be before 9999-12-31 (the end of that day is not a date)")
    return day


AsOf = Annotated[
    date | None,
    Query(description="Read the ledger as it stood at the end of this day (UTC)."),
    AfterValidator(_before_the_last_day),
]
AtSeq = Annotated[
    int | None, Query(ge=0, le=MAX_INT, description="Read the ledger as it stood after entry N.")
]
PanelNumber = Annotated[int, Path(ge=1, le=MAX_INT, description="The panel's number.")]
Number = Annotated[int, Path(ge=1, le=MAX_INT, description="The recommendation's number.")]
Responses = dict[int | str, dict[str, Any]]
NotFound: Responses = {404: {"model": models.Problem, "description": "Not in the ledger."}}


def raw(media_type: str, description: str, *, missing: bool = True) -> Responses:
    """The OpenAPI responses of a route answering bytes of ``media_type``, and 404 as JSON.

    Such a route declares ``response_class=Response``: FastAPI would otherwise document its
    404 in the route's own media type.
    """
    schema = {"type": "string", "format": "binary"} if "octet" in media_type else {"type": "string"}
    found: Responses = {
        200: {"description": description, "content": {media_type: {"schema": schema}}}
    }
    return {**found, **(NotFound if missing else {})}


class OctetStream(Response):
    media_type = "application/octet-stream"


class AtomResponse(Response):
    media_type = feed.MEDIA_TYPE


# --- the read models -----------------------------------------------------------------------------


@router.get("/status", tags=["status"])
def status(
    request: Request,
    panel: Annotated[int | None, Query(ge=1, le=MAX_INT, description="Only this panel.")] = None,
    position: Annotated[
        models.PositionValue | None, Query(description="Only those at this position.")
    ] = None,
    implementation: Annotated[
        Implementation | None, Query(description="Only those at this stage of implementation.")
    ] = None,
    verdict: Annotated[
        models.VerdictValue | None, Query(description="Only those with this verdict.")
    ] = None,
    portfolio: Annotated[
        str | None, Query(max_length=64, description="Only those of this portfolio.")
    ] = None,
    overdue: Annotated[bool, Query(description="Only those with a review overdue.")] = False,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Only those whose reference or title contains this."),
    ] = None,
    as_of: AsOf = None,
    at_seq: AtSeq = None,
) -> models.Board:
    """The status board: every recommendation's three axes, due dates and overdue flag."""
    with opened(request.app.state.settings) as book:
        view = _view(book, as_of, at_seq, panel=panel)
    rows = [models.BoardRow.of(rec, view.deadlines(rec)) for rec in ordered(view.state)]
    wanted = {
        "panel": panel,
        "position": position,
        "implementation": implementation,
        "verdict": verdict,
        "portfolio": portfolio,
    }
    kept = [
        row
        for row in rows
        if all(value is None or getattr(row, name) == value for name, value in wanted.items())
        and (row.overdue or not overdue)
        and (q is None or _matches(row, q))
    ]
    return models.Board(as_of=view.as_of, seq=view.state.seq, recommendations=kept)


def _matches(row: models.BoardRow, text: str) -> bool:
    """Whether the search text is in the row's reference or one of its titles (any case)."""
    needle = text.casefold()
    return any(needle in found.casefold() for found in (row.ref, *row.titles.values()))


@router.get("/recommendations/{panel}/{number}", tags=["status"], responses=NotFound)
def recommendation(
    request: Request, panel: PanelNumber, number: Number, as_of: AsOf = None, at_seq: AtSeq = None
) -> models.Recommendation:
    """One recommendation in full: each axis with the entry and signer that set it, the due
    dates, every answer, report, verdict and erratum, and the entries behind it."""
    key = (panel, number)
    with opened(request.app.state.settings) as book:
        view = _view(book, as_of, at_seq, only=key)
        rec = view.state.recommendations.get(key)
        if rec is None:
            raise HTTPException(
                404,
                f"Recommendation {panel}/{number} is not in the ledger "
                f"as of entry {view.state.seq}.",
            )
        lines = recommendation_trail(book, panel, number)
    until = end_of(as_of)
    kept = [
        line
        for line in lines
        if (at_seq is None or line.seq <= at_seq)
        and (until is None or parse_time(line.recorded_at) < until)
    ]
    return models.Recommendation.of(view, rec, kept)


@router.get("/overdue", tags=["status"])
def overdue(request: Request, as_of: AsOf = None, at_seq: AtSeq = None) -> models.Overdue:
    """Every review not answered by its due date, the longest overdue first."""
    with opened(request.app.state.settings) as book:
        view = _view(book, as_of, at_seq)
    late = [
        late_line(rec, deadline.review, deadline.due, deadline.late)
        for rec, deadline in overdue_reviews(view.state, as_of=view.as_of)
    ]
    return models.Overdue(
        as_of=view.as_of, seq=view.state.seq, overdue=[models.LateReview.of(line) for line in late]
    )


@router.get("/panels/{panel}/composition", tags=["status"], responses=NotFound)
def composition(
    request: Request, panel: PanelNumber, as_of: AsOf = None, at_seq: AtSeq = None
) -> models.Composition:
    """A panel's composition: per stratum, the quota, who was drawn and seated, the volunteer
    pool's count and the population's share."""
    with opened(request.app.state.settings) as book:
        state = read_composition(book, panel, at_seq=at_seq, until=end_of(as_of))
    if state.convened is None:
        point = "" if as_of is None and at_seq is None else " at the point asked for"
        raise HTTPException(404, f"Panel {panel} has not been convened{point}.")
    return models.Composition.of(state, strata(state))


@router.get("/dashboard", tags=["status"])
def dashboard_counts(
    request: Request,
    panel: Annotated[int | None, Query(ge=1, le=MAX_INT, description="Only this panel.")] = None,
    as_of: AsOf = None,
    at_seq: AtSeq = None,
) -> models.Dashboard:
    """The commission's dashboard: counts per status, in total, per panel and per portfolio,
    each with the entries it rests on, and the overdue list."""
    with opened(request.app.state.settings) as book:
        view = _view(book, as_of, at_seq)
        board = dashboard(view.state, as_of=view.as_of, panel=panel)
        digest = _entry_hash(book, board.seq).hex() if board.seq >= 0 else None
    return models.Dashboard(
        as_of=board.as_of,
        seq=board.seq,
        hash=digest,
        counts=[models.CountLine.of(count) for count in board.counts],
        overdue=[models.LateReview.of(line) for line in board.overdue],
    )


def _view(
    book: Ledger,
    as_of: date | None,
    at_seq: int | None,
    *,
    only: Key | None = None,
    panel: int | None = None,
) -> View:
    today = datetime.now(UTC).date()
    return view_at(book, as_of=as_of, at_seq=at_seq, today=today, only=only, panel=panel)


def _entry_hash(book: Ledger, seq: int) -> bytes:
    return book.recorder.read_entries(start=seq, limit=1)[0].hash


# --- checkpoints and proofs ----------------------------------------------------------------------

SignedNote = raw("text/plain", "The signed note (C2SP tlog-checkpoint), as issued.")


@router.get("/checkpoint", tags=["proofs"], response_class=Response, responses=SignedNote)
def checkpoint(request: Request) -> Response:
    """The latest signed checkpoint, exactly as issued, with any witness cosignatures."""
    with opened(request.app.state.settings) as book:
        return _note(_latest(book))


@router.get("/checkpoints/{size}", tags=["proofs"], response_class=Response, responses=SignedNote)
def checkpoint_of_size(request: Request, size: Annotated[int, Path(ge=0, le=MAX_INT)]) -> Response:
    """The checkpoint issued at tree size ``size``, exactly as issued."""
    with opened(request.app.state.settings) as book:
        return _note(_issued(book, size))


@router.get(
    "/proofs/consistency",
    tags=["proofs"],
    response_model=models.ConsistencyProof,
    responses={400: {"model": models.Problem, "description": "new is before old."}, **NotFound},
)
def consistency(
    request: Request,
    old: Annotated[int, Query(ge=0, le=MAX_INT, description="The earlier checkpoint's size.")],
    new: Annotated[
        int | None,
        Query(ge=0, le=MAX_INT, description="The later checkpoint's size (default: latest)."),
    ] = None,
) -> Response:
    """The proof that the ledger of checkpoint ``new`` extends the ledger of checkpoint
    ``old``, with both signed checkpoints: ``assembly verify-proof`` checks it offline."""
    with opened(request.app.state.settings) as book:
        older = _issued(book, old)
        newer = _issued(book, new) if new is not None else _latest(book)
        if newer.size < older.size:
            raise HTTPException(
                400, f"The new checkpoint ({newer.size}) is smaller than the old one ({old})."
            )
        try:
            hashes = prove_consistency(book.recorder, older.size, newer.size)
        except EmptyOldTree:
            hashes = []  # every tree extends the empty one
    document = format_consistency(Consistency(older.note, newer.note, hashes))
    return Response(document, media_type="application/json")


@router.get(
    "/proofs/{seq}",
    tags=["proofs"],
    response_class=Response,
    responses=raw("text/plain", "The receipt (C2SP tlog-proof), for assembly verify-proof."),
)
def inclusion(
    request: Request,
    seq: Annotated[int, Path(ge=0, le=MAX_INT, description="The entry's seq.")],
    size: Annotated[
        int | None,
        Query(
            ge=0, le=MAX_INT, description="Against the checkpoint of this size (default: latest)."
        ),
    ] = None,
) -> Response:
    """The inclusion receipt of entry ``seq``: its bytes, the proof and the signed checkpoint,
    checked offline with the log's verifier key alone."""
    with opened(request.app.state.settings) as book:
        issued = _issued(book, size) if size is not None else _latest(book)
        if seq >= issued.size:
            held = book.count()
            if seq >= held:
                raise HTTPException(404, f"The ledger holds no entry {seq} ({held} entries).")
            raise HTTPException(
                404,
                f"Entry {seq} is not covered by a checkpoint yet: the checkpoint of "
                f"{issued.size} entries ends before it.",
            )
        data = book.recorder.read_entries(start=seq, limit=1)[0].canonical_bytes()
        proof = prove_inclusion(book.recorder, seq, issued.size)
    receipt = format_inclusion(Inclusion(seq, data, proof, issued.note))
    return PlainTextResponse(
        receipt,
        headers={"Content-Disposition": f'attachment; filename="entry-{seq}.tlog-proof"'},
    )


def _latest(book: Ledger) -> Issued:
    issued = latest_checkpoint(book.recorder)
    if issued is None:
        raise HTTPException(404, NO_CHECKPOINT)
    return issued


def _issued(book: Ledger, size: int) -> Issued:
    try:
        return checkpoint_at(book.recorder, size)
    except NoCheckpoint as error:
        raise HTTPException(404, error.sentence()) from None


def _note(issued: Issued) -> Response:
    return PlainTextResponse(issued.note, headers={"Cache-Control": "no-cache"})


# --- tlog-tiles ----------------------------------------------------------------------------------

_INDEX = re.compile(r"((?:x[0-9]{3}/)*)([0-9]{3})(?:\.p/([0-9]{1,3}))?")
Binary = raw("application/octet-stream", "The tile's bytes (c2sp.org/tlog-tiles).")


@router.get(f"/tiles/{CHECKPOINT}", tags=["tiles"], response_class=Response, responses=SignedNote)
def tiles_checkpoint(request: Request) -> Response:
    """The checkpoint the tiles are served at: the latest, as issued."""
    return checkpoint(request)


@router.get(
    "/tiles/tile/entries/{index:path}",
    tags=["tiles"],
    response_class=Response,
    responses=Binary,
)
def entry_bundle(request: Request, index: str) -> Response:
    """An entry bundle, ``tile/entries/<N>[.p/<W>]``: the entries of level 0 tile N, each after
    its length (big-endian uint16)."""
    number, width = _tile_index(index, "tile/entries/", bundle_path)
    with opened(request.app.state.settings) as book:
        issued = _latest(book)
        _check_width(issued, 0, number, width, bundle_path(number, width))
        hashes = stored_tile(book.recorder, Tile(0, number, width), issued.size)
        entries = checked_entries(book.recorder, number * TILE_WIDTH, hashes)
    return OctetStream(encode_bundle(entries), headers={"Cache-Control": IMMUTABLE})


@router.get(
    "/tiles/tile/{level}/{index:path}", tags=["tiles"], response_class=Response, responses=Binary
)
def hash_tile(request: Request, level: Annotated[int, Path(ge=0, le=63)], index: str) -> Response:
    """A hash tile, ``tile/<L>/<N>[.p/<W>]``: W hashes of the tree's level 8L, from 256N."""
    number, width = _tile_index(index, f"tile/{level}/", lambda n, w: tile_path(level, n, w))
    with opened(request.app.state.settings) as book:
        issued = _latest(book)
        _check_width(issued, level, number, width, tile_path(level, number, width))
        hashes = stored_tile(book.recorder, Tile(level, number, width), issued.size)
    return OctetStream(b"".join(hashes), headers={"Cache-Control": IMMUTABLE})


def _tile_index(text: str, prefix: str, path_of: Callable[[int, int], str]) -> tuple[int, int]:
    """The tile number and width a path names, if it is written as tlog-tiles writes it."""
    found = _INDEX.fullmatch(text)
    if found is not None:
        number = int(found.group(1).replace("x", "").replace("/", "") + found.group(2))
        width = int(found.group(3)) if found.group(3) else TILE_WIDTH
        if 1 <= width <= TILE_WIDTH and path_of(number, width) == prefix + text:
            return number, width
    raise HTTPException(404, f"{prefix}{text} is not a tile path of c2sp.org/tlog-tiles.")


def _check_width(issued: Issued, level: int, number: int, width: int, path: str) -> None:
    """Refuse a tile the tree at the latest checkpoint does not hold at that width."""
    if width > tile_width(issued.size, level, number):
        raise HTTPException(
            404, f"The tree of {issued.size} entries at the latest checkpoint has no {path}."
        )


# --- the feed ------------------------------------------------------------------------------------


@router.get(
    "/feed.atom",
    tags=["feed"],
    response_class=Response,
    responses=raw(feed.MEDIA_TYPE, "An Atom feed (RFC 4287).", missing=False),
)
def atom_feed(request: Request) -> Response:
    """The government's newest answers and the commission's newest verdicts (at most 50),
    newest first, each linked to its recommendation's page."""
    base = str(request.base_url).rstrip("/")
    with opened(request.app.state.settings) as book:
        view = _view(book, None, None)
        items = [
            feed.item(
                view,
                found,
                entry_hash=_entry_hash(book, found.said.change.seq),
                link=f"{base}/recommendations/{found.rec.panel}/{found.rec.number}",
            )
            for found in feed.newest(view)
        ]
        last = book.recorder.read_entries(start=max(0, book.count() - 1), limit=1)
    updated = items[0].updated if items else _stamp(last[0].recorded_at if last else None)
    here = str(request.url.replace(query=""))
    document = feed.atom(items, feed_id=here, self_url=here, updated=updated)
    return AtomResponse(document)


def _stamp(recorded_at: str | None) -> datetime:
    return parse_time(recorded_at) if recorded_at else datetime(1970, 1, 1, tzinfo=UTC)
