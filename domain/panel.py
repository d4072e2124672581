"""A citizens' panel: convened on a theme, seated from its draw, members replaced, concluded.

Stream ``panel/N``. Panel 1's theme is chosen by the government; every later panel's theme by
the theme group of the panel before it, and the convening event says how that group was formed.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.aggregate import Aggregate, stream_id
from domain.errors import (
    AlreadyDone,
    DatedTooEarly,
    NotAllowed,
    NotFound,
    NotYet,
    WrongStream,
)
from domain.events import Event, register
from domain.texts import Texts, check_texts

PSEUDONYM = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


def panel_stream(number: int) -> uuid.UUID:
    """The stream of panel ``number``."""
    return stream_id(f"panel/{number}")


class ThemeGroupRef(BaseModel):
    """How the group that chose the theme was formed (docs/design.md 1: drawn or volunteered)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    panel: int = Field(ge=1)
    size: int = Field(ge=1)
    formed_by: Literal["drawn", "volunteered"]


@register
class Convened(Event):
    TYPE = "assembly.panel.convened"

    number: int = Field(ge=1)
    theme: Texts
    seats: int = Field(ge=1, le=1000)
    theme_chosen_by: Literal["government", "theme_group"]
    theme_group: ThemeGroupRef | None = None


@register
class Seated(Event):
    TYPE = "assembly.panel.seated"

    number: int = Field(ge=1)
    members: tuple[str, ...]


class WithdrawalReason(StrEnum):
    """Why a member left, as a category: free text could carry personal data."""

    PERSONAL = "personal"
    HEALTH = "health"
    UNREACHABLE = "unreachable"
    OTHER = "other"


@register
class MemberWithdrew(Event):
    TYPE = "assembly.panel.member_withdrew"

    number: int = Field(ge=1)
    pseudonym: str = Field(pattern=PSEUDONYM)
    reason: WithdrawalReason


@register
class MemberReplaced(Event):
    TYPE = "assembly.panel.member_replaced"

    number: int = Field(ge=1)
    withdrawn: str = Field(pattern=PSEUDONYM)
    replacement: str = Field(pattern=PSEUDONYM)


@register
class Concluded(Event):
    TYPE = "assembly.panel.concluded"

    number: int = Field(ge=1)
    on: date


class Panel(Aggregate):
    """One panel's life, from convening to conclusion."""

    def __init__(self, stream: uuid.UUID) -> None:
        super().__init__(stream)
        self.convened: Convened | None = None
        self.members: set[str] = set()
        self.withdrawn: set[str] = set()
        self.ever_seated: set[str] = set()
        self.concluded = False
        self.seated_at: datetime | None = None  # when it was seated, for the rules of order
        self.seated_on: date | None = None  # and the day its author gave the seating

    @property
    def number(self) -> int:
        return self.require().number

    def require(self) -> Convened:
        if self.convened is None:
            raise NotFound("This panel has not been convened: run `assembly panel convene`.")
        return self.convened

    def convene(
        self,
        event: Convened,
        *,
        languages: tuple[str, ...],
        previous: Panel | None,
        at: datetime,
    ) -> None:
        """Convene: panel 1 on the government's theme, later ones on their theme group's."""
        if self.convened is not None:
            raise AlreadyDone(f"Panel {event.number} has already been convened.")
        check_texts(f"The theme of panel {event.number}", event.theme, languages)
        if event.number == 1:
            if event.theme_chosen_by != "government" or event.theme_group is not None:
                raise NotAllowed("The first panel's theme is chosen by the government.")
        else:
            if previous is None or previous.convened is None:
                raise NotYet(
                    f"Panel {event.number - 1} must be convened before panel {event.number}."
                )
            group = event.theme_group
            if event.theme_chosen_by != "theme_group" or group is None:
                raise NotAllowed(
                    f"The theme of panel {event.number} is chosen by the theme group of panel "
                    f"{event.number - 1}: say how that group was formed."
                )
            if group.panel != event.number - 1:
                raise NotAllowed(
                    f"The theme group must come from panel {event.number - 1}, not {group.panel}."
                )
        self.trigger(event, at=at)

    def seat(
        self,
        members: tuple[str, ...],
        *,
        drawn: tuple[str, ...],
        at: datetime,
        drawn_at: datetime | None = None,
    ) -> None:
        """Seat the members the panel draw selected (exactly them), no earlier than the draw
        (performed at ``drawn_at``)."""
        convened = self.require()
        if self.ever_seated:
            raise AlreadyDone(f"Panel {convened.number} is already seated.")
        if not drawn:
            raise NotYet(f"Panel {convened.number} has no performed draw to seat it from.")
        if drawn_at is not None and at.date() < drawn_at.date():
            what = f"The seating of panel {convened.number}"
            raise DatedTooEarly(what, at.date(), "its panel draw", drawn_at.date())
        if sorted(members) != sorted(drawn):
            raise NotAllowed(
                f"The members seated must be exactly those the draw of panel {convened.number} "
                "selected."
            )
        self.trigger(Seated(number=convened.number, members=tuple(sorted(members))), at=at)

    def withdraw(self, pseudonym: str, reason: WithdrawalReason, *, at: datetime) -> None:
        number = self._open()
        if pseudonym not in self.members:
            raise NotFound(f"{pseudonym} is not a seated member of panel {number}.")
        self.trigger(MemberWithdrew(number=number, pseudonym=pseudonym, reason=reason), at=at)

    def replace(self, withdrawn: str, replacement: str, *, at: datetime) -> None:
        number = self._open()
        if withdrawn not in self.withdrawn:
            raise NotYet(f"{withdrawn} has not withdrawn from panel {number}: record that first.")
        if replacement in self.ever_seated:
            raise NotAllowed(f"{replacement} has already sat on panel {number}.")
        event = MemberReplaced(number=number, withdrawn=withdrawn, replacement=replacement)
        self.trigger(event, at=at)

    def check_sat(self, pseudonym: str, what: str) -> None:
        """Raise unless ``pseudonym`` was seated on the panel (drawn, or a replacement), even
        if they withdrew since; ``what`` says what they are to be ("named to the commission")."""
        convened = self.require()
        if not self.ever_seated:
            raise NotYet(
                f"Panel {convened.number} is not seated yet, so none of its members can be {what}."
            )
        if pseudonym not in self.ever_seated:
            raise NotAllowed(
                f"{pseudonym} was never seated on panel {convened.number}, so cannot be {what} "
                "from it: name a pseudonym the panel's draw seated, or one who replaced a member."
            )

    def check_seated_by(self, what: str, at: datetime) -> None:
        """Raise unless ``what``, dated ``at``, comes no earlier than the panel's seating (when
        the ledger recorded it, or the day its author gave for history recorded after the
        fact)."""
        seated_at = self.seated_at
        if seated_at is not None and at.date() < seated_at.date():
            follows = f"the seating of panel {self.number}"
            raise DatedTooEarly(what, at.date(), follows, seated_at.date())

    def check_votes_after_seating(self, what: str, at: datetime) -> None:
        """Raise unless ``what`` (a vote), dated ``at``, comes no earlier than the panel's
        seating, when either is history recorded after the fact (two live steps are not
        compared: ``Aggregate.check_history_follows``)."""
        follows = f"the seating of panel {self.number}"
        self.check_history_follows(what, at, follows, moment=self.seated_at, claimed=self.seated_on)

    def conclude(self, on: date, *, at: datetime) -> None:
        number = self._open()
        self.trigger(Concluded(number=number, on=on), at=at)

    def _open(self) -> int:
        convened = self.require()
        if not self.ever_seated:
            raise NotYet(f"Panel {convened.number} is not seated yet.")
        if self.concluded:
            raise AlreadyDone(f"Panel {convened.number} has concluded.")
        return convened.number

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if isinstance(event, Convened):
            self.convened = event
        elif isinstance(event, Seated):
            self.seated_at = at
            self.members = set(event.members)
            self.ever_seated = set(event.members)
        elif isinstance(event, MemberWithdrew):
            self.members.discard(event.pseudonym)
            self.withdrawn.add(event.pseudonym)
        elif isinstance(event, MemberReplaced):
            self.withdrawn.discard(event.withdrawn)
            self.members.add(event.replacement)
            self.ever_seated.add(event.replacement)
        elif isinstance(event, Concluded):
            self.concluded = True
        else:
            raise WrongStream(event.TYPE, "a panel")

    def claimed(self, event: Event, occurred_at: datetime) -> None:
        if isinstance(event, Seated):
            self.seated_on = occurred_at.date()
