"""Read models folded from the ledger (docs/design.md 6): the recommendation status with its three
axes (``status``), due dates and overdue computed as of any date (``deadlines``, ``board``), the
audit trail (``trail``), and the tracked runner that keeps the status tables in the ledger's
database (``runner``), whose reads fold in memory what the tables lack (``tail``): reads never
write."""

from projections.deadlines import Suspension, add_months, due_date, due_dates, overdue
from projections.errors import ProjectionError, ProjectionFailed
from projections.runner import catch_up, position, rebuild, stored, stored_one
from projections.status import RecommendationStatus, Status, apply, fold, recorded

__all__ = [
    "ProjectionError",
    "ProjectionFailed",
    "RecommendationStatus",
    "Status",
    "Suspension",
    "add_months",
    "apply",
    "catch_up",
    "due_date",
    "due_dates",
    "fold",
    "overdue",
    "position",
    "rebuild",
    "recorded",
    "stored",
    "stored_one",
]
