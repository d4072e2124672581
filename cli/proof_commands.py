"""Checkpoints, proofs and their offline check (docs/design.md 3.5).

``assembly checkpoint`` signs the tree head of the whole ledger with a key of role ``log``, as a
C2SP signed note named by the charter's log origin, and keeps it. ``assembly prove`` writes an
inclusion receipt (C2SP tlog-proof) for an entry, or for every entry behind a recommendation, or
a consistency proof between two issued checkpoints. ``assembly verify-proof`` checks either from
the file and the log's verifier key alone; ``assembly vkey`` prints that key.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cli.context import open_ledger, signing_key, verifier_key
from cli.errors import CheckFailed, UsageProblem
from cli.naming import recommendation_key
from cli.options import (
    DEFAULT_LEDGER,
    KeyOption,
    LedgerOption,
    QuorumOption,
    WitnessOption,
    quorum_of,
)
from cli.render import stderr, stdout
from cli.store import LedgerStore
from cli.witnessing import (
    DEFAULT_EVERY,
    cosigners,
    describe,
    keep_witnessed,
    read_policy,
    witness,
)
from domain.charter import ASSEMBLY, Chartered
from ledger import Ledger, Signer
from ledger.signers import SignerRecord
from ledger.tree import (
    Issued,
    add_cosignatures,
    checkpoint_at,
    issue_checkpoint,
    latest_checkpoint,
    prove_consistency,
    prove_inclusion,
)
from projections.trail import recommendation_trail
from tlog.merkle import EmptyOldTree
from tlog.note import SignerKey, VerifierKey, parse_signature_line
from tlog.receipt import (
    Consistency,
    Inclusion,
    check,
    format_consistency,
    format_inclusion,
    read_proof,
)
from tlog.witness import AddCheckpoint, format_add_checkpoint
from tlog.witnessing import quorum_met

PANEL = "Set up and verify"
OutOption = Annotated[Path | None, typer.Option("--out", help="Write here (default: stdout).")]


def register(app: typer.Typer) -> None:
    app.command("checkpoint", rich_help_panel=PANEL)(checkpoint)
    app.command("prove", rich_help_panel=PANEL)(prove)
    app.command("verify-proof", rich_help_panel=PANEL)(verify_proof)
    app.command("vkey", rich_help_panel=PANEL)(vkey)
    app.command("cosignatures", rich_help_panel=PANEL)(cosignatures)


def checkpoint(
    out: OutOption = None,
    key: KeyOption = None,
    witnesses: Annotated[
        Path | None,
        typer.Option(
            "--witnesses",
            help="A witness policy (witness NAME KEY URL lines, quorum N): send the checkpoint "
            "to them over HTTP and keep their cosignatures.",
            dir_okay=False,
        ),
    ] = None,
    every: Annotated[
        float | None,
        typer.Option(
            "--every",
            min=0.1,
            help="With --witnesses: keep running, issuing a checkpoint within SECONDS of a "
            f"write (default {DEFAULT_EVERY:g} s when given without --out).",
        ),
    ] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Sign the checkpoint of the whole ledger with a log key (role log) and keep it: a C2SP
    signed note of the origin, the number of entries and the Merkle tree head.

    With --witnesses, the witnesses' cosignatures are gathered and kept with it; it fails
    (exit 1) when fewer than the policy's quorum cosign. With --every too, it keeps running.

    Example: assembly checkpoint --key log.key --witnesses witnesses.policy
    """
    signer = signing_key(key)
    policy = read_policy(witnesses) if witnesses is not None else None
    if every is not None and (policy is None or out is not None):
        raise UsageProblem("--every keeps witnessing: give --witnesses, and no --out.")
    book = open_ledger(ledger)
    try:
        origin = log_origin(book)
        record = _log_record(book, signer.key_id)
        note_key = VerifierKey(origin, record.public_key)
        if every is None:
            issued = issue_checkpoint(book.recorder, _note_signer(signer, origin), origin=origin)
            gathered = witness(book, issued, policy, {}) if policy is not None else None
            issued = checkpoint_at(book.recorder, issued.size)
    finally:
        book.close()
    if every is not None and policy is not None:
        stderr.print(f"Witnessing every {every:g} s; verifier key: {note_key.text()}")
        try:
            keep_witnessed(
                lambda: open_ledger(ledger),
                _note_signer(signer, origin),
                origin,
                policy,
                every=every,
                report=lambda line: stderr.print(escape(line)),
            )
        except KeyboardInterrupt:
            stderr.print("Stopped.")
        return
    _write(out, issued.note)
    stderr.print(
        f"Checkpoint of {issued.size} entries signed by {record.name} ({signer.key_id}); "
        f"verifier key: {note_key.text()}"
    )
    if policy is not None and gathered is not None:
        line = describe(issued, policy, gathered)
        if not quorum_met(policy, cosigners(issued, policy)):
            raise CheckFailed(line)
        stderr.print(escape(line))


def prove(
    target: Annotated[
        str | None,
        typer.Argument(help="An entry's seq (e.g. 41) or a recommendation, PANEL/NUMBER (1/12)."),
    ] = None,
    consistency: Annotated[
        int | None,
        typer.Option(
            "--consistency", help="Prove that the ledger extends its checkpoint of this size."
        ),
    ] = None,
    to: Annotated[
        int | None,
        typer.Option("--to", help="...up to the checkpoint of this size (default: latest)."),
    ] = None,
    size: Annotated[
        int | None, typer.Option("--size", help="Prove inclusion in the checkpoint of this size.")
    ] = None,
    for_witness: Annotated[
        bool,
        typer.Option(
            "--for-witness",
            help="With --consistency: write a C2SP tlog-witness add-checkpoint request "
            "(OLD_SIZE is the size the witness last cosigned, 0 for a new witness).",
        ),
    ] = False,
    out: OutOption = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Write a proof anyone can check with `assembly verify-proof`, without the database: an
    entry's inclusion receipt (C2SP tlog-proof, with the entry's bytes), one per entry behind a
    recommendation (into the folder --out, default proofs-PANEL-NUMBER), or with --consistency
    the proof that the ledger of an earlier checkpoint is a prefix of a later one's.

    Example: assembly prove 1/12 --out proofs/ ; assembly prove --consistency 380 --out c.json
    """
    if (target is None) == (consistency is None):
        raise UsageProblem("Give an entry's seq, a recommendation (1/12), or --consistency SIZE.")
    book = open_ledger(ledger)
    try:
        if consistency is not None and for_witness:
            _write(out, _witness_request(book, consistency, to))
            return
        if consistency is not None:
            _write(out, format_consistency(_consistency(book, consistency, to)))
            return
        assert target is not None
        issued = checkpoint_at(book.recorder, size) if size is not None else latest_or_refuse(book)
        if target.isdigit():
            _write(out, format_inclusion(_inclusion(book, int(target), issued)))
            return
        panel, number = recommendation_key(book, target)
        seqs = [line.seq for line in recommendation_trail(book, panel, number)]
        if not seqs:
            raise UsageProblem(f"The ledger holds no entry about recommendation {target}.")
        folder = out or Path(f"proofs-{panel}-{number}")
        folder.mkdir(parents=True, exist_ok=True)
        for seq in seqs:
            receipt = format_inclusion(_inclusion(book, seq, issued))
            (folder / f"{panel}-{number}-entry-{seq}.tlog-proof").write_bytes(receipt)
        stdout.print(f"Wrote {len(seqs)} receipt(s) to {folder} (checkpoint of {issued.size}).")
    finally:
        book.close()


def verify_proof(
    proof: Annotated[Path, typer.Argument(help="A .tlog-proof receipt or a consistency proof.")],
    vkeys: Annotated[
        list[str],
        typer.Option("--vkey", help="The log's verifier key (name+hash+base64) or a file of it."),
    ],
    witness: WitnessOption = None,
    quorum: QuorumOption = None,
) -> None:
    """Check a receipt or a consistency proof from the file and the log's verifier key alone,
    and that at least --quorum of the --witness keys cosigned its checkpoint.

    Example: assembly verify-proof 1-12-entry-41.tlog-proof --vkey log.vkey --witness w1.vkey
    """
    try:
        data = read_proof(proof)
    except OSError as exc:
        raise UsageProblem(f"Cannot read {proof}: {exc.strerror}.") from None
    witnesses = [verifier_key(text) for text in witness or ()]
    needed = quorum_of(witnesses, quorum)
    checked = check(
        data, [verifier_key(text) for text in vkeys], witnesses=witnesses, quorum=needed
    )
    head = checked.checkpoint
    if checked.entry is not None:
        event = checked.entry["event"]
        stdout.print(
            f"Entry {checked.entry['seq']} ({event.get('type')}, signed by {event.get('signer')}, "
            f"recorded {checked.entry.get('recorded_at')}) is in the ledger {head.origin} "
            f"of {head.size} entries: the inclusion proof holds."
        )
    else:
        assert checked.old is not None
        stdout.print(
            f"The ledger {head.origin} of {head.size} entries extends its checkpoint of "
            f"{checked.old.size}: the consistency proof holds."
        )
    if checked.cosigned:
        names = ", ".join(checked.cosigned)
        stdout.print(f"Its checkpoint is cosigned by {len(checked.cosigned)} witness(es): {names}.")


def vkey(ledger: LedgerOption = DEFAULT_LEDGER) -> None:
    """Print the verifier key of every enrolled log key (name+hash+base64, the form of Go's
    golang.org/x/mod/sumdb/note), named by the charter's log origin: what journalists need.

    Example: assembly vkey > log.vkey
    """
    book = open_ledger(ledger)
    try:
        origin = log_origin(book)
        records = [r for r in book.signers() if r.role == "log" and r.revoked_seq is None]
    finally:
        book.close()
    if not records:
        raise UsageProblem("No log key is enrolled: enrol one with role log (assembly keys enrol).")
    for record in records:
        print(VerifierKey(origin, record.public_key).text())


def log_origin(book: Ledger) -> str:
    """The origin line of the ledger's checkpoints, as the charter sets it."""
    charters = [
        item.event
        for item in LedgerStore(book, None).load(ASSEMBLY)
        if isinstance(item.event, Chartered)
    ]
    origin = charters[0].log_origin if charters else None
    if not origin:
        raise UsageProblem(
            "The charter sets no log origin (assembly charter --log-origin): checkpoints need one."
        )
    return origin


def _log_record(book: Ledger, key_id: str) -> SignerRecord:
    records = {record.key_id: record for record in book.signers()}
    record = records.get(key_id)
    if record is None or record.role != "log" or record.revoked_seq is not None:
        found = "not enrolled" if record is None else f"of role {record.role}"
        if record is not None and record.revoked_seq is not None:
            found = "revoked"
        raise UsageProblem(f"Key {key_id} cannot sign checkpoints: it is {found}, not a log key.")
    return record


def _note_signer(signer: Signer, origin: str) -> SignerKey:
    """The log key as a signed note's signer: the note names it by the log's origin."""
    return SignerKey(origin, signer.seed)


def latest_or_refuse(book: Ledger) -> Issued:
    """The latest checkpoint issued, or a usage error saying how to issue one."""
    issued = latest_checkpoint(book.recorder)
    if issued is None:
        raise UsageProblem(
            "No checkpoint was issued yet: run assembly checkpoint --key LOGKEY first."
        )
    return issued


def _inclusion(book: Ledger, seq: int, issued: Issued) -> Inclusion:
    if seq >= issued.size:
        raise UsageProblem(
            f"Entry {seq} is not in the checkpoint of {issued.size} entries: "
            "issue a new checkpoint first (assembly checkpoint)."
        )
    data = book.recorder.read_entries(start=seq, limit=1)[0].canonical_bytes()
    return Inclusion(seq, data, prove_inclusion(book.recorder, seq, issued.size), issued.note)


def _consistency(book: Ledger, old_size: int, new_size: int | None) -> Consistency:
    old = checkpoint_at(book.recorder, old_size)
    new = checkpoint_at(book.recorder, new_size) if new_size is not None else latest_or_refuse(book)
    if new.size < old.size:
        raise UsageProblem(f"--to {new.size} is smaller than --consistency {old.size}.")
    try:
        hashes = prove_consistency(book.recorder, old.size, new.size)
    except EmptyOldTree:
        hashes = []  # every tree extends the empty one
    return Consistency(old.note, new.note, hashes)


def _witness_request(book: Ledger, old_size: int, new_size: int | None) -> bytes:
    """The add-checkpoint request a witness that last cosigned ``old_size`` needs."""
    new = checkpoint_at(book.recorder, new_size) if new_size is not None else latest_or_refuse(book)
    if old_size > new.size:
        raise UsageProblem(f"--consistency {old_size} is larger than the checkpoint ({new.size}).")
    hashes: list[bytes] = []
    if old_size not in (0, new.size):
        hashes = prove_consistency(book.recorder, old_size, new.size)
    return format_add_checkpoint(AddCheckpoint(old_size, tuple(hashes), new.note))


def cosignatures(
    response: Annotated[Path, typer.Argument(help="A witness's cosignature line(s).")],
    witness: WitnessOption = None,
    size: Annotated[
        int | None, typer.Option("--size", help="The checkpoint's size (default: the latest).")
    ] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
) -> None:
    """Keep witnesses' cosignatures of a checkpoint (each checked with its --witness key); the
    checkpoint is served with them from then on, in receipts and bundles.

    Example: assembly cosignatures w1.cosig --witness w1.vkey
    """
    keys = [verifier_key(text) for text in witness or ()]
    if not keys:
        raise UsageProblem("Give the key of the witness(es) with --witness.")
    try:
        lines = response.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageProblem(f"Cannot read {response}: {exc.strerror}.") from None
    signatures = [parse_signature_line(line) for line in lines if line.strip()]
    book = open_ledger(ledger)
    try:
        at = size if size is not None else latest_or_refuse(book).size
        kept = add_cosignatures(book.recorder, at, signatures, keys)
    finally:
        book.close()
    if not kept:
        raise CheckFailed(
            f"No cosignature in {response} is a valid one by the witnesses given of "
            f"the checkpoint of {at} entries."
        )
    stdout.print(
        f"Kept the cosignatures of {', '.join(k.name for k in kept)} (checkpoint of {at})."
    )


def _write(out: Path | None, data: bytes) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise UsageProblem(f"Cannot write {out}: {exc.strerror}.") from None
    stdout.print(f"Wrote {out}.")
