"""The JSON API's response models, and how each is made from the read side.

Every response of ``web.api`` is one of these models, so FastAPI's OpenAPI schema describes it
field by field (no other field is allowed). The field names are those of the command line's JSON
output (``assembly status``, ``show``, ``overdue``, ``trail``, ``composition`` and ``dashboard``
with ``--format json``), so that a script can move from one to the other. Times are RFC 3339,
days ISO 8601; an axis's value is one of the domain's values or the axis's initial one.
"""

from web.models.base import Axis, Group, PositionValue, Problem, Strict, VerdictValue, ref, title
from web.models.board import Board, BoardRow
from web.models.recommendation import (
    Answer,
    Assessment,
    Erratum,
    Recommendation,
    Report,
    ReviewDeadline,
    Signed,
    TrailEntry,
)
from web.models.summaries import (
    Composition,
    ConsistencyProof,
    CountLine,
    Dashboard,
    LateReview,
    Overdue,
    Stratum,
)

__all__ = [
    "Answer",
    "Assessment",
    "Axis",
    "Board",
    "BoardRow",
    "Composition",
    "ConsistencyProof",
    "CountLine",
    "Dashboard",
    "Erratum",
    "Group",
    "LateReview",
    "Overdue",
    "PositionValue",
    "Problem",
    "Recommendation",
    "Report",
    "ReviewDeadline",
    "Signed",
    "Stratum",
    "Strict",
    "TrailEntry",
    "VerdictValue",
    "ref",
    "title",
]
