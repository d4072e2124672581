"""Stage 2: the pick from the seed, counts per stratum, selection probabilities."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from domain.draws import (
    BadPoolCounts,
    DrawMismatch,
    NotInPool,
    Pool,
    Portfolio,
    Quota,
    QuotaNotMet,
    QuotaTableImpossible,
    pick_index,
    selection_probabilities,
    suppress_small,
)
from domain.draws.stage2 import (
    check_panel,
    check_published_counts,
    check_quota_table,
    panel_counts,
    summarise,
)
from tests.domain.draws.conftest import PanelCase


def test_the_pick_is_the_seed_as_a_big_endian_integer_modulo_m() -> None:
    seed = hashlib.sha256(b"x").digest()
    assert pick_index(seed, 1000) == int(seed.hex(), 16) % 1000
    assert pick_index(bytes(31) + b"\x07", 5) == 2


def test_small_cells_are_hidden_and_a_lone_hidden_cell_takes_a_neighbour_with_it() -> None:
    counts = {("gender", "female"): 30, ("gender", "male"): 27, ("gender", "x"): 3}
    assert suppress_small(counts) == {
        ("gender", "female"): 30,
        ("gender", "male"): None,
        ("gender", "x"): None,
    }
    two = {("age", "a"): 2, ("age", "b"): 4, ("age", "c"): 50, ("age", "d"): 0}
    assert suppress_small(two) == {
        ("age", "a"): None,
        ("age", "b"): None,
        ("age", "c"): 50,
        ("age", "d"): 0,
    }
    assert suppress_small({("age", "a"): 9, ("age", "b"): 9}, threshold=10) == {
        ("age", "a"): None,
        ("age", "b"): None,
    }


def test_a_panel_that_breaks_a_quota_is_named(
    pool: Pool, quotas: list[Quota], portfolio: Portfolio
) -> None:
    strata = pool.strata()
    tight = [dataclasses.replace(q, min=q.max) if q.feature == "gender" else q for q in quotas]
    with pytest.raises(
        QuotaNotMet, match=r"Panel 3 of the portfolio has \d+ members with gender=\w+, outside"
    ):
        check_panel(3, portfolio.panels[3], strata, tight, 12)


def test_a_panel_with_a_stranger_or_the_wrong_size_is_named(
    pool: Pool, quotas: list[Quota], portfolio: Portfolio
) -> None:
    strata = pool.strata()
    stranger = ("P-999999", *portfolio.panels[0][1:])
    with pytest.raises(
        NotInPool, match=r"P-999999 is in panel 0 of the portfolio but not in the committed pool"
    ):
        check_panel(0, stranger, strata, quotas, 12)
    with pytest.raises(
        DrawMismatch,
        match=r"The size of panel 0 of the portfolio does not match: the record says 12, the "
        r"files give 11",
    ):
        check_panel(0, portfolio.panels[0][1:], strata, quotas, 12)


def test_every_panel_of_the_portfolio_meets_every_quota(
    pool: Pool, quotas: list[Quota], portfolio: Portfolio
) -> None:
    strata = pool.strata()
    for index, panel in enumerate(portfolio.panels):
        check_panel(index, panel, strata, quotas, 12)
        counts = panel_counts(panel, strata, quotas)
        assert sum(c for (f, _), c in counts.items() if f == "gender") == 12


def test_selection_probability_is_the_share_of_panels_in_millionths(
    pool: Pool, portfolio: Portfolio
) -> None:
    probabilities = selection_probabilities(portfolio, pool)
    assert set(probabilities) == {row.pseudonym for row in pool.rows}
    someone = pool.rows[0].pseudonym
    containing = sum(1 for panel in portfolio.panels if someone in panel)
    assert probabilities[someone] == round(containing * 1_000_000 / 50)
    summary = summarise(probabilities, portfolio)
    assert summary.mean_ppm == 200_000  # 12 seats for 60 volunteers
    assert summary.min_ppm <= summary.mean_ppm <= summary.max_ppm
    assert summary.zero_count == sum(1 for p in probabilities.values() if p == 0)


def test_the_recorded_panel_is_the_picked_one_with_its_counts(panel_case: PanelCase) -> None:
    performed = panel_case.performed
    assert performed.selected == list(panel_case.portfolio.panels[performed.panel_index])
    assert [(c.feature, c.value) for c in performed.achieved] == [
        (q.feature, q.value) for q in panel_case.quotas
    ]
    assert all(isinstance(c.count, int) for c in performed.achieved)


POOL_OF_20 = {("gender", "female"): 12, ("gender", "male"): 6, ("gender", "x"): 2}


def test_the_counts_hiding_leaves_of_a_pool_are_accepted_as_published() -> None:
    shown = suppress_small(POOL_OF_20)
    assert shown == {("gender", "female"): 12, ("gender", "male"): None, ("gender", "x"): None}
    check_published_counts(shown, 20)


@pytest.mark.parametrize(
    ("shown", "size", "words"),
    [
        ({("gender", "female"): 12, ("gender", "male"): 6, ("gender", "x"): 2}, 20, "show 2"),
        ({("gender", "female"): 12, ("gender", "male"): 8}, 21, "give 20 volunteers a value"),
        ({("gender", "female"): 12, ("gender", "male"): None, ("gender", "x"): None}, 13, "of 13"),
        ({("gender", "female"): 12, ("gender", "male"): 6, ("gender", "x"): None}, 20, "alone"),
    ],
)
def test_published_counts_that_no_pool_of_that_size_gives_are_refused(
    shown: dict[tuple[str, str], int | None], size: int, words: str
) -> None:
    with pytest.raises(BadPoolCounts, match=words) as error:
        check_published_counts(shown, size)
    assert error.value.sentence().startswith("The pool's published counts ")


@pytest.mark.parametrize(
    ("quotas", "words"),
    [
        ([Quota("gender", "female", 5, 4)], "gender=female at least 5 and at most 4 times"),
        ([Quota("gender", "female", 1, 4)] * 2, "gives gender=female twice"),
        (
            [Quota("gender", "female", 7, 8), Quota("gender", "male", 6, 8)],
            "at least 13 members by gender on a panel of 12 seats",
        ),
    ],
)
def test_a_quota_table_no_panel_can_meet_is_refused(quotas: list[Quota], words: str) -> None:
    with pytest.raises(QuotaTableImpossible, match=words):
        check_quota_table(quotas, 12)
    check_quota_table([Quota("gender", "female", 6, 8), Quota("gender", "male", 4, 6)], 12)
