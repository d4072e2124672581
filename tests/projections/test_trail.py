"""The audit trail: every entry about a recommendation, a panel or a signer, once, in seq order,
each marked with whether its hash, its signature and its link to the entry before verify."""

from __future__ import annotations

from dataclasses import replace

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
