"""The read side's errors: one root, each saying which entry a projection stopped at."""

from __future__ import annotations


class ProjectionError(Exception):
    """Root of the errors raised while folding the ledger into the read models."""


class Inconsistent(ProjectionError):
    """An entry that the read model cannot follow from the ones before it."""

    def __init__(self, seq: int, problem: str) -> None:
        super().__init__(f"Entry {seq} cannot be projected: {problem}.")
        self.seq = seq
        self.problem = problem


class ProjectionFailed(ProjectionError):
    """A projection stopped on an entry; its position stays at the last entry it completed."""

    def __init__(self, name: str, seq: int, position: int, reason: str) -> None:
        super().__init__(
            f"The {name} projection stopped at entry {seq} ({reason}); it stays at entry "
            f"{position}. Fix the cause, then run `assembly projections rebuild`."
        )
        self.name = name
        self.seq = seq
        self.position = position
        self.reason = reason
