"""The FastAPI application: the pages, the JSON API and signed submissions, on one ledger."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from tlog.witnessing import parse_policy
from web import api, desk, docs, downloads, monitor, pages, press_pages, proofs, submissions
from web.caching import Caching
from web.context import DEFAULT_PUBLIC_URL, RETRY_AFTER, Busy, Settings, public_url_of
from web.keeper import Keeper
from web.security import SecurityHeaders, headers_for, served_hosts

COMPRESSED_FROM = 1024  # bytes: a smaller answer gains less than compressing it costs
GZIP_LEVEL = 6  # zlib's own default: 9 costs more time per page for a few bytes
READ_ONLY = "ASSEMBLY_READ_ONLY"  # set (1, true, yes): the server writes nothing at all


def read_only_from_environment() -> bool:
    """Whether ``ASSEMBLY_READ_ONLY`` asks the server to write nothing."""
    return os.environ.get(READ_ONLY, "").strip().lower() in ("1", "true", "yes")


def create_app(
    ledger: str,
    *,
    past_reads: int = 2,
    public_url: str = DEFAULT_PUBLIC_URL,
    listening: str | None = None,
    api_docs: bool = False,
    read_only: bool | None = None,
    witnesses: str | None = None,
) -> FastAPI:
    """The web application serving the ledger at ``ledger`` (a SQLite path or a database URL),
    reading it at ``past_reads`` points in the past at most at once.

    Absolute links start with ``public_url`` (``NotAPublicUrl`` if it is not an http(s) URL);
    only requests naming its host or the ``listening`` address are answered.
    ``api_docs`` serves the interactive API documentation at /docs (``web.docs``);
    /openapi.json is served either way.

    Requests never write to the read models. While the server runs, unless ``read_only``
    (default: ``ASSEMBLY_READ_ONLY``), a thread of its own keeps them up to date, and builds a
    new format beside the old one after an upgrade (``web.keeper``): the server listens
    throughout.

    ``witnesses`` is a witness policy's text (``tlog.witnessing``, ``PolicyError`` if it
    cannot be used): ``/verify`` names its witnesses and quorum, the readers' browsers require
    that quorum of cosignatures, and the tiles are served at the latest checkpoint it met
    (``web.monitor``, ``web.proofs``).
    """
    base = public_url_of(public_url)
    settings = Settings(ledger, past_reads=past_reads, public_url=base)

    writes = not (read_only_from_environment() if read_only is None else read_only)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """The read models kept up to date while the server runs (unless it writes nothing);
        the process's connections to the ledger closed when it stops."""
        keeper = Keeper(settings) if writes else None
        if keeper is not None:
            keeper.start()
        try:
            yield
        finally:
            if keeper is not None:
                keeper.stop()
            settings.close()

    app = FastAPI(
        title="Citizens' assembly accountability ledger",
        description="Where every recommendation stands, and the proofs to check it.",
        version="1",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.witnesses = parse_policy(witnesses, where="--witnesses") if witnesses else None
    secured = headers_for(base)

    @app.exception_handler(Busy)
    def busy(request: Request, problem: Busy) -> JSONResponse:
        """A read at a past point that found no free turn (pages show their own error page)."""
        headers = {"Retry-After": str(RETRY_AFTER)}
        return JSONResponse({"detail": Busy.SENTENCE}, status_code=503, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def refused(request: Request, error: StarletteHTTPException) -> Response:
        """A path that names no page is an HTML page for readers; the API answers JSON."""
        if error.status_code == 404 and not request.url.path.startswith("/api/"):
            return pages.no_page(request)
        return await http_exception_handler(request, error)

    @app.exception_handler(Exception)
    def failed(request: Request, error: Exception) -> PlainTextResponse:
        """A bug of ours: answered outside every middleware, so it carries the headers itself."""
        return PlainTextResponse("Internal Server Error", status_code=500, headers=secured)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        """A trivial endpoint: the ceiling the benchmarks compare pages with."""
        return {"status": "ok"}

    if api_docs:
        app.include_router(docs.router)
    app.include_router(pages.router)
    app.include_router(press_pages.router)
    app.include_router(downloads.router)
    app.include_router(api.router)
    app.include_router(proofs.router)
    app.include_router(submissions.router)
    app.include_router(desk.router)
    app.include_router(monitor.router)
    app.add_middleware(GZipMiddleware, minimum_size=COMPRESSED_FROM, compresslevel=GZIP_LEVEL)
    # outside compression: it keeps its bytes; the policy is part of what answers depend on
    app.add_middleware(Caching, settings=settings, served_with=witnesses or "")
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=served_hosts(base, listening))
    app.add_middleware(SecurityHeaders, headers=secured)  # outside: it sees every refusal
    return app
