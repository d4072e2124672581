"""The panel composition read model: counts compared with those computed from the draw's own
files, time travel around the panel draw, suppressed pool cells, population shares."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from domain import commands
from domain.draws import PanelDraw
from domain.draws.events import PanelAnnounced, PanelPerformed, PoolClosed
from domain.events import Event, Recorded, decode
from domain.panel import Convened, WithdrawalReason
from ledger import Ledger
from projections.composition import (
    Composition,
    Hidden,
    fold,
    read_composition,
    seated_now,
    share,
    strata,
)
from tests.domain.conftest import (  # noqa: F401  (fixtures reused from the domain tests)
    THEME,
    Office,
    SmallDraws,
    assembly_charter,
    members,
    pool_closed,
    reserves,
    seated,
    small_draws,
    snapshots,
    step,
)

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def expected_drawn(draws: SmallDraws, chosen: tuple[str, ...]) -> Counter[tuple[str, str]]:
    """Members per (feature, value), counted from the pool file's rows, not from the ledger."""
    rows = {row.pseudonym: row for row in draws.pool.rows}
    return Counter(
        (feature, value)
        for pseudonym in chosen
        for feature, value in zip(draws.pool.features, rows[pseudonym].values, strict=True)
    )


def seq_of(ledger: Ledger, type_name: str) -> int:
    """The seq of panel 1's panel draw entry of ``type_name``."""
    (found,) = [e for e in ledger.stream(PanelDraw.stream_for(1)) if e.event["type"] == type_name]
    return found.seq


def test_drawn_counts_are_those_of_the_members_in_the_pool_file(
    seated: Office,  # noqa: F811
    small_draws: SmallDraws,  # noqa: F811
    members: tuple[str, ...],  # noqa: F811
) -> None:
    rows = strata(read_composition(seated.ledger, 1))
    expected = expected_drawn(small_draws, members)
    assert [(q.feature, q.value) for q in small_draws.quotas] == [
        (r.feature, r.value) for r in rows
    ]
    for row, quota in zip(rows, small_draws.quotas, strict=True):
        assert (row.min, row.max) == (quota.min, quota.max)
        assert row.drawn == expected[row.feature, row.value]
        assert row.drawn_ppm == share(expected[row.feature, row.value], len(members))
        assert row.seated == row.drawn
        assert row.population_ppm is Hidden.UNKNOWN  # the test quota file gives no shares
    assert sum(row.drawn or 0 for row in rows if row.feature == "gender") == len(members)


def test_pool_counts_are_those_of_the_pool_file(
    seated: Office,  # noqa: F811
    small_draws: SmallDraws,  # noqa: F811
) -> None:
    pool = Counter(
        pair
        for row in small_draws.pool.rows
        for pair in zip(small_draws.pool.features, row.values, strict=True)
    )
    shown = 0
    for row in strata(read_composition(seated.ledger, 1)):
        count = pool[row.feature, row.value]
        if 0 < count < 5:
            assert row.pool is Hidden.SUPPRESSED
        elif row.pool is not Hidden.SUPPRESSED:  # a neighbour of a lone small cell may hide too
            assert row.pool == count
            assert row.pool_ppm == share(count, len(small_draws.pool))
            shown += 1
    assert shown >= len(small_draws.quotas) - 2


def test_before_the_panel_draw_is_performed_nothing_is_drawn_and_after_it_is(
    seated: Office,  # noqa: F811
) -> None:
    performed = seq_of(seated.ledger, PanelPerformed.TYPE)
    before = read_composition(seated.ledger, 1, at_seq=performed - 1)
    after = read_composition(seated.ledger, 1, at_seq=performed)
    assert before.announced is not None and before.performed is None
    assert {row.drawn for row in strata(before)} == {None}
    assert {row.seated for row in strata(before)} == {None}
    assert all(isinstance(row.drawn, int) for row in strata(after))
    assert after.seq == performed
    assert seated_now(after) is None  # drawn, not seated yet


def test_as_of_a_moment_keeps_only_the_entries_recorded_before_it(
    seated: Office,  # noqa: F811
) -> None:
    (performed,) = [
        e
        for e in seated.ledger.stream(PanelDraw.stream_for(1))
        if e.event["type"] == PanelPerformed.TYPE
    ]
    moment = datetime.fromisoformat(performed.recorded_at)
    assert read_composition(seated.ledger, 1, until=moment).performed is None
    assert read_composition(seated.ledger, 1, until=moment + timedelta(seconds=1)).performed
    assert read_composition(seated.ledger, 1, until=T0).convened is None


def test_the_pool_alone_gives_its_strata_before_the_draw_is_announced(
    pool_closed: Office,  # noqa: F811
) -> None:
    state = read_composition(pool_closed.ledger, 1)
    rows = strata(state)
    assert state.announced is None and rows
    assert {(row.min, row.max, row.drawn) for row in rows} == {(None, None, None)}


def test_a_panel_that_was_never_convened_has_no_composition(
    seated: Office,  # noqa: F811
) -> None:
    state = read_composition(seated.ledger, 2)
    assert state.convened is None and strata(state) == []


def test_after_a_withdrawal_the_seated_counts_per_stratum_are_unknown(
    seated: Office,  # noqa: F811
    members: tuple[str, ...],  # noqa: F811
    reserves: tuple[str, ...],  # noqa: F811
) -> None:
    (withdrew,) = seated.do(
        "secretariat", step(commands.withdraw, 1, members[0], WithdrawalReason.HEALTH)
    )
    seated.do("secretariat", step(commands.replace, 1, members[0], reserves[0]))
    before = read_composition(seated.ledger, 1, at_seq=withdrew - 1)
    now = read_composition(seated.ledger, 1)
    assert {row.seated for row in strata(now)} == {Hidden.UNKNOWN}
    assert all(isinstance(row.seated, int) for row in strata(before))
    assert (now.withdrawals, now.replacements, seated_now(now)) == (1, 1, len(members))
    assert [row.drawn for row in strata(now)] == [row.drawn for row in strata(before)]


def test_only_the_panels_own_streams_are_read(
    seated: Office,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_scan(*args: object, **kwargs: object) -> None:
        raise AssertionError("the composition scanned the ledger")

    monkeypatch.setattr(seated.ledger, "entries", no_scan)
    monkeypatch.setattr(seated.ledger.recorder, "read_entries", no_scan)
    assert read_composition(seated.ledger, 1).performed is not None


# Pure folds over hand-made events: a suppressed cell, population shares, an old announcement.


def recorded(seq: int, event: Event) -> Recorded:
    return Recorded(event=event, version=1, seq=seq, occurred_at=T0, signer="k")


def closed_pool() -> PoolClosed:
    """A pool of 40: 2 volunteers of gender 'x' (hidden), so 'man' (the smaller) hides too."""
    counts = [("gender", "woman", 20), ("gender", "man", None), ("gender", "x", None)]
    return PoolClosed.model_validate(
        {
            "panel": 1,
            "pool_root": "ab" * 32,
            "pool_size": 40,
            "counts": [{"feature": f, "value": v, "count": c} for f, v, c in counts],
            "suppressed_below": 5,
        }
    )


def announcement(*, shares: bool) -> PanelAnnounced:
    lines = [("woman", 3, 5, 515_000), ("man", 3, 5, 483_000), ("x", 0, 1, 2_000), ("y", 0, 1, 0)]
    return PanelAnnounced.model_validate(
        {
            "panel": 1,
            "draw_id": "d",
            "pool_root": "ab" * 32,
            "pool_size": 40,
            "quotas": [
                {
                    "feature": "gender",
                    "value": value,
                    "min": low,
                    "max": high,
                    **({"population_ppm": ppm} if shares else {}),
                }
                for value, low, high, ppm in lines
            ],
            "quota_digest": "sha256:" + "cd" * 32,
            "portfolio_digest": "sha256:" + "ef" * 32,
            "portfolio_size": 10,
            "panel_size": 8,
            "algorithm": "legacy",
            "pick_algorithm": "sha256-mod-m/1",
            "solver": "none",
            "versions": {},
            "library_seed": 1,
            "randomness_source": "a lottery",
        }
    )


def convening() -> Convened:
    return Convened(number=1, theme=THEME, seats=8, theme_chosen_by="government")


def test_a_suppressed_pool_cell_shows_as_suppressed_and_an_absent_value_as_zero() -> None:
    state = fold(
        Composition(1),
        [
            recorded(1, convening()),
            recorded(2, closed_pool()),
            recorded(3, announcement(shares=True)),
        ],
    )
    pool = {row.value: (row.pool, row.pool_ppm) for row in strata(state)}
    assert pool == {
        "woman": (20, 500_000),
        "man": (Hidden.SUPPRESSED, Hidden.SUPPRESSED),
        "x": (Hidden.SUPPRESSED, Hidden.SUPPRESSED),
        "y": (0, 0),
    }


def test_population_shares_come_from_the_announcement_and_are_unknown_without_them() -> None:
    with_shares = fold(
        Composition(1), [recorded(1, convening()), recorded(3, announcement(shares=True))]
    )
    assert [row.population_ppm for row in strata(with_shares)] == [515_000, 483_000, 2_000, 0]
    old = announcement(shares=False).to_payload()
    old["quotas"] = [{k: v for k, v in q.items() if k != "population_ppm"} for q in old["quotas"]]
    upcast = decode(PanelAnnounced.TYPE, 1, old)
    without = fold(Composition(1), [recorded(1, convening()), recorded(3, upcast)])
    assert {row.population_ppm for row in strata(without)} == {Hidden.UNKNOWN}
