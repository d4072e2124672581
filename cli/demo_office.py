"""The demo's stage: a simulated clock, the office that acts as each role, and small helpers
for the steps of ``cli.demo_cycle``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Protocol, TypeVar

from cli.store import LedgerStore
from domain.process import Session
from ledger import Ledger, Signer

E = TypeVar("E", contravariant=True)


class SimulatedClock:
    """The demo's clock: set to each step's day; it only moves forward."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def to(self, moment: datetime) -> datetime:
        self.now = max(self.now + timedelta(seconds=1), moment)
        return self.now


@dataclass
class Office:
    """The demo's ledger, keys and clock, and a way to act as each role."""

    ledger: Ledger
    clock: SimulatedClock
    keys: dict[str, Signer]
    out: Path
    seed: int
    stores: dict[str, LedgerStore] = field(default_factory=dict)

    def do(self, role: str, when: datetime, step: Callable[[Session, datetime], object]) -> None:
        """Run one step as ``role``, dated ``when`` (the clock moves there first)."""
        at = self.clock.to(when)
        session = self.session(role)
        step(session, at)
        session.commit()

    def session(self, role: str) -> Session:
        """A session to batch several steps of one role (committed by the caller)."""
        store = self.stores.get(role)
        if store is None:
            store = self.stores[role] = LedgerStore(self.ledger, self.keys[role])
        return Session(store)

    def public_value(self, label: str) -> str:
        """A synthetic 'public random value', as a lottery would publish it."""
        digest = hashlib.sha256(f"{self.seed}/{label}".encode()).digest()
        numbers = sorted({1 + byte % 45 for byte in digest})[:6]
        return "synthetic lottery: " + " ".join(f"{n:02d}" for n in numbers)


def day(text: str | date, hour: int = 10) -> datetime:
    """A demo moment: that day at ``hour`` UTC."""
    value = date.fromisoformat(text) if isinstance(text, str) else text
    return datetime(value.year, value.month, value.day, hour, tzinfo=UTC)


class Step(Protocol[E]):
    def __call__(self, session: Session, event: E, /, *, at: datetime) -> None: ...


def with_event(step: Step[E], event: E) -> Callable[[Session, datetime], object]:
    """A step of the process with its event bound, for ``Office.do``."""
    return lambda session, at: step(session, event, at=at)


def sha256_digest(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return "sha256:" + hashlib.sha256(raw).hexdigest()
