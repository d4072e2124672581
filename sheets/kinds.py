"""Every kind of bulk file, by the name ``assembly import`` and ``assembly export`` give it:
its columns, their French and Dutch names, the values a column allows, and how its rows become
events and recorded events rows (``cli.bulk_rows.Kind``)."""

from __future__ import annotations

from cli.answer_kind import ANSWERS
from cli.bulk_rows import Kind
from cli.implementation_file import IMPLEMENTATION
from cli.recommendation_file import RECOMMENDATIONS
from cli.verdict_file import VERDICTS

__all__ = ["KINDS", "Kind"]

KINDS: dict[str, Kind] = {
    kind.name: kind for kind in (ANSWERS, IMPLEMENTATION, RECOMMENDATIONS, VERDICTS)
}
