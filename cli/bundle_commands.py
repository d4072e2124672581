"""``assembly export bundle`` and ``assembly verify-bundle``: the ledger as a folder a journalist
takes away, and its check from that folder and the log's verifier key alone
(docs/design.md 3.4, 3.5).

``verify-bundle`` is a command of its own rather than an option of ``assembly verify``: that one
opens a database, this one never does.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated

import typer

from cli.context import open_ledger, role_policy, signing_key
from cli.context import verifier_key as _verifier_key
from cli.errors import UsageProblem
from cli.export_group import export_app
from cli.options import (
    DEFAULT_LEDGER,
    LedgerOption,
    QuorumOption,
    WitnessOption,
    key_option,
    quorum_of,
)
from cli.proof_commands import latest_or_refuse
from cli.render import stdout
from domain.catalogue import event_types
from ledger import Ledger
from ledger.bundle import (
    BUNDLE_FILE,
    CHECKPOINT_FILE,
    BundleSetupError,
    Examined,
    History,
    bundle_history,
    check_bundle,
    export_bundle,
    schema_file,
)
from ledger.bundle_files import MANIFEST_FILE, POLICY_FILE
from ledger.history import after_the_fact
from ledger.tree import Issued
from ledger.verifier_state import accept_bundle
from tlog.checkpoint import cosigned_by
from tlog.note import SignerKey, parse_note
from tlog.receipt import BadProof

PANEL = "Set up and verify"
JSON_SCHEMA = "https://json-schema.org/draft/2020-12/schema"


def register(app: typer.Typer) -> None:
    """Add ``export bundle`` to the export group and ``verify-bundle`` to the root app."""
    if not any(command.name == "bundle" for command in export_app.registered_commands):
        export_app.command("bundle")(export_bundle_command)
    app.command("verify-bundle", rich_help_panel=PANEL)(verify_bundle)


def export_bundle_command(
    folder: Annotated[Path, typer.Argument(help="The folder to write; it must not exist yet.")],
    key: Annotated[
        Path | None,
        key_option("The log key (role log) that signed the checkpoint: it signs the manifest."),
    ] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Write the ledger up to its latest checkpoint as a folder anyone can check without the
    database: every entry, the signed checkpoint, the signers, the rules they were checked
    with, a JSON Schema per event type and a README for journalists, all listed in a manifest
    the log key signs.

    Example: assembly export bundle bundle-2026-03 --key log.key
    """
    signer = signing_key(key)
    book = open_ledger(ledger)
    try:
        issued = latest_or_refuse(book)
        history = ledger_history(book, issued.size)
        log_key = SignerKey(issued.origin, signer.seed)
        files = bundle_files(issued, history)
        signers = export_bundle(book, issued, folder, files=files, log_key=log_key)
    except BundleSetupError as error:
        raise UsageProblem(error.sentence()) from None
    finally:
        book.close()
    stdout.print(
        f"Wrote the bundle of {issued.origin} ({issued.size} entries, {signers} signers) "
        f"to {folder}."
    )


def verify_bundle(
    folder: Annotated[Path, typer.Argument(help="A folder written by assembly export bundle.")],
    vkeys: Annotated[
        list[str],
        typer.Option("--vkey", help="The log's verifier key (name+hash+base64) or a file of it."),
    ],
    state: Annotated[
        Path | None,
        typer.Option(
            "--state",
            envvar="ASSEMBLY_VERIFIER_STATE",
            help="Where the last accepted checkpoint of each log is remembered "
            "(default: ~/.local/share/assembly/verifier.json).",
            dir_okay=False,
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=0, help="Signature-checking processes.")
    ] = None,
    witness: WitnessOption = None,
    quorum: QuorumOption = None,
) -> None:
    """Check a bundle without the database: every entry's hash, link, signature, signer role
    and validity, the Merkle tree head against the signed checkpoint, that at least --quorum
    of the --witness keys cosigned it, and that it extends the checkpoint accepted before, or is
    an older view of the same history (a fork is refused, with a report).

    Example: assembly verify-bundle bundle-2026-03 --vkey log.vkey
    """
    if not (folder / BUNDLE_FILE).is_file():
        raise UsageProblem(
            f"{folder} is not a bundle (it has no {BUNDLE_FILE}): give a folder written by "
            "assembly export bundle."
        )
    keys = [_verifier_key(text) for text in vkeys]
    remembered_in = state or default_state()
    witnesses = [_verifier_key(text) for text in witness or ()]
    needed = quorum_of(witnesses, quorum)
    examined = check_bundle(folder, keys, role_policy(), workers=workers)
    note = (folder / CHECKPOINT_FILE).read_bytes()
    cosigned = cosigned_by(examined.checkpoint, parse_note(note).signatures, witnesses)
    if len(cosigned) < needed:
        raise BadProof(f"{len(cosigned)} of the {needed} witness cosignatures required hold")
    try:
        previous = accept_bundle(examined, remembered_in)
    except BundleSetupError as error:
        raise UsageProblem(error.sentence()) from None
    head = examined.checkpoint
    stdout.print(
        f"Verified the bundle of {head.origin}: {head.size} entries from {examined.signers} "
        "signers reproduce the signed checkpoint."
    )
    stdout.print(coverage(examined))
    history = bundle_history(folder)
    if history is not None:
        stdout.print(history.sentence())
    if previous is None:
        stdout.print(f"First checkpoint of this log remembered in {remembered_in}.")
    elif previous.size > head.size:
        stdout.print(
            f"It is older than the checkpoint of {previous.size} entries accepted before, and "
            f"the same history up to its {head.size} entries: no misbehaviour; "
            f"{remembered_in} still remembers {previous.size}."
        )
    else:
        stdout.print(
            f"It extends the checkpoint of {previous.size} entries accepted before; "
            f"{remembered_in} now remembers {head.size}."
        )


def coverage(examined: Examined) -> str:
    """Which of the bundle's files the log's signature covers, in one sentence."""
    if examined.covered is not None:
        return (
            f"Every file is covered by the log's signature: {MANIFEST_FILE} lists "
            f"{examined.covered} files and the rules in {POLICY_FILE} are this verifier's own."
        )
    return (
        f"Older format ({examined.format}), files not covered: only the checkpoint, the "
        "entries and signers.json are checked; trust nothing else in the folder (its README, "
        "schemas or any other file)."
    )


def default_state() -> Path:
    """The verifier's state file in the user's data folder (XDG_DATA_HOME, or ~/.local/share)."""
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data) / "assembly" / "verifier.json"


def ledger_history(book: Ledger, size: int) -> History | None:
    """Which of the first ``size`` entries are history recorded after the fact, or None when
    the ledger records none (then nothing is read)."""
    start = book.history_before()
    if start is None:
        return None
    seqs = tuple(
        entry.seq
        for entry in book.entries()
        if entry.seq < size and after_the_fact(entry.event["occurred_at"], start)
    )
    return History(start, seqs)


def bundle_files(issued: Issued, history: History | None = None) -> dict[str, bytes]:
    """The bundle's README and the JSON Schema of every event type of the assembly."""
    files = {"README.md": readme(issued, history).encode()}
    for name, model in event_types().items():
        schema = model.model_json_schema(mode="serialization")
        schema["$schema"] = JSON_SCHEMA
        schema["title"] = f"{name}, schema version {model.SCHEMA}: the event's payload"
        text = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        files[schema_file(name, model.SCHEMA)] = text.encode()
    return files


def readme(issued: Issued, history: History | None = None) -> str:
    """What a journalist reads first: what the folder holds and how to check it, and which
    entries are history recorded after the fact."""
    return _readme(issued) + ("" if history is None else _history_section(history))


def _history_section(history: History) -> str:
    return f"""
## History recorded after the fact

This ledger was opened on {history.start} to record a past cycle as well. {history.sentence()}
For those entries `recorded_at` is the day they were loaded, and the `occurred_at` of the event
is the day its author says it happened; the assembly's rules of order (an answer after its
hand-over, a seat after its draw) were checked on those days. `assembly verify-bundle` says how
many there are.
"""


def _readme(issued: Issued) -> str:
    return f"""# The ledger of {issued.origin}, entries 0 to {issued.size - 1}

This folder is a copy of the assembly's ledger as its log operator signed it: every entry up to
the checkpoint, nothing after. You can check all of it on your own computer, without access to
the assembly's database and without trusting whoever gave you the folder.

## What is in it

- `checkpoint.txt`: the signed checkpoint (a C2SP signed note): the log's name ({issued.origin}),
  the number of entries ({issued.size}) and the Merkle tree head (RFC 9162) of all of them,
  signed by the log key.
- `entries.jsonl`: one entry per line, in order (`seq` 0, 1, 2, ...). Each holds the signed
  event (`event`: type, schema version, stream, time it happened, payload, signer's key id),
  the author's Ed25519 signature (`sig`), the ledger's time of recording (`recorded_at`), the
  hash of the entry before (`prev`) and its own hash (`hash`). Each line is in RFC 8785
  canonical JSON; without its `hash` member it is the entry whose hash is
  SHA-256(0x00 || those bytes).
- `signers.json`: every key the ledger enrols (in its own entries): the office that holds it,
  its role, from when to when it may sign, and any revocation.
- `schemas/`: a JSON Schema for the payload of every event type (`TYPE.vN.json`, N the schema
  version written in each event).
- `policy.json`: the rules the entries were checked with, as data: which role may write which
  event types, how streams are named (the uuid5 namespace, the signers' and the identity's
  streams) and how a key's validity is bounded. A verifier refuses the bundle unless these are
  exactly its own rules.
- `bundle.json`: the format of this folder, its log name and size.
- `manifest.txt`: the SHA-256 of every other file of this folder (this README included), and of
  the checkpoint's text, in a note signed with the log key. A verifier refuses any file the
  manifest does not list, any listed file that is missing, and any file with another digest.

## How to check it

Get the log's verifier key from a source you trust (the assembly publishes it; its operator
prints it with `assembly vkey`), never from this folder. Save it as `log.vkey`, then run:

    assembly verify-bundle . --vkey log.vkey

from inside this folder (or give the folder's path instead of `.`). It checks every entry's hash
and link to the one before, every signature, that each signer held the role and was valid when
it signed, that the entries' Merkle tree head is the one the checkpoint signs, and that the
checkpoint and the manifest open with the verifier key, every file being the one the
manifest lists. It exits 0 when everything holds, 1 with the first
entry (`seq`) that does not.

It also remembers the checkpoint it accepted (in `~/.local/share/assembly/verifier.json`, or
the file given with `--state`). Check next month's bundle the same way: it must extend this one.
If the log rolled its history back or rewrote it, the check is refused and a report is written
next to that file: both signed checkpoints and the proof that they disagree, with the first
entry where the two histories part. Keep that report: it is evidence anyone can check.

Any single entry can also be proved on its own: `assembly prove SEQ` writes a receipt that
`assembly verify-proof RECEIPT --vkey log.vkey` checks.
"""


__all__ = ["bundle_files", "default_state", "readme", "register"]
