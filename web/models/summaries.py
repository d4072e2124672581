"""The overdue list, the dashboard's counts, a panel's composition and a consistency proof,
as the API gives them."""

from __future__ import annotations

from datetime import date
from typing import Literal

from projections.composition import Composition as Folded
from projections.composition import Hidden, StratumRow, seated_now
from projections.dashboard import Count, Late
from projections.names import Names
from web.models.base import (
    AXIS,
    GROUP,
    Axis,
    Group,
    Strict,
)


class LateReview(Strict):
    """A review not answered by its due date: by how many days, who must answer, and the
    hand-over entry its due date rests on."""

    ref: str
    reference: str | None  # the assembly's own (SD-E2); ``ref`` stays PANEL/NUMBER
    panel: int
    number: int
    title: str
    portfolio: str
    review: int
    due: date
    days_late: int
    handed_over_seq: int

    @classmethod
    def of(cls, late: Late) -> LateReview:
        panel, number = late.key
        return cls(
            ref=f"{panel}/{number}",
            reference=late.reference,
            panel=panel,
            number=number,
            title=late.title,
            portfolio=late.portfolio,
            review=late.review,
            due=late.due,
            days_late=late.days_late,
            handed_over_seq=late.handed_over_seq,
        )


class Overdue(Strict):
    """Every review overdue on ``as_of``, the longest overdue first."""

    as_of: date
    seq: int
    overdue: list[LateReview]


class CountLine(Strict):
    """How many recommendations of a group have one value on one axis; which ones, each with
    the seq of the entry its value rests on (``recommendations`` and ``seqs`` pair up)."""

    group: Group
    name: str
    axis: Axis
    value: str
    count: int
    recommendations: list[str]
    seqs: list[int]

    @classmethod
    def of(cls, count: Count) -> CountLine:
        return cls(
            group=GROUP.validate_python(count.group),
            name=count.name,
            axis=AXIS.validate_python(count.axis),
            value=count.value,
            count=count.count,
            recommendations=[f"{c.key[0]}/{c.key[1]}" for c in count.counted],
            seqs=[c.seq for c in count.counted],
        )


class Dashboard(Strict):
    """The commission's counts and the overdue list as of ``as_of``, at entry ``seq`` whose
    hash is ``hash`` (None for an empty ledger)."""

    as_of: date
    seq: int
    hash: str | None
    counts: list[CountLine]
    overdue: list[LateReview]


# --- panel composition ---------------------------------------------------------------------------


class Stratum(Strict):
    """One stratum, by its codes and their labels per language: the quota, the members drawn
    and seated, the pool's count, and the shares in millionths; null where the step that
    records it has not happened, a reason where the ledger hides it (``suppressed``,
    ``unknown``)."""

    feature: str
    value: str
    feature_labels: dict[str, str]  # the stratum's name per language (none: not named)
    value_labels: dict[str, str]  # the value's name per language (none: not named)
    min: int | None
    max: int | None
    drawn: int | None
    drawn_ppm: int | None
    seated: int | Hidden | None
    pool: int | Hidden | None
    pool_ppm: int | Hidden | None
    population_ppm: int | Hidden

    @classmethod
    def of(cls, row: StratumRow, names: Names) -> Stratum:
        return cls(
            **vars(row),
            feature_labels=names.stratum_labels(row.feature, None),
            value_labels=names.stratum_labels(row.feature, row.value),
        )


class Composition(Strict):
    """A panel's composition as of entry ``seq`` of its own streams."""

    panel: int
    seq: int | None
    seats: int
    pool_size: int | None
    suppressed_below: int | None
    drawn: bool
    seated_now: int | None
    withdrawals: int
    replacements: int
    strata: list[Stratum]

    @classmethod
    def of(cls, state: Folded, rows: list[StratumRow], names: Names) -> Composition:
        if state.convened is None:
            raise AssertionError(f"panel {state.panel} has no composition before it is convened")
        return cls(
            panel=state.panel,
            seq=state.seq,
            seats=state.convened.seats,
            pool_size=state.pool.pool_size if state.pool else None,
            suppressed_below=state.pool.suppressed_below if state.pool else None,
            drawn=state.performed is not None,
            seated_now=seated_now(state),
            withdrawals=state.withdrawals,
            replacements=state.replacements,
            strata=[Stratum.of(row, names) for row in rows],
        )


# --- proofs --------------------------------------------------------------------------------------


class ConsistencyProof(Strict):
    """A consistency proof between two signed checkpoints (``ledger.receipt``): both notes as
    issued and the RFC 9162 proof hashes in base64. ``assembly verify-proof`` checks it."""

    format: Literal["assembly-ledger/consistency-proof@v1"]
    old_checkpoint: str
    new_checkpoint: str
    proof: list[str]
