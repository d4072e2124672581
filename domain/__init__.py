"""The assembly's process: the role table and the rules of government responses so far;
aggregates, events and the other rules (issue 3) as they land."""

from domain.errors import JustificationTooShort, MissingDetail, RuleBroken
from domain.responses import Position, Response, check_response
from domain.roles import ROLE_GRANTS

__all__ = [
    "ROLE_GRANTS",
    "JustificationTooShort",
    "MissingDetail",
    "Position",
    "Response",
    "RuleBroken",
    "check_response",
]
