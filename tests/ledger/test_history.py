"""History recorded after the fact (``ledger.history``): a ledger opened with its charter key
valid from a past date takes entries dated before its start as history; any other ledger holds
none, whatever dates its entries carry."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ledger import Ledger, RolePolicy, Signer
from ledger.errors import InvalidEvent
from ledger.history import after_the_fact
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
