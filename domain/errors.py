"""Typed errors of the assembly's rules: one root, each saying what to fix."""

from __future__ import annotations

from datetime import date


class RuleBroken(Exception):
    """Root of every rule of the assembly's process; the message says what to fix."""

    def sentence(self) -> str:
        """One sentence a user can act on."""
        return str(self.args[0]) if self.args else type(self).__name__

    def __str__(self) -> str:
        return self.sentence()


class JustificationTooShort(RuleBroken):
    def __init__(self, what: str, length: int, minimum: int) -> None:
        super().__init__(what, length, minimum)
        self.what = what
        self.length = length
        self.minimum = minimum

    def sentence(self) -> str:
        return (
            f"{self.what} needs a justification of at least {self.minimum} characters "
            f"(this one has {self.length}): explain the choice in detail."
        )


class MissingDetail(RuleBroken):
    def __init__(self, what: str, detail: str) -> None:
        super().__init__(what, detail)
        self.what = what
        self.detail = detail

    def sentence(self) -> str:
        return f"{self.what} needs {self.detail}."


class UnknownEventType(RuleBroken):
    def __init__(self, type_name: str) -> None:
        super().__init__(type_name)
        self.type_name = type_name

    def sentence(self) -> str:
        return f"{self.type_name} is not an event type of the assembly."


class BadPayload(RuleBroken):
    def __init__(self, type_name: str, problem: str) -> None:
        super().__init__(type_name, problem)
        self.type_name = type_name
        self.problem = problem

    def sentence(self) -> str:
        return f"The payload of {self.type_name} is not valid: {self.problem}."


class AlreadyDone(RuleBroken):
    """Something that happens once has happened (a charter, an announcement, a hand-over)."""


class NotYet(RuleBroken):
    """A step comes before the one it needs (an answer before the hand-over, a draw before the
    pool is closed)."""


class NotFound(RuleBroken):
    """The panel, recommendation, vote or entry named does not exist."""


class NotAllowed(RuleBroken):
    """The step exists but this signer, state or value may not take it."""


class DatedTooEarly(RuleBroken):
    """A step is dated before the step it follows (an answer before the hand-over)."""

    def __init__(self, what: str, dated: date, follows: str, earliest: date) -> None:
        super().__init__(what, dated, follows, earliest)
        self.what = what
        self.dated = dated
        self.follows = follows
        self.earliest = earliest

    def sentence(self) -> str:
        return (
            f"{self.what} is dated {self.dated}, before {self.follows} on {self.earliest}: "
            f"date it on or after {self.earliest}."
        )


class WrongStream(RuleBroken):
    def __init__(self, type_name: str, where: str) -> None:
        super().__init__(type_name, where)
        self.type_name = type_name
        self.where = where

    def sentence(self) -> str:
        return f"{self.type_name} does not belong in the stream of {self.where}."
