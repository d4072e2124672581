"""A joint answer: one statement of the government that answers several recommendations at once.

Governments answer as they see fit: France's President answered 146 of the Convention's
proposals in one speech; Scotland answered per goal. Copying such a text into one answer per
recommendation repeats it a hundred times and loses that it was said once. So the statement is
signed once, in its own stream ``statement/ID``, with its text in each language given, the day
it was given, the office that gave it (never a person's name), an optional source and the
recommendations it covers; in the same append each covered recommendation gets its own small
``Responded`` that names the statement and carries its own position (a joint answer can accept
most, reject a few and postpone one, each refusal with its own reason). An answer with no
justification of its own is justified by the statement's text.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime

from pydantic import Field, field_validator

from domain.aggregate import Aggregate, stream_id
from domain.errors import AlreadyDone, NotAllowed, WrongStream
from domain.events import Event, register
from domain.responses import STATEMENT_ID
from domain.texts import Texts, check_texts

COVERED = r"^[1-9][0-9]*/[1-9][0-9]*$"  # PANEL/NUMBER


def statement_stream(statement: str) -> uuid.UUID:
    """The stream of the joint statement ``statement``."""
    return stream_id(f"statement/{statement}")


@register
class StatementGiven(Event):
    """One statement answering several recommendations, signed once."""

    TYPE = "assembly.government.statement_given"

    id: str = Field(pattern=STATEMENT_ID)
    text: Texts
    on: date
    by: str = Field(min_length=1, max_length=300)  # an office, never a person's name
    source: str | None = Field(default=None, pattern=r"^https?://\S+$", max_length=2000)
    covers: tuple[str, ...] = Field(min_length=1)

    @field_validator("covers")
    @classmethod
    def _covers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for reference in value:
            if not re.match(COVERED, reference):
                raise ValueError(
                    f"{reference!r} is not a recommendation such as 1/12 (panel/number)"
                )
        if len(set(value)) != len(value):
            raise ValueError("each recommendation is covered once")
        return value

    @property
    def longest(self) -> str:
        """The statement's longest text (what stands for a justification)."""
        return max(self.text.values(), key=lambda text: len(text.strip()), default="")


class Statement(Aggregate):
    """A joint statement, given once."""

    def __init__(self, stream: uuid.UUID) -> None:
        super().__init__(stream)
        self.given: StatementGiven | None = None

    def give(self, statement: StatementGiven, *, languages: tuple[str, ...], at: datetime) -> None:
        if self.given is not None:
            raise AlreadyDone(
                f"The statement {statement.id} was given on {self.given.on}; a statement is "
                "recorded once, and an error in it is fixed with `assembly correct`."
            )
        check_texts(f"The statement {statement.id}", statement.text, languages)
        if not statement.by.strip():
            raise NotAllowed(f"The statement {statement.id} names the office that gave it (by).")
        self.trigger(statement, at=at)

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if isinstance(event, StatementGiven):
            self.given = event
        else:
            raise WrongStream(event.TYPE, "a joint statement")
