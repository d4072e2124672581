"""The audit trail: every entry about a recommendation, a panel or a signer, once, in seq order,
each marked with whether its hash, its signature and its link to the entry before verify."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import event

from domain.correction import correction_stream
from domain.recommendation import recommendation_stream
from ledger import Ledger
from projections.trail import panel_trail, recommendation_trail, signer_trail, trail
from tests.domain.conftest import Office


def test_a_recommendation_trail_holds_its_stream_and_the_corrections_of_it(
    answered: Office,
) -> None:
    lines = recommendation_trail(answered.ledger, 1, 2)
    assert [line.type for line in lines] == [
        "assembly.recommendation.adopted",
        "assembly.recommendation.handed_over",
        "assembly.government.responded",
        "assembly.correction.recorded",
    ]
    assert [line.seq for line in lines] == sorted(line.seq for line in lines)
    assert all(line.verifies for line in lines)
    assert lines[2].role == "government"


def test_a_panel_trail_includes_every_recommendation_s_trail(answered: Office) -> None:
    seqs = {line.seq for line in panel_trail(answered.ledger, 1)}
    for number in (1, 2, 3):
        assert {line.seq for line in recommendation_trail(answered.ledger, 1, number)} <= seqs


def test_a_signer_trail_holds_exactly_the_entries_it_signed(answered: Office) -> None:
    key_id = answered.keys["commission"].key_id
    lines = signer_trail(answered.ledger, key_id)
    assert [line.type for line in lines] == ["assembly.commission.assessed"]
    everything = trail(answered.ledger, answered.ledger.entries())
    assert [line.seq for line in lines] == [
        line.seq for line in everything if line.signer == key_id
    ]


def test_an_entry_with_changed_bytes_or_a_broken_link_does_not_verify(answered: Office) -> None:
    entries = list(answered.ledger.entries())
    last = entries[-1]
    changed = replace(last, recorded_at="2020-01-01T00:00:00.000000Z")
    [line] = trail(answered.ledger, [changed])
    assert line.problem == "the stored hash does not match the entry's bytes"
    forged = replace(last, sig=bytes(64))
    [line] = trail(answered.ledger, [replace(forged, hash=forged.computed_hash())])
    assert line.problem == "the signature does not verify with the signer's enrolled key"
    relinked = replace(last, prev=bytes(32))
    [line] = trail(answered.ledger, [replace(relinked, hash=relinked.computed_hash())])
    assert line.problem == "prev is not the hash of the entry before"


def test_a_trail_reads_the_corrections_and_the_entries_before_in_one_statement_each(
    answered: Office,
) -> None:
    engine = answered.ledger.recorder.datastore.engine
    seen: list[str] = []

    def record(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        seen.append(" ".join(sql.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        lines = recommendation_trail(answered.ledger, 1, 2)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(lines) == 4
    corrections = [sql for sql in seen if "ledger_events.originator_id IN" in sql]
    before = [sql for sql in seen if "ledger_entries.seq IN" in sql]
    assert (len(corrections), len(before)) == (1, 1)
    assert len(seen) <= 5  # and the stream, the signers, entry 0 (history)
    assert "ledger_events.state" not in before[0]  # their hashes alone, not their bodies


def test_a_trail_read_in_batches_says_what_reading_entry_by_entry_says(answered: Office) -> None:
    book = answered.ledger
    for panel, number in ((1, 1), (1, 2), (1, 3)):
        entries = book.stream(recommendation_stream(panel, number))
        corrections = [c for e in entries for c in book.stream(correction_stream(e.seq))]
        expected = [
            (entry.seq, entry.hash.hex(), previous_one_by_one(book, entry.seq) == entry.prev)
            for entry in sorted([*entries, *corrections], key=lambda entry: entry.seq)
        ]
        lines = recommendation_trail(book, panel, number)
        assert [(line.seq, line.hash, line.verifies) for line in lines] == expected


def previous_one_by_one(book: Ledger, seq: int) -> bytes | None:
    """The hash of the entry before ``seq``, read alone (the reference for the batched read)."""
    if seq == 0:
        return bytes(32)
    found = book.recorder.read_entries(start=seq - 1, limit=1)
    return found[0].hash if found and found[0].seq == seq - 1 else None


def test_a_trail_asked_again_checks_each_signature_once_and_still_refuses_a_forged_one(
    answered: Office, monkeypatch: Any
) -> None:
    import projections.trail as module

    checked: list[bytes] = []
    from ledger.keys import verify_signature as real

    def counting(public_key: bytes, signature: bytes, body: bytes) -> bool:
        checked.append(signature)
        return real(public_key, signature, body)

    monkeypatch.setattr(module, "verify_signature", counting)
    monkeypatch.setattr(module, "_SIGNED", {})
    first = recommendation_trail(answered.ledger, 1, 2)
    assert len(checked) == len(first)
    assert recommendation_trail(answered.ledger, 1, 2) == first and len(checked) == len(first)
    last = list(answered.ledger.entries())[-1]
    forged = replace(last, sig=bytes(64))
    forged = replace(forged, hash=forged.computed_hash())  # another hash: checked, refused,
    # and remembered as refused
    for _ in range(2):
        [line] = trail(answered.ledger, [forged])
        assert line.problem == "the signature does not verify with the signer's enrolled key"
    [line] = trail(answered.ledger, [last])
    assert line.verifies
