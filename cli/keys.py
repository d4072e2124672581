"""``assembly keys``: make key files, enrol and revoke signers, list and show them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.context import (
    CHARTER_KEY,
    charter_key_file,
    key_id_of,
    new_passphrase,
    open_ledger,
    parse_moment,
    signing_key,
)
from cli.errors import UsageProblem
from cli.options import (
    DEFAULT_LEDGER,
    FormatOption,
    KeyOption,
    LedgerOption,
    OutputFormat,
    key_option,
)
from cli.render import print_fields, print_json, print_table, stdout
from domain.roles import Role
from ledger import PublicKey, Signer
from ledger.errors import UnknownSigner
from ledger.signers import SignerRecord

CharterKeyOption = Annotated[
    Path | None,
    key_option(f"A charter key file (default: {CHARTER_KEY}, which `assembly init` makes)."),
]

app = typer.Typer(help="Key files and the signers enrolled in the ledger.", no_args_is_help=True)


@app.command("new")
def new(
    key: KeyOption = None,
    encrypt: Annotated[
        bool, typer.Option("--encrypt", help="Encrypt the key file with a passphrase.")
    ] = False,
) -> None:
    """Make a new Ed25519 key file (mode 0600) and its public half beside it (.pub)."""
    if key is None:
        raise UsageProblem("Name the key file to make with --key or ASSEMBLY_KEY.")
    signer = Signer.generate()
    signer.save(key, passphrase=new_passphrase(encrypt=encrypt))
    stdout.print(f"Wrote {key} (key id {signer.key_id}) and its public key {key}.pub.")
    stdout.print("Hand the .pub file to the charter key holder to be enrolled.")


@app.command("enrol")
def enrol(
    public_key: Annotated[
        str, typer.Argument(help="The key to enrol: its .pub file or its base64 public key.")
    ],
    role: Annotated[
        Role, typer.Option("--role", help="The signer's role: what it may write (README).")
    ],
    name: Annotated[str, typer.Option("--name", help="Who holds the key (office, not a citizen).")],
    valid_from: Annotated[
        str | None, typer.Option("--valid-from", help="Start of validity (default: now).")
    ] = None,
    valid_until: Annotated[
        str | None, typer.Option("--valid-until", help="End of validity (default: open-ended).")
    ] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: CharterKeyOption = None,
) -> None:
    """Enrol a key with a role; signed by a charter key (--key, default charter.key).

    Example: assembly keys enrol secretariat.key.pub --role secretariat --name "The secretariat"
    """
    charter = _charter(key)
    book = open_ledger(ledger)
    entry = book.enrol(
        charter,
        PublicKey.from_text(public_key),
        role=role.value,
        name=name,
        valid_from=parse_moment(valid_from),
        valid_until=parse_moment(valid_until),
    )
    subject = PublicKey.from_text(public_key).key_id
    stdout.print(
        f"Enrolled {subject} as {role.value} at seq {entry.seq} (hash {entry.hash.hex()})."
    )


@app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key id to revoke.")],
    reason: Annotated[str, typer.Option("--reason", help="Why the key is revoked.")],
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: CharterKeyOption = None,
) -> None:
    """Revoke a key from this point of the ledger on; signed by a charter key (--key, default
    charter.key)."""
    charter = _charter(key)
    entry = open_ledger(ledger).revoke(charter, key_id, reason=reason)
    stdout.print(f"Revoked {key_id} at seq {entry.seq} (hash {entry.hash.hex()}).")


def _charter(given: Path | None) -> Signer:
    """The charter key to sign with, saying which file when the user gave none."""
    path = charter_key_file(given)
    signer = signing_key(path)
    if given is None:
        stdout.print(f"Signing with the charter key {path} (key id {signer.key_id}).")
    return signer


@app.command("list")
def list_(ledger: LedgerOption = DEFAULT_LEDGER, format: FormatOption = OutputFormat.table) -> None:
    """List every enrolled key, revoked ones included."""
    records = open_ledger(ledger).signers()
    if format is OutputFormat.json:
        print_json([record.as_dict() for record in records])
        return
    print_table(
        "Signers",
        ["key id", "role", "name", "valid from", "valid until", "enrolled", "revoked"],
        [
            (
                r.key_id,
                r.role,
                r.name,
                r.valid_from,
                r.valid_until or "open-ended",
                f"seq {r.enrolled_seq}",
                f"seq {r.revoked_seq} ({r.revocation_reason})" if r.revoked_seq is not None else "",
            )
            for r in records
        ],
    )


@app.command("show")
def show(
    key_id: Annotated[
        str | None, typer.Argument(help="A key id, a .pub file or a public key; default: --key.")
    ] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Show one key: its id, public key, role, validity and revocation."""
    wanted = key_id_of(key_id, key)
    records = {record.key_id: record for record in open_ledger(ledger).signers()}
    if wanted not in records:
        raise UnknownSigner(wanted)
    record: SignerRecord = records[wanted]
    if format is OutputFormat.json:
        print_json(record.as_dict())
        return
    print_fields([(name.replace("_", " "), value) for name, value in record.as_dict().items()])
