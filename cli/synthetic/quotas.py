"""A quota table ``feature,value,min,max,population_ppm`` derived from population shares.

The last column carries each value's population share (ppm) into the panel draw's announcement,
so the panel's composition can be set against the population it stands for."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cli.synthetic.population import FEATURES, PPM, population_shares

QUOTA_HEADER = ("feature", "value", "min", "max", "population_ppm")


@dataclass(frozen=True)
class Quota:
    """How many panel members must (at least ``min``) and may (at most ``max``) have a value."""

    feature: str
    value: str
    min: int
    max: int
    population_ppm: int


def quotas(
    *, panel_size: int = 100, features: Sequence[str] = FEATURES, slack_percent: int = 25
) -> list[Quota]:
    """Quotas around each value's expected seats (share x panel size), widened by ``slack_percent``.

    ``min`` rounds the lower bound down and ``max`` rounds the upper bound up, so for every
    feature the mins add up to at most the panel size and the maxes to at least it. Small
    municipalities and rare values get a min of 0 or 1 and a max of a few seats.
    """
    assert 0 < slack_percent < 100, "the slack is a percentage of the expected seats"
    shares = population_shares()
    table = []
    for feature in features:
        for value, ppm in shares[feature].items():
            expected = ppm * panel_size  # in millionths of a seat
            low = expected * (100 - slack_percent)
            high = expected * (100 + slack_percent)
            table.append(Quota(feature, value, low // (100 * PPM), -(-high // (100 * PPM)), ppm))
        assert sum(q.min for q in table if q.feature == feature) <= panel_size
        assert sum(q.max for q in table if q.feature == feature) >= panel_size
    return table


def write_quotas(
    path: Path,
    *,
    panel_size: int = 100,
    features: Sequence[str] = FEATURES,
    slack_percent: int = 25,
) -> list[Quota]:
    """Write the quota table of :func:`quotas` as CSV and return it."""
    table = quotas(panel_size=panel_size, features=features, slack_percent=slack_percent)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(QUOTA_HEADER)
        writer.writerows((q.feature, q.value, q.min, q.max, q.population_ppm) for q in table)
    return table
