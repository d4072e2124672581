"""A recommendation's life: adopted by a panel, handed over, answered, implemented, assessed.

Stream ``recommendation/PANEL/NUMBER``, so a number is unique within its panel by construction.
The secretariat adopts and hands over; the government answers (once at each of the charter's
review appointments, alone or in a joint statement), reports implementation and transfers
responsibility; the commission assesses. Every answer stays: a later one may revise an earlier
one, never erase it.

Each step is dated no earlier than the step it follows, as their authors date them: the
adoption not before its vote when either is history recorded after the fact
(``Deliberation.check_adopted_after``), the hand-over not before the adoption, an answer or a
verdict not before the hand-over, an implementation report not before the answer that accepted
the recommendation. Whether an answer came on time is judged later by the day the ledger
recorded it (``projections.board``), which no author can backdate. An answer names the
portfolio responsible for the recommendation (the lead, or one it is shared with); a change of
responsibility is recorded first, as a transfer.

Assemblies write recommendations their own way: beside its number a recommendation may carry the
assembly's own reference (``SD-E2``), unique in the ledger whatever the case, so that people can
name it as they know it; it may belong to a group (an objective, a goal) defined beforehand, have
no title of its own (it is then shown by its reference and first words), and a supporting
statement.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from domain.aggregate import Aggregate, stream_id
from domain.codes import GROUP, PORTFOLIO, REFERENCE
from domain.deliberation import Deliberation
from domain.errors import AlreadyDone, DatedTooEarly, NotAllowed, NotFound, NotYet, WrongStream
from domain.events import Event, register, upcaster
from domain.government import (
    Assessed,
    ImplementationReported,
    ResponsibilityTransferred,
    check_assessment,
    check_implementation,
)
from domain.responses import IMPLEMENTABLE, Position, Responded, check_response
from domain.texts import Texts, check_texts


def recommendation_stream(panel: int, number: int) -> uuid.UUID:
    """The stream of recommendation ``number`` of panel ``panel``."""
    return stream_id(f"recommendation/{panel}/{number}")


def parse_reference(text: str) -> tuple[int, int]:
    """Parse a recommendation reference ``PANEL/NUMBER`` (for example ``1/12``)."""
    panel, slash, number = text.partition("/")
    if not (slash and panel.isdigit() and number.isdigit() and int(panel) and int(number)):
        raise NotFound(
            f"{text!r} is not a recommendation reference such as 1/12 (panel/number) or SD-E2 "
            "(the assembly's own reference)."
        )
    return int(panel), int(number)


def resolve_reference(
    text: str, known: Iterable[tuple[str | None, tuple[int, int]]]
) -> tuple[int, int]:
    """The (panel, number) a user means by ``text``: ``PANEL/NUMBER`` as it is, or the
    assembly's own reference (``SD-E2``) among ``known`` (reference, key) pairs, whatever the
    case; raise if it names none or more than one."""
    text = text.strip()
    if "/" in text or not re.fullmatch(REFERENCE, text):
        return parse_reference(text)
    wanted = text.casefold()
    found = sorted(
        {key for reference, key in known if reference and reference.casefold() == wanted}
    )
    if not found:
        raise NotFound(
            f"No recommendation has the reference {text!r}: name it by the assembly's own "
            "reference as adopted (such as SD-E2) or by panel/number (such as 1/12)."
        )
    if len(found) > 1:
        keys = ", ".join(f"{panel}/{number}" for panel, number in found)
        raise NotAllowed(
            f"The reference {text!r} names {len(found)} recommendations ({keys}): name the one "
            "you mean by panel/number."
        )
    return found[0]


@register
class Adopted(Event):
    """A recommendation as its panel adopted it.

    Schema 2 added the assembly's own ``reference``, the ``group`` it belongs to, the
    ``supporting`` statement and the portfolios it is ``shared_with`` (any of which may answer),
    and let the title be empty.
    """

    TYPE = "assembly.recommendation.adopted"
    SCHEMA = 2

    panel: int = Field(ge=1)
    number: int = Field(ge=1)
    title: Texts
    text: Texts
    priority: Literal["high", "medium", "low"] = "medium"
    portfolio: str = Field(pattern=PORTFOLIO)
    vote: str
    reference: str | None = Field(default=None, pattern=REFERENCE)
    group: str | None = Field(default=None, pattern=GROUP)
    supporting: Texts = Field(default_factory=dict)
    shared_with: tuple[Annotated[str, Field(pattern=PORTFOLIO)], ...] = ()

    @property
    def portfolios(self) -> tuple[str, ...]:
        """The lead portfolio, then those it shares the recommendation with."""
        return (self.portfolio, *self.shared_with)


@upcaster(Adopted.TYPE, 1)
def _adopted_v1(payload: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 knew neither references nor groups nor shared portfolios: none were given."""
    return {**payload, "reference": None, "group": None, "supporting": {}, "shared_with": []}


def check_adoption(event: Adopted, languages: tuple[str, ...]) -> None:
    """Raise unless the adoption's texts are in the charter's languages (the text in one at
    least; a title and a supporting statement only if given) and its portfolios distinct."""
    what = f"Recommendation {event.panel}/{event.number}"
    if any(text.strip() for text in event.title.values()):
        check_texts(f"{what}'s title", event.title, languages)
    check_texts(what, event.text, languages)
    if event.supporting:
        check_texts(f"{what}'s supporting statement", event.supporting, languages)
    if len(set(event.portfolios)) != len(event.portfolios):
        raise NotAllowed(
            f"{what} names a portfolio twice ({', '.join(event.portfolios)}): the lead "
            "portfolio and each one it is shared with are named once."
        )


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
        self.shared_with: tuple[str, ...] = ()
        self.reports = 0
        self.assessments = 0
        self.adopted_on: date | None = None  # the days their authors gave the adoption
        self.answered_on: dict[int, date] = {}  # and each review's answer

    @property
    def reference(self) -> str:
        adopted = self.require()
        own = f" ({adopted.reference})" if adopted.reference else ""
        return f"{adopted.panel}/{adopted.number}{own}"

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
        check_adoption(event, languages)
        deliberation.adopted_vote(event.vote)
        what = f"The adoption of recommendation {event.panel}/{event.number}"
        deliberation.check_adopted_after(event.vote, what, at)
        self.trigger(event, at=at)

    def hand_over(self, on: date, *, at: datetime) -> None:
        """Hand the recommendation to the government: the review clocks start on ``on``."""
        adopted = self.require()
        if self.handed_over is not None:
            raise AlreadyDone(
                f"Recommendation {self.reference} was handed over on {self.handed_over}."
            )
        if self.adopted_on is not None and on < self.adopted_on:
            what = f"The hand-over of recommendation {self.reference}"
            raise DatedTooEarly(what, on, "its adoption", self.adopted_on)
        self.trigger(HandedOver(panel=adopted.panel, number=adopted.number, on=on), at=at)

    def respond(
        self,
        answer: Responded,
        *,
        min_justification: int = 200,
        minimums: Mapping[str, int] | None = None,
        reviews: int = 2,
        statement_text: str = "",
        at: datetime,
    ) -> None:
        """Record the government's answer at one of the charter's ``reviews`` appointments
        (``minimums``: its justification lengths per position; ``statement_text``: the joint
        statement the answer belongs to, which justifies it when it has no text of its own)."""
        self._require_handed_over("answered")
        if answer.review > reviews:
            raise NotAllowed(
                f"The charter sets {reviews} review appointment(s), so review {answer.review} "
                f"of recommendation {self.reference} does not exist: give a review from 1 to "
                f"{reviews}."
            )
        if answer.review in self.answers:
            raise AlreadyDone(
                f"Recommendation {self.reference} already has its answer for review "
                f"{answer.review}; an error in it is fixed with `assembly correct`."
            )
        what = f"The answer to recommendation {self.reference} at review {answer.review}"
        self._check_not_before(what, at, "its hand-over", self.handed_over)
        if answer.portfolio != self.portfolio and answer.portfolio not in self.shared_with:
            holders = " or ".join((str(self.portfolio), *self.shared_with))
            raise NotAllowed(
                f"Recommendation {self.reference} is the responsibility of {holders}, so "
                f"its answer names {holders}, not {answer.portfolio}; if "
                f"{answer.portfolio} has taken it over, record that first with `assembly "
                "transfer`."
            )
        check_response(
            answer,
            min_justification=min_justification,
            minimums=minimums,
            statement_text=statement_text,
        )
        self.trigger(answer, at=at)

    def report(
        self,
        report: ImplementationReported,
        *,
        min_justification: int = 200,
        minimums: Mapping[str, int] | None = None,
        at: datetime,
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
        check_implementation(report, min_justification=min_justification, minimums=minimums)
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
            self.shared_with = event.shared_with
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
