"""The offices' desk (issue 17): a form for each write step, signed in the office's browser.

``GET /desk`` is the page (French, Dutch, English; ``?lang=``), each form showing its rules
before it is sent: the justification each position or status needs, from the charter, as a
live counter, and the due dates of the recommendation chosen. Its scripts
(``web/static/desk/``) open the office's key file in the page, ask ``POST
/api/desk/prepare`` (``web.desk_prepare``) for the exact bytes to sign, show them in plain
words, sign them with WebCrypto's Ed25519 and post them to ``/api/submissions``. The private key
never leaves the page: it is held in a variable, never sent, never stored. A spreadsheet of
many rows goes through ``POST /api/desk/bulk/prepare`` (``web.desk_bulk``) instead: every row
checked, then every event signed at once and posted as one submission.

The scripts are served from the package with Subresource Integrity: each ``<script>`` names
the SHA-384 of the file's bytes, computed once when first asked, so a script changed on the way
(or on the server after start) does not run. The desk alone has a policy that lets scripts run,
and only the server's own (``script-src 'self'``: no inline script, no other origin); the
public pages keep theirs (``web.security``), which allows none.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from domain.charter import ASSEMBLY, Assembly, Chartered
from domain.government import Implementation, Verdict
from domain.process import Session
from domain.responses import Position
from ledger import Ledger
from projections.board import ordered
from projections.view import view_at
from sheets.kinds import KINDS, Kind
from web.admission import _Reader
from web.asked import Asked
from web.context import Settings, opened
from web.desk_bulk import (
    KIND_TYPES,
    KIND_WORDS,
    MAX_BULK_BYTES,
    BulkChecked,
    check_upload,
    kind_named,
)
from web.desk_charter import ROLE_WORDS, LedgerStep
from web.desk_prepare import Prepared, Refusal, prepare, step_named
from web.desk_steps import DeskStep
from web.envelope import check_json_type, read_body
from web.i18n import choose, format_day, localized
from web.pages import page_html

router = APIRouter()
SCRIPTS_DIR = Path(__file__).parent / "static" / "desk"
SCRIPTS = ("der.js", "key.js", "desk.js")  # in the order the page runs them
MAX_PREPARE_BYTES = 128 * 1024
POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)


@cache
def scripts() -> dict[str, bytes]:
    """The desk's scripts as the package holds them, read once."""
    return {name: (SCRIPTS_DIR / name).read_bytes() for name in SCRIPTS}


def integrity(data: bytes) -> str:
    """The Subresource Integrity of ``data`` (SHA-384, as browsers check it)."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def script_tags() -> Markup:
    """The page's script elements, each pinned to its file's bytes."""
    return Markup("\n").join(
        Markup('<script src="/desk/static/{}" integrity="{}" defer></script>').format(
            name, integrity(data)
        )
        for name, data in scripts().items()
    )


def served_scripts() -> dict[str, bytes]:
    """The bytes each script is served with (a dependency: a test serves changed ones)."""
    return scripts()


@router.get("/desk/static/{name}", include_in_schema=False)
def script(name: str, served: Annotated[dict[str, bytes], Depends(served_scripts)]) -> Response:
    """One of the desk's scripts."""
    if name not in served:
        raise HTTPException(404, detail=f"The desk has no script {name[:40]!r}.")
    return Response(served[name], media_type="text/javascript")


def desk(request: Request) -> HTMLResponse:
    """The desk's page, in the language asked.

    A plain route rather than an API route: it is the one page whose policy lets scripts run
    (its own), where every API route's answer keeps the public policy (``web.security``)."""
    lang = choose(request.query_params.get("lang"), request.headers.get("accept-language"))
    asked = Asked(lang, request.url.path, {"lang": lang})
    with opened(request.app.state.settings) as book:
        data = desk_data(book, lang)
    public_url = request.app.state.settings.public_url
    page = page_html("desk.html", asked, public_url=public_url, scripts=script_tags(), **data)
    headers = {"Content-Security-Policy": POLICY, "Cache-Control": "no-store"}
    return HTMLResponse(page, headers=headers)


router.add_route("/desk", desk, methods=["GET"], include_in_schema=False)


def desk_data(book: Ledger, lang: str) -> dict[str, Any]:
    """What the forms show: the charter's rules and each recommendation with its due dates."""
    # Before a charter every step is refused ("no charter yet"); the forms show the defaults.
    found = Session(_Reader(book, "")).get(Assembly, ASSEMBLY).charter
    charter = found or Chartered(name="-", region="-", languages=(lang,))
    view = view_at(book, today=datetime.now(UTC).date())
    recommendations = []
    for rec in ordered(view.state):
        title, _ = localized(rec.title, lang)
        dues = [
            {"review": d.review, "due": d.due.isoformat(), "shown": format_day(lang, d.due)}
            for d in view.deadlines(rec)
        ]
        recommendations.append(
            {
                "ref": f"{rec.panel}/{rec.number}",
                "title": title,
                "portfolio": rec.portfolio,
                "position": rec.position,
                "handed_over": rec.handed_over,
                "dues": dues,
                "dues_json": json.dumps(dues),
            }
        )
    minimums = charter.minimums()
    return {
        "recommendations": recommendations,
        "minimums": minimums,
        "minimums_json": json.dumps(minimums, sort_keys=True),
        "charter_languages": charter.languages,
        "reviews": range(1, charter.reviews + 1),
        "positions": [p.value for p in Position if p is not Position.POSTPONED],
        "statuses": [s.value for s in Implementation],
        "verdicts": [v.value for v in Verdict],
        "roles": [(role, ROLE_WORDS.get(role, role)) for role in book.policy.roles],
        "kinds": list(KINDS),
        "kind_words": KIND_WORDS,
        "kind_types": KIND_TYPES,
        "max_bulk_kib": MAX_BULK_BYTES // 1024,
    }


class _PrepareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    step: str = Field(max_length=40)
    fields: dict[str, str | None]
    key: str = Field(max_length=100)
    lang: str | None = None


@router.post("/api/desk/prepare", tags=["desk"])
async def prepare_route(request: Request) -> JSONResponse:
    """The exact bytes an office signs for one step, and what they say; nothing is written.
    Refusals are ``{"detail": sentence, "field": name or null}``."""
    check_json_type(request)
    raw = await read_body(
        request, limit=MAX_PREPARE_BYTES, too_large=HTTPException(413, detail="Too large.")
    )
    try:
        asked = _PrepareIn.model_validate_json(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "request"
        problem = Refusal(400, f"The request is not of the expected form ({where}).")
        return JSONResponse(problem.as_json(), status_code=400)
    lang = choose(asked.lang, request.headers.get("accept-language"))
    fields = {name: value for name, value in asked.fields.items() if value is not None}
    settings = request.app.state.settings
    try:
        step = step_named(asked.step)
        prepared = await run_in_threadpool(_prepare, settings, step, fields, asked.key, lang)
    except Refusal as refusal:
        return JSONResponse(refusal.as_json(), status_code=refusal.status)
    return JSONResponse({"events": [each.as_json() for each in prepared]})


def _prepare(
    settings: Settings, step: DeskStep | LedgerStep, fields: dict[str, str], key: str, lang: str
) -> list[Prepared]:
    with opened(settings) as book:
        return prepare(book, step, fields, key, lang=lang)


@router.post("/api/desk/bulk/prepare", tags=["desk"])
async def bulk_prepare_route(
    request: Request, kind: str, key: str, name: str = "file.csv", lang: str | None = None
) -> JSONResponse:
    """Every row of a spreadsheet (the request's body, CSV or .xlsx by ``name``) checked as
    ``assembly import KIND FILE --dry-run`` checks it: its bad rows (422, ``problems``), or
    the exact bytes of every event to sign (``events``). Nothing is written."""
    too_large = HTTPException(
        413,
        detail=f"The file is larger than {MAX_BULK_BYTES // 1024} KiB: split it into smaller "
        "files and send each.",
    )
    data = await read_body(request, limit=MAX_BULK_BYTES, too_large=too_large)
    chosen = choose(lang, request.headers.get("accept-language"))
    settings = request.app.state.settings
    try:
        found = kind_named(kind)
        checked = await run_in_threadpool(_check_upload, settings, found, data, name, key, chosen)
    except Refusal as refusal:
        return JSONResponse(refusal.as_json(), status_code=refusal.status)
    status = 422 if checked.problems else 200
    return JSONResponse(checked.as_json(), status_code=status)


def _check_upload(
    settings: Settings, kind: Kind, data: bytes, name: str, key: str, lang: str
) -> BulkChecked:
    with opened(settings, brief=False) as book:  # every row of a spreadsheet
        return check_upload(book, kind, data, name, key, lang=lang)
