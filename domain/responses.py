"""The government's answer to a recommendation, and what each position must carry (DESIGN 4).

Positions that decline or change a recommendation must be explained in detail (the charter's
minimum length, 200 characters by default); the others must carry what makes them checkable:
a decision date for ``under_study``, whom it was referred to for ``not_competent``, an evidence
digest for ``already_in_place``. ``overdue`` is never a position: it is computed from deadlines.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field

from domain.errors import JustificationTooShort, MissingDetail
from domain.events import Event, register

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


NEEDS_JUSTIFICATION = frozenset({Position.REJECTED, Position.ACCEPTED_IN_PART})
IMPLEMENTABLE = frozenset({Position.ACCEPTED, Position.ACCEPTED_IN_PART, Position.ALREADY_IN_PLACE})


@register
class Responded(Event):
    """The government's answer to one recommendation at one review (1: first, 2: second)."""

    TYPE = "assembly.government.responded"

    panel: int = Field(ge=1)
    number: int = Field(ge=1)
    review: Literal[1, 2]
    position: Position
    justification: str = ""
    planned_measures: str = ""
    portfolio: str = Field(pattern=r"^[a-z][a-z0-9_-]{0,63}$")
    decision_date: date | None = None
    referred_to: str | None = None
    evidence_digest: str | None = None


def check_response(
    response: Responded, *, min_justification: int = DEFAULT_MIN_JUSTIFICATION
) -> None:
    """Raise the rule a response breaks, if any."""
    what = f"A response '{response.position.value}'"
    if response.position in NEEDS_JUSTIFICATION:
        length = len(response.justification.strip())
        if length < min_justification:
            raise JustificationTooShort(what, length, min_justification)
    if response.position is Position.UNDER_STUDY and response.decision_date is None:
        raise MissingDetail(what, "the date by which a decision will be taken (decision_date)")
    if response.position is Position.NOT_COMPETENT and not (response.referred_to or "").strip():
        raise MissingDetail(what, "whom the recommendation was referred to (referred_to)")
    if response.position is Position.ALREADY_IN_PLACE and not _DIGEST.match(
        response.evidence_digest or ""
    ):
        raise MissingDetail(what, "the SHA-256 digest of the evidence (sha256:<64 hex>)")
