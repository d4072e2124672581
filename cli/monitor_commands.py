"""``assembly monitor URL --state DIR``: follow a served log and check everything it shows
(``cli.monitor``); exit 0 when all holds, 1 on misbehaviour (evidence written), 4 when the
server cannot be reached."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.monitor_pages import Pages
from cli.options import QuorumOption, WitnessOption, quorum_of
from cli.render import stdout

PANEL = "Set up and verify"


def register(app: typer.Typer) -> None:
    """Add ``monitor`` to the root app."""
    app.command("monitor", rich_help_panel=PANEL)(monitor_command)


def monitor_command(
    url: Annotated[str, typer.Argument(help="The server's base URL, as its pages are served.")],
    state: Annotated[
        Path,
        typer.Option(
            "--state",
            help="The monitor's folder: the last checkpoint, the entries checked, where their "
            "walk and status fold ended, and evidence.",
            file_okay=False,
        ),
    ],
    vkey: Annotated[
        str | None,
        typer.Option(
            "--vkey",
            help="The log's verifier key (name+hash+base64) or a file of it; needed on the "
            "first run, remembered after.",
        ),
    ] = None,
    witness: WitnessOption = None,
    quorum: QuorumOption = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=0,
            help="Entry-checking processes (each entry's bytes, hash, body and signature); "
            "by default none for fewer than 50,000 new entries, else one per core.",
        ),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", min=0.1, help="Seconds to wait for each answer.")
    ] = 30.0,
    pages: Annotated[
        Pages,
        typer.Option(
            "--pages",
            help="The recommendations' pages to read and compare: those the new entries "
            "changed (every one on a first run), all, or none.",
        ),
    ] = Pages.changed,
) -> None:
    """Follow a server's log over its tiles and check all it shows, from a scheduled job.

    Checks the new checkpoint extends the last one seen, verifies each new entry (hash, chain,
    signature, role) from where the last run's walk ended, recomputes every recommendation's
    status from the entries and compares it with the server's API and with the pages --pages
    names (in English), and checks the --witness cosignatures. Misbehaviour (a fork, a
    rollback, a changed entry, a read model or a page that disagrees with the entries) exits 1
    with an evidence file in --state; a server that cannot be reached exits 4.

    Example: assembly monitor https://ledger.example.org --state monitor/ --vkey log.vkey
    """
    from cli.context import role_policy, verifier_key
    from cli.monitor import monitor

    witnesses = [verifier_key(text) for text in witness or ()]
    watched = monitor(
        url,
        state,
        role_policy(),
        vkey=None if vkey is None else verifier_key(vkey),
        witnesses=witnesses,
        quorum=quorum_of(witnesses, quorum),
        workers=workers,
        timeout=timeout,
        pages=pages,
    )
    head, before = watched.checkpoint, watched.previous
    since = (
        "first run: remembered"
        if before is None
        else f"it extends the checkpoint of {before.size} seen before"
    )
    stdout.print(
        f"Monitored {head.origin}: {head.size} entries ({watched.new_entries} new, "
        f"{watched.verified} verified on this run), {watched.recommendations} "
        f"recommendation(s) on the server's board and {watched.pages} page(s) agree with them; "
        f"{since}."
    )
    if witnesses:
        stdout.print(f"{watched.cosigned} of the {len(witnesses)} witnesses cosigned it.")
