"""A recommendation's life: adopted by a panel, handed over, answered, implemented, assessed.

Stream ``recommendation/PANEL/NUMBER``, so a number is unique within its panel by construction.
The secretariat adopts and hands over; the government answers (twice: at the first and second
review), reports implementation and transfers responsibility; the commission assesses. Every
answer stays: the second may revise the first, never erase it.

Each step is dated no earlier than the step it follows, as their authors date them: the
hand-over not before the adoption, an answer or a verdict not before the hand-over, an
implementation report not before the answer that accepted the recommendation. Whether an answer
came on time is judged later by the day the ledger recorded it (``projections.board``), which
no author can backdate. An answer names the portfolio responsible for the recommendation; a
change of responsibility is recorded first, as a transfer.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from domain.aggregate import Aggregate, stream_id
from domain.deliberation import Deliberation
from domain.errors import AlreadyDone, DatedTooEarly, NotAllowed, NotFound, NotYet, WrongStream
from domain.events import Event, register
from domain.government import (
    Assessed,
    ImplementationReported,
    ResponsibilityTransferred,
    check_assessment,
    check_implementation,
)
from domain.responses import IMPLEMENTABLE, Position, Responded, check_response
from domain.texts import Texts, check_texts

PORTFOLIO = r"^[a-z][a-z0-9_-]{0,63}$"


def recommendation_stream(panel: int, number: int) -> uuid.UUID:
    """The stream of recommendation ``number`` of panel ``panel``."""
    return stream_id(f"recommendation/{panel}/{number}")


def parse_reference(text: str) -> tuple[int, int]:
    """Parse a recommendation reference ``PANEL/NUMBER`` (for example ``1/12``)."""
    panel, slash, number = text.partition("/")
    if not (slash and panel.isdigit() and number.isdigit() and int(panel) and int(number)):
        raise NotFound(f"{text!r} is not a recommendation reference such as 1/12 (panel/number).")
    return int(panel), int(number)


@register
class Adopted(Event):
    TYPE = "assembly.recommendation.adopted"

    panel: int = Field(ge=1)
    number: int = Field(ge=1)
    title: Texts
    text: Texts
    priority: Literal["high", "medium", "low"] = "medium"
    portfolio: str = Field(pattern=PORTFOLIO)
    vote: str


@register
class HandedOver(Event):
    TYPE = "assembly.recommendation.handed_over"

    panel: int = Field(ge=1)
    number: int = Field(ge=1)
    on: date


class Recommendation(Aggregate):
    """One recommendation and everything the government and the commission said about it."""

    def __init__(self, stream: uuid.UUID) -> None:
        super().__init__(stream)
        self.adopted: Adopted | None = None
        self.handed_over: date | None = None
        self.answers: dict[int, Responded] = {}
        self.position: Position | None = None
        self.portfolio: str | None = None
        self.reports = 0
        self.assessments = 0
        self.adopted_on: date | None = None  # the days their authors gave the adoption
        self.answered_on: dict[int, date] = {}  # and each review's answer

    @property
    def reference(self) -> str:
        adopted = self.require()
        return f"{adopted.panel}/{adopted.number}"

    def require(self) -> Adopted:
        if self.adopted is None:
            raise NotFound("This recommendation has not been adopted.")
        return self.adopted

    def adopt(
        self,
        event: Adopted,
        *,
        languages: tuple[str, ...],
        deliberation: Deliberation,
        at: datetime,
    ) -> None:
        """Adopt a recommendation on the strength of a vote that adopted it."""
        if self.adopted is not None:
            raise AlreadyDone(
                f"Panel {event.panel} already has a recommendation {event.number}: numbers are "
                "unique within a panel."
            )
        check_texts(f"Recommendation {event.panel}/{event.number}'s title", event.title, languages)
        check_texts(f"Recommendation {event.panel}/{event.number}", event.text, languages)
        deliberation.adopted_vote(event.vote)
        self.trigger(event, at=at)

    def hand_over(self, on: date, *, at: datetime) -> None:
        """Hand the recommendation to the government: both review clocks start on ``on``."""
        adopted = self.require()
        if self.handed_over is not None:
            raise AlreadyDone(
                f"Recommendation {self.reference} was handed over on {self.handed_over}."
            )
        if self.adopted_on is not None and on < self.adopted_on:
            what = f"The hand-over of recommendation {self.reference}"
            raise DatedTooEarly(what, on, "its adoption", self.adopted_on)
        self.trigger(HandedOver(panel=adopted.panel, number=adopted.number, on=on), at=at)

    def respond(self, answer: Responded, *, min_justification: int, at: datetime) -> None:
        """Record the government's answer at one of the two reviews."""
        self._require_handed_over("answered")
        if answer.review in self.answers:
            raise AlreadyDone(
                f"Recommendation {self.reference} already has its answer for review "
                f"{answer.review}; an error in it is fixed with `assembly correct`."
            )
        what = f"The answer to recommendation {self.reference} at review {answer.review}"
        self._check_not_before(what, at, "its hand-over", self.handed_over)
        if answer.portfolio != self.portfolio:
            raise NotAllowed(
                f"Recommendation {self.reference} is the responsibility of {self.portfolio}, so "
                f"its answer names {self.portfolio}, not {answer.portfolio}; if "
                f"{answer.portfolio} has taken it over, record that first with `assembly "
                "transfer`."
            )
        check_response(answer, min_justification=min_justification)
        self.trigger(answer, at=at)

    def report(
        self, report: ImplementationReported, *, min_justification: int, at: datetime
    ) -> None:
        """Record how implementation goes; only once the government has taken it on."""
        self._require_handed_over("reported on")
        if self.position not in IMPLEMENTABLE:
            current = self.position.value if self.position else "no answer yet"
            raise NotYet(
                f"Recommendation {self.reference} cannot have an implementation report: its "
                f"position is {current}, and reports follow only accepted, accepted_in_part or "
                "already_in_place."
            )
        what = f"An implementation report on recommendation {self.reference}"
        self._check_not_before(what, at, "the answer that accepted it", self.accepted_on)
        check_implementation(report, min_justification=min_justification)
        self.trigger(report, at=at)

    def transfer(self, transfer: ResponsibilityTransferred, *, at: datetime) -> None:
        """Move responsibility to another portfolio (a new minister, a reshuffle)."""
        self._require_handed_over("transferred")
        if transfer.from_portfolio != self.portfolio:
            raise NotAllowed(
                f"Recommendation {self.reference} is the responsibility of {self.portfolio}, "
                f"not {transfer.from_portfolio}."
            )
        if transfer.to_portfolio == transfer.from_portfolio:
            raise NotAllowed(f"Recommendation {self.reference} is already with {self.portfolio}.")
        self.trigger(transfer, at=at)

    def assess(self, assessment: Assessed, *, at: datetime) -> None:
        """Record the commission's verdict on what the government did."""
        self._require_handed_over("assessed")
        what = f"The commission's verdict on recommendation {self.reference}"
        self._check_not_before(what, at, "its hand-over", self.handed_over)
        check_assessment(assessment)
        self.trigger(assessment, at=at)

    def _require_handed_over(self, what: str) -> None:
        self.require()
        if self.handed_over is None:
            raise NotYet(
                f"Recommendation {self.reference} has not been handed over to the government, "
                f"so it cannot be {what} yet."
            )

    @property
    def accepted_on(self) -> date | None:
        """The day of the first answer that took the recommendation on (as its author dated
        it), or None."""
        return min(
            (
                self.answered_on[review]
                for review, answer in self.answers.items()
                if answer.position in IMPLEMENTABLE and review in self.answered_on
            ),
            default=None,
        )

    @staticmethod
    def _check_not_before(what: str, at: datetime, follows: str, earliest: date | None) -> None:
        if earliest is not None and at.date() < earliest:
            raise DatedTooEarly(what, at.date(), follows, earliest)

    def claimed(self, event: Event, occurred_at: datetime) -> None:
        if isinstance(event, Adopted):
            self.adopted_on = occurred_at.date()
        elif isinstance(event, Responded):
            self.answered_on[event.review] = occurred_at.date()

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if isinstance(event, Adopted):
            self.adopted = event
            self.portfolio = event.portfolio
        elif isinstance(event, HandedOver):
            self.handed_over = event.on
        elif isinstance(event, Responded):
            self.answers[event.review] = event
            # The latest review's answer stands, even if an earlier review's came late.
            self.position = self.answers[max(self.answers)].position
        elif isinstance(event, ImplementationReported):
            self.reports += 1
        elif isinstance(event, ResponsibilityTransferred):
            self.portfolio = event.to_portfolio
        elif isinstance(event, Assessed):
            self.assessments += 1
        else:
            raise WrongStream(event.TYPE, "a recommendation")
