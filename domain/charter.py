"""The assembly's charter: the settings every other rule reads, and the commission's members.

Stream ``assembly``. The charter is written once, by the charter key; it fixes the languages
texts must be in, the review offsets (3 and 12 months by default), which implementation
statuses and positions need a justification and how long it must be, and the theme group's size.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum

from pydantic import Field, field_validator

from domain.aggregate import Aggregate, stream_id
from domain.errors import AlreadyDone, NotYet, WrongStream
from domain.events import Event, register

ASSEMBLY = stream_id("assembly")
OFFSET = r"P[0-9]+M\Z"


@register
class Chartered(Event):
    TYPE = "assembly.charter.chartered"

    name: str = Field(min_length=1)
    region: str = Field(min_length=1)
    languages: tuple[str, ...] = Field(min_length=1)
    review_offsets: tuple[str, str] = ("P3M", "P12M")
    min_justification: int = Field(default=200, ge=1)
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
    def _offsets(cls, value: tuple[str, str]) -> tuple[str, str]:
        months = []
        for offset in value:
            if not re.match(OFFSET, offset):
                raise ValueError(f"{offset!r} is not a number of months such as P3M")
            months.append(int(offset[1:-1]))
        if not 0 < months[0] < months[1]:
            raise ValueError("the first review must come before the second")
        return value

    def months(self) -> tuple[int, int]:
        """The two review offsets in months."""
        return int(self.review_offsets[0][1:-1]), int(self.review_offsets[1][1:-1])


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
