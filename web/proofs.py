"""The log's checkpoints, proofs and tiles over HTTP (issue 6 item 3): the same bytes
``assembly checkpoint``, ``prove`` and ``export tiles`` write, read from the stored tree."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from fastapi.responses import PlainTextResponse

from ledger import Ledger
from ledger.tiles import checked_entries, stored_tile
from ledger.tree import (
    Issued,
    NoCheckpoint,
    checkpoint_at,
    cosigned_sizes,
    latest_checkpoint,
    prove_consistency,
    prove_inclusion,
)
from tlog.merkle import EmptyOldTree
from tlog.receipt import Consistency, Inclusion, format_consistency, format_inclusion
from tlog.tiles import (
    CHECKPOINT,
    TILE_WIDTH,
    Tile,
    bundle_path,
    encode_bundle,
    tile_path,
    tile_width,
)
from tlog.witnessing import Policy, cosigners, quorum_met
from web import models
from web.context import opened
from web.http import MAX_INT, NotFound, OctetStream, raw
from web.monitor import witnesses_of

router = APIRouter(prefix="/api")

NO_CHECKPOINT = "No checkpoint was issued yet: the log operator signs one with assembly checkpoint."
IMMUTABLE = "public, max-age=31536000, immutable"  # a tile at a given width never changes


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
    """The checkpoint the tiles are served at, as issued with its cosignatures: the latest; when
    the server has a witness policy, the latest its quorum cosigned (the latest while none is)."""
    policy = witnesses_of(request)
    with opened(request.app.state.settings) as book:
        return _note(_latest(book) if policy is None else _witnessed(book, policy))


def _witnessed(book: Ledger, policy: Policy) -> Issued:
    """The latest checkpoint whose cosignatures meet the policy's quorum, else the latest. Only
    checkpoints with at least the quorum's number of cosignatures kept are looked at, newest
    first, however old (a log whose witnesses were away for a while still serves the last one
    they cosigned)."""
    for size in cosigned_sizes(book.recorder, at_least=policy.quorum):
        issued = checkpoint_at(book.recorder, size)
        if quorum_met(policy, cosigners(issued.note, policy)):
            return issued
    return _latest(book)


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
