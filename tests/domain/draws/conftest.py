"""Synthetic draws for the tests: generated pseudonyms and address ids, never real people.

A pool of 60 volunteers with three features, a panel of 12, a portfolio of 50 panels built by
``legacy`` (the fastest algorithm; its seed makes it repeatable in one process), and an address
register of 4,000 addresses over the 19 Brussels municipalities.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from domain.draws import (
    InvitationDraw,
    PanelDraw,
    Pool,
    Portfolio,
    Quota,
    Register,
    VolunteerPool,
    build_portfolio,
    commitment_root,
    draw_invitations,
    draw_panel,
    make_pool,
    new_salts,
    portfolio_digest,
    quota_digest,
)
from domain.draws.events import (
    InvitationAnnounced,
    InvitationPerformed,
    PanelAnnounced,
    PanelPerformed,
)
from domain.draws.stage2 import pool_counts

MUNICIPALITIES = (
    "Anderlecht",
    "Auderghem",
    "Berchem-Sainte-Agathe",
    "Bruxelles",
    "Etterbeek",
    "Evere",
    "Forest",
    "Ganshoren",
    "Ixelles",
    "Jette",
    "Koekelberg",
    "Molenbeek-Saint-Jean",
    "Saint-Gilles",
    "Saint-Josse-ten-Noode",
    "Schaerbeek",
    "Uccle",
    "Watermael-Boitsfort",
    "Woluwe-Saint-Lambert",
    "Woluwe-Saint-Pierre",
)
FEATURES = {
    "gender": ("female", "male"),
    "age_band": ("16-34", "35-59", "60+"),
    "education": ("low", "middle", "high"),
}
ANNOUNCED_AT = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
PUBLISHED_AT = ANNOUNCED_AT + timedelta(days=7)
PERFORMED_AT = PUBLISHED_AT + timedelta(hours=2)
PUBLIC_VALUE = "Lotto 2025-03-08: 4 11 23 31 38 42 (bonus 7)"
SOURCE = "Belgian National Lottery, Lotto draw of 8 March 2025"


def synthetic_rows(count: int, *, seed: int = 7) -> list[dict[str, str]]:
    """Volunteers with generated pseudonyms (P-000001, ...) and random feature values."""
    rng = random.Random(seed)
    return [
        {"pseudonym": f"P-{n:06d}", **{f: rng.choice(values) for f, values in FEATURES.items()}}
        for n in range(1, count + 1)
    ]


def quotas_around(pool: Pool, panel_size: int, slack: int = 2) -> list[Quota]:
    """Quotas at each stratum's share of the pool, plus or minus ``slack``."""
    counts = pool_counts(pool)
    quotas = []
    for feature in sorted(FEATURES):
        for value in FEATURES[feature]:
            target = round(counts.get((feature, value), 0) * panel_size / len(pool))
            quotas.append(Quota(feature, value, max(0, target - slack), target + slack))
    return quotas


def synthetic_register(count: int, *, seed: int = 11) -> Register:
    """Address ids A-0000001, ... spread unevenly over the 19 municipalities."""
    rng = random.Random(seed)
    weights = [3 + (i * 7) % 11 for i in range(len(MUNICIPALITIES))]
    places = rng.choices(MUNICIPALITIES, weights, k=count)
    return Register([f"A-{n:07d}" for n in range(1, count + 1)], places)


@dataclass(frozen=True)
class PanelCase:
    """A stage 2 draw announced and performed, with the files it was made from."""

    pool: Pool
    salts: list[bytes]
    quotas: list[Quota]
    portfolio: Portfolio
    announced: PanelAnnounced
    performed: PanelPerformed


@dataclass(frozen=True)
class InvitationCase:
    """A stage 1 draw announced and performed, with the files it was made from."""

    register: Register
    salts: list[bytes]
    announced: InvitationAnnounced
    performed: InvitationPerformed


@pytest.fixture(scope="session")
def pool() -> Pool:
    return make_pool(synthetic_rows(60))


@pytest.fixture(scope="session")
def quotas(pool: Pool) -> list[Quota]:
    return quotas_around(pool, 12)


@pytest.fixture(scope="session")
def pool_salts(pool: Pool) -> list[bytes]:
    return new_salts(len(pool))


@pytest.fixture(scope="session")
def portfolio(pool: Pool, quotas: list[Quota], pool_salts: list[bytes]) -> Portfolio:
    root = commitment_root(pool.records(), pool_salts).hex()
    return build_portfolio(
        pool,
        quotas,
        panel_size=12,
        size=50,
        algorithm="legacy",
        pool_root=root,
        quota_digest=quota_digest(quotas),
    )


@pytest.fixture(scope="session")
def panel_case(
    pool: Pool, pool_salts: list[bytes], quotas: list[Quota], portfolio: Portfolio
) -> PanelCase:
    root = commitment_root(pool.records(), pool_salts)
    closed = VolunteerPool.for_panel(1)
    closed.close(
        panel=1,
        pool_root=root.hex(),
        pool_size=len(pool),
        counts=pool_counts(pool),
        at=ANNOUNCED_AT - timedelta(days=1),
    )
    draw = PanelDraw.for_panel(1)
    draw.announce(
        panel=1,
        pool=closed,
        pool_data=pool,
        quotas=quotas,
        portfolio=portfolio,
        draw_id="test-assembly/panel-1/stage-2",
        randomness_source=SOURCE,
        at=ANNOUNCED_AT,
    )
    result = draw_panel(
        portfolio,
        pool,
        quotas,
        public_value=PUBLIC_VALUE,
        pool_root=root,
        draw_id="test-assembly/panel-1/stage-2",
    )
    draw.perform(
        result,
        panel=1,
        pool_root=root.hex(),
        quota_digest=quota_digest(quotas),
        portfolio_digest=portfolio_digest(portfolio),
        algorithm="legacy",
        randomness_value=PUBLIC_VALUE,
        randomness_published_at=PUBLISHED_AT,
        at=PERFORMED_AT,
    )
    announced, performed = (pending.event for pending in draw.collect())
    assert isinstance(announced, PanelAnnounced)
    assert isinstance(performed, PanelPerformed)
    return PanelCase(pool, pool_salts, quotas, portfolio, announced, performed)


@pytest.fixture(scope="session")
def register() -> Register:
    return synthetic_register(4000)


@pytest.fixture(scope="session")
def invitation_case(register: Register) -> InvitationCase:
    salts = new_salts(len(register))
    root = commitment_root(register.records(), salts)
    draw = InvitationDraw.for_panel(1)
    draw.announce(
        panel=1,
        draw_id="test-assembly/panel-1/stage-1",
        register_root=root.hex(),
        addresses_per_municipality=register.counts(),
        letters=200,
        randomness_source=SOURCE,
        at=ANNOUNCED_AT,
    )
    announced = draw.announced
    assert announced is not None
    result = draw_invitations(
        register,
        announced.letters_per_municipality,
        public_value=PUBLIC_VALUE,
        register_root=root,
        draw_id=announced.draw_id,
    )
    draw.perform(
        result,
        panel=1,
        register_root=root.hex(),
        algorithm=announced.algorithm,
        randomness_value=PUBLIC_VALUE,
        randomness_published_at=PUBLISHED_AT,
        at=PERFORMED_AT,
    )
    first, second = (pending.event for pending in draw.collect())
    assert isinstance(first, InvitationAnnounced)
    assert isinstance(second, InvitationPerformed)
    return InvitationCase(register, salts, first, second)
