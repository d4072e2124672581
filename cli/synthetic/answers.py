"""The government's synthetic answers: the 3-month answer to every recommendation, and the
revisions given at the 12-month review.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cli.synthetic import answer_texts as texts
from cli.synthetic._common import pick, prose, shuffled_labels
from cli.synthetic.recommendations import SyntheticRecommendation

HANDED_OVER = date(2024, 1, 15)
MIN_JUSTIFICATION = 250
UNANSWERED = "unanswered"
# The 3-month answer, in permille of recommendations; ``unanswered`` means no answer at all.
ANSWER_MIX = {
    "accepted": 350,
    "accepted_in_part": 200,
    "already_in_place": 100,
    "under_study": 150,
    "not_competent": 50,
    "rejected": 80,
    UNANSWERED: 70,
}
# At the 12-month review: what becomes of an answer "under study", and of a missing answer.
_REVISED_STUDY = {"accepted": 35, "accepted_in_part": 15, "rejected": 15, "kept": 35}
_LATE_ANSWER = {"accepted": 25, "accepted_in_part": 15, "rejected": 10, UNANSWERED: 50}


@dataclass(frozen=True)
class SyntheticAnswer:
    """The government's position on recommendation ``number``, given on ``answered_on`` (ISO).

    ``justification`` has at least 250 characters for ``rejected`` and ``accepted_in_part``
    and is a short note otherwise. ``decision_date`` (ISO) is set for ``under_study``,
    ``referred_to`` for ``not_competent``, and ``evidence`` (a document's text, to be hashed
    by the caller) for ``already_in_place``.
    """

    number: int
    position: str
    justification: str
    planned_measures: str
    portfolio: str
    answered_on: str
    decision_date: str | None = None
    referred_to: str | None = None
    evidence: str | None = None


def government_answers(
    recommendations: Sequence[SyntheticRecommendation],
    *,
    seed: int,
    handed_over: date = HANDED_OVER,
) -> list[SyntheticAnswer | None]:
    """The 3-month answer to each recommendation (``None`` where none was given), in the
    proportions of :data:`ANSWER_MIX`; answers arrive between 2.5 and 4 months after
    ``handed_over``.
    """
    rng = random.Random(seed)
    positions = shuffled_labels(rng, ANSWER_MIX, len(recommendations))
    return [
        None
        if position == UNANSWERED
        else _answer(rng, recommendation, position, handed_over + timedelta(rng.randint(75, 120)))
        for recommendation, position in zip(recommendations, positions, strict=True)
    ]


def review_answers(
    recommendations: Sequence[SyntheticRecommendation],
    answers: Sequence[SyntheticAnswer | None],
    *,
    seed: int,
    handed_over: date = HANDED_OVER,
) -> list[SyntheticAnswer | None]:
    """New answers given at the 12-month review, aligned with ``answers``; ``None`` where the
    3-month answer stands (or is still missing).

    About two in three answers "under study" are revised (to accepted, accepted in part or
    rejected) and about half of the missing answers finally arrive; the answer in force is
    then ``review or answer``.
    """
    rng = random.Random(seed)
    revised: list[SyntheticAnswer | None] = []
    for recommendation, answer in zip(recommendations, answers, strict=True):
        on = handed_over + timedelta(rng.randint(330, 380))
        if answer is None:
            outcome = pick(rng, _LATE_ANSWER)
        elif answer.position == "under_study":
            outcome = pick(rng, _REVISED_STUDY)
        else:
            outcome = "kept"
        revised.append(
            None if outcome in ("kept", UNANSWERED) else _answer(rng, recommendation, outcome, on)
        )
    return revised


def _answer(
    rng: random.Random, recommendation: SyntheticRecommendation, position: str, on: date
) -> SyntheticAnswer:
    language = rng.choice(("fr", "en"))
    if position == "rejected":
        justification = prose(rng, texts.REJECTED[language], at_least=MIN_JUSTIFICATION)
    elif position == "accepted_in_part":
        justification = prose(rng, texts.ACCEPTED_IN_PART[language], at_least=MIN_JUSTIFICATION)
    else:
        justification = prose(rng, [texts.NOTES[position]])
    planned = (
        prose(rng, [texts.PLANNED])
        if position in ("accepted", "accepted_in_part", "already_in_place")
        else ""
    )
    decision_date = referred_to = evidence = None
    if position == "under_study":
        decision_date = (on + timedelta(rng.randint(90, 240))).isoformat()
    elif position == "not_competent":
        referred_to = texts.REFERRALS[recommendation.portfolio]
    elif position == "already_in_place":
        evidence = texts.EVIDENCE.format(
            decided=(on - timedelta(rng.randint(200, 1500))).isoformat(),
            number=recommendation.number,
            n=rng.randint(12, 400),
            portfolio=recommendation.portfolio,
        )
    return SyntheticAnswer(
        number=recommendation.number,
        position=position,
        justification=justification,
        planned_measures=planned,
        portfolio=recommendation.portfolio,
        answered_on=on.isoformat(),
        decision_date=decision_date,
        referred_to=referred_to,
        evidence=evidence,
    )
