"""Steps of features/journalist/bundle.feature: bundles checked against the last one accepted.

The logs are the reproducible ones of ``tests.ledger.test_bundle`` (same keys, clock and streams,
so a rewritten log shares the untouched entries byte for byte); the journalist's command runs
through typer's test runner, as in ``tests.cli.test_bundle_commands``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, scenarios, then, when

from ledger import Ledger
from ledger.verifier_state import remembered_checkpoint
from tests.cli.test_bundle_commands import run
from tests.ledger.test_bundle import ORIGIN, SIGNERS, VKEY, bundle_of, grow, history

scenarios("journalist/bundle.feature")

LAST_MONTH = [1, 2, 3, 4]


@dataclass
class Journalist:
    """The journalist's folder: bundles taken away and the verifier's state."""

    home: Path
    log: Ledger | None = None  # the log operator's ledger, which grows after last month

    @property
    def state(self) -> Path:
        return self.home / "data" / "verifier.json"

    def checkpoint(self, bundle: str) -> bytes:
        return (self.home / bundle / "checkpoint.txt").read_bytes()

    def verify(self, bundle: str) -> tuple[int, str]:
        folder = str(self.home / bundle)
        return run("verify-bundle", folder, "--vkey", VKEY.text(), "--state", str(self.state))


@pytest.fixture
def journalist(tmp_path: Path) -> Iterator[Journalist]:
    journalist = Journalist(tmp_path)
    yield journalist
    if journalist.log is not None:
        journalist.log.close()


@given(
    parsers.parse("last month's bundle of a log of {size:d} entries, which the journalist verified")
)
def last_months_bundle(journalist: Journalist, size: int) -> None:
    assert size == SIGNERS + len(LAST_MONTH)
    journalist.log = history(str(journalist.home / "log.db"), LAST_MONTH)
    bundle_of(journalist.log, journalist.home / "last-month")
    code, said = journalist.verify("last-month")
    assert code == 0, said


@given(parsers.parse("today's bundle of the same log, grown to {size:d} entries"))
def todays_grown_bundle(journalist: Journalist, size: int) -> None:
    assert journalist.log is not None
    grow(journalist.log, range(5, 5 + size - SIGNERS - len(LAST_MONTH)))
    bundle_of(journalist.log, journalist.home / "today")


@given(parsers.parse("today's bundle of the log with its history rewritten from seq {seq:d}"))
def todays_rewritten_bundle(journalist: Journalist, seq: int) -> None:
    kept = LAST_MONTH[: seq - SIGNERS]
    ledger = history(str(journalist.home / "rewritten.db"), [*kept, 8, 8, 8])
    bundle_of(ledger, journalist.home / "today")
    ledger.close()


@when("the journalist verifies today's bundle", target_fixture="verdict")
def verify_today(journalist: Journalist) -> tuple[int, str]:
    return journalist.verify("today")


@then("the consistency check passes")
def check_passes(verdict: tuple[int, str]) -> None:
    code, said = verdict
    assert code == 0, said
    assert "It extends the checkpoint of 7 entries accepted before" in said


@then(parsers.parse("the consistency check fails at seq {seq:d}"))
def check_fails_at(verdict: tuple[int, str], seq: int) -> None:
    code, said = verdict
    assert code == 1, said
    assert f"the histories first differ at seq {seq}; the proof of misbehaviour is in" in said


@then("the misbehaviour report holds both signed checkpoints")
def report_holds_both(journalist: Journalist, verdict: tuple[int, str]) -> None:
    (path,) = journalist.state.parent.glob("misbehaviour-*.json")
    assert str(path) in verdict[1]
    report = json.loads(path.read_text())
    assert report["remembered_checkpoint"].encode() == journalist.checkpoint("last-month")
    assert report["new_checkpoint"].encode() == journalist.checkpoint("today")


@then("the verifier now remembers today's checkpoint")
def remembers_today(journalist: Journalist) -> None:
    assert remembered_checkpoint(journalist.state, ORIGIN) == journalist.checkpoint("today")


@then("the verifier still remembers last month's checkpoint")
def remembers_last_month(journalist: Journalist) -> None:
    assert remembered_checkpoint(journalist.state, ORIGIN) == journalist.checkpoint("last-month")
