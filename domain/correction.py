"""Errata and review meetings: nothing is edited or deleted, an entry is superseded.

A correction names the ``seq`` it supersedes, says why, and may carry the corrected payload (of
the same event type, checked like the original). It is written by the role that wrote the entry,
or by the charter key. Stream ``correction/SEQ``, so every erratum of an entry is found at once.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import Field

from domain.aggregate import Aggregate, stream_id
from domain.errors import AlreadyDone, MissingDetail, NotAllowed, NotFound, NotYet, WrongStream
from domain.events import Event, Recorded, decode, register, upcaster

CHARTER_ROLE = "charter"


def correction_stream(seq: int) -> uuid.UUID:
    """The stream of the corrections of entry ``seq``."""
    return stream_id(f"correction/{seq}")


@register
class CorrectionRecorded(Event):
    TYPE = "assembly.correction.recorded"

    supersedes: int = Field(ge=0)
    corrected_type: str
    reason: str = Field(min_length=1, max_length=5000)
    replacement: dict[str, Any] | None = None


class Correction(Aggregate):
    """The errata of one entry."""

    def __init__(self, stream: uuid.UUID) -> None:
        super().__init__(stream)
        self.count = 0

    def correct(
        self,
        target: Recorded | None,
        *,
        seq: int,
        reason: str,
        replacement: dict[str, Any] | None,
        role: str,
        at: datetime,
    ) -> None:
        """Supersede entry ``seq`` (``target``, None when it is not an assembly event)."""
        if target is None:
            raise NotFound(f"There is no assembly event at seq {seq} to correct.")
        if not reason.strip():
            raise MissingDetail("A correction", "the reason for it")
        if role not in (target.role, CHARTER_ROLE):
            raise NotAllowed(
                f"Entry {seq} was written by the {target.role} role; only that role or the "
                f"charter key may correct it, not the {role} role."
            )
        if replacement is not None:
            decode(target.event.TYPE, target.event.SCHEMA, replacement)
        event = CorrectionRecorded(
            supersedes=seq, corrected_type=target.event.TYPE, reason=reason, replacement=replacement
        )
        self.trigger(event, at=at)

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if not isinstance(event, CorrectionRecorded):
            raise WrongStream(event.TYPE, "a correction")
        self.count += 1


def review_stream(panel: int) -> uuid.UUID:
    """The stream of the review meetings about panel ``panel``'s recommendations."""
    return stream_id(f"review/{panel}")


@register
class MeetingHeld(Event):
    """A review meeting. Schema 2: any of the charter's appointments (schema 1: 1 or 2)."""

    TYPE = "assembly.review.meeting_held"
    SCHEMA = 2

    panel: int = Field(ge=1)
    review: int = Field(ge=1, le=12)
    on: date
    minutes_digest: str | None = Field(default=None, pattern=r"^sha256:[0-9a-f]{64}$")


@upcaster(MeetingHeld.TYPE, 1)
def _meeting_v1(payload: dict[str, Any]) -> dict[str, Any]:
    """Schema 1's review, 1 or 2, reads the same."""
    return payload


class Review(Aggregate):
    """The review appointments of one panel's recommendations."""

    def __init__(self, stream: uuid.UUID) -> None:
        super().__init__(stream)
        self.held: dict[int, date] = {}

    def hold(self, meeting: MeetingHeld, *, concluded: bool, at: datetime) -> None:
        if not concluded:
            raise NotYet(
                f"Panel {meeting.panel} has not concluded: its recommendations are not yet "
                "under review."
            )
        if meeting.review in self.held:
            raise AlreadyDone(
                f"Review {meeting.review} of panel {meeting.panel} was held on "
                f"{self.held[meeting.review]}."
            )
        self.trigger(meeting, at=at)

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if not isinstance(event, MeetingHeld):
            raise WrongStream(event.TYPE, "a review")
        self.held[event.review] = event.on
