"""The assembly's commands: load the aggregates a step touches, run it, append what it decided.

The ledger is reached through the ``EventStore`` port, which the composition root implements
over ``ledger.Ledger`` with the acting key; the domain never sees keys or databases. A
``Session`` is one unit of work: every aggregate it loads is cached, so several commands (a bulk
import of answers) see each other's events, and ``commit`` appends them all together or none.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Protocol, TypeVar

from domain.aggregate import Aggregate
from domain.charter import ASSEMBLY, Assembly, Chartered
from domain.events import Pending, Recorded

A = TypeVar("A", bound=Aggregate)
Batch = tuple[uuid.UUID, int, Sequence[Pending]]


class EventStore(Protocol):
    """What the domain needs of the ledger."""

    @property
    def role(self) -> str:
        """The role of the key that signs what this store appends."""
        ...

    def load(self, stream: uuid.UUID) -> list[Recorded]:
        """One stream's events in version order."""
        ...

    def find(self, seq: int) -> Recorded | None:
        """The assembly event at ``seq``, or None."""
        ...

    def of_type(self, type_name: str) -> list[Recorded]:
        """Every event of one type, in ledger order."""
        ...

    def append(self, batches: Sequence[Batch]) -> list[int]:
        """Sign and append each stream's new events at its expected version, all or none;
        return the seqs written."""
        ...


class Session:
    """One unit of work over an event store."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self._loaded: dict[uuid.UUID, Aggregate] = {}

    def get(self, cls: type[A], stream: uuid.UUID) -> A:
        """The aggregate of ``stream``, loaded once per session."""
        found = self._loaded.get(stream)
        if found is None:
            found = cls.load(stream, self.store.load(stream))
            self._loaded[stream] = found
        if not isinstance(found, cls):
            raise AssertionError(f"stream {stream} is a {type(found).__name__}, not {cls.__name__}")
        return found

    def charter(self) -> Chartered:
        """The assembly's charter (the rule that it must exist comes with it)."""
        return self.get(Assembly, ASSEMBLY).require_charter()

    def pending(self) -> list[Batch]:
        return [
            (aggregate.id, aggregate.version, list(aggregate.pending))
            for aggregate in self._loaded.values()
            if aggregate.pending
        ]

    def commit(self) -> list[int]:
        """Append every pending event of the session; return the seqs written."""
        batches = self.pending()
        if not batches:
            return []
        seqs = self.store.append(batches)
        for aggregate in self._loaded.values():
            aggregate.version += len(aggregate.collect())
        return seqs

    def discard(self) -> None:
        """Forget the session's aggregates, pending events included."""
        self._loaded.clear()


def run(store: EventStore, step: Callable[[Session], object]) -> list[int]:
    """Run one step in a fresh session and commit it."""
    session = Session(store)
    step(session)
    return session.commit()
