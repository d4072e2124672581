"""``assembly ledger ...``: the ledger's identity, and what a copy of a ledger's database does
before it takes writes (see the README, "Copies of a ledger")."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.context import open_ledger, signing_key
from cli.options import DEFAULT_LEDGER, FormatOption, KeyOption, LedgerOption, OutputFormat
from cli.render import print_json, stdout

app = typer.Typer(
    help="The ledger's identity, which every signature names; copies and moves of its database.",
    no_args_is_help=True,
)


@app.command("identity")
def identity(
    ledger: LedgerOption = DEFAULT_LEDGER, format: FormatOption = OutputFormat.table
) -> None:
    """Show the ledger's identity and where its database lives."""
    book = open_ledger(ledger)
    found = {
        "identity": book.identity(),
        "place": book.recorder.place(),
        "home": book.recorder.home(),
    }
    if format is OutputFormat.json:
        print_json(found)
        return
    stdout.print(f"Identity {found['identity']}; every new signature names it.")
    if found["home"] is not None and found["home"] != found["place"]:
        stdout.print(
            f"This database is a copy or was moved (made at {found['home']}, now at "
            f"{found['place']}): it takes no writes until `assembly ledger new-identity` or "
            "`assembly ledger moved`."
        )


@app.command("new-identity")
def new_identity(
    reason: Annotated[
        str, typer.Option("--reason", help="Why: for example 'staging copy of production'.")
    ],
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
) -> None:
    """Give this copy of a ledger its own identity (signed by a charter key), so nothing signed
    for the original is taken here, nor anything signed here by the original."""
    book = open_ledger(ledger)
    before = book.identity()
    entry = book.declare_identity(signing_key(key), reason=reason)
    stdout.print(
        f"The ledger at {ledger} was {before}; from seq {entry.seq + 1} on it is "
        f"{book.identity()}, and it takes writes here."
    )


@app.command("moved")
def moved(ledger: LedgerOption = DEFAULT_LEDGER) -> None:
    """Record that this database is the same ledger, moved here (a restored backup, a new
    server): it takes writes here again, under the same identity."""
    book = open_ledger(ledger)
    book.moved_here()
    stdout.print(f"The ledger {book.identity()} now lives at {book.recorder.place()}.")
