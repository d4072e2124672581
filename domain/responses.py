"""The government's answer to a recommendation, and what each position must carry
(docs/design.md 4).

Positions that decline or change a recommendation must be explained in detail (the charter says
which and how long: by default ``rejected`` and ``accepted_in_part``, 200 characters); the others
must carry what makes them checkable: a decision date for ``under_study``, whom it was referred
to for ``not_competent``, an evidence digest for ``already_in_place``. ``postponed`` is a debate
put off with no date, so it needs none. ``overdue`` is never a position: it is computed from
deadlines.

Schema 2 (issue 14): the review is any of the charter's appointments; an answer may be one
recommendation's share of a joint statement (``statement``, whose text then stands for a
justification it lacks); its texts name their ``language`` and may carry ``translations``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.errors import JustificationTooShort, MissingDetail
from domain.events import Event, register, upcaster

DEFAULT_MIN_JUSTIFICATION = 200
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}\Z")


class Position(StrEnum):
    """The government's position on one recommendation."""

    ACCEPTED = "accepted"
    ACCEPTED_IN_PART = "accepted_in_part"
    ALREADY_IN_PLACE = "already_in_place"
    UNDER_STUDY = "under_study"
    NOT_COMPETENT = "not_competent"
    REJECTED = "rejected"
    POSTPONED = "postponed"  # the debate put off, with no date given


NEEDS_JUSTIFICATION = frozenset({Position.REJECTED, Position.ACCEPTED_IN_PART})
IMPLEMENTABLE = frozenset({Position.ACCEPTED, Position.ACCEPTED_IN_PART, Position.ALREADY_IN_PLACE})


LANGUAGE = r"^[a-z]{2}$"
STATEMENT_ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class AnswerTranslation(BaseModel):
    """An answer's texts in one more language (the original stays in the answer itself)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    justification: str = ""
    planned_measures: str = ""


@register
class Responded(Event):
    """The government's answer to one recommendation at one review (1 for the first of the
    charter's appointments, and so on)."""

    TYPE = "assembly.government.responded"
    SCHEMA = 2

    panel: int = Field(ge=1)
    number: int = Field(ge=1)
    review: int = Field(ge=1, le=12)
    position: Position
    justification: str = ""
    planned_measures: str = ""
    portfolio: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$")
    decision_date: date | None = None
    referred_to: str | None = None
    evidence_digest: str | None = None
    statement: str | None = Field(default=None, pattern=STATEMENT_ID)  # a joint answer's id
    language: str | None = Field(default=None, pattern=LANGUAGE)  # of the texts above
    translations: dict[str, AnswerTranslation] = Field(default_factory=dict)


@upcaster(Responded.TYPE, 1)
def _responded_v1(payload: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 answered at review 1 or 2 alone, in no named language, never jointly."""
    return {**payload, "statement": None, "language": None, "translations": {}}


def check_response(
    response: Responded,
    *,
    min_justification: int = DEFAULT_MIN_JUSTIFICATION,
    minimums: Mapping[str, int] | None = None,
    statement_text: str = "",
) -> None:
    """Raise the rule a response breaks, if any.

    ``minimums`` is the charter's table of justification lengths per position (None: the first
    release's rule, ``min_justification`` for a refusal or a partial acceptance). An answer
    that is part of a joint statement and has no justification of its own is justified by the
    statement's text (``statement_text``).
    """
    what = f"A response '{response.position.value}'"
    if minimums is None:
        minimums = dict.fromkeys(NEEDS_JUSTIFICATION, min_justification)
    needed = minimums.get(response.position.value, 0)
    if needed:
        own = response.justification.strip()
        length = len(own or statement_text.strip())
        if length < needed:
            raise JustificationTooShort(what, length, needed)
    if response.position is Position.UNDER_STUDY and response.decision_date is None:
        raise MissingDetail(what, "the date by which a decision will be taken (decision_date)")
    if response.position is Position.NOT_COMPETENT and not (response.referred_to or "").strip():
        raise MissingDetail(what, "whom the recommendation was referred to (referred_to)")
    if response.position is Position.ALREADY_IN_PLACE and not _DIGEST.match(
        response.evidence_digest or ""
    ):
        raise MissingDetail(what, "the SHA-256 digest of the evidence (sha256:<64 hex>)")
