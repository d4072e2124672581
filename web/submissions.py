"""Signed submissions: offices write to a shared server with their own keys, no passwords.

The protocol (issue 6, item 4). A client reads the server's state through the GET routes below,
runs a domain step against it, signs the events the step decides with its own Ed25519 key, and
POSTs them (at most ``MAX_SUBMISSION_BYTES``) to ``/api/submissions``::

    {"batches": [{"stream": "<uuid>", "expected_version": 2,
                  "events": [{"body": "<base64>", "sig": "<base64>"}]}]}

``body`` is the event's canonical body (``ledger.entry``) and ``sig`` the signature over it.
The server trusts nothing in a request but its signatures, and writes nothing unless every
check passes, in this order: the envelope is sent as JSON (415), arrives whole within a time
limit (408) and the size limit (413), names no key twice and has the form above (400)
(``web.envelope``); every event is signed by one enrolled key (403: a cheap check, so that
forged junk never reaches the domain, ``web.admission``); the event is not already in the
ledger (a replay, 409) and its stream is at the expected version (409); the domain step that
decides each event type is replayed against the server's own state (``web.steps``), so the
domain's rules answer exactly as they do for a local command (422), and what it decides must
be, field for field, what was signed (422); a draw's step replays every rule it can without the
draw's published files, which ``assembly draw verify`` checks. Then ``Ledger.append`` checks
every signature again, the signer's enrolment, validity and role (403) and the stream versions
again, in the one
transaction that writes every stream of the submission (``Ledger.append_batches``): a bulk
import of answers to many recommendations is written whole or not at all. With
``?dry_run=true`` every check runs and the transaction is rolled back: 200 with nothing
written. Every refusal is ``{"detail": "<one sentence>"}``; success is 201 with the
entries written, after which the projections are caught up.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi import Path as FastPath
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from domain.errors import RuleBroken
from domain.events import first_problem
from ledger import Entry, SignedEvent
from ledger.canonical import format_time
from ledger.errors import (
    InvalidEvent,
    LedgerError,
)
from projections import catch_up
from web.admission import SignedBatch, admit, status_for
from web.context import Settings, opened
from web.envelope import DuplicateKey, check_json_type, check_unique_keys, read_body
from web.http import MAX_INT, PLAIN_TEXT
from web.models import Problem

MAX_SUBMISSION_BYTES = 1024 * 1024

router = APIRouter(prefix="/api/submissions", tags=["submissions"])


class _SignedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str
    sig: str


class _BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stream: uuid.UUID
    expected_version: int = Field(ge=0, le=MAX_INT)
    events: list[_SignedIn] = Field(min_length=1)


class _SubmissionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    batches: list[_BatchIn] = Field(min_length=1)


@router.get("")
def describe(request: Request) -> dict[str, Any]:
    """What a client needs before it signs: the ledger's identity (every signature names it),
    the server's clock (events may not be dated after it), the size limit, and the role of
    every enrolled key."""
    with opened(_settings(request)) as book:
        return {
            "ledger": book.identity(),
            "now": format_time(book.clock()),
            "max_bytes": MAX_SUBMISSION_BYTES,
            "signers": {record.key_id: record.role for record in book.signers()},
        }


@router.get("/streams/{stream}")
def stream_entries(stream: uuid.UUID, request: Request) -> dict[str, Any]:
    """One stream's entries in version order, as stored (what a domain step loads)."""
    with opened(_settings(request)) as book:
        return {"entries": [entry_json(entry) for entry in book.stream(stream)]}


@router.get("/types/{type_name}")
def type_entries(
    type_name: Annotated[
        str, FastPath(max_length=100, pattern=PLAIN_TEXT, description="The event type.")
    ],
    request: Request,
) -> dict[str, Any]:
    """Every entry of one event type, in ledger order."""
    with opened(_settings(request)) as book:
        return {"entries": [entry_json(entry) for entry in book.recorder.read_types(type_name)]}


def _refused(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The refusals a route may answer with, each a one-sentence ``Problem``, for OpenAPI."""
    return {
        status: {"model": Problem, "description": "Refused, in one sentence."}
        for status in statuses
    }


@router.get("/entries/{seq}", responses=_refused(404))
def one_entry(
    seq: Annotated[int, FastPath(ge=0, le=MAX_INT, description="The entry's seq.")],
    request: Request,
) -> dict[str, Any]:
    """The entry at ``seq``."""
    with opened(_settings(request)) as book:
        found = book.recorder.read_entries(start=seq, limit=1)
    if not found or found[0].seq != seq:
        raise HTTPException(404, detail=f"The ledger has no entry {seq}.")
    return entry_json(found[0])


@router.post(
    "",
    status_code=201,
    responses={
        200: {"description": "A dry run: every check passed, nothing was written."},
        **_refused(400, 403, 408, 409, 413, 415, 422),
    },
    openapi_extra={
        "parameters": [
            {
                "name": "dry_run",
                "in": "query",
                "required": False,
                "schema": {"type": "string", "enum": ["true", "false"]},
                "description": "true: run every check and write nothing (200 when all pass).",
            }
        ]
    },
)
async def submit(request: Request, response: Response) -> dict[str, Any]:
    """Append signed events after every check a local append makes; see the module docstring."""
    # Read by hand, not as a FastAPI parameter, so that a bad value is refused like every
    # other part of a submission: 400 with one sentence.
    flag = request.query_params.get("dry_run", "false")
    if flag not in ("true", "false"):
        raise _malformed(f"dry_run is true or false, not {flag[:20]!r}.")
    check_json_type(request)
    raw = await read_body(request, limit=MAX_SUBMISSION_BYTES, too_large=_too_large())
    # The ledger and the domain block on the database: keep them off the event loop.
    dry_run = flag == "true"
    written = await run_in_threadpool(_submit, _settings(request), raw, dry_run=dry_run)
    if dry_run:
        response.status_code = 200
    return written


def entry_json(entry: Entry) -> dict[str, Any]:
    """An entry as JSON: every field its hash covers, so a client can recompute it."""
    return {
        "seq": entry.seq,
        "prev": entry.prev.hex(),
        "body": base64.b64encode(entry.body).decode("ascii"),
        "sig": base64.b64encode(entry.sig).decode("ascii"),
        "recorded_at": entry.recorded_at,
        "hash": entry.hash.hex(),
    }


def _settings(request: Request) -> Settings:
    settings = request.app.state.settings
    if not isinstance(settings, Settings):
        raise AssertionError("create_app sets the settings")
    return settings


def _too_large() -> HTTPException:
    return HTTPException(
        413,
        detail=f"The submission is larger than {MAX_SUBMISSION_BYTES // 1024} KiB; an entry "
        "stays under 64 KiB, so submit fewer events at a time.",
    )


def _submit(settings: Settings, raw: bytes, *, dry_run: bool) -> dict[str, Any]:
    batches = parse_submission(raw)
    with opened(settings, brief=False) as book:  # it writes, and catches the read models up
        try:
            written = admit(book, batches, dry_run=dry_run)
        except (LedgerError, RuleBroken) as error:
            raise HTTPException(status_for(error), detail=error.sentence()) from None
        if written:
            catch_up(book)  # the read models answer for what was just written
    return {
        "written": [
            {
                "seq": entry.seq,
                "type": entry.event["type"],
                "prev": entry.prev.hex(),
                "recorded_at": entry.recorded_at,
                "hash": entry.hash.hex(),
            }
            for entry in written
        ]
    }


def parse_submission(raw: bytes) -> list[SignedBatch]:
    """Read a submission's JSON into signed events; a malformed one is a 400."""
    try:
        check_unique_keys(raw)
    except DuplicateKey as duplicated:
        raise _malformed(duplicated.sentence()) from None
    try:
        submission = _SubmissionIn.model_validate_json(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        if error["type"] == "json_invalid":
            reason = str(error["msg"]).removeprefix("Invalid JSON: ")
            raise _malformed(f"The submission is not JSON: {reason}.") from None
        problem = first_problem(exc, whole="submission")
        raise _malformed(f"The submission is not of the expected form: {problem}.") from None
    streams = [batch.stream for batch in submission.batches]
    if len(set(streams)) != len(streams):
        twice = next(stream for stream in streams if streams.count(stream) > 1)
        raise _malformed(
            f"The submission names stream {twice} twice: give a stream's events in one batch."
        )
    try:
        return [
            (
                batch.stream,
                batch.expected_version,
                [SignedEvent.from_parts(_base64(e.body), _base64(e.sig)) for e in batch.events],
            )
            for batch in submission.batches
        ]
    except (InvalidEvent, binascii.Error) as exc:
        reason = exc.sentence() if isinstance(exc, InvalidEvent) else "bad base64."
        raise _malformed(f"A submitted event cannot be read: {reason}") from None


def _base64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _malformed(sentence: str) -> HTTPException:
    return HTTPException(400, detail=sentence)
