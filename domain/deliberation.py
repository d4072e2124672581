"""What a panel hears and decides: evidence published, sessions held, votes taken.

Streams ``evidence/N`` and ``deliberation/N`` for panel N. Documents are referred to by their
SHA-256 digest and where they are published; votes carry their method and their result as the
assembly published it: counts (never negative, never more than the panel's seated members),
percentages (decimal text, such as "98" or "1.5": payloads hold no floats), both, or neither,
when the result is not known; an unknown result is said as such, never as 0 for 0 against.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import Field

from domain.aggregate import Aggregate, stream_id
from domain.codes import PERCENT, VOTE_ID
from domain.errors import AlreadyDone, NotAllowed, NotFound, WrongStream
from domain.events import Event, register, upcaster

DIGEST = r"^sha256:[0-9a-f]{64}$"


def evidence_stream(panel: int) -> uuid.UUID:
    """The stream of panel ``panel``'s evidence."""
    return stream_id(f"evidence/{panel}")


def deliberation_stream(panel: int) -> uuid.UUID:
    """The stream of panel ``panel``'s sessions and votes."""
    return stream_id(f"deliberation/{panel}")


class _Document(Event):
    panel: int = Field(ge=1)
    title: str = Field(min_length=1, max_length=500)
    author: str = Field(min_length=1, max_length=200)
    digest: str = Field(pattern=DIGEST)
    published_at: str = Field(min_length=1, max_length=500)


@register
class BriefingPublished(_Document):
    """An independent expert's briefing to the panel."""

    TYPE = "assembly.evidence.briefing_published"


@register
class ReportSubmitted(_Document):
    """A stakeholder's report (civil society, interest group) submitted to the panel."""

    TYPE = "assembly.evidence.report_submitted"


class Evidence(Aggregate):
    """The documents a panel received, each once."""

    def __init__(self, stream: uuid.UUID) -> None:
        super().__init__(stream)
        self.digests: set[str] = set()

    def add(self, document: _Document, *, at: datetime) -> None:
        if document.digest in self.digests:
            raise AlreadyDone(f"A document with digest {document.digest} is already on record.")
        self.trigger(document, at=at)

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if not isinstance(event, _Document):
            raise WrongStream(event.TYPE, "a panel's evidence")
        self.digests.add(event.digest)


class Method(StrEnum):
    MAJORITY = "majority"
    CONSENSUS = "consensus"
    CONSENT = "consent"


@register
class SessionHeld(Event):
    TYPE = "assembly.deliberation.session_held"

    panel: int = Field(ge=1)
    session: int = Field(ge=1)
    on: date
    topic: str = Field(min_length=1, max_length=500)


@register
class VoteHeld(Event):
    """A vote and its result as published. Schema 2 let the counts be unknown (None) and
    added the published percentages, as decimal text."""

    TYPE = "assembly.deliberation.vote_held"
    SCHEMA = 2

    panel: int = Field(ge=1)
    vote: str = Field(pattern=VOTE_ID)
    subject: str = Field(min_length=1, max_length=500)
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None
    method: Method
    adopted: bool
    percent_for: str | None = Field(default=None, pattern=PERCENT)
    percent_against: str | None = Field(default=None, pattern=PERCENT)
    percent_abstaining: str | None = Field(default=None, pattern=PERCENT)

    @property
    def counted(self) -> bool:
        """Whether the counts are known."""
        return self.votes_for is not None

    @property
    def result(self) -> str:
        """The result in words: counts, percentages, or that it is not known."""
        parts = []
        if self.counted:
            parts.append(
                f"{self.votes_for} for, {self.votes_against} against, {self.abstentions} abstaining"
            )
        if self.percent_for is not None:
            parts.append(
                f"{self.percent_for} % for, {self.percent_against} % against, "
                f"{self.percent_abstaining or 0} % abstaining"
            )
        return "; ".join(parts) or "result not known"


@upcaster(VoteHeld.TYPE, 1)
def _vote_held_v1(payload: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 always had the three counts and no percentages."""
    return {**payload, "percent_for": None, "percent_against": None, "percent_abstaining": None}


def check_result(vote: VoteHeld, *, members: int) -> None:
    """Raise unless the vote's result holds together: the three counts all given or all
    unknown, within the seated members; percentages for and against together, each from 0 to
    100; and, by majority, 'adopted' as the counts (else the percentages) say. A majority vote
    whose result is not known is taken as recorded."""
    counts = (vote.votes_for, vote.votes_against, vote.abstentions)
    if any(count is None for count in counts) and not all(count is None for count in counts):
        raise NotAllowed(
            f"Vote {vote.vote} gives some counts and not others: give the three counts (for, "
            "against, abstaining), or none when they are not known."
        )
    if (vote.percent_for is None) != (vote.percent_against is None):
        raise NotAllowed(
            f"Vote {vote.vote} gives one percentage of for and against: give both, or neither."
        )
    for name, share in (
        ("for", vote.percent_for),
        ("against", vote.percent_against),
        ("abstaining", vote.percent_abstaining),
    ):
        if share is not None and Decimal(share) > 100:
            raise NotAllowed(f"The percentage {name} is {share}: a percentage is from 0 to 100.")
    if vote.votes_for is not None and vote.votes_against is not None:
        _check_counts(vote, members=members)
        won = vote.votes_for > vote.votes_against
        said = f"{vote.votes_for} for, {vote.votes_against} against"
    elif vote.percent_for is not None and vote.percent_against is not None:
        won = Decimal(vote.percent_for) > Decimal(vote.percent_against)
        said = f"{vote.percent_for} % for, {vote.percent_against} % against"
    else:
        return  # not known: the vote is taken as recorded
    if vote.method is Method.MAJORITY and vote.adopted != won:
        raise NotAllowed(
            f"By majority, vote {vote.vote} is {'adopted' if won else 'not adopted'} "
            f"({said}): fix 'adopted'."
        )


def _check_counts(vote: VoteHeld, *, members: int) -> None:
    counts = {
        "for": vote.votes_for or 0,
        "against": vote.votes_against or 0,
        "abstaining": vote.abstentions or 0,
    }
    for name, count in counts.items():
        if count < 0:
            raise NotAllowed(f"The count {name} is {count}: vote counts cannot be negative.")
    total = sum(counts.values())
    if total > members:
        raise NotAllowed(
            f"Vote {vote.vote} counts {total} votes, more than the panel's {members} "
            "seated members."
        )


class Deliberation(Aggregate):
    """A panel's sessions and votes."""

    def __init__(self, stream: uuid.UUID) -> None:
        super().__init__(stream)
        self.sessions: set[int] = set()
        self.votes: dict[str, VoteHeld] = {}
        # When each vote counts from in the rules of order, and the day its author gave it.
        self.voted_at: dict[str, datetime] = {}
        self.voted_on: dict[str, date] = {}

    def hold_session(self, session: SessionHeld, *, at: datetime) -> None:
        if session.session in self.sessions:
            raise AlreadyDone(f"Session {session.session} of panel {session.panel} is on record.")
        self.trigger(session, at=at)

    def record_vote(self, vote: VoteHeld, *, members: int, at: datetime) -> None:
        """Record a vote of a panel with ``members`` seated members (the panel checks that it
        comes no earlier than the seating: ``Panel.check_votes_after_seating``)."""
        check_result(vote, members=members)
        if vote.vote in self.votes:
            raise AlreadyDone(f"Vote {vote.vote} of panel {vote.panel} is already on record.")
        self.trigger(vote, at=at)

    def adopted_vote(self, vote: str) -> VoteHeld:
        """The vote an adoption refers to, which must exist and have adopted its subject."""
        found = self.votes.get(vote)
        if found is None:
            raise NotFound(f"There is no vote {vote} on record for this panel.")
        if not found.adopted:
            raise NotAllowed(f"Vote {vote} did not adopt its subject.")
        return found

    def check_adopted_after(self, vote: str, what: str, at: datetime) -> None:
        """Raise unless ``what`` (an adoption), dated ``at``, comes no earlier than ``vote``,
        when either is history recorded after the fact (two live steps are not compared:
        ``Aggregate.check_history_follows``)."""
        self.check_history_follows(
            what,
            at,
            f"vote {vote}",
            moment=self.voted_at.get(vote),
            claimed=self.voted_on.get(vote),
        )

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if isinstance(event, SessionHeld):
            self.sessions.add(event.session)
        elif isinstance(event, VoteHeld):
            self.votes[event.vote] = event
            self.voted_at[event.vote] = at
        else:
            raise WrongStream(event.TYPE, "a panel's deliberation")

    def claimed(self, event: Event, occurred_at: datetime) -> None:
        if isinstance(event, VoteHeld):
            self.voted_on[event.vote] = occurred_at.date()
