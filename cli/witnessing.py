"""The log's side of witnessing for ``assembly checkpoint --witnesses POLICY``: each checkpoint
issued goes with its consistency proof to the policy's witnesses over HTTP (``tlog.witnessing``),
and the cosignatures that verify are kept with it, so it is served cosigned from then on (API,
tiles, receipts, bundles). With ``--every``, a checkpoint is issued within that many seconds of
a write, and the latest, while it has not reached the quorum, is sent to the witnesses again
each round (once the ledger grows, a newer checkpoint takes its place).
"""

from __future__ import annotations

import time
from collections.abc import Callable, MutableMapping
from pathlib import Path

from cli.errors import UsageProblem
from ledger import Ledger
from ledger.tree import (
    Issued,
    add_cosignatures,
    checkpoint_at,
    issue_checkpoint,
    latest_checkpoint,
    prove_consistency,
)
from tlog.checkpoint import parse_checkpoint
from tlog.note import SignerKey, parse_note
from tlog.witnessing import (
    Gathered,
    Policy,
    PolicyError,
    gather_cosignatures,
    parse_policy,
    quorum_met,
)
from tlog.witnessing import cosigners as cosigners_of

DEFAULT_EVERY = 10.0


def read_policy(path: Path) -> Policy:
    """The witness policy in ``path``, or a usage error that names the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "it is not UTF-8 text"
        raise UsageProblem(f"Cannot read the witness policy {path}: {reason}.") from None
    try:
        return parse_policy(text, where=str(path))
    except PolicyError as error:
        raise UsageProblem(error.sentence()) from None


def witness(
    book: Ledger, issued: Issued, policy: Policy, sizes: MutableMapping[str, int]
) -> Gathered:
    """Send the checkpoint ``issued`` to the policy's witnesses and keep what they cosign."""
    checkpoint = parse_checkpoint(parse_note(issued.note).text)
    gathered = gather_cosignatures(
        policy,
        issued.note,
        checkpoint,
        lambda old, new: prove_consistency(book.recorder, old, new),
        sizes=sizes,
    )
    if gathered.cosignatures:
        add_cosignatures(book.recorder, issued.size, gathered.cosignatures, policy.keys)
    return gathered


def cosigners(issued: Issued, policy: Policy) -> list[str]:
    """The names of the policy's witnesses whose cosignature the checkpoint is served with."""
    return cosigners_of(issued.note, policy)


def keep_witnessed(
    open_book: Callable[[], Ledger],
    signer: SignerKey,
    origin: str,
    policy: Policy,
    *,
    every: float,
    report: Callable[[str], None],
    rounds: int | None = None,
) -> None:
    """Every ``every`` seconds: issue a checkpoint if the ledger grew, and send the latest one
    to the witnesses until the quorum has cosigned it (``rounds``: stop after that many)."""
    sizes: dict[str, int] = {}
    done = 0
    while rounds is None or done < rounds:
        book = open_book()
        try:
            issued = _latest_or_new(book, signer, origin)
            if issued is not None and not quorum_met(policy, cosigners(issued, policy)):
                gathered = witness(book, issued, policy, sizes)
                issued = checkpoint_at(book.recorder, issued.size)
                report(describe(issued, policy, gathered))
        finally:
            book.close()
        done += 1
        if rounds is None or done < rounds:
            time.sleep(every)


def _latest_or_new(book: Ledger, signer: SignerKey, origin: str) -> Issued | None:
    latest = latest_checkpoint(book.recorder)
    if latest is not None and latest.size == book.count():
        return latest
    if latest is None and book.count() == 0:
        return None
    return issue_checkpoint(book.recorder, signer, origin=origin)


def describe(issued: Issued, policy: Policy, gathered: Gathered) -> str:
    """One line: who cosigned the checkpoint, whether the quorum is met, why others did not."""
    names = cosigners(issued, policy)
    met = "quorum met" if quorum_met(policy, names) else "quorum NOT met"
    line = (
        f"Checkpoint of {issued.size} entries cosigned by {len(names)} of "
        f"{len(policy.witnesses)} witnesses ({', '.join(names) or 'none'}; {met}, "
        f"{policy.quorum} required)."
    )
    refused = "; ".join(f"{name}: {why}" for name, why in sorted(gathered.refusals.items()))
    return f"{line} Not cosigned by {refused}." if refused else line
