"""Where things stand at a glance (issue 15): the scoreboard of a set of recommendations, and the
scoreboard per portfolio, both counted from the rows a board read returns.

The rows come from ``projections.view.board_page``, the same read as the board's: now from the
stored tables, at a point in the past from the fold the board reads there. So each figure is
the number of rows the board shows with the matching filter, by construction, and a test can
count one against the other. Shares are kept in millionths (integers), as the composition's are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.government import Implementation, Verdict
from domain.responses import Position
from ledger import Ledger
from projections.board import Deadline, deadlines
from projections.composition import PPM
from projections.remembered import remembered
from projections.runner import stored_after
from projections.status import (
    AWAITING_RESPONSE,
    NO_VERDICT,
    NOT_APPLICABLE,
    Key,
    RecommendationStatus,
)
from projections.tallies import PortfolioCounted, stored_portfolios, stored_tally, weighted_median

EVERY_ROW = 10**12  # a limit of rows that is no limit (as ``projections.view``'s)

# Each axis's values in the order a bar shows them: the settled ones first, what is still open
# last, so that the bars of two dates compare at a glance.
ORDER: Mapping[str, tuple[str, ...]] = {
    "position": (*Position, AWAITING_RESPONSE),
    "implementation": (*Implementation, NOT_APPLICABLE),
    "verdict": (*Verdict, NO_VERDICT),
}


@dataclass(frozen=True)
class Segment:
    """How many of a scoreboard's recommendations have one value on one axis."""

    value: str
    count: int
    ppm: int  # the share of the scoreboard's total, in millionths


@dataclass(frozen=True)
class Bar:
    """One axis of a scoreboard: a segment per value that occurs, in ``ORDER``."""

    axis: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Scoreboard:
    """The counts of ``total`` recommendations per axis, and per review how many are overdue."""

    total: int
    bars: tuple[Bar, ...]
    overdue: tuple[tuple[int, Segment], ...]  # per review (every one), those overdue at it


def share(count: int, total: int) -> int:
    """``count`` out of ``total`` in millionths, rounded to the nearest (0 of nothing)."""
    return 0 if total == 0 else (count * PPM + total // 2) // total


def scoreboard(
    recs: Sequence[RecommendationStatus],
    dues: Mapping[Key, tuple[Deadline, ...]],
    *,
    reviews: int,
) -> Scoreboard:
    """The scoreboard of ``recs``, their deadlines ``dues`` judged as of the board's day, under
    a charter of ``reviews`` appointments."""
    tally: dict[str, dict[str, int]] = {axis: {} for axis in ORDER}
    for rec in recs:
        for axis, found in tally.items():
            value = getattr(rec, axis)
            found[value] = found.get(value, 0) + 1
    late = {
        review: sum(1 for rec in recs if _overdue_at(dues.get(rec.key, ()), review))
        for review in range(1, reviews + 1)
    }
    return from_tally(len(recs), tally, late)


def from_tally(
    total: int, tally: Mapping[str, Mapping[str, int]], late: Mapping[int, int]
) -> Scoreboard:
    """The scoreboard of ``total`` recommendations from how many have each value of each axis
    (``tally``) and how many are overdue at each review (``late``)."""
    bars = []
    for axis, order in ORDER.items():
        found = {value: count for value, count in tally.get(axis, {}).items() if count}
        ranked = sorted(found, key=lambda v: (order.index(v) if v in order else len(order), v))
        bars.append(Bar(axis, tuple(Segment(v, found[v], share(found[v], total)) for v in ranked)))
    overdue = [
        (review, Segment("overdue", count, share(count, total)))
        for review, count in sorted(late.items())
    ]
    return Scoreboard(total, tuple(bars), tuple(overdue))


def scoreboard_now(
    ledger: Ledger,
    *,
    where: Mapping[str, object],
    today: date,
    words: Sequence[str] = (),
    overdue: bool = False,
    late_at: int | None = None,
) -> Scoreboard | None:
    """The scoreboard of the stored rows that pass the board's filters (``where``, ``words``,
    ``overdue``, ``late_at``, as ``projections.view.board_page`` takes them), as of ``today``:
    counted by the database in one query (``projections.tallies``), however large the board.
    With a suspension recorded, overdue is judged on only the rows that can be (the overdue
    narrowing of ``stored_after``), and None is returned when the filters themselves ask for
    overdue rows (the caller counts the board's rows). Equal, figure for figure, to
    ``scoreboard`` of every row the board reads with the same filters (the tests check it)."""
    key = ("scoreboard", today, tuple(sorted(where.items())), tuple(words), overdue, late_at)
    return remembered(
        ledger,
        key,
        lambda: _scoreboard_now(
            ledger, where=where, today=today, words=words, overdue=overdue, late_at=late_at
        ),
    )


def _scoreboard_now(
    ledger: Ledger,
    *,
    where: Mapping[str, object],
    today: date,
    words: Sequence[str],
    overdue: bool,
    late_at: int | None,
) -> Scoreboard | None:
    counted = stored_tally(
        ledger, where=where, on=today, words=words, overdue=overdue, late_at=late_at
    )
    if counted is None:
        return None
    late = counted.late
    if late is None:  # a suspension may have moved a due date, or ``today`` is past: judge
        # each row that can be late (with an answer given after ``today``, every row)
        narrowing = today if counted.answered_by else None
        maybe = stored_after(
            ledger, after=None, where=where, words=words, limit=EVERY_ROW, overdue_on=narrowing
        )
        late = dict.fromkeys(range(1, len(maybe.offsets) + 1), 0)
        for rec in maybe.recommendations.values():
            for deadline in deadlines(maybe, rec, as_of=today):
                late[deadline.review] += deadline.overdue
    return from_tally(sum(counted.tally["position"].values()), counted.tally, late)


def _overdue_at(found: Iterable[Deadline], review: int) -> bool:
    return any(d.review == review and d.overdue for d in found)


@dataclass(frozen=True)
class PortfolioScore:
    """One portfolio's record as of a day: its reviews that fell due, answered on time, late,
    or not at all; the median days late of those late (answered late or still overdue); its
    rejections, implementation and the commission's disputes."""

    portfolio: str
    recommendations: int
    on_time: int
    late: int
    unanswered: int
    median_days_late: int | None  # None when no review is late
    rejected: int
    implementation: Bar
    disputes: int


def portfolio_scores(
    recs: Sequence[RecommendationStatus], dues: Mapping[Key, tuple[Deadline, ...]]
) -> list[PortfolioScore]:
    """The record of each portfolio that ``recs`` name (the one answerable after any
    transfer), sorted by portfolio code."""
    by: dict[str, list[RecommendationStatus]] = {}
    for rec in recs:
        by.setdefault(rec.portfolio, []).append(rec)
    return [portfolio_score(code, by[code], dues) for code in sorted(by)]


def portfolio_score(
    code: str, recs: Sequence[RecommendationStatus], dues: Mapping[Key, tuple[Deadline, ...]]
) -> PortfolioScore:
    """The record of portfolio ``code`` over its recommendations ``recs``."""
    fallen = [d for rec in recs for d in dues.get(rec.key, ()) if d.answered or d.overdue]
    on_time = [d for d in fallen if d.answered and not d.answered_late]
    late_days = sorted(
        d.answered_late if d.answered else d.late
        for d in fallen
        if not d.answered or d.answered_late
    )
    bars = scoreboard(recs, {}, reviews=0).bars
    implementation = next(bar for bar in bars if bar.axis == "implementation")
    return PortfolioScore(
        portfolio=code,
        recommendations=len(recs),
        on_time=len(on_time),
        late=sum(1 for d in fallen if d.answered and d.answered_late),
        unanswered=sum(1 for d in fallen if d.overdue),
        median_days_late=median(late_days),
        rejected=sum(1 for rec in recs if rec.position == Position.REJECTED),
        implementation=implementation,
        disputes=sum(1 for rec in recs if rec.verdict == Verdict.DISPUTES),
    )


def median(days: Sequence[int]) -> int | None:
    """The median of sorted ``days``, rounded down to a whole day (None of none)."""
    if not days:
        return None
    middle = len(days) // 2
    return days[middle] if len(days) % 2 else (days[middle - 1] + days[middle]) // 2


def portfolio_scores_now(
    ledger: Ledger, *, code: str | None, today: date
) -> list[PortfolioScore] | None:
    """Each portfolio's record as of ``today`` (``code``'s alone if given), counted by the
    database (``projections.tallies``), sorted by code: equal to ``portfolio_scores`` of every
    stored row (the tests check it). None when a suspension is recorded (it may move due
    dates): the caller then judges the rows."""
    found = remembered(
        ledger, ("portfolios", today, code), lambda: _portfolio_scores_now(ledger, code, today)
    )
    return None if found is None else list(found)


def _portfolio_scores_now(
    ledger: Ledger, code: str | None, today: date
) -> tuple[PortfolioScore, ...] | None:
    counted = stored_portfolios(ledger, code=code, on=today)
    if counted is None:
        return None
    return tuple(_score(name, counted[name]) for name in sorted(counted))


def _score(code: str, counted: PortfolioCounted) -> PortfolioScore:
    tally = counted.tally
    total = sum(tally["position"].values())
    late_days = {days: n for days, n in counted.answered_late.items() if days > 0}
    for days, n in counted.overdue_by.items():
        late_days[days] = late_days.get(days, 0) + n
    bars = from_tally(total, {"implementation": tally["implementation"]}, {}).bars
    return PortfolioScore(
        portfolio=code,
        recommendations=total,
        on_time=counted.answered_late.get(0, 0),
        late=sum(n for days, n in counted.answered_late.items() if days > 0),
        unanswered=sum(counted.overdue_by.values()),
        median_days_late=weighted_median(late_days),
        rejected=tally["position"].get(Position.REJECTED, 0),
        implementation=next(bar for bar in bars if bar.axis == "implementation"),
        disputes=tally["verdict"].get(Verdict.DISPUTES, 0),
    )


def review_days(
    recs: Iterable[RecommendationStatus], dues: Mapping[Key, tuple[Deadline, ...]]
) -> list[tuple[int, date]]:
    """Each review and the day "at that review" reads as of: the day after the latest due date
    of that review, the first day on which every answer still missing is overdue (on the due
    date itself none is yet), in order."""
    latest: dict[int, date] = {}
    for rec in recs:
        for d in dues.get(rec.key, ()):
            latest[d.review] = max(latest.get(d.review, d.due), d.due)
    return sorted((review, day + timedelta(days=1)) for review, day in latest.items())
