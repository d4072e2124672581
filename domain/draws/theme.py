"""The theme group: the citizens of the previous panel who choose the next theme (docs/design.md 1).

Drawn: the seated members' pseudonyms are sorted; their commitment is the Merkle root over the
sorted pseudonyms (UTF-8 leaves); ``seed = SHA-256(UTF-8(public value) || that root ||
UTF-8(draw id))``; member ``i`` of the sorted list gets the key ``SHA-256(seed || UTF-8("theme")
|| i as 8 bytes big-endian)`` and the ``size`` lowest keys form the group (as in stage 1).
Volunteered: the given pseudonyms, which must be distinct seated members, as many as the
charter says.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Self

from domain.aggregate import Aggregate, stream_id
from domain.draws.commit import draw_seed, lowest_keys, names_root
from domain.draws.errors import (
    AlreadyRecorded,
    NoPreviousPanel,
    NotAPanelMember,
    RandomnessInFuture,
    WrongGroupSize,
)
from domain.draws.events import ThemeGroupFormed
from domain.events import Event

DEFAULT_SIZE = 25
STRATUM = "theme"


@dataclass(frozen=True)
class ThemeDraw:
    """The drawn group and how it follows from the public value."""

    seed: bytes
    members: tuple[str, ...]


def draw_theme_group(
    seated: Iterable[str], *, size: int, public_value: str, draw_id: str
) -> ThemeDraw:
    """Draw ``size`` members of the seated panel from the public value."""
    ordered = sorted(set(seated))
    if size < 1 or size > len(ordered):
        raise WrongGroupSize(size, len(ordered))
    seed = draw_seed(public_value, names_root(ordered), draw_id)
    chosen = lowest_keys(seed, STRATUM, range(len(ordered)), size)
    return ThemeDraw(seed, tuple(sorted(ordered[i] for i in chosen)))


def check_volunteers(
    volunteers: Sequence[str], seated: Iterable[str], *, size: int, panel: int
) -> None:
    """Raise unless the volunteers are ``size`` distinct seated members of ``panel``."""
    members = set(seated)
    for pseudonym in volunteers:
        if pseudonym not in members:
            raise NotAPanelMember(pseudonym, panel)
    if len(set(volunteers)) != size or len(volunteers) != size:
        raise WrongGroupSize(size, len(set(volunteers)))


class ThemeGroup(Aggregate):
    """The citizens of the previous panel who choose this panel's theme: formed once."""

    PREFIX = "theme"

    @classmethod
    def for_panel(cls, panel: int) -> Self:
        """A new, empty theme group for a panel (load it from its stream to continue one)."""
        return cls(stream_id(f"{cls.PREFIX}/{panel}"))

    def __init__(self, stream: uuid.UUID) -> None:
        super().__init__(stream)
        self.formed: ThemeGroupFormed | None = None

    def draw(
        self,
        *,
        panel: int,
        seated: Sequence[str],
        public_value: str,
        randomness_source: str,
        randomness_published_at: datetime,
        draw_id: str,
        at: datetime,
        size: int = DEFAULT_SIZE,
    ) -> None:
        """Draw the group from the previous panel's seated members with a public value."""
        self._check_new(panel)
        if randomness_published_at > at:
            raise RandomnessInFuture(randomness_published_at.isoformat(), at.isoformat())
        drawn = draw_theme_group(seated, size=size, public_value=public_value, draw_id=draw_id)
        event = ThemeGroupFormed(
            panel=panel,
            from_panel=panel - 1,
            formed_by="drawn",
            size=size,
            pseudonyms=list(drawn.members),
            draw_id=draw_id,
            randomness_source=randomness_source,
            randomness_value=public_value,
            randomness_published_at=randomness_published_at,
            seed=drawn.seed.hex(),
        )
        self.trigger(event, at=at)

    def volunteer(
        self,
        *,
        panel: int,
        seated: Sequence[str],
        volunteers: Sequence[str],
        at: datetime,
        size: int = DEFAULT_SIZE,
    ) -> None:
        """Form the group from volunteers of the previous panel."""
        self._check_new(panel)
        check_volunteers(volunteers, seated, size=size, panel=panel - 1)
        event = ThemeGroupFormed(
            panel=panel,
            from_panel=panel - 1,
            formed_by="volunteered",
            size=size,
            pseudonyms=sorted(volunteers),
        )
        self.trigger(event, at=at)

    def _check_new(self, panel: int) -> None:
        if self.id != stream_id(f"{self.PREFIX}/{panel}"):
            raise AssertionError(f"stream {self.id} is not the theme group of panel {panel}")
        if panel < 2:
            raise NoPreviousPanel(panel)
        if self.formed is not None:
            raise AlreadyRecorded("theme group", panel)

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if not isinstance(event, ThemeGroupFormed):
            raise AssertionError(f"{event.TYPE} is not an event of a theme group")
        self.formed = event
