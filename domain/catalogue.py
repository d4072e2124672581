"""Every event type of the assembly, registered: import this before decoding a ledger.

Each module below registers its event classes when imported; this module imports them all, so
``domain.events.REGISTRY`` is complete (the round-trip test checks it against ``ROLE_GRANTS``).
"""

from __future__ import annotations

from domain import (
    charter,
    correction,
    deliberation,
    government,
    groups,
    labels,
    panel,
    recommendation,
    responses,
    statement,
)
from domain.draws import events as draw_events
from domain.events import REGISTRY, Event

MODULES = (
    charter,
    correction,
    deliberation,
    draw_events,
    government,
    groups,
    labels,
    panel,
    recommendation,
    responses,
    statement,
)


def event_types() -> dict[str, type[Event]]:
    """The registered event classes by stored type name, sorted."""
    return dict(sorted(REGISTRY.items()))
