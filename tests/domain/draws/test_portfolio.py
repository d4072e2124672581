"""The portfolio from sortition-algorithms: m panels meeting every quota, quietly."""

from __future__ import annotations

import dataclasses

import pytest

from domain.draws import (
    Pool,
    Portfolio,
    PortfolioFailed,
    Quota,
    UnknownAlgorithm,
    build_portfolio,
    offered_algorithms,
    quota_digest,
)
from domain.draws.portfolio import default_seed
from domain.draws.stage2 import check_panel

ROOT = "ab" * 32


def test_the_offered_algorithms_put_maximin_first_and_never_leximin() -> None:
    offered = offered_algorithms()
    assert offered[:3] == ("maximin", "nash", "legacy")
    assert "leximin" not in offered


def test_leximin_is_refused_with_the_choice_of_algorithms(pool: Pool, quotas: list[Quota]) -> None:
    with pytest.raises(
        UnknownAlgorithm,
        match=r"'leximin' is not offered here: choose one of maximin, nash, legacy",
    ):
        build_portfolio(
            pool,
            quotas,
            panel_size=12,
            size=5,
            algorithm="leximin",
            pool_root=ROOT,
            quota_digest="x",
        )


def test_the_legacy_portfolio_records_what_ran(portfolio: Portfolio, quotas: list[Quota]) -> None:
    assert portfolio.size == 50
    assert portfolio.algorithm == "legacy"
    assert portfolio.solver.startswith("none")
    assert portfolio.versions["sortition-algorithms"] == "0.12.15"
    assert portfolio.seed != 0
    assert portfolio.quota_digest == quota_digest(quotas)
    assert list(portfolio.panels) == sorted(portfolio.panels)


def test_maximin_builds_m_panels_that_meet_every_quota_and_prints_nothing(
    pool: Pool, quotas: list[Quota], capfd: pytest.CaptureFixture[str]
) -> None:
    seen: list[tuple[str, int, int | None]] = []
    portfolio = build_portfolio(
        pool,
        quotas,
        panel_size=12,
        size=50,
        algorithm="maximin",
        pool_root=ROOT,
        quota_digest=quota_digest(quotas),
        progress=lambda *step: seen.append(step),
    )
    assert portfolio.size == 50
    assert portfolio.solver.startswith("highspy ")
    strata = pool.strata()
    for index, panel in enumerate(portfolio.panels):
        check_panel(index, panel, strata, quotas, 12)
    covered = {pseudonym for panel in portfolio.panels for pseudonym in panel}
    assert len(covered) == len(pool)  # maximin leaves nobody at zero here
    assert seen and seen[0][0] == "multiplicative_weights"
    printed = capfd.readouterr()
    assert printed.out == ""
    assert printed.err == ""


def test_quotas_the_pool_cannot_meet_are_refused(pool: Pool, quotas: list[Quota]) -> None:
    impossible = [
        dataclasses.replace(q, min=12, max=12) if q.feature == "gender" else q for q in quotas
    ]
    with pytest.raises(
        PortfolioFailed,
        match=r"legacy found no portfolio of panels: .*check that the pool can meet",
    ):
        build_portfolio(
            pool,
            impossible,
            panel_size=12,
            size=3,
            algorithm="legacy",
            pool_root=ROOT,
            quota_digest="x",
        )


def test_the_default_library_seed_is_never_zero_and_follows_the_commitments() -> None:
    seeds = {default_seed(f"{n:064x}", "sha256:" + "0" * 64) for n in range(200)}
    assert 0 not in seeds
    assert all(1 <= seed < 2**31 for seed in seeds)
    assert default_seed(ROOT, "q") == default_seed(ROOT, "q") != default_seed(ROOT, "r")
