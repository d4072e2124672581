"""Every kind of bulk file, by the name ``assembly import`` and ``assembly export`` give it:
its columns, their French and Dutch names, the values a column allows, and how its rows become
events and recorded events rows (``sheets.rows.Kind``)."""

from __future__ import annotations

from sheets.answer_kind import ANSWERS
from sheets.implementation_file import IMPLEMENTATION
from sheets.recommendation_file import RECOMMENDATIONS
from sheets.rows import Kind
from sheets.verdict_file import VERDICTS

__all__ = ["KINDS", "Kind"]

KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (ANSWERS, IMPLEMENTATION, RECOMMENDATIONS, VERDICTS)
}
