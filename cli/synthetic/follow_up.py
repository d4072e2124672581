"""What follows an answer: implementation reports from the government and the follow-up
commission's assessments.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cli.synthetic import follow_up_texts as texts
from cli.synthetic._common import pick, prose
from cli.synthetic.answers import MIN_JUSTIFICATION, SyntheticAnswer

IMPLEMENTABLE = ("accepted", "accepted_in_part", "already_in_place")
_STATUS_MIX = {
    "accepted": {
        "not_started": 20,
        "in_progress": 45,
        "stalled": 12,
        "completed": 13,
        "completed_modified": 5,
        "abandoned": 5,
    },
    "accepted_in_part": {
        "not_started": 20,
        "in_progress": 40,
        "stalled": 15,
        "completed": 10,
        "completed_modified": 8,
        "abandoned": 7,
    },
    "already_in_place": {"in_progress": 30, "completed": 60, "completed_modified": 10},
}
_PROGRESS = {
    "not_started": (0, 0),
    "in_progress": (10, 90),
    "stalled": (5, 60),
    "completed": (100, 100),
    "completed_modified": (100, 100),
    "abandoned": (0, 40),
}
# Percent chance of each verdict given the position in force (agrees, disputes, insufficient).
_VERDICT_MIX = {
    "accepted": (70, 10, 20),
    "accepted_in_part": (45, 35, 20),
    "already_in_place": (55, 25, 20),
    "under_study": (15, 25, 60),
    "not_competent": (40, 30, 30),
    "rejected": (15, 70, 15),
    "troubled": (15, 70, 15),  # implementation stalled or abandoned
}
_VERDICTS = ("agrees", "disputes", "insufficient_information")
_SCORES = {"agrees": (6, 10), "disputes": (0, 4), "insufficient_information": (3, 6)}


@dataclass(frozen=True)
class SyntheticReport:
    """Where the implementation of recommendation ``number`` stands.

    ``progress`` is a percentage (0-100); ``justification`` has at least 250 characters for
    ``completed_modified`` and ``abandoned`` and is empty otherwise; ``evidence`` (a document's
    text, to be hashed by the caller) comes with completed measures.
    """

    number: int
    status: str
    progress: int
    milestone: str
    justification: str = ""
    evidence: str | None = None


@dataclass(frozen=True)
class SyntheticAssessment:
    """The follow-up commission's verdict on the answer to recommendation ``number``."""

    number: int
    verdict: str
    reasons: str
    score: int | None = None


def implementation_reports(
    answers: Sequence[SyntheticAnswer | None], *, seed: int
) -> list[SyntheticReport]:
    """One report per accepted, partly accepted or already-in-place answer, in answer order."""
    rng = random.Random(seed)
    return [
        _report(rng, answer)
        for answer in answers
        if answer is not None and answer.position in IMPLEMENTABLE
    ]


def assessments(
    answers: Sequence[SyntheticAnswer | None],
    *,
    seed: int,
    reports: Sequence[SyntheticReport] = (),
) -> list[SyntheticAssessment]:
    """The commission's verdict on each given answer, harsher where a report shows a stalled or
    abandoned measure; a quarter of verdicts come without a score.
    """
    rng = random.Random(seed)
    status_of: Mapping[int, str] = {report.number: report.status for report in reports}
    return [
        _assessment(rng, answer, status_of.get(answer.number))
        for answer in answers
        if answer is not None
    ]


def _report(rng: random.Random, answer: SyntheticAnswer) -> SyntheticReport:
    status = pick(rng, _STATUS_MIX[answer.position])
    low, high = _PROGRESS[status]
    justification = ""
    if status in texts.CHANGE_REASONS:
        justification = prose(rng, texts.CHANGE_REASONS[status], at_least=MIN_JUSTIFICATION)
    evidence = None
    if status in ("completed", "completed_modified"):
        evidence = (
            "Synthetic evidence document: no real measure is described here.\n"
            f"Implementation report on recommendation {answer.number} ({answer.portfolio}).\n"
            f"Status: {status}. {rng.randint(2, 60)} sites or projects delivered.\n"
        )
    return SyntheticReport(
        number=answer.number,
        status=status,
        progress=rng.randint(low, high),
        milestone=prose(rng, [texts.MILESTONES[status]]),
        justification=justification,
        evidence=evidence,
    )


def _assessment(
    rng: random.Random, answer: SyntheticAnswer, status: str | None
) -> SyntheticAssessment:
    situation = "troubled" if status in ("stalled", "abandoned") else answer.position
    weights = dict(zip(_VERDICTS, _VERDICT_MIX[situation], strict=True))
    verdict = pick(rng, weights)
    if verdict == "disputes":
        reasons = prose(rng, texts.DISPUTE_REASONS)
    else:
        reasons = prose(rng, [texts.ASSESSMENT_NOTES[verdict]])
    score = None
    if rng.randrange(4):
        low, high = _SCORES[verdict]
        score = rng.randint(low, high)
    return SyntheticAssessment(answer.number, verdict, reasons, score)
