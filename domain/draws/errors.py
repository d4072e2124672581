"""Typed errors of the draws: one root, each subclass carrying its data and saying what to fix."""

from __future__ import annotations

from domain.errors import RuleBroken


class DrawRefused(RuleBroken):
    """Root of every error of the draws (files, commitments, portfolio, verification)."""


class DrawMismatch(DrawRefused):
    """Something recomputed from the published files differs from what was recorded."""

    def __init__(self, what: str, expected: object, actual: object) -> None:
        super().__init__(what, expected, actual)
        self.what = what
        self.expected = expected
        self.actual = actual

    def sentence(self) -> str:
        return (
            f"{self.what} does not match: the record says {self.expected}, the files give "
            f"{self.actual}; use the files that were published with the draw."
        )


class AnnouncementMismatch(DrawRefused):
    """A draw was performed (or checked) with a value other than the announced one."""

    def __init__(self, field: str, expected: object, actual: object) -> None:
        super().__init__(field, expected, actual)
        self.field = field
        self.expected = expected
        self.actual = actual

    def sentence(self) -> str:
        return (
            f"The {self.field} differs from the announced one (announced {self.expected}, "
            f"given {self.actual}): perform the draw exactly as it was announced."
        )


class QuotaNotMet(DrawRefused):
    """A panel of the portfolio has too few or too many members of one stratum."""

    def __init__(
        self, panel_index: int, feature: str, value: str, count: int, minimum: int, maximum: int
    ) -> None:
        super().__init__(panel_index, feature, value, count, minimum, maximum)
        self.panel_index = panel_index
        self.feature = feature
        self.value = value
        self.count = count
        self.minimum = minimum
        self.maximum = maximum

    def sentence(self) -> str:
        return (
            f"Panel {self.panel_index} of the portfolio has {self.count} members with "
            f"{self.feature}={self.value}, outside the quota [{self.minimum}, {self.maximum}]: "
            "the portfolio must be rebuilt from the announced quota table."
        )


class BadPoolCounts(DrawRefused):
    """The counts published about a pool cannot be those of a pool of its size."""

    def __init__(self, problem: str, threshold: int) -> None:
        super().__init__(problem, threshold)
        self.problem = problem
        self.threshold = threshold

    def sentence(self) -> str:
        return (
            f"The pool's published counts {self.problem}: publish the counts of the committed "
            f"pool, each cell under {self.threshold} hidden, with one more hidden where a "
            "single hidden cell could be worked out."
        )


class QuotaTableImpossible(DrawRefused):
    """The announced quota table is one that no panel can meet."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem

    def sentence(self) -> str:
        return (
            f"The quota table {self.problem}: announce the table the portfolio was built for, "
            "which each of its panels meets."
        )


class NotInPool(DrawRefused):
    """A pseudonym appears in a panel but not in the committed pool."""

    def __init__(self, pseudonym: str, where: str) -> None:
        super().__init__(pseudonym, where)
        self.pseudonym = pseudonym
        self.where = where

    def sentence(self) -> str:
        return (
            f"{self.pseudonym} is in {self.where} but not in the committed pool: a panel may "
            "only draw from the volunteers in the pool file."
        )


class BadDrawFile(DrawRefused):
    """A draw file (register, pool, quotas, salts, portfolio) is malformed."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        super().__init__(path, line, reason)
        self.path = path
        self.line = line
        self.reason = reason

    def sentence(self) -> str:
        where = f"{self.path}, line {self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}."


class PoolNotClosed(DrawRefused):
    def __init__(self, panel: int) -> None:
        super().__init__(panel)
        self.panel = panel

    def sentence(self) -> str:
        return (
            f"The volunteer pool of panel {self.panel} is not closed: close it (commit its "
            "root) before announcing the panel draw."
        )


class RandomnessTooEarly(DrawRefused):
    def __init__(self, published_at: str, announced_at: str) -> None:
        super().__init__(published_at, announced_at)
        self.published_at = published_at
        self.announced_at = announced_at

    def sentence(self) -> str:
        return (
            f"The public value was published at {self.published_at}, not after the "
            f"announcement at {self.announced_at}: use a value published after the announcement."
        )


class RandomnessInFuture(DrawRefused):
    def __init__(self, published_at: str, at: str) -> None:
        super().__init__(published_at, at)
        self.published_at = published_at
        self.at = at

    def sentence(self) -> str:
        return (
            f"The public value is said to be published at {self.published_at}, after the draw "
            f"itself ({self.at}): record the draw once the value is out."
        )


class NotAnnounced(DrawRefused):
    def __init__(self, what: str, panel: int) -> None:
        super().__init__(what, panel)
        self.what = what
        self.panel = panel

    def sentence(self) -> str:
        return (
            f"The {self.what} of panel {self.panel} has not been announced: announce it "
            "before the public value is known, then perform it."
        )


class AlreadyRecorded(DrawRefused):
    def __init__(self, what: str, panel: int) -> None:
        super().__init__(what, panel)
        self.what = what
        self.panel = panel

    def sentence(self) -> str:
        return (
            f"The {self.what} of panel {self.panel} is already recorded: it happens once; "
            "record a correction if it was wrong."
        )


class WrongGroupSize(DrawRefused):
    def __init__(self, expected: int, actual: int) -> None:
        super().__init__(expected, actual)
        self.expected = expected
        self.actual = actual

    def sentence(self) -> str:
        return (
            f"The theme group must have {self.expected} distinct members (the charter's "
            f"number), not {self.actual}."
        )


class NotAPanelMember(DrawRefused):
    def __init__(self, pseudonym: str, panel: int) -> None:
        super().__init__(pseudonym, panel)
        self.pseudonym = pseudonym
        self.panel = panel

    def sentence(self) -> str:
        return (
            f"{self.pseudonym} is not a seated member of panel {self.panel}: the theme group "
            "is formed from the previous panel's members only."
        )


class UnknownAlgorithm(DrawRefused):
    def __init__(self, name: str, offered: tuple[str, ...]) -> None:
        super().__init__(name, offered)
        self.name = name
        self.offered = offered

    def sentence(self) -> str:
        return (
            f"The algorithm {self.name!r} is not offered here: choose one of "
            f"{', '.join(self.offered)}."
        )


class PortfolioFailed(DrawRefused):
    def __init__(self, algorithm: str, reason: str) -> None:
        super().__init__(algorithm, reason)
        self.algorithm = algorithm
        self.reason = reason

    def sentence(self) -> str:
        return (
            f"{self.algorithm} found no portfolio of panels: {self.reason.rstrip('.')}; "
            "check that the pool can meet the quota table."
        )


class TooManyLetters(DrawRefused):
    def __init__(self, letters: int, addresses: int) -> None:
        super().__init__(letters, addresses)
        self.letters = letters
        self.addresses = addresses

    def sentence(self) -> str:
        return (
            f"{self.letters} letters cannot be drawn from {self.addresses} addresses: "
            "send at most one letter per address."
        )


class NoPreviousPanel(DrawRefused):
    def __init__(self, panel: int) -> None:
        super().__init__(panel)
        self.panel = panel

    def sentence(self) -> str:
        return (
            f"Panel {self.panel} has no previous panel to form a theme group from: the first "
            "panel's theme is chosen by the government."
        )


class ResultMismatch(DrawRefused):
    """A computed result handed to a command is not what the announced draw yields."""

    def __init__(self, what: str, expected: object, actual: object) -> None:
        super().__init__(what, expected, actual)
        self.what = what
        self.expected = expected
        self.actual = actual

    def sentence(self) -> str:
        return (
            f"The {self.what} given ({self.actual}) is not what the announced draw yields "
            f"({self.expected}): compute it from the announced commitment and the public value."
        )


class BadBeacon(DrawRefused):
    """A drand chain or beacon file cannot be read as drand publishes it."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem

    def sentence(self) -> str:
        return (
            f"The drand chain or beacon cannot be read: {self.problem}; give the JSON drand "
            "publishes (/info for the chain, /public/ROUND for a beacon)."
        )


class BeaconRefused(DrawRefused):
    """A drand beacon does not carry the announced chain's signature of its round."""

    def __init__(self, round_number: int, problem: str) -> None:
        super().__init__(round_number, problem)
        self.round_number = round_number
        self.problem = problem

    def sentence(self) -> str:
        return (
            f"The drand beacon of round {self.round_number} does not verify: {self.problem}; "
            "use the beacon the announced chain published for the announced round."
        )
