"""``assembly serve``: the public web page and JSON API on this ledger (uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import open_ledger
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.projection_commands import bring_up_to_date
from cli.render import stderr


def register(app: typer.Typer) -> None:
    app.command("serve", rich_help_panel="Read")(serve)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    past_reads: Annotated[
        int,
        typer.Option(
            min=1,
            help="Reads of the ledger at a point in the past served at once (each folds the "
            "ledger in memory; more wait, then get a 503 to retry).",
        ),
    ] = 2,
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Serve the status board, the recommendation pages, the verification page and the JSON
    API (OpenAPI at /docs) for this ledger, until interrupted. The read models are brought up
    to date first (all of them after an upgrade that changes their format, with a progress
    bar), so that no reader waits for that.

    Example: assembly serve --port 8000 ; then open http://127.0.0.1:8000/
    """
    import uvicorn

    from web import create_app

    book = open_ledger(ledger)
    try:
        applied = bring_up_to_date(book)
    finally:
        book.close()
    if applied:
        stderr.print(f"Applied {applied} entries to the read models.")
    app = create_app(ledger, past_reads=past_reads)
    uvicorn.run(app, host=host, port=port, log_level="info")
