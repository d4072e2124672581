"""What a panel hears and decides: evidence published, sessions held, votes taken.

Streams ``evidence/N`` and ``deliberation/N`` for panel N. Documents are referred to by their
SHA-256 digest and where they are published; votes carry their counts and method, and a count
can never be negative nor exceed the panel's seated members.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from domain.aggregate import Aggregate, stream_id
from domain.errors import AlreadyDone, NotAllowed, NotFound, WrongStream
from domain.events import Event, register

DIGEST = r"^sha256:[0-9a-f]{64}$"
VOTE_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"


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
    TYPE = "assembly.deliberation.vote_held"

    panel: int = Field(ge=1)
    vote: str = Field(pattern=VOTE_ID)
    subject: str = Field(min_length=1, max_length=500)
    votes_for: int
    votes_against: int
    abstentions: int
    method: Method
    adopted: bool


class Deliberation(Aggregate):
    """A panel's sessions and votes."""

    def __init__(self, stream: uuid.UUID) -> None:
        super().__init__(stream)
        self.sessions: set[int] = set()
        self.votes: dict[str, VoteHeld] = {}

    def hold_session(self, session: SessionHeld, *, at: datetime) -> None:
        if session.session in self.sessions:
            raise AlreadyDone(f"Session {session.session} of panel {session.panel} is on record.")
        self.trigger(session, at=at)

    def record_vote(self, vote: VoteHeld, *, members: int, at: datetime) -> None:
        """Record a vote of a panel with ``members`` seated members."""
        counts = {
            "for": vote.votes_for,
            "against": vote.votes_against,
            "abstaining": vote.abstentions,
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
        if vote.method is Method.MAJORITY and vote.adopted != (vote.votes_for > vote.votes_against):
            raise NotAllowed(
                f"By majority, vote {vote.vote} is "
                f"{'adopted' if vote.votes_for > vote.votes_against else 'not adopted'} "
                f"({vote.votes_for} for, {vote.votes_against} against): fix 'adopted'."
            )
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

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if isinstance(event, SessionHeld):
            self.sessions.add(event.session)
        elif isinstance(event, VoteHeld):
            self.votes[event.vote] = event
        else:
            raise WrongStream(event.TYPE, "a panel's deliberation")
