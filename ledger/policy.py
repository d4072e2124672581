"""Which role may write which event type. The table comes from the caller; the ledger's own
event types (``ledger.*``) belong to the charter role whatever the table says."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

CHARTER_ROLE = "charter"
LEDGER_PREFIX = "ledger."


class RolePolicy:
    """A role table: role name -> event types it may write (``prefix.*`` matches a family)."""

    def __init__(self, grants: Mapping[str, Iterable[str]]) -> None:
        self._grants = {role: tuple(patterns) for role, patterns in grants.items()}
        self._grants.setdefault(CHARTER_ROLE, ())

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role a signer may be enrolled with."""
        return tuple(sorted(self._grants))

    def may_write(self, role: str, event_type: str) -> bool:
        """Tell whether a signer with ``role`` may write events of ``event_type``."""
        if event_type.startswith(LEDGER_PREFIX):
            return role == CHARTER_ROLE
        return any(_matches(pattern, event_type) for pattern in self._grants.get(role, ()))


def _matches(pattern: str, event_type: str) -> bool:
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type
