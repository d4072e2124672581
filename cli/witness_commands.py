"""``assembly witness``: a C2SP tlog-witness kept in a directory, fed with request files or
over HTTP (``witness serve``, ``tlog.witness_http``).

A refused request file exits with its own code, derived from the HTTP status the spec gives it
(status - 390): 10 for 400 Bad Request, 13 for 403 Forbidden, 14 for 404 Not Found, 19 for
409 Conflict (retry with the witness's size) and 32 for 422 Unprocessable Entity. A refused fork
(409 at the same size, 422) leaves its evidence in the directory; ``witness show`` lists it.
"""

from __future__ import annotations

import base64
import secrets
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli.context import verifier_key
from cli.errors import UsageProblem
from cli.options import FormatOption, OutputFormat
from cli.render import print_json, print_table, stderr, stdout
from tlog.note import NoteError, VerifierKey
from tlog.witness import (
    WitnessRefusal,
    WitnessSetupConflict,
    format_cosignatures,
    parse_add_checkpoint,
)
from tlog.witness_evidence import Evidence, read_evidence
from tlog.witness_store import cosign_in, init_witness, load_witness

witness_app = typer.Typer(
    help="Witness another log's checkpoints: cosign them only while the log grows consistently "
    "(C2SP tlog-witness, over HTTP or with files).",
    no_args_is_help=True,
)

DirectoryArgument = Annotated[
    Path,
    typer.Argument(help="The witness's directory (state.json, cosigner.key).", file_okay=False),
]


def register(app: typer.Typer) -> None:
    app.add_typer(witness_app, name="witness", rich_help_panel="Set up and verify")


def refusal_exit_code(refusal: WitnessRefusal) -> int:
    """The exit code of a refusal: its HTTP status minus 390 (10, 13, 14, 19, 32)."""
    return refusal.status - 390


@witness_app.command("init")
def init(
    directory: DirectoryArgument,
    name: Annotated[str, typer.Option("--name", help="The witness's key name.")],
    origin: Annotated[str, typer.Option("--origin", help="The origin line of the log.")],
    log_vkey: Annotated[
        list[str],
        typer.Option(
            "--log-vkey", help="A verifier key of the log (name+hash+base64); repeat for more."
        ),
    ],
) -> None:
    """Make a witness (a new cosigner key) for one log, or add a log; print the witness's key.

    Give each of the log's checkpoint keys with --log-vkey; a known origin keeps its keys.

    Example: assembly witness init w/ --name w.example/w1 --origin example.com/a --log-vkey KEY
    """
    keys = [_log_key(text) for text in log_vkey]
    try:
        state = init_witness(
            directory, name=name, origin=origin, log_keys=keys, seed=secrets.token_bytes(32)
        )
    except WitnessSetupConflict as error:
        raise UsageProblem(error.sentence()) from None
    stderr.print(f"The witness in {escape(str(directory))} witnesses {escape(origin)}; its key:")
    print(state.cosigner.verifier_key.text())


@witness_app.command("cosign")
def cosign(
    directory: DirectoryArgument,
    request_file: Annotated[
        Path,
        typer.Argument(help="The add-checkpoint request body (- for stdin).", dir_okay=False),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Write the cosignature line here, not to stdout.", dir_okay=False
        ),
    ] = None,
) -> None:
    """Apply an add-checkpoint request and write the cosignature line (the spec's response).

    A refusal exits with its HTTP status minus 390: 10, 13, 14, 19 (409) or 32 (422).

    Example: assembly witness cosign witness/ request.txt --out cosignature.txt
    """
    body = _read_body(request_file)
    try:
        cosignature = cosign_in(directory, parse_add_checkpoint(body), now=int(time.time()))
    except WitnessRefusal as refusal:
        stderr.print(f"[bold red]refused:[/] {escape(refusal.sentence())}")
        raise typer.Exit(refusal_exit_code(refusal)) from None
    response = format_cosignatures([cosignature])
    if out is None:
        sys.stdout.buffer.write(response)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(response)
    except OSError as error:
        raise UsageProblem(
            f"Cannot write {out}: {error.strerror}; the witness has saved the checkpoint, so "
            "send it again with its own size as the old size to get the cosignature."
        ) from None
    stderr.print(f"Wrote the cosignature to {escape(str(out))}.")


@witness_app.command("serve")
def serve(
    directory: DirectoryArgument,
    listen: Annotated[
        str,
        typer.Option(
            "--listen", help="HOST:PORT to listen on (port 0: any free port, printed at start)."
        ),
    ] = "127.0.0.1:8181",
    prefix: Annotated[
        str, typer.Option("--prefix", help="The submission prefix before /add-checkpoint.")
    ] = "",
) -> None:
    """Answer C2SP tlog-witness add-checkpoint requests over HTTP until stopped (Ctrl-C).

    The state and the evidence of refused forks are the directory's, as for `witness cosign`.

    Example: assembly witness serve witness/ --listen 127.0.0.1:8181
    """
    from tlog.witness_http import WitnessServer  # the server only for this command

    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise UsageProblem(f"--listen {listen!r} is not HOST:PORT (for example 127.0.0.1:8181).")
    try:
        server = WitnessServer(directory, (host.strip("[]"), int(port)), prefix=prefix)
    except OSError as error:
        raise UsageProblem(f"Cannot listen on {listen}: {error.strerror or error}.") from None
    stderr.print(f"The witness in {escape(str(directory))} answers at {escape(server.url)}")
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        stderr.print("Stopped.")
    finally:
        server.server_close()


@witness_app.command("show")
def show(directory: DirectoryArgument, output: FormatOption = OutputFormat.table) -> None:
    """Show the witness's verifier key, per log the size and root it last cosigned, and the
    evidence of every fork it refused (both signed checkpoints, in its directory).

    Example: assembly witness show witness/ --format json
    """
    state = load_witness(directory)
    witness = state.cosigner.verifier_key.text()
    logs = sorted(state.logs.items())
    evidence = read_evidence(directory)
    if output is OutputFormat.json:
        print_json(
            {
                "witness": witness,
                "logs": [
                    {
                        "origin": origin,
                        "size": log.size,
                        "root_hash": base64.b64encode(log.root_hash).decode(),
                        "keys": [key.text() for key in log.keys],
                    }
                    for origin, log in logs
                ],
                "evidence": [_evidence_json(kept) for kept in evidence],
            }
        )
        return
    stdout.print(f"witness key  {witness}")
    rows = [
        (origin, log.size, base64.b64encode(log.root_hash).decode(), len(log.keys))
        for origin, log in logs
    ]
    print_table(None, ["origin", "size", "root hash", "log keys"], rows)
    if not evidence:
        stdout.print("No fork refused.")
        return
    print_table(
        "Forks refused (evidence kept)",
        ["origin", "status", "cosigned", "refused", "file"],
        [
            (kept.origin, kept.status, kept.cosigned_size, kept.refused_size, kept.path.name)
            for kept in evidence
        ],
    )


def _evidence_json(kept: Evidence) -> dict[str, object]:
    return {
        "file": str(kept.path),
        "origin": kept.origin,
        "status": kept.status,
        "reason": kept.reason,
        "received_at": kept.received_at,
        "cosigned_size": kept.cosigned_size,
        "refused_size": kept.refused_size,
        "old_size": kept.old_size,
    }


def _log_key(text: str) -> VerifierKey:
    try:
        return verifier_key(text)
    except NoteError as error:
        raise UsageProblem(f"--log-vkey: {error.sentence()}") from None


def _read_body(path: Path) -> bytes:
    try:
        return sys.stdin.buffer.read() if str(path) == "-" else path.read_bytes()
    except OSError as error:
        raise UsageProblem(f"Cannot read the request {path}: {error.strerror}.") from None
