"""The JSON API's response models, and how each is made from the read side.

Every response of ``web.api`` is one of these models, so FastAPI's OpenAPI schema describes it
field by field (no other field is allowed). The field names are those of the command line's JSON
output (``assembly status``, ``show``, ``overdue``, ``trail``, ``composition`` and ``dashboard``
with ``--format json``), so that a script can move from one to the other. Times are RFC 3339,
days ISO 8601; an axis's value is one of the domain's values or the axis's initial one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, TypeAdapter

from domain.government import Implementation, Verdict
from domain.responses import Position
from projections.board import Deadline
from projections.composition import Composition as Folded
from projections.composition import Hidden, StratumRow, seated_now
from projections.dashboard import Count, Late
from projections.status import RecommendationStatus, Said
from projections.trail import TrailLine
from projections.view import View

PositionValue: TypeAlias = Literal["awaiting_response"] | Position
VerdictValue: TypeAlias = Literal["none"] | Verdict
Group: TypeAlias = Literal["total", "panel", "portfolio"]
Axis: TypeAlias = Literal["position", "implementation", "verdict"]
# The read side keeps these values as text: each is checked into its type once, here.
_POSITION: TypeAdapter[PositionValue] = TypeAdapter(PositionValue)
_VERDICT: TypeAdapter[VerdictValue] = TypeAdapter(VerdictValue)
_GROUP: TypeAdapter[Group] = TypeAdapter(Group)
_AXIS: TypeAdapter[Axis] = TypeAdapter(Axis)


class Strict(BaseModel):
    """A response model: exactly these fields, no other."""

    model_config = ConfigDict(extra="forbid")


class Problem(Strict):
    """Why a request was refused, in one sentence."""

    detail: str


def ref(rec: RecommendationStatus) -> str:
    """The recommendation's reference, PANEL/NUMBER."""
    return f"{rec.panel}/{rec.number}"


def title(rec: RecommendationStatus) -> str:
    """The title in French, else in the first language given (as the command line shows it)."""
    return rec.title.get("fr") or next(iter(rec.title.values()), "")


# --- the board -----------------------------------------------------------------------------------


class BoardRow(Strict):
    """One recommendation on the board: its three axes, due dates and overdue flag."""

    ref: str
    panel: int
    number: int
    title: str
    titles: dict[str, str]
    portfolio: str
    position: PositionValue
    implementation: Implementation
    verdict: VerdictValue
    due_review_1: date | None
    due_review_2: date | None
    overdue: bool
    last_seq: int | None

    @classmethod
    def of(cls, rec: RecommendationStatus, dues: tuple[Deadline, ...]) -> BoardRow:
        due = {deadline.review: deadline.due for deadline in dues}
        return cls(
            ref=ref(rec),
            panel=rec.panel,
            number=rec.number,
            title=title(rec),
            titles=dict(rec.title),
            portfolio=rec.portfolio,
            position=_POSITION.validate_python(rec.position),
            implementation=Implementation(rec.implementation),
            verdict=_VERDICT.validate_python(rec.verdict),
            due_review_1=due.get(1),
            due_review_2=due.get(2),
            overdue=any(deadline.overdue for deadline in dues),
            last_seq=rec.last_change.seq if rec.last_change else None,
        )


class Board(Strict):
    """A page of the status board as of a day, read at ledger entry ``seq`` (-1: an empty
    ledger); ``next_after`` is the ``after`` of the next page, null on the last."""

    as_of: date
    seq: int
    recommendations: list[BoardRow]
    next_after: str | None


# --- one recommendation --------------------------------------------------------------------------


class ReviewDeadline(Strict):
    """One review's deadline as of the view's day; the ``*_days_late`` are 0 when on time."""

    review: int
    due: date
    answered: date | None
    recorded: date | None
    overdue: bool
    days_late: int
    answered_days_late: int
    recorded_days_late: int

    @classmethod
    def of(cls, deadline: Deadline) -> ReviewDeadline:
        return cls(
            review=deadline.review,
            due=deadline.due,
            answered=deadline.answered,
            recorded=deadline.recorded,
            overdue=deadline.overdue,
            days_late=deadline.late,
            answered_days_late=deadline.answered_late,
            recorded_days_late=deadline.recorded_late,
        )


class Signed(Strict):
    """Who said it and when: the entry's seq, its signer, the time its author signed, and the
    correction that replaced it, if any."""

    seq: int
    signer: str | None
    at: datetime
    corrected_by: int | None


def _signed(view: View, said: Said) -> dict[str, Any]:
    return {
        "seq": said.change.seq,
        "signer": view.signer(said.change),
        "at": said.change.at,
        "corrected_by": said.corrected_by,
    }


class Answer(Signed):
    """The government's answer at one review."""

    review: int
    position: Position
    portfolio: str
    justification: str
    planned_measures: str
    decision_date: date | None
    referred_to: str | None
    evidence_digest: str | None

    @classmethod
    def of(cls, view: View, said: Said) -> Answer:
        found = said.payload
        return cls(
            review=found["review"],
            position=found["position"],
            portfolio=found["portfolio"],
            justification=found.get("justification", ""),
            planned_measures=found.get("planned_measures", ""),
            decision_date=found.get("decision_date"),
            referred_to=found.get("referred_to"),
            evidence_digest=found.get("evidence_digest"),
            **_signed(view, said),
        )


class Report(Signed):
    """One implementation report."""

    status: Implementation
    progress: int
    milestone: str
    justification: str

    @classmethod
    def of(cls, view: View, said: Said) -> Report:
        found = said.payload
        return cls(
            status=found["status"],
            progress=found["progress"],
            milestone=found.get("milestone", ""),
            justification=found.get("justification", ""),
            **_signed(view, said),
        )


class Assessment(Signed):
    """One verdict of the commission."""

    verdict: Verdict
    reasons: str
    score: int | None

    @classmethod
    def of(cls, view: View, said: Said) -> Assessment:
        found = said.payload
        return cls(
            verdict=found["verdict"],
            reasons=found.get("reasons", ""),
            score=found.get("score"),
            **_signed(view, said),
        )


class Erratum(Strict):
    """A correction of one of the recommendation's entries."""

    seq: int
    supersedes: int
    reason: str
    replaced: bool


class TrailEntry(Strict):
    """One entry behind the recommendation; ``problem`` says why it does not verify."""

    seq: int
    recorded_at: datetime
    type: str
    signer: str
    name: str
    role: str
    hash: str
    problem: str | None
    verifies: bool

    @classmethod
    def of(cls, line: TrailLine) -> TrailEntry:
        return cls(
            seq=line.seq,
            recorded_at=datetime.fromisoformat(line.recorded_at),
            type=line.type,
            signer=line.signer,
            name=line.name,
            role=line.role,
            hash=line.hash,
            problem=line.problem,
            verifies=line.verifies,
        )


class Recommendation(Strict):
    """One recommendation in full: each axis with the entry (seq) and signer that set it, its
    deadlines, every answer, report, verdict and erratum, and its audit trail."""

    ref: str
    panel: int
    number: int
    title: str
    titles: dict[str, str]
    portfolio: str
    priority: str
    adopted_seq: int
    handed_over: date | None
    position: PositionValue
    position_seq: int | None
    position_signer: str | None
    implementation: Implementation
    implementation_seq: int | None
    implementation_signer: str | None
    verdict: VerdictValue
    verdict_seq: int | None
    verdict_signer: str | None
    deadlines: list[ReviewDeadline]
    last_seq: int | None
    as_of: date
    answers: list[Answer]
    implementation_reports: list[Report]
    verdicts: list[Assessment]
    errata: list[Erratum]
    trail: list[TrailEntry]

    @classmethod
    def of(cls, view: View, rec: RecommendationStatus, trail: list[TrailLine]) -> Recommendation:
        axes: dict[str, Any] = {}
        for axis, value, change in (
            ("position", rec.position, rec.position_change),
            ("implementation", rec.implementation, rec.implementation_change),
            ("verdict", rec.verdict, rec.verdict_change),
        ):
            axes[axis] = value
            axes[f"{axis}_seq"] = change.seq if change else None
            axes[f"{axis}_signer"] = view.signer(change)
        answers = sorted(rec.answers, key=lambda said: int(said.payload["review"]))
        return cls(
            ref=ref(rec),
            panel=rec.panel,
            number=rec.number,
            title=title(rec),
            titles=dict(rec.title),
            portfolio=rec.portfolio,
            priority=rec.priority,
            adopted_seq=rec.adopted.seq,
            handed_over=rec.handed_over,
            **axes,
            deadlines=[ReviewDeadline.of(deadline) for deadline in view.deadlines(rec)],
            last_seq=rec.last_change.seq if rec.last_change else None,
            as_of=view.as_of,
            answers=[Answer.of(view, said) for said in answers],
            implementation_reports=[Report.of(view, said) for said in rec.reports],
            verdicts=[Assessment.of(view, said) for said in rec.verdicts],
            errata=[Erratum(**vars(erratum)) for erratum in rec.errata],
            trail=[TrailEntry.of(line) for line in trail],
        )


# --- overdue and the dashboard -------------------------------------------------------------------


class LateReview(Strict):
    """A review not answered by its due date: by how many days, who must answer, and the
    hand-over entry its due date rests on."""

    ref: str
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
            group=_GROUP.validate_python(count.group),
            name=count.name,
            axis=_AXIS.validate_python(count.axis),
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
    """One stratum: the quota, the members drawn and seated, the pool's count, and the shares
    in millionths; null where the step that records it has not happened, a reason where the
    ledger hides it (``suppressed``, ``unknown``)."""

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

    @classmethod
    def of(cls, row: StratumRow) -> Stratum:
        return cls(**vars(row))


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
    def of(cls, state: Folded, rows: list[StratumRow]) -> Composition:
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
            strata=[Stratum.of(row) for row in rows],
        )


# --- proofs --------------------------------------------------------------------------------------


class ConsistencyProof(Strict):
    """A consistency proof between two signed checkpoints (``ledger.receipt``): both notes as
    issued and the RFC 9162 proof hashes in base64. ``assembly verify-proof`` checks it."""

    format: Literal["assembly-ledger/consistency-proof@v1"]
    old_checkpoint: str
    new_checkpoint: str
    proof: list[str]
