"""Fixtures shared by every test: backends, keys, a ready ledger, a controllable clock."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from domain.roles import ROLE_GRANTS
from ledger import Ledger, NewEvent, RolePolicy, Signer
from tests.backends import postgres_problem, schema_url, scratch_database

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database of this test run (skip without a server, fail under CI)."""
    problem = postgres_problem()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"CI=true requires PostgreSQL: {problem}")
        pytest.skip(problem)
    with scratch_database() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """A URL to an empty schema of its own in the run's PostgreSQL database."""
    return schema_url(postgres_database)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where to put a ledger: a SQLite file, then an empty PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "ledger.db")
    return str(request.getfixturevalue("postgres_url"))


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))


@pytest.fixture
def policy() -> RolePolicy:
    return RolePolicy(ROLE_GRANTS)


@dataclass
class World:
    """A ledger with a charter key, a secretariat key and a government key enrolled."""

    ledger: Ledger
    url: str
    charter: Signer
    secretariat: Signer
    government: Signer
    clock: Clock

    def event(self, type_: str = "assembly.panel.convened", **payload: object) -> NewEvent:
        return NewEvent(type=type_, payload=payload or {"number": 1}, occurred_at=self.clock())

    def append(self, signer: Signer, stream: uuid.UUID, version: int, *events: NewEvent):  # type: ignore[no-untyped-def]
        return self.ledger.append_new(signer, stream, version, list(events))


@pytest.fixture
def world(ledger_url: str, policy: RolePolicy, clock: Clock) -> Iterator[World]:
    charter, secretariat, government = (Signer.from_seed(bytes([n]) * 32) for n in (1, 2, 3))
    ledger = Ledger.create(ledger_url, policy, charter, name="Charter", clock=clock)
    clock.advance(minutes=1)
    ledger.enrol(charter, secretariat.public_key, role="secretariat", name="Secretariat")
    ledger.enrol(charter, government.public_key, role="government", name="Minister of Climate")
    clock.advance(minutes=1)
    yield World(ledger, ledger_url, charter, secretariat, government, clock)
    ledger.close()
