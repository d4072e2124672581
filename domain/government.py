"""What follows an answer: implementation reports, transfers of responsibility, the
commission's verdicts, and suspensions of the review deadlines.

Implementation statuses that change or drop a recommendation (``completed_modified``,
``abandoned``) must be explained like a refusal. Deadline suspensions (an election, a new
government) are the government's to declare, with a reason, and never overlap.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator

from domain.aggregate import Aggregate, stream_id
from domain.errors import (
    AlreadyDone,
    JustificationTooShort,
    MissingDetail,
    NotAllowed,
    NotYet,
    WrongStream,
)
from domain.events import Event, register, upcaster

DEADLINES = stream_id("deadlines")
PORTFOLIO = r"^[a-z][a-z0-9_-]{0,63}$"


class Implementation(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    STALLED = "stalled"
    COMPLETED = "completed"
    COMPLETED_MODIFIED = "completed_modified"
    ABANDONED = "abandoned"


EXPLAINED = frozenset({Implementation.COMPLETED_MODIFIED, Implementation.ABANDONED})


@register
class ImplementationReported(Event):
    """How implementation goes. Schema 2: ``progress`` may be unknown (None), as it is unless
    the government gives it; schema 1 always carried a number (0 when none was given)."""

    TYPE = "assembly.government.implementation_reported"
    SCHEMA = 2

    panel: int = Field(ge=1)
    number: int = Field(ge=1)
    status: Implementation
    progress: int | None = None
    milestone: str = Field(default="", max_length=2000)
    justification: str = Field(default="", max_length=20000)
    evidence_digest: str | None = Field(default=None, pattern=r"^sha256:[0-9a-f]{64}$")


@upcaster(ImplementationReported.TYPE, 1)
def _implementation_v1(payload: dict[str, Any]) -> dict[str, Any]:
    """Schema 1's progress was always a number: it reads as it was signed."""
    return payload


def check_implementation(
    report: ImplementationReported,
    *,
    min_justification: int = 200,
    minimums: Mapping[str, int] | None = None,
) -> None:
    """Raise the rule an implementation report breaks, if any.

    ``minimums`` is the charter's table of justification lengths (None: the first release's
    rule, ``min_justification`` for ``completed_modified`` and ``abandoned``)."""
    progress = report.progress
    if progress is not None and not 0 <= progress <= 100:
        raise NotAllowed(f"Progress is a percentage from 0 to 100, not {progress}.")
    if minimums is None:
        minimums = dict.fromkeys(EXPLAINED, min_justification)
    needed = minimums.get(report.status.value, 0)
    if needed:
        length = len(report.justification.strip())
        if length < needed:
            raise JustificationTooShort(
                f"An implementation '{report.status.value}'", length, needed
            )
    if report.status is Implementation.COMPLETED and progress not in (None, 100):
        raise NotAllowed(f"A completed implementation is at 100%, not {progress}%.")


@register
class ResponsibilityTransferred(Event):
    TYPE = "assembly.government.responsibility_transferred"

    panel: int = Field(ge=1)
    number: int = Field(ge=1)
    from_portfolio: str = Field(pattern=PORTFOLIO)
    to_portfolio: str = Field(pattern=PORTFOLIO)
    reason: str = Field(min_length=1, max_length=2000)


class Verdict(StrEnum):
    AGREES = "agrees"
    DISPUTES = "disputes"
    INSUFFICIENT_INFORMATION = "insufficient_information"


# A score out of ten with at most one decimal, as members publish it ("2.8"): a decimal string,
# since the canonical JSON refuses floats.
SCORE = re.compile(r"(?:10|[0-9])(?:\.[0-9])?\Z")


@register
class Assessed(Event):
    """The commission's verdict. Schema 2 added the optional score (0-10); schema 3 made it a
    decimal string with at most one decimal ("2.8"), and gave the reasons their ``language``
    and optional ``translations``."""

    TYPE = "assembly.commission.assessed"
    SCHEMA = 3

    panel: int = Field(ge=1)
    number: int = Field(ge=1)
    verdict: Verdict
    reasons: str = Field(default="", max_length=20000)
    score: str | None = None
    language: str | None = Field(default=None, pattern=r"^[a-z]{2}$")  # of the reasons
    translations: dict[str, str] = Field(default_factory=dict)  # the reasons in other languages

    @field_validator("score", mode="before")
    @classmethod
    def _whole_score(cls, value: object) -> object:
        """A whole number given by a program (7) is the decimal string it stands for ("7")."""
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


@upcaster(Assessed.TYPE, 1)
def _assessed_v1(payload: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 had no score: an old verdict simply gave none."""
    return {**payload, "score": None}


@upcaster(Assessed.TYPE, 2)
def _assessed_v2(payload: dict[str, Any]) -> dict[str, Any]:
    """Schema 2's score was a whole number: 7 reads as "7"."""
    score = payload.get("score")
    return {
        **payload,
        "score": None if score is None else str(score),
        "language": None,
        "translations": {},
    }


def check_assessment(assessment: Assessed) -> None:
    """Raise the rule a verdict breaks, if any."""
    if assessment.verdict is Verdict.DISPUTES and not assessment.reasons.strip():
        raise MissingDetail("A verdict 'disputes'", "the commission's reasons")
    score = assessment.score
    if score is not None and not (SCORE.match(score) and Decimal(score) <= 10):
        raise NotAllowed(
            f"The score is a number from 0 to 10 with at most one decimal, such as 2.8, "
            f"not {score!r}."
        )


@register
class DeadlineSuspended(Event):
    TYPE = "assembly.government.deadline_suspended"

    since: date
    reason: str = Field(min_length=1, max_length=2000)


@register
class DeadlineResumed(Event):
    TYPE = "assembly.government.deadline_resumed"

    on: date


class Deadlines(Aggregate):
    """The periods during which the review clocks stand still, one after another."""

    def __init__(self, stream: uuid.UUID = DEADLINES) -> None:
        super().__init__(stream)
        self.open_since: date | None = None
        self.last_end: date | None = None

    def suspend(self, since: date, reason: str, *, at: datetime) -> None:
        if self.open_since is not None:
            raise AlreadyDone(
                f"The deadlines are already suspended since {self.open_since}; suspensions "
                "never overlap: resume them first."
            )
        if self.last_end is not None and since < self.last_end:
            raise NotAllowed(
                f"A suspension from {since} would overlap the last one, which ended on "
                f"{self.last_end}."
            )
        if not reason.strip():
            raise MissingDetail("A deadline suspension", "a reason")
        self.trigger(DeadlineSuspended(since=since, reason=reason), at=at)

    def resume(self, on: date, *, at: datetime) -> None:
        if self.open_since is None:
            raise NotYet("The deadlines are not suspended, so they cannot be resumed.")
        if on < self.open_since:
            raise NotAllowed(f"The deadlines cannot resume on {on}, before the suspension began.")
        self.trigger(DeadlineResumed(on=on), at=at)

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if isinstance(event, DeadlineSuspended):
            self.open_since = event.since
        elif isinstance(event, DeadlineResumed):
            self.open_since = None
            self.last_end = event.on
        else:
            raise WrongStream(event.TYPE, "the deadlines")
