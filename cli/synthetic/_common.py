"""Small helpers shared by the generators: exact apportionment, weighted picks, padded prose."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence


def apportion(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder).

    Ties go to the earlier weight, so the result depends on nothing but the arguments.
    """
    weight_sum = sum(weights)
    assert weight_sum > 0 and all(w >= 0 for w in weights), weights
    parts = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def shuffled_labels(rng: random.Random, shares: Mapping[str, int], total: int) -> list[str]:
    """``total`` labels in random order, each label as often as its share of ``total`` allows."""
    counts = apportion(total, list(shares.values()))
    labels = [label for label, count in zip(shares, counts, strict=True) for _ in range(count)]
    rng.shuffle(labels)
    return labels


def pick(rng: random.Random, weights: Mapping[str, int]) -> str:
    """One key of ``weights``, drawn with probability proportional to its integer weight."""
    roll = rng.randrange(sum(weights.values()))
    for key, weight in weights.items():
        if roll < weight:
            return key
        roll -= weight
    raise AssertionError("unreachable: the roll is below the sum of weights")


def prose(rng: random.Random, parts: Sequence[Sequence[str]], *, at_least: int = 0) -> str:
    """One sentence from each group of ``parts``, in order; more from the groups until long enough.

    Sentences may carry ``{n}`` (a small number) and ``{year}`` placeholders.
    """
    pools = [list(group) for group in parts]
    for pool in pools:
        rng.shuffle(pool)
    taken = [[_fill(rng, pool.pop())] for pool in pools]
    while sum(len(s) + 1 for group in taken for s in group) - 1 < at_least:
        open_groups = [i for i, pool in enumerate(pools) if pool]
        assert open_groups, "the sentence groups are too short to reach the length"
        i = rng.choice(open_groups)
        taken[i].append(_fill(rng, pools[i].pop()))
    return " ".join(s for group in taken for s in group)


def _fill(rng: random.Random, sentence: str) -> str:
    return sentence.format(n=rng.randint(3, 40), year=rng.randint(2026, 2032))
