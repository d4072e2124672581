"""Synthetic recommendations of one citizen panel, in French and Dutch, with their votes."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from cli.synthetic._common import pick
from cli.synthetic.topics import MEASURES, PANEL_THEMES, TOPICS, Measure, Topic

PRIORITIES = {"high": 30, "medium": 45, "low": 25}
# Pairs that read badly together (a social tariff for social premiums).
_AWKWARD = frozenset({("climate-premiums", "social-tariff")})
MAX_RECOMMENDATIONS = len(TOPICS) * len(MEASURES) - len(_AWKWARD)


@dataclass(frozen=True)
class SyntheticRecommendation:
    """A recommendation adopted by a panel: texts keyed by language (``fr``, ``nl``).

    ``votes_for`` is always an absolute majority of the votes cast, and the three counts add up
    to at most the panel size (absent members do not vote).
    """

    number: int
    title: Mapping[str, str]
    text: Mapping[str, str]
    priority: str
    portfolio: str
    votes_for: int
    votes_against: int
    votes_abstain: int


def panel_theme(number: int = 1) -> dict[str, str]:
    """The theme of panel ``number`` (1, 2, ...) in French, Dutch and English."""
    assert number >= 1, "panels are numbered from 1"
    return dict(PANEL_THEMES[(number - 1) % len(PANEL_THEMES)])


def recommendations(
    count: int = 60, *, seed: int, panel_size: int = 100
) -> list[SyntheticRecommendation]:
    """``count`` distinct recommendations numbered 1..count, grouped by topic like a report's
    chapters; at most :data:`MAX_RECOMMENDATIONS`.
    """
    if not 0 <= count <= MAX_RECOMMENDATIONS:
        raise ValueError(f"count must be between 0 and {MAX_RECOMMENDATIONS}, not {count}")
    rng = random.Random(seed)
    chosen = _spread(rng)[:count]
    chosen.sort(key=lambda pair: TOPICS.index(pair[0]))
    return [
        _recommendation(rng, number, topic, measure, panel_size)
        for number, (topic, measure) in enumerate(chosen, start=1)
    ]


def _spread(rng: random.Random) -> list[tuple[Topic, Measure]]:
    """Every usable (topic, measure) pair, ordered so that any prefix covers topics evenly."""
    per_topic = []
    for topic in TOPICS:
        measures = [m for m in MEASURES if (topic.key, m.key) not in _AWKWARD]
        rng.shuffle(measures)
        per_topic.append([(topic, m) for m in measures])
    pairs: list[tuple[Topic, Measure]] = []
    for round_ in range(len(MEASURES)):
        order = list(per_topic)
        rng.shuffle(order)
        pairs.extend(pairs_of[round_] for pairs_of in order if round_ < len(pairs_of))
    return pairs


def _recommendation(
    rng: random.Random, number: int, topic: Topic, measure: Measure, panel_size: int
) -> SyntheticRecommendation:
    fill = {"year": rng.randint(2027, 2035), "amount": rng.randint(2, 40)}
    present = panel_size - rng.randint(0, panel_size * 15 // 100)
    # Most recommendations pass comfortably: the larger of two draws above a bare majority.
    majority = present // 2 + 1
    votes_for = majority + max(rng.randint(0, present - majority) for _ in range(2))
    votes_against = rng.randint(0, present - votes_for)
    return SyntheticRecommendation(
        number=number,
        title={
            "fr": measure.title_fr.format(t=topic.fr, **fill),
            "nl": measure.title_nl.format(t=topic.nl, **fill),
        },
        text={
            "fr": measure.text_fr.format(t=topic.fr, **fill),
            "nl": measure.text_nl.format(t=topic.nl, **fill),
        },
        priority=pick(rng, PRIORITIES),
        portfolio=topic.portfolio,
        votes_for=votes_for,
        votes_against=votes_against,
        votes_abstain=present - votes_for - votes_against,
    )
