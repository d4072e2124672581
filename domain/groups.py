"""The groups under which an assembly writes its recommendations: objectives, goals, themes.

Stream ``recommendation-groups``, written by the secretariat before any recommendation names a
group. Each group has an ASCII code (``sd11``), the word its assembly uses for the level
(``objective``), a title in the charter's languages and, for a nested level, the code of the
group above it, defined first. A code is defined once.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from domain.aggregate import Aggregate, stream_id
from domain.codes import GROUP, LEVEL
from domain.errors import AlreadyDone, NotFound, WrongStream
from domain.events import Event, register
from domain.texts import Texts, check_texts

GROUPS = stream_id("recommendation-groups")


@register
class GroupDefined(Event):
    """A group of recommendations, with its own texts."""

    TYPE = "assembly.recommendation.group_defined"

    code: str = Field(pattern=GROUP)
    level: str = Field(pattern=LEVEL)
    title: Texts
    parent: str | None = Field(default=None, pattern=GROUP)


class Groups(Aggregate):
    """Every group defined, by code."""

    def __init__(self, stream: uuid.UUID = GROUPS) -> None:
        super().__init__(stream)
        self.groups: dict[str, GroupDefined] = {}

    def define(self, group: GroupDefined, *, languages: tuple[str, ...], at: datetime) -> None:
        """Define a group once, under a parent defined before it, titled in the charter's
        languages."""
        if group.code in self.groups:
            raise AlreadyDone(f"A group {group.code} is already defined: codes are defined once.")
        if group.parent is not None:
            self.require(group.parent)
        check_texts(f"The title of group {group.code}", group.title, languages)
        self.trigger(group, at=at)

    def require(self, code: str) -> GroupDefined:
        """The group ``code``, which must have been defined."""
        found = self.groups.get(code)
        if found is None:
            raise NotFound(
                f"There is no group {code}: define it first with `assembly recommend group "
                f"--code {code} --level objective --title fr=...`."
            )
        return found

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if not isinstance(event, GroupDefined):
            raise WrongStream(event.TYPE, "the recommendation groups")
        self.groups[event.code] = event
