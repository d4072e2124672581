"""``assembly serve``: the public web page and JSON API on this ledger (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.options import DEFAULT_LEDGER, LedgerOption


def register(app: typer.Typer) -> None:
    app.command("serve", rich_help_panel="Read")(serve)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Serve the status board, the recommendation pages, the verification page and the JSON
    API (OpenAPI at /docs) for this ledger, until interrupted.

    Example: assembly serve --port 8000 ; then open http://127.0.0.1:8000/
    """
    import uvicorn

    from web import create_app

    uvicorn.run(create_app(ledger), host=host, port=port, log_level="info")
