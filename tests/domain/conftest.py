"""An assembly office over a real ledger (a SQLite file): one key per role, a hand-moved clock,
and helpers to run a step as a role or to check that a rule refuses it and writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from cli.store import LedgerStore
from domain import commands
from domain.charter import Chartered
from domain.errors import RuleBroken
from domain.process import Session, run
from ledger import Ledger, RolePolicy, Signer
from tests.conftest import Clock

ROLES = ("charter", "secretariat", "government", "commission")
Step = Callable[[Session, datetime], None]


@dataclass
class Office:
    ledger: Ledger
    clock: Clock
    keys: dict[str, Signer]

    def store(self, role: str) -> LedgerStore:
        return LedgerStore(self.ledger, self.keys[role])

    def do(self, role: str, step: Step) -> list[int]:
        """Run ``step`` signed by ``role``'s key, dated now; return the seqs written."""
        self.clock.advance(minutes=1)
        return run(self.store(role), lambda session: step(session, self.clock()))

    def refuses(self, role: str, step: Step, error: type[RuleBroken], match: str) -> None:
        """The step is refused with ``error`` saying ``match``, and the ledger is unchanged."""
        before = (self.ledger.count(), self.ledger.head())
        with pytest.raises(error, match=match):
            self.do(role, step)
        assert (self.ledger.count(), self.ledger.head()) == before


@pytest.fixture
def office(tmp_path: Path, policy: RolePolicy, clock: Clock) -> Iterator[Office]:
    keys = {role: Signer.from_seed(bytes([n + 1]) * 32) for n, role in enumerate(ROLES)}
    ledger = Ledger.create(
        str(tmp_path / "assembly.db"), policy, keys["charter"], name="Charter", clock=clock
    )
    for role in ROLES[1:]:
        ledger.enrol(keys["charter"], keys[role].public_key, role=role, name=f"The {role}")
    yield Office(ledger, clock, keys)
    ledger.close()


@pytest.fixture
def chartered(office: Office) -> Office:
    """An office whose assembly has its charter (French and Dutch, the default rules)."""
    charter = Chartered(name="Assembly", region="Brussels-Capital", languages=("fr", "nl"))
    office.do("charter", lambda s, at: commands.write_charter(s, charter, at=at))
    return office
