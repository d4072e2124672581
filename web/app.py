"""The FastAPI application: the pages, the JSON API and signed submissions, on one ledger."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from web import api, pages, proofs, submissions
from web.context import RETRY_AFTER, Busy, Settings


def create_app(ledger: str, *, past_reads: int = 2) -> FastAPI:
    """The web application serving the ledger at ``ledger`` (a SQLite path or a database URL),
    reading it at ``past_reads`` points in the past at most at once."""
    app = FastAPI(
        title="Citizens' assembly accountability ledger",
        description="Where every recommendation stands, and the proofs to check it.",
        version="1",
    )
    app.state.settings = Settings(ledger, past_reads=past_reads)

    @app.exception_handler(Busy)
    def busy(request: Request, problem: Busy) -> JSONResponse:
        """A read at a past point that found no free turn (pages show their own error page)."""
        headers = {"Retry-After": str(RETRY_AFTER)}
        return JSONResponse({"detail": Busy.SENTENCE}, status_code=503, headers=headers)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        """A trivial endpoint: the ceiling the benchmarks compare pages with."""
        return {"status": "ok"}

    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(proofs.router)
    app.include_router(submissions.router)
    return app
