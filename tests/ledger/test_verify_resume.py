"""A walk taken up where an earlier one ended (``verify_rows(start=...)``) checks the entries
after it as a walk from entry 0 would: the same report, and the same refusals of what breaks
a rule that needs the entries before (the chain, a stream's version, a revoked or unknown
signer)."""

from __future__ import annotations

from dataclasses import astuple, replace

import pytest

from ledger.errors import VerificationFailed
from ledger.verify import verify_rows
from tests.forgery import ENTRIES, POLICY, Forgery, failure

SPLIT = ENTRIES // 2


def test_a_walk_taken_up_halfway_reports_what_a_whole_walk_reports(forged: Forgery) -> None:
    values = [astuple(row) for row in forged.rows]
    whole = verify_rows([values], POLICY)
    first = verify_rows([values[:SPLIT]], POLICY)

    rest = verify_rows([values[SPLIT:]], POLICY, start=first.reached)

    assert rest.report == whole.report
    assert rest.reached == whole.reached
    assert first.reached.seq == SPLIT and first.reached.signers


def test_a_walk_taken_up_refuses_an_entry_that_does_not_chain_to_the_last_one(
    forged: Forgery,
) -> None:
    values = [astuple(row) for row in forged.rows]
    first = verify_rows([values[:SPLIT]], POLICY)
    other = replace(first.reached, prev=bytes(32))

    reason = (
        "prev is not the hash of the entry before: an entry was changed, removed, inserted or "
        "reordered"
    )
    with pytest.raises(VerificationFailed, match=failure(SPLIT, reason)):
        verify_rows([values[SPLIT:]], POLICY, start=other)


def test_a_walk_taken_up_knows_no_signer_it_was_not_given(forged: Forgery) -> None:
    values = [astuple(row) for row in forged.rows]
    first = verify_rows([values[:SPLIT]], POLICY)
    forgetful = replace(first.reached, signers=first.reached.signers[:1])

    with pytest.raises(VerificationFailed, match=r"(never|is not) enrolled") as refused:
        verify_rows([values[SPLIT:]], POLICY, start=forgetful)
    assert refused.value.seq >= SPLIT


def test_a_walk_taken_up_keeps_each_streams_version(forged: Forgery) -> None:
    values = [astuple(row) for row in forged.rows]
    first = verify_rows([values[:SPLIT]], POLICY)
    later = verify_rows([values[SPLIT:]], POLICY, start=first.reached)
    touched = {name for name, version in later.reached.streams.items()
               if first.reached.streams.get(name) not in (None, version)}  # fmt: skip
    assert touched, "the second half goes on with a stream of the first"
    reset = replace(first.reached, streams={})

    with pytest.raises(VerificationFailed, match="is out of order"):
        verify_rows([values[SPLIT:]], POLICY, start=reset)
