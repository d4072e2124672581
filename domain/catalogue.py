"""Every event type of the assembly, registered: import this before decoding a ledger.

Each module below registers its event classes when imported; this module imports them all, so
``domain.events.REGISTRY`` is complete (the round-trip test checks it against ``ROLE_GRANTS``).
"""

from __future__ import annotations

from domain import charter, correction, deliberation, government, panel, recommendation, responses
from domain.draws import events as draw_events
from domain.events import REGISTRY, Event

MODULES = (
    charter,
    correction,
    deliberation,
    draw_events,
    government,
    panel,
    recommendation,
    responses,
)


def event_types() -> dict[str, type[Event]]:
    """The registered event classes by stored type name, sorted."""
    return dict(sorted(REGISTRY.items()))
