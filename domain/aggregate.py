"""The aggregate base: one stream, folded from its recorded events, deciding new ones.

In the style of eventsourcing's explicit aggregates (``examples/aggregate4``): a command method
runs its ``check_*`` guards, then ``trigger``s an event; ``apply`` is the one place where an
event changes state, used both for new events and when the stream is loaded again. The
library's own ``Aggregate`` class names events by Python topic; ours are signed ledger entries
with stable type names, so the fold is written here against ``domain.events``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Self

from domain.errors import DatedTooEarly
from domain.events import Event, Pending, Recorded

# Stream ids are derived from names (uuid5) so anyone can find a panel's or a recommendation's
# stream from its number, without a lookup table.
NAMESPACE = uuid.UUID("5b0f3d1e-8a57-4c1e-9d0a-61c2a55e3b7a")


def stream_id(name: str) -> uuid.UUID:
    """The stream of a named aggregate, e.g. ``panel/1`` or ``recommendation/1/12``."""
    return uuid.uuid5(NAMESPACE, name)


class Aggregate:
    """State folded from one stream's events, and the events decided but not yet stored."""

    def __init__(self, stream: uuid.UUID) -> None:
        self.id = stream
        self.version = 0
        self.pending: list[Pending] = []
        # The latest day given to an entry of this stream recorded after the fact, and that
        # entry's type and seq: history is kept in the order of its claimed dates.
        self.history_until: tuple[date, str, int] | None = None
        # The day the stream's ledger began, if it records history (``ledger.history``): known
        # once a stored entry of the stream is loaded.
        self.history_before: date | None = None

    @classmethod
    def load(cls, stream: uuid.UUID, history: Iterable[Recorded]) -> Self:
        """Fold a stream's recorded events, in version order."""
        aggregate = cls(stream)
        for recorded in history:
            if recorded.version != aggregate.version + 1:
                raise AssertionError(
                    f"stream {stream} jumps from version {aggregate.version} to {recorded.version}"
                )
            aggregate.history_before = recorded.history_before
            aggregate.apply(recorded.event, at=order_moment(recorded), seq=recorded.seq)
            aggregate.claimed(recorded.event, recorded.occurred_at)
            if recorded.after_the_fact:
                day = recorded.occurred_at.date()
                if aggregate.history_until is None or day >= aggregate.history_until[0]:
                    aggregate.history_until = (day, recorded.event.TYPE, recorded.seq)
            aggregate.version = recorded.version
        return aggregate

    @property
    def exists(self) -> bool:
        return self.version > 0 or bool(self.pending)

    def trigger(self, event: Event, *, at: datetime) -> None:
        """Decide on an event: apply it now and keep it to be signed and stored."""
        self.check_in_order(event, at)
        self.apply(event, at=at, seq=None)
        self.claimed(event, at)
        self.pending.append(Pending(event, at))

    def check_in_order(self, event: Event, at: datetime) -> None:
        """Raise unless ``event``, dated ``at``, comes no earlier than the stream's history.

        History recorded after the fact is recorded in any order, so its stream is kept in the
        order of the days its authors gave: a new event is dated no earlier than the last of
        them. A live stream holds no such entry, and its order is the ledger's own."""
        if self.history_until is not None and at.date() < self.history_until[0]:
            day, type_name, seq = self.history_until
            follows = f"the latest entry of its stream ({type_name}, seq {seq})"
            raise DatedTooEarly(event.TYPE, at.date(), follows, day)

    def is_history(self, day: date) -> bool:
        """Whether a step dated ``day`` is (or, not yet stored, would be) history recorded
        after the fact on this stream's ledger."""
        return self.history_before is not None and day < self.history_before

    def check_history_follows(
        self,
        what: str,
        at: datetime,
        follows: str,
        *,
        moment: datetime | None,
        claimed: date | None,
    ) -> None:
        """Raise unless ``what``, dated ``at``, comes no earlier than the step it follows
        (which counts from ``moment`` in the rules of order, see ``order_moment``, and which
        its author dated ``claimed``), whenever either of the two is history recorded after
        the fact.

        Two live steps are left as earlier releases left them: a secretariat that enters a
        seating some days late dates the next vote by its meeting, before that entry, and live
        ledgers must replay the same. A live step cannot slip into history this way: dated
        before the ledger began, it is history, and it then comes no earlier than the live
        step it follows, which the ledger recorded after it began."""
        if moment is None or claimed is None:
            return
        if not (self.is_history(claimed) or self.is_history(at.date())):
            return
        if at.date() < moment.date():
            raise DatedTooEarly(what, at.date(), follows, moment.date())

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        """Change state for one event; ``seq`` is None while the event is not yet stored."""
        raise NotImplementedError

    def claimed(self, event: Event, occurred_at: datetime) -> None:
        """Note the moment an applied event's author dated it (its ``occurred_at``).

        ``apply`` is given when the ledger recorded a stored event; rules that compare the dates
        authors give (an answer dated no earlier than the hand-over it follows) keep those
        dates here. Most aggregates need none."""

    def collect(self) -> list[Pending]:
        """Hand over the pending events (to be signed and appended at ``self.version``)."""
        pending, self.pending = self.pending, []
        return pending


def order_moment(recorded: Recorded) -> datetime:
    """The moment a stored event counts from in the rules of order (a public value published
    after its announcement, a seat after its draw).

    For what the ledger saw happen, when the ledger recorded it, which its author cannot
    backdate; for history recorded after the fact, the moment its author gave, since the
    ledger's clock then says only when the history was loaded (``ledger.history``)."""
    if recorded.after_the_fact or recorded.recorded_at is None:
        return recorded.occurred_at
    return recorded.recorded_at
