"""Random runs of appends, refusals, enrolments and revocations: the ledger always verifies.

A hypothesis state machine drives a SQLite ledger and a model of it side by side. After every
step the entry count, the streams' versions and the head agree with the model, a refused step
changed nothing, and the whole ledger verifies.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.roles import ROLE_GRANTS
from ledger import Ledger, NewEvent, RolePolicy, Signer, verification_report
from ledger.errors import (
    RoleNotAllowed,
    SignerRevoked,
    StreamVersionConflict,
    UnknownSigner,
)

POLICY = RolePolicy(ROLE_GRANTS)
OFFICES = {"secretariat": "assembly.panel.convened", "government": "assembly.government.responded"}


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="ledger-machine-"))
        self.now = datetime(2026, 3, 1, tzinfo=UTC)
        self.charter = Signer.generate()
        self.ledger = Ledger.create(
            str(self.folder / "l.db"), POLICY, self.charter, name="Charter", clock=lambda: self.now
        )
        self.count = 1
        self.keys: dict[str, tuple[Signer, str, bool]] = {}  # key id -> signer, role, revoked
        self.streams: dict[uuid.UUID, int] = {}

    @initialize(role=st.sampled_from(sorted(OFFICES)))
    def enrol_a_first_office(self, role: str) -> None:
        self.enrol(role)

    def teardown(self) -> None:
        self.ledger.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def tick(self) -> None:
        self.now += timedelta(seconds=1)

    def live_key(self, data: st.DataObject) -> tuple[str, Signer, str] | None:
        """Draw an enrolled, unrevoked key: its id, signer and role (None if there is none)."""
        live = sorted(k for k, (_, _, revoked) in self.keys.items() if not revoked)
        if not live:
            return None
        key_id = data.draw(st.sampled_from(live))
        signer, role, _ = self.keys[key_id]
        return key_id, signer, role

    def event(self, role: str, n: int) -> NewEvent:
        return NewEvent(OFFICES[role], {"n": n}, occurred_at=self.now)

    @rule(role=st.sampled_from(sorted(OFFICES)))
    def enrol(self, role: str) -> None:
        self.tick()
        signer = Signer.generate()
        self.ledger.enrol(self.charter, signer.public_key, role=role, name=role.title())
        self.keys[signer.key_id] = (signer, role, False)
        self.count += 1

    @rule(data=st.data(), new_stream=st.booleans(), size=st.integers(1, 4))
    def append(self, data: st.DataObject, new_stream: bool, size: int) -> None:
        if (drawn := self.live_key(data)) is None:
            return
        _, signer, role = drawn
        stream = (
            uuid.uuid4()
            if new_stream or not self.streams
            else data.draw(st.sampled_from(sorted(self.streams, key=str)))
        )
        version = self.streams.get(stream, 0)
        self.tick()
        self.ledger.append_new(signer, stream, version, [self.event(role, i) for i in range(size)])
        self.streams[stream] = version + size
        self.count += size

    @rule(data=st.data())
    def a_stale_version_is_refused(self, data: st.DataObject) -> None:
        if (drawn := self.live_key(data)) is None or not self.streams:
            return
        _, signer, role = drawn
        stream = data.draw(st.sampled_from(sorted(self.streams, key=str)))
        stale = data.draw(st.integers(0, self.streams[stream] - 1))
        self.tick()
        with pytest.raises(StreamVersionConflict):
            self.ledger.append_new(signer, stream, stale, [self.event(role, 0)])

    @rule(data=st.data())
    def a_role_writes_only_its_own_events(self, data: st.DataObject) -> None:
        if (drawn := self.live_key(data)) is None:
            return
        _, signer, role = drawn
        other = next(r for r in OFFICES if r != role)
        self.tick()
        with pytest.raises(RoleNotAllowed):
            self.ledger.append_new(signer, uuid.uuid4(), 0, [self.event(other, 0)])

    @rule()
    def an_unknown_key_is_refused(self) -> None:
        self.tick()
        with pytest.raises(UnknownSigner):
            self.ledger.append_new(
                Signer.generate(), uuid.uuid4(), 0, [self.event("secretariat", 0)]
            )

    @rule(data=st.data())
    def revoke(self, data: st.DataObject) -> None:
        if (drawn := self.live_key(data)) is None:
            return
        key_id, signer, role = drawn
        self.tick()
        self.ledger.revoke(self.charter, key_id, reason="rotated")
        self.keys[key_id] = (signer, role, True)
        self.count += 1
        self.tick()
        with pytest.raises(SignerRevoked):
            self.ledger.append_new(signer, uuid.uuid4(), 0, [self.event(role, 0)])

    @invariant()
    def the_ledger_matches_the_model_and_verifies(self) -> None:
        report = verification_report(self.ledger.recorder, POLICY)
        assert report.entries == self.ledger.count() == self.count
        assert report.head == self.ledger.head()
        for stream, version in self.streams.items():
            assert len(self.ledger.stream(stream)) == version


TestLedgerMachine = LedgerMachine.TestCase
TestLedgerMachine.settings = settings(
    max_examples=15,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
