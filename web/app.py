"""The FastAPI application: the pages, the JSON API and signed submissions, on one ledger."""

from __future__ import annotations

from fastapi import FastAPI

from web import api, pages, proofs, submissions
from web.context import Settings


def create_app(ledger: str) -> FastAPI:
    """The web application serving the ledger at ``ledger`` (a SQLite path or a database URL)."""
    app = FastAPI(
        title="Citizens' assembly accountability ledger",
        description="Where every recommendation stands, and the proofs to check it.",
        version="1",
    )
    app.state.settings = Settings(ledger)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        """A trivial endpoint: the ceiling the benchmarks compare pages with."""
        return {"status": "ok"}

    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(proofs.router)
    app.include_router(submissions.router)
    return app
