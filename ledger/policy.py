"""Which role may write which event type. The table comes from the caller; the ledger's own
event types (``ledger.*``) belong to the charter role whatever the table says.

The caller may also name the uuid5 namespace of its streams' names: the ledger checks nothing
with it, but a bundle carries it with the rules (``ledger.rules``), so that a reader can find a
stream from what it is about.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

CHARTER_ROLE = "charter"
LEDGER_PREFIX = "ledger."


class RolePolicy:
    """A role table: role name -> event types it may write (``prefix.*`` matches a family)."""

    def __init__(
        self, grants: Mapping[str, Iterable[str]], *, namespace: uuid.UUID | None = None
    ) -> None:
        self._grants = {role: tuple(patterns) for role, patterns in grants.items()}
        self._grants.setdefault(CHARTER_ROLE, ())
        self._answers: dict[tuple[str, str], bool] = {}
        self.namespace = namespace

    @property
    def roles(self) -> tuple[str, ...]:
        """Every role a signer may be enrolled with."""
        return tuple(sorted(self._grants))

    def patterns(self, role: str) -> tuple[str, ...]:
        """The event types (or ``family.*`` patterns) the table grants ``role``."""
        return self._grants.get(role, ())

    def may_write(self, role: str, event_type: str) -> bool:
        """Tell whether a signer with ``role`` may write events of ``event_type``."""
        answer = self._answers.get((role, event_type))
        if answer is None:
            if event_type.startswith(LEDGER_PREFIX):
                answer = role == CHARTER_ROLE
            else:
                answer = any(_matches(p, event_type) for p in self._grants.get(role, ()))
            self._answers[(role, event_type)] = answer
        return answer


def _matches(pattern: str, event_type: str) -> bool:
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type
