"""The assembly's charter: the settings every other rule reads, and the commission's members.

Stream ``assembly``. The charter is written once, by the charter key; it fixes the languages
texts must be in, the review appointments (3 and 12 months by default; Scotland's law asks for one
at six months), which implementation statuses and positions need a justification and how long it
must be, and the theme group's size.

Schema 2 allows one or more review appointments and a justification minimum per position or
implementation status (``justifications``); a charter of schema 1 had exactly two appointments
and one minimum for the four that needed one, which is what ``justifications`` left out means.
"""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field, field_validator

from domain.aggregate import Aggregate, stream_id
from domain.errors import AlreadyDone, NotYet, WrongStream
from domain.events import Event, register, upcaster
from domain.government import Implementation
from domain.responses import Position

ASSEMBLY = stream_id("assembly")
OFFSET = r"P[0-9]+M\Z"
# What needs a justification when the charter does not say (the first release's rule): the
# positions that decline or change a recommendation and the implementations that do.
JUSTIFIED_BY_DEFAULT = ("rejected", "accepted_in_part", "completed_modified", "abandoned")
# Everything a charter may ask a justification of: the positions and implementation statuses.
JUSTIFIABLE = frozenset({*Position, *Implementation})


@register
class Chartered(Event):
    TYPE = "assembly.charter.chartered"
    SCHEMA = 2

    name: str = Field(min_length=1)
    region: str = Field(min_length=1)
    languages: tuple[str, ...] = Field(min_length=1)
    review_offsets: tuple[str, ...] = Field(default=("P3M", "P12M"), min_length=1, max_length=12)
    min_justification: int = Field(default=200, ge=1)
    # Characters of justification per position or implementation status; None: the four of
    # ``JUSTIFIED_BY_DEFAULT`` at ``min_justification``.
    justifications: dict[str, int] | None = None
    theme_group_size: int = Field(default=25, ge=1)
    log_origin: str | None = None

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if len(code) != 2 or not code.isalpha() or not code.islower():
                raise ValueError(f"{code!r} is not a two-letter language code")
        if len(set(value)) != len(value):
            raise ValueError("a language is listed twice")
        return value

    @field_validator("review_offsets")
    @classmethod
    def _offsets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        months = []
        for offset in value:
            if not re.match(OFFSET, offset):
                raise ValueError(f"{offset!r} is not a number of months such as P3M")
            months.append(int(offset[1:-1]))
        if months[0] < 1:
            raise ValueError("the first review comes at least one month after the hand-over")
        if any(later <= earlier for earlier, later in itertools.pairwise(months)):
            raise ValueError("each review must come after the one before it, such as P3M,P12M")
        return value

    @field_validator("justifications")
    @classmethod
    def _justifications(cls, value: dict[str, int] | None) -> dict[str, int] | None:
        for name, length in (value or {}).items():
            if name not in JUSTIFIABLE:
                raise ValueError(
                    f"{name!r} is not a position or an implementation status, such as rejected"
                )
            if length < 0:
                raise ValueError(f"the justification of {name} is 0 characters or more")
        return value

    def months(self) -> tuple[int, ...]:
        """The review appointments' offsets in months, first to last."""
        return tuple(int(offset[1:-1]) for offset in self.review_offsets)

    @property
    def reviews(self) -> int:
        """How many review appointments the charter sets."""
        return len(self.review_offsets)

    def minimums(self) -> dict[str, int]:
        """Characters of justification each position or implementation status needs (those
        absent need none)."""
        if self.justifications is None:
            return dict.fromkeys(JUSTIFIED_BY_DEFAULT, self.min_justification)
        return {name: length for name, length in self.justifications.items() if length > 0}


@upcaster(Chartered.TYPE, 1)
def _chartered_v1(payload: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 had exactly two reviews and one minimum: no table of justifications."""
    return {**payload, "justifications": None}


class CommissionRole(StrEnum):
    CHAIR = "chair"
    MEMBER = "member"
    SUBSTITUTE = "substitute"


@register
class CommissionMemberRecorded(Event):
    TYPE = "assembly.commission.member_recorded"

    pseudonym: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
    role: CommissionRole
    panel: int = Field(ge=1)


class Assembly(Aggregate):
    """The charter and the follow-up commission's membership."""

    def __init__(self, stream: uuid.UUID = ASSEMBLY) -> None:
        super().__init__(stream)
        self.charter: Chartered | None = None
        self.commission: dict[str, CommissionMemberRecorded] = {}

    def write_charter(self, charter: Chartered, *, at: datetime) -> None:
        if self.charter is not None:
            raise AlreadyDone("The assembly already has its charter; a change is a correction.")
        self.trigger(charter, at=at)

    def record_member(self, member: CommissionMemberRecorded, *, at: datetime) -> None:
        self.require_charter()
        if member.pseudonym in self.commission:
            raise AlreadyDone(f"{member.pseudonym} is already a member of the commission.")
        self.trigger(member, at=at)

    def require_charter(self) -> Chartered:
        """The charter, or the rule that nothing happens before it."""
        if self.charter is None:
            raise NotYet("The assembly has no charter yet: run `assembly charter` first.")
        return self.charter

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if isinstance(event, Chartered):
            self.charter = event
        elif isinstance(event, CommissionMemberRecorded):
            self.commission[event.pseudonym] = event
        else:
            raise WrongStream(event.TYPE, "the assembly")
