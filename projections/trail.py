"""The audit trail (docs/design.md 6): every entry about a recommendation, a panel or a signer, with
its seq, time, type, signer name and role, hash, and whether it verifies on its own.

An entry verifies when its stored hash is the hash of its bytes, its signature verifies with
its signer's enrolled key, and its ``prev`` is the stored hash of the entry before it (the
checks of ``ledger.verify`` that need no walk of the whole ledger). Recommendations and panels
are read stream by stream (indexed), with the corrections of each of their entries (stream
``correction/SEQ``); a signer's trail scans the ledger, since no index leads from a key to its
entries.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from domain.correction import correction_stream, review_stream
from domain.deliberation import deliberation_stream, evidence_stream
from domain.draws import InvitationDraw, PanelDraw, ThemeGroup, VolunteerPool
from domain.panel import panel_stream
from domain.recommendation import recommendation_stream
from ledger import Entry, Ledger
from ledger.canonical import ZERO_HASH
from ledger.history import after_the_fact
from ledger.keys import verify_signature
from ledger.signers import SignerRecord
from projections.runner import stored_numbers


@dataclass(frozen=True)
class TrailLine:
    """One entry of a trail; ``problem`` says why it does not verify (None: it does)."""

    seq: int
    recorded_at: str
    type: str
    signer: str
    name: str
    role: str
    hash: str
    problem: str | None
    occurred_at: str = ""  # the moment its author dated it
    after_the_fact: bool = False  # history recorded after the fact (``ledger.history``)

    @property
    def verifies(self) -> bool:
        return self.problem is None

    def kept(self, *, at_seq: int | None, until: datetime | None) -> bool:
        """Whether the entry is in the ledger as of entry ``at_seq`` and the moment ``until``
        (None: any): history recorded after the fact by the moment its author gave, every
        other entry by when the ledger recorded it (``ledger.history.counts_from``)."""
        moment = self.occurred_at if self.after_the_fact else self.recorded_at
        return (at_seq is None or self.seq <= at_seq) and (
            until is None or datetime.fromisoformat(moment) < until
        )


def recommendation_trail(ledger: Ledger, panel: int, number: int) -> list[TrailLine]:
    """Every entry of recommendation ``panel/number`` and every correction of them."""
    entries = ledger.stream(recommendation_stream(panel, number))
    return trail(ledger, _with_corrections(ledger, entries))


def panel_trail(ledger: Ledger, panel: int) -> list[TrailLine]:
    """Every entry of panel ``panel``'s streams (its draws, sessions, recommendations, reviews)
    and every correction of them. The recommendations' numbers come from the status projection."""
    streams = [
        panel_stream(panel),
        evidence_stream(panel),
        deliberation_stream(panel),
        review_stream(panel),
        InvitationDraw.stream_for(panel),
        VolunteerPool.stream_for(panel),
        PanelDraw.stream_for(panel),
        ThemeGroup.for_panel(panel).id,
        *(recommendation_stream(panel, number) for number in panel_numbers(ledger, panel)),
    ]
    return trail(ledger, _with_corrections(ledger, ledger.streams(streams)))


def signer_trail(ledger: Ledger, key_id: str) -> list[TrailLine]:
    """Every entry signed by ``key_id`` (a scan of the whole ledger)."""
    # Bodies are canonical JSON (RFC 8785): the signer field is written exactly like this.
    needle = f'"signer":"{key_id}"'.encode()
    found = (entry for entry in ledger.entries() if needle in entry.body)
    return trail(ledger, [entry for entry in found if entry.event["signer"] == key_id])


def panel_numbers(ledger: Ledger, panel: int) -> list[int]:
    """The numbers of the recommendations panel ``panel`` adopted, in order."""
    return stored_numbers(ledger, panel)


def trail(ledger: Ledger, entries: Iterable[Entry]) -> list[TrailLine]:
    """The trail lines of ``entries``, once each, in seq order."""
    by_seq = {entry.seq: entry for entry in entries}
    signers = {record.key_id: record for record in ledger.signers()}
    ordered = [by_seq[seq] for seq in sorted(by_seq)]
    history = ledger.history_before()
    # Each entry's prev is checked against the stored hash of the entry before it: those not
    # in the trail are read together, not one query per entry, and their hashes alone.
    missing = {entry.seq - 1 for entry in ordered if entry.seq > 0} - by_seq.keys()
    known = {
        **ledger.recorder.read_hashes(missing),
        **{seq: entry.hash for seq, entry in by_seq.items()},
    }
    return [_line(entry, signers, known, history=history) for entry in ordered]


def _with_corrections(ledger: Ledger, entries: Sequence[Entry]) -> list[Entry]:
    """``entries`` and every correction of one of them (read together, in one query)."""
    if not entries:
        return []
    corrections = ledger.streams([correction_stream(entry.seq) for entry in entries])
    return [*entries, *corrections]


def _line(
    entry: Entry,
    signers: dict[str, SignerRecord],
    known: dict[int, bytes],
    *,
    history: date | None,
) -> TrailLine:
    fields = entry.event
    signer = signers.get(str(fields["signer"]))
    occurred_at = str(fields.get("occurred_at", ""))
    return TrailLine(
        seq=entry.seq,
        recorded_at=entry.recorded_at,
        type=str(fields["type"]),
        signer=str(fields["signer"]),
        name="" if signer is None else signer.name,
        role="" if signer is None else signer.role,
        hash=entry.hash.hex(),
        problem=_problem(entry, signer, known),
        occurred_at=occurred_at,
        after_the_fact=bool(occurred_at) and after_the_fact(occurred_at, history),
    )


def _problem(entry: Entry, signer: SignerRecord | None, known: dict[int, bytes]) -> str | None:
    if entry.computed_hash() != entry.hash:
        return "the stored hash does not match the entry's bytes"
    if signer is None:
        return "its signer's key was never enrolled"
    if not _signed(signer.public_key, entry.hash, entry.sig, entry.body):
        return "the signature does not verify with the signer's enrolled key"
    if entry.prev != _previous_hash(entry.seq, known):
        return "prev is not the hash of the entry before"
    return None


def _signed(public_key: bytes, hash: bytes, sig: bytes, body: bytes) -> bool:
    """Whether ``sig`` is the key's signature of ``body``, remembered per process by the key and
    the entry's hash, which covers the body and the signature: a page asked again checks each
    entry once, and an entry changed behind the server has another hash (its stored hash no
    longer matching its bytes is caught before this), so it is checked again."""
    found = _SIGNED.get((public_key, hash))
    if found is None:
        found = verify_signature(public_key, sig, body)
        if len(_SIGNED) >= _SIGNED_AT_MOST:
            _SIGNED.clear()
        _SIGNED[(public_key, hash)] = found
    return found


_SIGNED: dict[tuple[bytes, bytes], bool] = {}
_SIGNED_AT_MOST = 100_000  # about 15 MB of keys and hashes; then forgotten all at once


def _previous_hash(seq: int, known: dict[int, bytes]) -> bytes | None:
    """The stored hash of the entry before ``seq`` (``known`` holds it when the ledger does)."""
    if seq == 0:
        return ZERO_HASH
    return known.get(seq - 1)
