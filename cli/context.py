"""The composition root: opens the ledger, the key, the clock and the role table for a command."""

from __future__ import annotations

import getpass
import os
import sys
from datetime import UTC, date, datetime, time
from pathlib import Path

from cli.errors import UsageProblem
from domain.aggregate import NAMESPACE
from domain.roles import ROLE_GRANTS
from ledger import Ledger, PublicKey, RolePolicy, Signer, load_signer
from ledger.errors import PassphraseRequired
from tlog.note import VerifierKey, parse_verifier_key

DEFAULT_LEDGER = "assembly.db"
CHARTER_KEY = Path("charter.key")  # the key file `assembly init` makes unless --key names one


def role_policy() -> RolePolicy:
    """The assembly's role table as the ledger's policy, with its streams' uuid5 namespace."""
    return RolePolicy(ROLE_GRANTS, namespace=NAMESPACE)


def open_ledger(location: str) -> Ledger:
    """Open the ledger a command works on."""
    return Ledger.open(location, role_policy())


def passphrase_from_environment() -> bytes | None:
    """Return the passphrase from ASSEMBLY_PASSPHRASE or the file ASSEMBLY_PASSPHRASE_FILE."""
    if os.environ.get("ASSEMBLY_PASSPHRASE"):
        return os.environ["ASSEMBLY_PASSPHRASE"].encode()
    path = os.environ.get("ASSEMBLY_PASSPHRASE_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").rstrip("\n").encode()
        except OSError as exc:
            raise UsageProblem(f"Cannot read the passphrase file {path}: {exc.strerror}.") from None
    return None


def signing_key(path: Path | None) -> Signer:
    """Load the key a signing command needs, asking for its passphrase on a terminal."""
    if path is None:
        raise UsageProblem("This command signs: give your key file with --key or ASSEMBLY_KEY.")
    try:
        return load_signer(path, passphrase=passphrase_from_environment())
    except PassphraseRequired:
        if not sys.stdin.isatty():
            raise
        return load_signer(path, passphrase=getpass.getpass(f"Passphrase for {path}: ").encode())


def charter_key_file(path: Path | None) -> Path:
    """The key file a charter command signs with: the one given (--key or ASSEMBLY_KEY), or
    else the charter key `assembly init` made here."""
    if path is not None:
        return path
    if CHARTER_KEY.is_file():
        return CHARTER_KEY
    raise UsageProblem(
        "This command is signed by a charter key: give its file with --key or ASSEMBLY_KEY "
        f"(`assembly init` makes {CHARTER_KEY}, and there is none in this folder)."
    )


def new_passphrase(*, encrypt: bool) -> bytes | None:
    """Return the passphrase for a new key file, or None to leave it unencrypted."""
    if not encrypt:
        return None
    given = passphrase_from_environment()
    if given:
        return given
    if not sys.stdin.isatty():
        raise UsageProblem("--encrypt needs a passphrase: set ASSEMBLY_PASSPHRASE.")
    first = getpass.getpass("New passphrase: ")
    if not first or first != getpass.getpass("Repeat it: "):
        raise UsageProblem("The passphrases are empty or differ; nothing was written.")
    return first.encode()


def parse_moment(text: str | None) -> datetime | None:
    """Read a date (midnight UTC) or an ISO 8601 time (UTC when no zone is given)."""
    if text is None:
        return None
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UsageProblem(
            f"{text!r} is not a date (2026-01-31) or a time (2026-01-31T12:00Z)."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def key_id_of(given: str | None, key: Path | None) -> str:
    """The key id a command is asked about: given as an id, a public key or a .pub file, or
    else the key of --key (read from its .pub when there is one, so no passphrase is needed)."""
    if given is not None:
        if len(given) == 32 and all(c in "0123456789abcdef" for c in given):
            return given
        return PublicKey.from_text(given).key_id
    if key is None:
        raise UsageProblem("Name the key: a key id, or a key file with --key.")
    public = Path(f"{key}.pub")
    if public.is_file():
        return PublicKey.from_text(str(public)).key_id
    if key.name.endswith(".pub"):
        return PublicKey.from_text(str(key)).key_id
    return load_signer(key, passphrase=passphrase_from_environment()).key_id


def verifier_key(text: str) -> VerifierKey:
    """A verifier key given as its text (name+hash+base64) or as a file holding it."""
    path = Path(text)
    if "+" not in text or path.is_file():
        try:
            text = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UsageProblem(
                f"{text} is not a verifier key, nor a file: {exc.strerror}."
            ) from None
    return parse_verifier_key(text)
