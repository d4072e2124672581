"""History recorded after the fact (``ledger.history``): a ledger opened with its charter key
valid from a past date takes entries dated before its start as history; any other ledger holds
none, whatever dates its entries carry."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ledger import Ledger, RolePolicy, Signer
from ledger.errors import InvalidEvent
from ledger.history import after_the_fact, counted_before, dated
from tests.conftest import Clock


def test_a_ledger_opened_without_a_past_validity_holds_no_history(
    tmp_path: Path, policy: RolePolicy, clock: Clock
) -> None:
    book = Ledger.create(str(tmp_path / "l.db"), policy, Signer.generate(), name="c", clock=clock)
    assert book.history_before() is None
    assert not after_the_fact("2019-10-01T00:00:00.000000Z", book.history_before())


def test_a_ledger_opened_with_a_past_validity_takes_entries_dated_before_its_start_as_history(
    tmp_path: Path, policy: RolePolicy, clock: Clock
) -> None:
    since = datetime(2019, 9, 1, tzinfo=UTC)
    book = Ledger.create(
        str(tmp_path / "l.db"), policy, Signer.generate(), name="c", clock=clock, valid_from=since
    )
    start = book.history_before()
    assert start == date(2026, 1, 5)  # the day entry 0 was recorded
    assert after_the_fact("2020-06-29T00:00:00.000000Z", start)
    assert after_the_fact("2026-01-04T23:59:59.999999Z", start)
    assert not after_the_fact("2026-01-05T00:00:00.000000Z", start)  # the start day is live
    [record] = book.signers()
    assert record.valid_from == "2019-09-01T00:00:00.000000Z"


def test_a_charter_key_valid_only_from_a_future_date_is_refused(
    tmp_path: Path, policy: RolePolicy, clock: Clock
) -> None:
    later = datetime(2026, 2, 1, tzinfo=UTC)
    with pytest.raises(
        InvalidEvent, match=re.escape("validity starts 2026-02-01T00:00:00.000000Z, after now")
    ):
        Ledger.create(
            str(tmp_path / "l.db"),
            policy,
            Signer.generate(),
            name="c",
            clock=clock,
            valid_from=later,
        )


START = date(2026, 1, 5)  # a history ledger's start day
END_OF_2020 = datetime(2021, 1, 1, tzinfo=UTC)  # the moment "as of 2020-12-31" reads up to


def body(occurred_at: str, *, canonical: bool = True) -> bytes:
    fields = {"occurred_at": occurred_at, "payload": {"n": 1}, "schema": 1, "type": "t"}
    if canonical:
        return json.dumps(fields, separators=(",", ":"), sort_keys=True).encode()
    return json.dumps(fields, indent=2).encode()  # as an earlier release might have stored it


@pytest.mark.parametrize("canonical", [True, False], ids=["canonical", "not canonical"])
def test_an_entry_s_date_is_read_from_its_body_canonical_or_not(canonical: bool) -> None:
    assert dated(body("2020-06-29T00:00:00.000000Z", canonical=canonical)) == (
        "2020-06-29T00:00:00.000000Z"
    )


def test_as_of_a_day_history_counts_from_its_authors_date_and_live_entries_when_recorded() -> None:
    recorded_in_2026 = "2026-01-06T10:00:00.000000Z"
    answered_in_2020 = body("2020-06-29T00:00:00.000000Z")
    assert counted_before(recorded_in_2026, answered_in_2020, END_OF_2020, START)
    answered_in_2021 = body("2021-01-01T00:00:00.000000Z")
    assert not counted_before(recorded_in_2026, answered_in_2021, END_OF_2020, START)
    live = body("2026-01-06T10:00:00.000000Z")
    assert not counted_before(recorded_in_2026, live, END_OF_2020, START)


def test_as_of_a_day_a_ledger_without_history_counts_every_entry_from_the_day_recorded() -> None:
    backdated = body("2020-06-29T00:00:00.000000Z")
    assert not counted_before("2026-01-06T10:00:00.000000Z", backdated, END_OF_2020, None)
    assert counted_before("2020-12-31T23:00:00.000000Z", backdated, END_OF_2020, None)
    assert counted_before("2026-01-06T10:00:00.000000Z", backdated, None, None)
