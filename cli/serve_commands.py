"""``assembly serve``: the public web page and JSON API on this ledger (uvicorn)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.context import open_ledger
from cli.errors import UsageProblem
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.projection_commands import bring_up_to_date
from cli.render import stderr

IDLE_SECONDS = 5  # a kept-alive connection that sends nothing for this long is closed
LARGEST_HEAD = 16 * 1024  # bytes of a request's line and headers


def register(app: typer.Typer) -> None:
    app.command("serve", rich_help_panel="Read")(serve)


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    public_url: Annotated[
        str | None,
        typer.Option(
            help="The URL readers reach the server at (https://... behind a TLS proxy): "
            "absolute links start with it, only its host and the listening address are "
            "answered, and with https browsers are told to use TLS only. "
            "Default: http://HOST:PORT.",
        ),
    ] = None,
    api_docs: Annotated[
        bool,
        typer.Option(
            help="Also serve the interactive API documentation at /docs (Swagger UI, loaded "
            "from a public CDN). /openapi.json is served either way."
        ),
    ] = False,
    past_reads: Annotated[
        int,
        typer.Option(
            min=1,
            help="Reads of the ledger at a point in the past served at once (each folds the "
            "ledger in memory; more wait, then get a 503 to retry).",
        ),
    ] = 2,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes (uvicorn workers), each with its own connections: one per "
            "core serves more readers at once.",
        ),
    ] = 1,
    read_only: Annotated[
        bool,
        typer.Option(
            "--read-only",
            help="Write nothing at all (as ASSEMBLY_READ_ONLY=1 does): the read models are "
            "neither brought up to date first nor kept so while serving; when they are behind, "
            "each read folds the missing entries in memory. For a read-only role or a replica.",
        ),
    ] = False,
    witnesses: Annotated[
        Path | None,
        typer.Option(
            metavar="POLICY",
            help="The witness policy the log's checkpoints are cosigned under (the file "
            "assembly checkpoint --witnesses reads): /verify names its witnesses and quorum, "
            "readers' browsers require that quorum of valid cosignatures, and the tiles are "
            "served at the latest checkpoint that met it, however old (the latest while none has).",
        ),
    ] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Serve the status board, the recommendation pages, the verification page and the JSON
    API (its schema at /openapi.json) for this ledger, until interrupted. The read models are
    brought up to date first (all of them after an upgrade that changes their format, with a
    progress bar), so that no reader waits for that.

    Example: assembly serve --port 8000 ; then open http://127.0.0.1:8000/
    In production: assembly serve --workers 2 (one per core) behind a TLS proxy.
    """
    import uvicorn

    from cli.witnessing import read_policy
    from web.app import read_only_from_environment
    from web.context import NotAPublicUrl, public_url_of
    from web.protocol import TimedHeads
    from web.security import WILDCARDS
    from web.serving import FACTORY, SETTINGS, kept_app, settings_json

    if public_url is None and host in WILDCARDS:
        raise UsageProblem(
            f"Listening on every address ({host or 'no host'}) names no host for links: give "
            "--public-url, the URL readers reach the server at."
        )
    served = public_url or f"http://{f'[{host}]' if ':' in host else host}:{port}"
    try:
        public_url_of(served)  # before the read models are brought up to date
    except NotAPublicUrl as error:
        raise UsageProblem(error.sentence()) from None
    policy = None
    if witnesses is not None:
        read_policy(witnesses)  # a policy that cannot be used stops here, naming its line
        policy = witnesses.read_text(encoding="utf-8")
    read_only = read_only or read_only_from_environment()
    if not read_only:
        book = open_ledger(ledger)
        try:
            applied = bring_up_to_date(book)
        finally:
            book.close()
        if applied:
            stderr.print(f"Applied {applied} entries to the read models.")
    options: dict[str, Any] = {"past_reads": past_reads, "public_url": served}
    options.update(listening=host, api_docs=api_docs, read_only=read_only, witnesses=policy)
    if workers > 1:  # each worker makes the application from an import string
        os.environ[SETTINGS] = settings_json(ledger, **options)
        app: Any = FACTORY
    else:
        app = kept_app(ledger, **options)
    uvicorn.run(
        app,
        factory=workers > 1,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        http=TimedHeads,  # a request's head arrives within 10 s, or the connection is closed
        timeout_keep_alive=IDLE_SECONDS,
        h11_max_incomplete_event_size=LARGEST_HEAD,
    )
