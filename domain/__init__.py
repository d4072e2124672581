"""The assembly's process (docs/design.md 4): aggregates, their events and rules, the role table.

Each aggregate owns one stream (``domain.aggregate.stream_id``); its commands check the rules and
trigger explicit events (``domain.events``), which the composition root signs and appends. Every
rule is answered with a ``domain.errors.RuleBroken`` subclass that says what to fix.
"""

from domain.errors import JustificationTooShort, MissingDetail, RuleBroken
from domain.responses import Position, Responded, check_response
from domain.roles import ROLE_GRANTS

__all__ = [
    "ROLE_GRANTS",
    "JustificationTooShort",
    "MissingDetail",
    "Position",
    "Responded",
    "RuleBroken",
    "check_response",
]
