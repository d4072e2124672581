"""Stage 2, after the randomness: pick one panel of the portfolio, and what it achieves.

Pick: ``seed = SHA-256(UTF-8(public value) || pool root || UTF-8(draw id))``; the panel is
number ``int.from_bytes(seed, "big") mod m`` (0-based) of the portfolio file. A 256-bit integer
modulo m <= 10^6 favours the first panels by at most m / 2^256, far below anything measurable,
so no rejection step is needed.

Selection probability of a volunteer: the number of portfolio panels that contain them, over m,
in millionths (ppm), rounded half up. Counts per stratum published about the pool have cells of
1 to ``threshold - 1`` people replaced by ``None``; where that leaves a single hidden cell in a
feature (which the total would give away), the next smallest cell is hidden too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from domain.draws.commit import draw_seed
from domain.draws.errors import (
    BadPoolCounts,
    DrawMismatch,
    NotInPool,
    QuotaNotMet,
    QuotaTableImpossible,
)
from domain.draws.files import Pool, Portfolio, Quota

ALGORITHM = "sha256-mod-m/1"
PPM = 1_000_000
Stratum = tuple[str, str]
Strata = Mapping[str, tuple[Stratum, ...]]


@dataclass(frozen=True)
class ProbabilitySummary:
    """How even the portfolio is: selection probabilities in ppm over the whole pool."""

    min_ppm: int
    max_ppm: int
    mean_ppm: int
    zero_count: int


@dataclass(frozen=True)
class PanelResult:
    """The panel picked from the portfolio, and what the ledger records about it."""

    seed: bytes
    index: int
    selected: tuple[str, ...]
    achieved: dict[Stratum, int]
    probabilities: dict[str, int]
    summary: ProbabilitySummary


@dataclass(frozen=True)
class PanelOutcome:
    """What the ledger keeps of the panel picked, without the pool or the portfolio."""

    seed: bytes
    index: int
    selected: tuple[str, ...]
    achieved: dict[Stratum, int]
    summary: ProbabilitySummary


def mean_ppm(panel_size: int, pool_size: int) -> int:
    """Every volunteer's mean selection probability (ppm, rounded half up): each of the m
    panels seats ``panel_size`` of the ``pool_size`` volunteers, whatever the portfolio."""
    return (2 * PPM * panel_size + pool_size) // (2 * pool_size)


def pick_index(seed: bytes, size: int) -> int:
    """The 0-based panel number: the seed as a big-endian integer, modulo m."""
    if size < 1:
        raise AssertionError("a portfolio holds at least one panel")
    return int.from_bytes(seed, "big") % size


def pool_counts(pool: Pool) -> dict[Stratum, int]:
    """Volunteers per (feature, value), sorted."""
    counts: Counter[Stratum] = Counter()
    for row in pool.rows:
        counts.update(zip(pool.features, row.values, strict=True))
    return dict(sorted(counts.items()))


def panel_counts(
    panel: Sequence[str], strata: Strata, quotas: Sequence[Quota]
) -> dict[Stratum, int]:
    """Members per quota line (feature, value), in quota table order, zeros included."""
    counts: Counter[Stratum] = Counter()
    for pseudonym in panel:
        counts.update(strata[pseudonym])
    return {(q.feature, q.value): counts[q.feature, q.value] for q in quotas}


def suppress_small(counts: Mapping[Stratum, int], threshold: int = 5) -> dict[Stratum, int | None]:
    """Counts with cells of 1 to ``threshold - 1`` hidden (None), plus one more where needed."""
    shown: dict[Stratum, int | None] = {
        key: None if 0 < count < threshold else count for key, count in counts.items()
    }
    features = {feature for feature, _ in counts}
    for feature in sorted(features):
        cells = [key for key in counts if key[0] == feature]
        hidden = [key for key in cells if shown[key] is None]
        visible = sorted((counts[key], key) for key in cells if shown[key] and counts[key] > 0)
        if len(hidden) == 1 and visible:
            shown[visible[0][1]] = None
    return shown


def check_quota_table(quotas: Sequence[Quota], panel_size: int) -> None:
    """Raise unless each line of ``quotas`` is met by some panel of ``panel_size``: min <= max,
    no line twice, and no feature asking for more members than there are seats."""
    seen: set[Stratum] = set()
    for quota in quotas:
        if quota.min > quota.max:
            raise QuotaTableImpossible(
                f"asks for {quota.feature}={quota.value} at least {quota.min} and at most "
                f"{quota.max} times, which no panel can do"
            )
        if (quota.feature, quota.value) in seen:
            raise QuotaTableImpossible(f"gives {quota.feature}={quota.value} twice")
        seen.add((quota.feature, quota.value))
    for feature in sorted({quota.feature for quota in quotas}):
        needed = sum(quota.min for quota in quotas if quota.feature == feature)
        if needed > panel_size:
            raise QuotaTableImpossible(
                f"asks for at least {needed} members by {feature} on a panel of {panel_size} seats"
            )


def check_published_counts(
    counts: Mapping[Stratum, int | None], pool_size: int, threshold: int = 5
) -> None:
    """Raise unless ``counts`` can be what ``suppress_small`` publishes of a pool of
    ``pool_size``: no small cell shown, and each feature's cells adding up to the pool."""
    for (feature, value), count in counts.items():
        if count is not None and 0 < count < threshold:
            raise BadPoolCounts(f"show {count} volunteers with {feature}={value}", threshold)
    for feature in sorted({feature for feature, _ in counts}):
        cells = [count for (named, _), count in counts.items() if named == feature]
        hidden = sum(1 for count in cells if count is None)
        shown = sum(count for count in cells if count is not None)
        left = pool_size - shown
        if (hidden == 0 and left != 0) or left < hidden:
            raise BadPoolCounts(
                f"give {shown} volunteers a value of {feature} in a pool of {pool_size}", threshold
            )
        if hidden == 1 and any(cells):
            raise BadPoolCounts(f"hide one cell of {feature} alone", threshold)


def check_panel(
    index: int, panel: Sequence[str], strata: Strata, quotas: Sequence[Quota], panel_size: int
) -> None:
    """Raise if a panel of the portfolio has the wrong size, strangers, or breaks a quota."""
    if len(panel) != panel_size or len(set(panel)) != len(panel):
        raise DrawMismatch(
            f"The size of panel {index} of the portfolio", panel_size, len(set(panel))
        )
    for pseudonym in panel:
        if pseudonym not in strata:
            raise NotInPool(pseudonym, f"panel {index} of the portfolio")
    achieved = panel_counts(panel, strata, quotas)
    for quota in quotas:
        count = achieved[quota.feature, quota.value]
        if not quota.min <= count <= quota.max:
            raise QuotaNotMet(index, quota.feature, quota.value, count, quota.min, quota.max)


def selection_probabilities(portfolio: Portfolio, pool: Pool) -> dict[str, int]:
    """Each volunteer's share of the portfolio's panels, in ppm (rounded half up)."""
    size = portfolio.size
    counts: Counter[str] = Counter()
    for panel in portfolio.panels:
        counts.update(panel)
    return {
        row.pseudonym: (2 * PPM * counts[row.pseudonym] + size) // (2 * size) for row in pool.rows
    }


def summarise(probabilities: Mapping[str, int], portfolio: Portfolio) -> ProbabilitySummary:
    """Lowest, highest and mean probability (ppm), and how many volunteers have none."""
    values = list(probabilities.values())
    if not values:
        return ProbabilitySummary(0, 0, 0, 0)
    return ProbabilitySummary(
        min_ppm=min(values),
        max_ppm=max(values),
        mean_ppm=mean_ppm(portfolio.panel_size, len(values)),
        zero_count=sum(1 for value in values if value == 0),
    )


def draw_panel(
    portfolio: Portfolio,
    pool: Pool,
    quotas: Sequence[Quota],
    *,
    public_value: str,
    pool_root: bytes,
    draw_id: str,
) -> PanelResult:
    """Pick the panel from the public value and compute what is recorded about it."""
    seed = draw_seed(public_value, pool_root, draw_id)
    index = pick_index(seed, portfolio.size)
    selected = portfolio.panels[index]
    probabilities = selection_probabilities(portfolio, pool)
    return PanelResult(
        seed=seed,
        index=index,
        selected=selected,
        achieved=panel_counts(selected, pool.strata(), quotas),
        probabilities=probabilities,
        summary=summarise(probabilities, portfolio),
    )
