"""``assembly init``, ``assembly log`` and ``assembly verify``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from cli.context import (
    CHARTER_KEY,
    key_id_of,
    new_passphrase,
    open_ledger,
    parse_moment,
    role_policy,
    signing_key,
)
from cli.errors import UsageProblem
from cli.first_steps import next_steps
from cli.options import (
    DEFAULT_LEDGER,
    FormatOption,
    KeyOption,
    LedgerOption,
    OutputFormat,
    QuorumOption,
    WitnessOption,
    key_option,
)
from cli.render import print_json, print_table, stderr, stdout
from ledger import Head, Ledger, Signer, verification_report
from ledger.canonical import format_time
from ledger.errors import BadHead
from ledger.ledger import utc_now


def register(app: typer.Typer) -> None:
    """Add these commands to the root app."""
    app.command("init", rich_help_panel="Set up and verify")(init)
    app.command("log", rich_help_panel="Set up and verify")(log)
    app.command("verify", rich_help_panel="Set up and verify")(verify)


def init(
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = CHARTER_KEY,
    name: Annotated[
        str, typer.Option("--name", help="Who holds the charter key.")
    ] = "Charter of the citizens' assembly",
    encrypt: Annotated[
        bool, typer.Option("--encrypt", help="Encrypt a new charter key file with a passphrase.")
    ] = False,
    valid_from: Annotated[
        str | None,
        typer.Option(
            "--valid-from",
            help="Start of the charter key's validity (default: now). A past date opens the "
            "ledger to a past cycle: entries dated before today are history recorded after "
            "the fact.",
        ),
    ] = None,
) -> None:
    """Create the ledger, the charter key file (unless --key exists) and the charter entry."""
    assert key is not None
    since = parse_moment(valid_from)
    if since is not None and since > utc_now():
        raise UsageProblem(
            f"--valid-from {valid_from} is in the future: give a start on or before today."
        )
    made = not key.exists()
    if made:
        # The key file first: a ledger whose charter key was never saved could enrol no one.
        charter = Signer.generate()
        charter.save(key, passphrase=new_passphrase(encrypt=encrypt))
    else:
        charter = signing_key(key)
    try:
        created = Ledger.create(ledger, role_policy(), charter, name=name, valid_from=since)
    except BaseException:
        if made:
            key.unlink()
            Path(f"{key}.pub").unlink(missing_ok=True)
        raise
    head = created.head()
    stdout.print(f"Created the ledger {ledger}.")
    stdout.print(f"Charter key {charter.key_id} ({'new file ' if made else ''}{key}).")
    if created.history_before() is not None:
        stdout.print(
            f"The charter key is valid from {valid_from}: entries dated before "
            f"{created.history_before()} will be marked as recorded after the fact."
        )
    stdout.print(f"Head {head}. Keep the charter key file offline; it enrols every other key.")
    for line in next_steps(ledger, key):
        stdout.print(line, markup=False)


def log(
    ledger: LedgerOption = DEFAULT_LEDGER,
    start: Annotated[int, typer.Option("--from", min=0, help="First seq to show.")] = 0,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="At most this many.")] = None,
    key: Annotated[
        Path | None,
        key_option("Show only the entries signed by this key (a key file or its .pub)."),
    ] = None,
    format: FormatOption = OutputFormat.table,
) -> None:
    """List entries: seq, time, type, signer and hash."""
    book = open_ledger(ledger)
    mine = key_id_of(None, key) if key is not None else None
    names = {record.key_id: f"{record.name} ({record.role})" for record in book.signers()}
    rows: list[dict[str, Any]] = []
    for entry in book.entries(start=start):
        if limit is not None and len(rows) >= limit:
            break
        event = entry.event
        if mine is not None and event["signer"] != mine:
            continue
        rows.append(
            {
                "seq": entry.seq,
                "recorded_at": entry.recorded_at,
                "occurred_at": event["occurred_at"],
                "type": event["type"],
                "signer": event["signer"],
                "signer_name": names.get(event["signer"], "?"),
                "stream": event["stream"],
                "version": event["version"],
                "hash": entry.hash.hex(),
            }
        )
    if format is OutputFormat.json:
        print_json(rows)
        return
    print_table(
        None,
        ["seq", "recorded at", "type", "signer", "hash"],
        [
            (r["seq"], r["recorded_at"], r["type"], r["signer_name"], r["hash"][:16] + "…")
            for r in rows
        ],
    )


def verify(
    ledger: LedgerOption = DEFAULT_LEDGER,
    expect_head: Annotated[
        str | None,
        typer.Option(
            "--expect-head", help="A head seen before, SEQ:HASH; the ledger must hold it."
        ),
    ] = None,
    head_file: Annotated[
        Path | None,
        typer.Option(
            "--head-file",
            help="Remembered head: if the file exists the ledger must hold that head; after a "
            "successful check the new head is written to it.",
            dir_okay=False,
        ),
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", min=0, help="Signature-checking processes.")
    ] = None,
    key: Annotated[
        Path | None,
        key_option("Also report whether this key may still sign (a key file or its .pub)."),
    ] = None,
    format: FormatOption = OutputFormat.table,
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle",
            help="Check this bundle (assembly export bundle) instead of a database, "
            "with --vkey; see assembly verify-bundle.",
            file_okay=False,
        ),
    ] = None,
    vkey: Annotated[
        list[str] | None,
        typer.Option("--vkey", help="With --bundle: the log's verifier key or a file of it."),
    ] = None,
    state: Annotated[
        Path | None,
        typer.Option("--state", help="With --bundle: the verifier's memory of checkpoints."),
    ] = None,
    witness: WitnessOption = None,
    quorum: QuorumOption = None,
) -> None:
    """Check every entry; exit 0 only when the whole ledger verifies. With --bundle DIR
    --vkey VKEY, check an exported bundle from its files alone (as assembly verify-bundle).

    Example: assembly verify --bundle bundle-2026-03 --vkey log.vkey --witness w1.vkey
    """
    if bundle is not None:
        if not vkey:
            raise UsageProblem("--bundle needs the log's verifier key: give --vkey.")
        # Imported here: it brings the export commands, which init, log and verify do not need.
        from cli.bundle_commands import verify_bundle

        verify_bundle(bundle, vkey, state=state, workers=workers, witness=witness, quorum=quorum)
        return
    if witness or vkey or state or quorum is not None:
        raise UsageProblem("--vkey, --state, --witness and --quorum go with --bundle.")
    seen = [head for head in (_parse_head(expect_head), _read_head(head_file)) if head]
    book = open_ledger(ledger)
    with _progress(book.count()) as advance:
        report = verification_report(
            book.recorder, role_policy(), expect=seen, workers=workers, progress=advance
        )
    if head_file is not None and report.head is not None:
        _write_head(head_file, report.head)
    standing = _standing(book, key_id_of(None, key)) if key is not None else None
    if format is OutputFormat.json:
        print_json(
            {
                "verified": True,
                "entries": report.entries,
                "head": str(report.head) if report.head else None,
                "signers": report.signers,
                "streams": report.streams,
                "identity": report.identity,
                "noncanonical": list(report.noncanonical),
                "key": standing,
            }
        )
        return
    stdout.print(
        f"Verified {report.entries} entries from {report.signers} signers; head {report.head}; "
        f"ledger {report.identity}."
    )
    if report.noncanonical:
        shown = ", ".join(str(seq) for seq in report.noncanonical[:20])
        more = (
            "" if len(report.noncanonical) <= 20 else f" and {len(report.noncanonical) - 20} more"
        )
        stderr.print(
            f"Note: the event bodies at seq {shown}{more} were stored by an earlier release in a "
            "form that is not canonical; they are signed and chained as stored, and bundles "
            "carry their bytes as they are (see the README, 'Canonical bytes')."
        )
    if standing is not None:
        stdout.print(f"Key {standing['key_id']}: {standing['standing']}.")


def _standing(book: Ledger, key_id: str) -> dict[str, Any]:
    """Whether a key may sign now, and why not."""
    record = next((r for r in book.signers() if r.key_id == key_id), None)
    now = format_time(utc_now())
    if record is None:
        standing = "not enrolled in this ledger"
    elif record.revoked_seq is not None:
        standing = f"revoked at seq {record.revoked_seq} ({record.revocation_reason})"
    elif now < record.valid_from or (record.valid_until is not None and now >= record.valid_until):
        until = record.valid_until or "open-ended"
        standing = f"enrolled as {record.role}, valid {record.valid_from} to {until}, not now"
    else:
        standing = f"may sign as {record.role}"
    return {"key_id": key_id, "standing": standing}


def _parse_head(text: str | None) -> Head | None:
    return Head.parse(text) if text else None


def _read_head(path: Path | None) -> Head | None:
    if path is None or not path.exists():
        return None
    try:
        return Head.parse(path.read_text(encoding="utf-8"))
    except BadHead:
        raise BadHead(f"the head file {path}") from None


def _write_head(path: Path, head: Head) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(f"{head}\n", encoding="utf-8")
    os.replace(temporary, path)


class _progress:
    """A progress bar on stderr for long checks at a terminal; silent otherwise."""

    def __init__(self, total: int) -> None:
        self.bar: Progress | None = None
        if total >= 10_000 and sys.stderr.isatty() and not os.environ.get("CI"):
            self.bar = Progress(
                TextColumn("verifying"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=stderr,
                transient=True,
            )
            self.task = self.bar.add_task("verify", total=total)

    def __enter__(self) -> Callable[[int], None]:
        bar = self.bar
        if bar is None:
            return lambda done: None
        bar.start()
        return lambda done: bar.advance(self.task, done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
