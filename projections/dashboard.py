"""The commission dashboard (docs/design.md 6): counts per status per panel and per portfolio, and
the overdue list, computed from the status read model as of a date.

Every count is traceable: it keeps the recommendations it counts, each with the seq of the
entry its counted value rests on, so a reader can check each of them in the ledger. The entry
behind an axis is the one whose payload gives the value shown: the latest review's answer for
the position, the latest report for implementation, the latest verdict (or the correction that
replaced any of them); while an axis still has its initial value (``awaiting_response``,
``not_started``, ``none``) it rests on the adoption, and ``not_applicable`` on the refusal. An
overdue review rests on the hand-over, which starts every review clock. An answer that belongs
to a joint statement is one recommendation's answer: it is counted once, for that
recommendation. Only values that occur are counted (no zero rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from domain.government import Implementation, Verdict
from domain.responses import Position
from projections.board import ordered, overdue_reviews
from projections.names import shown_title
from projections.status import (
    AWAITING_RESPONSE,
    NO_VERDICT,
    NOT_APPLICABLE,
    Key,
    RecommendationStatus,
    Said,
    Status,
)

AXES = ("position", "implementation", "verdict")
TOTAL, PANEL, PORTFOLIO = "total", "panel", "portfolio"  # the groups a count is made over
_ORDER = {
    "position": (AWAITING_RESPONSE, *Position),
    "implementation": (*Implementation, NOT_APPLICABLE),
    "verdict": (NO_VERDICT, *Verdict),
}


@dataclass(frozen=True)
class Counted:
    """One recommendation in a count, and the seq of the entry its counted value rests on."""

    key: Key
    seq: int


@dataclass(frozen=True)
class Count:
    """How many recommendations of a group (all, one panel, one portfolio) have one value on
    one axis, and which ones."""

    group: str  # TOTAL, PANEL or PORTFOLIO
    name: str  # "" for the total, the panel number, or the portfolio
    axis: str  # one of AXES
    value: str
    counted: tuple[Counted, ...]

    @property
    def count(self) -> int:
        return len(self.counted)


@dataclass(frozen=True)
class Late:
    """One review overdue on the dashboard's date: whose, how late, and who must answer."""

    key: Key
    title: str
    portfolio: str  # the portfolio responsible (after any transfer)
    review: int
    due: date
    days_late: int
    handed_over_seq: int  # the hand-over entry the due date rests on
    reference: str | None = None  # the assembly's own (SD-E2), beside the key


@dataclass(frozen=True)
class Dashboard:
    """The counts and the overdue list as of ``as_of``, computed at ledger entry ``seq``."""

    as_of: date
    seq: int
    recommendations: tuple[Key, ...]
    counts: tuple[Count, ...]
    overdue: tuple[Late, ...]

    def of(self, group: str) -> list[Count]:
        """The counts of one group (``TOTAL``, ``PANEL`` or ``PORTFOLIO``)."""
        return [count for count in self.counts if count.group == group]


def dashboard(
    state: Status, *, as_of: date, panel: int | None = None, groups: Sequence[str] = ()
) -> Dashboard:
    """The dashboard of every recommendation (or of ``panel``'s) in ``state``, as of ``as_of``.

    ``groups`` chooses which counts to make, in order (default: total, per panel, per
    portfolio).
    """
    recs = [rec for rec in ordered(state) if panel is None or rec.panel == panel]
    makers: dict[str, Callable[[RecommendationStatus], str]] = {
        TOTAL: lambda rec: "",
        PANEL: lambda rec: str(rec.panel),
        PORTFOLIO: lambda rec: rec.portfolio,
    }
    counts = [
        count for group in groups or makers for count in counts_by(recs, group, makers[group])
    ]
    late = [
        late_line(rec, deadline.review, deadline.due, deadline.late)
        for rec, deadline in overdue_reviews(state, as_of=as_of)
        if panel is None or rec.panel == panel
    ]
    return Dashboard(as_of, state.seq, tuple(rec.key for rec in recs), tuple(counts), tuple(late))


def counts_by(
    recs: Iterable[RecommendationStatus], group: str, name_of: Callable[[RecommendationStatus], str]
) -> list[Count]:
    """The counts of ``recs`` per group name (sorted), per axis, per value (domain order)."""
    found: dict[tuple[str, str, str], list[Counted]] = {}
    for rec in recs:
        for axis in AXES:
            value, seq = reading(rec, axis)
            found.setdefault((name_of(rec), axis, value), []).append(Counted(rec.key, seq))
    return [
        Count(group, name, axis, value, tuple(counted))
        for (name, axis, value), counted in sorted(found.items(), key=lambda item: _rank(item[0]))
    ]


def reading(rec: RecommendationStatus, axis: str) -> tuple[str, int]:
    """The value of ``rec`` on ``axis`` and the seq of the entry that value rests on."""
    if axis == "position":
        latest = max(rec.answers, key=lambda said: said.payload["review"], default=None)
        return rec.position, _source(rec, latest)
    if axis == "implementation":
        if not rec.reports and rec.implementation == NOT_APPLICABLE:
            latest = max(rec.answers, key=lambda said: said.payload["review"], default=None)
            return rec.implementation, _source(rec, latest)
        return rec.implementation, _source(rec, rec.reports[-1] if rec.reports else None)
    if axis == "verdict":
        return rec.verdict, _source(rec, rec.verdicts[-1] if rec.verdicts else None)
    raise AssertionError(f"no axis {axis!r}")


def late_line(rec: RecommendationStatus, review: int, due: date, days_late: int) -> Late:
    """The overdue line of ``rec``'s ``review``; only a handed-over recommendation has one."""
    if rec.handed_over_change is None:
        raise AssertionError(f"{rec.panel}/{rec.number} is overdue but was never handed over")
    return Late(
        rec.key,
        shown_title(rec),
        rec.portfolio,
        review,
        due,
        days_late,
        rec.handed_over_change.seq,
        rec.reference,
    )


def _source(rec: RecommendationStatus, said: Said | None) -> int:
    """The entry a value rests on: the correction that replaced ``said``, or ``said``'s own
    entry, or (no answer, report or verdict yet) the adoption."""
    if said is None:
        return rec.adopted.seq
    return said.corrected_by if said.corrected_by is not None else said.change.seq


def _rank(key: tuple[str, str, str]) -> tuple[object, ...]:
    """Sort by group name (panels by number), axis, then value in the domain's order."""
    name, axis, value = key
    order = _ORDER[axis]
    place = order.index(value) if value in order else len(order)
    return (0, int(name), "") if name.isdigit() else (1, 0, name), AXES.index(axis), place, value
