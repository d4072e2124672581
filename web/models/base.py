"""What every response model shares: strictness, the one-sentence refusal, the axes' value
types, and a recommendation's reference and title."""

from __future__ import annotations

from typing import Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, TypeAdapter

from domain.government import Implementation, Verdict
from domain.responses import Position
from projections.names import shown_title
from projections.status import RecommendationStatus

PositionValue: TypeAlias = Literal["awaiting_response"] | Position
VerdictValue: TypeAlias = Literal["none"] | Verdict
# "not_applicable": nothing to implement, the government refused the recommendation.
ImplementationValue: TypeAlias = Literal["not_applicable"] | Implementation
Group: TypeAlias = Literal["total", "panel", "portfolio"]
Axis: TypeAlias = Literal["position", "implementation", "verdict"]
# The read side keeps these values as text: each is checked into its type once, here.
POSITION: TypeAdapter[PositionValue] = TypeAdapter(PositionValue)
VERDICT: TypeAdapter[VerdictValue] = TypeAdapter(VerdictValue)
IMPLEMENTATION: TypeAdapter[ImplementationValue] = TypeAdapter(ImplementationValue)
GROUP: TypeAdapter[Group] = TypeAdapter(Group)
AXIS: TypeAdapter[Axis] = TypeAdapter(Axis)


class Strict(BaseModel):
    """A response model: exactly these fields, no other."""

    model_config = ConfigDict(extra="forbid")


class Problem(Strict):
    """Why a request was refused, in one sentence."""

    detail: str


def ref(rec: RecommendationStatus) -> str:
    """The recommendation's key, PANEL/NUMBER (the assembly's own reference is a field of its
    own, ``reference``, so that ``ref`` stays what API clients already read)."""
    return f"{rec.panel}/{rec.number}"


def title(rec: RecommendationStatus) -> str:
    """The title as the command line shows it: in French, else in the first language given;
    without a title of its own, the first words of the text."""
    return shown_title(rec)
