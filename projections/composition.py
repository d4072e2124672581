"""The panel composition read model (docs/design.md 6): per stratum, the quota the panel draw was
announced with, the members drawn (and seated), the volunteer pool's share, the population's.

A pure fold over the events of one panel's own streams (``panel/N``, ``pool/N`` and
``draw/panel/N``), each read by its id through the ledger's index, never by a scan. Asked "as
of" a point, it keeps the entries up to a seq and recorded before a moment, as the read commands
do. What the ledger cannot say is shown as such, never as zero:

- the pool's small cells were suppressed when the pool closed (``Hidden.SUPPRESSED``);
- population shares come from the quota table, recorded in the announcement since its schema 2;
  an older announcement, or a quota file without them, leaves them ``Hidden.UNKNOWN``;
- withdrawals and replacements are recorded by pseudonym, and a pseudonym's strata stay in the
  pool file, off the ledger: the seated count per stratum equals the drawn one until someone
  withdraws, and is ``Hidden.UNKNOWN`` after.

Corrections of these entries are not applied (as in the status model).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from domain.draws import PanelDraw, VolunteerPool
from domain.draws.events import PanelAnnounced, PanelPerformed, PoolClosed
from domain.events import Recorded
from domain.panel import Convened, MemberReplaced, MemberWithdrew, Seated, panel_stream
from ledger import Entry, Ledger
from ledger.history import counted_before
from projections.errors import Inconsistent
from projections.status import recorded

PPM = 1_000_000
Stratum = tuple[str, str]


class Hidden(StrEnum):
    """A count or share the ledger does not give, and why."""

    SUPPRESSED = "suppressed"  # a small cell of the pool, hidden when it closed
    UNKNOWN = "unknown"  # never recorded by stratum


@dataclass(frozen=True)
class Composition:
    """What one panel's streams say, as of the last entry folded (``seq``)."""

    panel: int
    seq: int | None = None
    convened: Convened | None = None
    pool: PoolClosed | None = None
    announced: PanelAnnounced | None = None
    performed: PanelPerformed | None = None
    seated: bool = False
    withdrawals: int = 0
    replacements: int = 0


@dataclass(frozen=True)
class StratumRow:
    """One stratum (feature = value); None where the step that records it has not happened."""

    feature: str
    value: str
    min: int | None
    max: int | None
    drawn: int | None
    drawn_ppm: int | None
    seated: int | Hidden | None
    pool: int | Hidden | None
    pool_ppm: int | Hidden | None
    population_ppm: int | Hidden


def streams(panel: int) -> tuple[uuid.UUID, ...]:
    """The streams the composition of ``panel`` is folded from."""
    return (panel_stream(panel), VolunteerPool.stream_for(panel), PanelDraw.stream_for(panel))


def apply(state: Composition, event: Recorded) -> Composition:
    """The composition after one more event of the panel's streams (``state`` is unchanged)."""
    found = event.event
    if isinstance(found, Convened):
        state = replace(state, convened=found)
    elif isinstance(found, Seated):
        state = replace(state, seated=True)
    elif isinstance(found, MemberWithdrew):
        state = replace(state, withdrawals=state.withdrawals + 1)
    elif isinstance(found, MemberReplaced):
        state = replace(state, replacements=state.replacements + 1)
    elif isinstance(found, PoolClosed):
        state = replace(state, pool=found)
    elif isinstance(found, PanelAnnounced):
        state = replace(state, announced=found)
    elif isinstance(found, PanelPerformed):
        if state.announced is None:
            raise Inconsistent(event.seq, "a panel draw performed before it was announced")
        state = replace(state, performed=found)
    return replace(state, seq=event.seq)


def fold(state: Composition, events: Iterable[Recorded]) -> Composition:
    """The composition after ``events``, in seq order."""
    for event in events:
        state = apply(state, event)
    return state


def read_composition(
    ledger: Ledger, panel: int, *, at_seq: int | None = None, until: datetime | None = None
) -> Composition:
    """Panel ``panel``'s composition from its own streams, keeping the entries up to
    ``at_seq`` and in "as of" the moment ``until`` (all of them when both are None; history
    recorded after the fact by the moment its author gave: ``ledger.history.counted_before``)."""
    history = ledger.history_before() if until is not None else None  # read only if needed
    kept = [
        entry
        for stream in streams(panel)
        for entry in ledger.stream(stream)
        if _kept(entry, at_seq=at_seq, until=until, history=history)
    ]
    kept.sort(key=lambda entry: entry.seq)
    events = [found for entry in kept if (found := recorded(entry)) is not None]
    return fold(Composition(panel), events)


def _kept(
    entry: Entry, *, at_seq: int | None, until: datetime | None, history: date | None
) -> bool:
    return (at_seq is None or entry.seq <= at_seq) and counted_before(
        entry.recorded_at, entry.body, until, history
    )


def strata(state: Composition) -> list[StratumRow]:
    """One row per stratum: the quota table's lines in its order, then any value of the pool
    the table does not name (before the draw is announced, the pool's strata alone)."""
    quotas = {(q.feature, q.value): q for q in state.announced.quotas} if state.announced else {}
    pool = {(c.feature, c.value): c.count for c in state.pool.counts} if state.pool else {}
    keys = [*quotas, *(key for key in pool if key not in quotas)]
    drawn = _drawn(state)
    members = len(state.performed.selected) if state.performed else 0
    seated = _seated(state, drawn)
    rows = []
    for key in keys:
        quota = quotas.get(key)
        count = None if drawn is None else drawn.get(key, 0)
        pool_count = _pool_count(state, pool, key)
        population = None if quota is None else quota.population_ppm
        rows.append(
            StratumRow(
                feature=key[0],
                value=key[1],
                min=None if quota is None else quota.min,
                max=None if quota is None else quota.max,
                drawn=count,
                drawn_ppm=None if count is None else share(count, members),
                seated=seated.get(key, 0) if isinstance(seated, dict) else seated,
                pool=pool_count,
                pool_ppm=_pool_share(state, pool_count),
                population_ppm=Hidden.UNKNOWN if population is None else population,
            )
        )
    return rows


def share(count: int, whole: int) -> int:
    """``count`` out of ``whole`` in millionths, rounded half up (0 of nothing is 0)."""
    if whole == 0:
        return 0
    return (2 * PPM * count + whole) // (2 * whole)


def seated_now(state: Composition) -> int | None:
    """How many members sit on the panel now (None before it is seated)."""
    if not state.seated or state.performed is None:
        return None
    return len(state.performed.selected) - state.withdrawals + state.replacements


def _drawn(state: Composition) -> dict[Stratum, int] | None:
    if state.performed is None:
        return None
    drawn = {}
    for count in state.performed.achieved:
        if count.count is None:
            raise Inconsistent(state.seq or 0, "a panel draw recorded a hidden achieved count")
        drawn[count.feature, count.value] = count.count
    return drawn


def _seated(
    state: Composition, drawn: Mapping[Stratum, int] | None
) -> dict[Stratum, int] | Hidden | None:
    if not state.seated or drawn is None:
        return None
    if state.withdrawals or state.replacements:
        return Hidden.UNKNOWN
    return dict(drawn)


def _pool_count(
    state: Composition, pool: Mapping[Stratum, int | None], key: Stratum
) -> int | Hidden | None:
    if state.pool is None:
        return None
    if key not in pool:
        return 0  # the pool closed with every value it held counted: none of this one
    count = pool[key]
    return Hidden.SUPPRESSED if count is None else count


def _pool_share(state: Composition, count: int | Hidden | None) -> int | Hidden | None:
    if state.pool is None or count is None:
        return None
    if isinstance(count, Hidden):
        return count
    return share(count, state.pool.pool_size)
