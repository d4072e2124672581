"""One recommendation as the API gives it: its axes, due dates, every answer, report and
verdict with who signed it, its errata and its audit trail."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from domain.government import Implementation, Verdict
from domain.responses import Position
from projections.board import Deadline
from projections.status import RecommendationStatus, Said
from projections.trail import TrailLine
from projections.view import View
from web.models.base import (
    ImplementationValue,
    PositionValue,
    Strict,
    VerdictValue,
    ref,
    title,
)


class ReviewDeadline(Strict):
    """One review's deadline as of the view's day. On time or late is judged by ``recorded``,
    the day the ledger recorded the answer; ``claimed`` is the day its author dated it, and
    ``backdated`` says it comes more than 7 days before the recording. The ``*days_late``
    counts are 0 when on time."""

    review: int
    due: date
    recorded: date | None
    claimed: date | None
    overdue: bool
    days_late: int
    answered_days_late: int
    claimed_days_early: int
    backdated: bool
    # History recorded after the fact (a past cycle loaded later): judged on ``claimed``.
    after_the_fact: bool = False

    @classmethod
    def of(cls, deadline: Deadline) -> ReviewDeadline:
        return cls(
            review=deadline.review,
            due=deadline.due,
            recorded=deadline.recorded,
            claimed=deadline.claimed,
            overdue=deadline.overdue,
            days_late=deadline.late,
            answered_days_late=deadline.answered_late,
            claimed_days_early=deadline.claimed_early,
            backdated=deadline.backdated,
            after_the_fact=deadline.after_the_fact,
        )


class Signed(Strict):
    """Who said it and when: the entry's seq, its signer, the time its author dated it, the
    time the ledger recorded it, and the correction that replaced it, if any."""

    seq: int
    signer: str | None
    at: datetime
    recorded_at: datetime | None
    after_the_fact: bool = False  # history recorded after the fact: dated before the ledger began
    corrected_by: int | None


def _signed(view: View, said: Said) -> dict[str, Any]:
    return {
        "seq": said.change.seq,
        "signer": view.signer(said.change),
        "at": said.change.at,
        "recorded_at": said.change.recorded,
        "after_the_fact": said.change.after_the_fact,
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
    statement: str | None = None  # the joint statement it belongs to (``statements``)
    language: str | None = None  # of the justification and planned measures
    translations: dict[str, dict[str, str]]

    @classmethod
    def of(cls, view: View, said: Said) -> Answer:
        found = said.payload
        return cls(
            statement=found.get("statement"),
            language=found.get("language"),
            translations={code: dict(text) for code, text in found.get("translations", {}).items()},
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
    progress: int | None  # None: not given, unknown
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
    score: str | None  # out of 10, one decimal at most ("2.8")
    language: str | None = None  # of the reasons
    translations: dict[str, str]

    @classmethod
    def of(cls, view: View, said: Said) -> Assessment:
        found = said.payload
        return cls(
            language=found.get("language"),
            translations=dict(found.get("translations", {})),
            verdict=found["verdict"],
            reasons=found.get("reasons", ""),
            score=found.get("score"),
            **_signed(view, said),
        )


class Statement(Strict):
    """A joint statement: one answer of the government to several recommendations."""

    id: str
    text: dict[str, str]
    on: date
    by: str
    source: str | None
    covers: list[str]

    @classmethod
    def of(cls, given: Mapping[str, Any]) -> Statement:
        return cls(
            id=given["id"],
            text=dict(given["text"]),
            on=given["on"],
            by=given["by"],
            source=given.get("source"),
            covers=list(given["covers"]),
        )


def statements_of(view: View, rec: RecommendationStatus) -> list[Mapping[str, Any]]:
    """The joint statements ``rec``'s answers belong to, each once, in the order answered."""
    found: dict[str, Mapping[str, Any]] = {}
    for said in rec.answers:
        given = view.state.statement(said)
        if given is not None:
            found.setdefault(str(given["id"]), given)
    return list(found.values())


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
    occurred_at: datetime | None = None  # the moment its author dated it
    after_the_fact: bool = False  # history recorded after the fact: dated before the ledger began

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
            occurred_at=datetime.fromisoformat(line.occurred_at) if line.occurred_at else None,
            after_the_fact=line.after_the_fact,
        )


class Recommendation(Strict):
    """One recommendation in full: each axis with the entry (seq) and signer that set it, its
    deadlines, every answer, report, verdict and erratum, and its audit trail."""

    ref: str
    reference: str | None  # the assembly's own (SD-E2); ``ref`` stays PANEL/NUMBER
    panel: int
    number: int
    title: str
    titles: dict[str, str]
    texts: dict[str, str]  # as adopted, per language, blank lines between paragraphs
    supporting: dict[str, str]  # the supporting statement, per language
    group: str | None  # the code of the group (objective, goal) it belongs to
    portfolio: str
    shared_with: list[str]  # portfolios that may answer it beside the lead one
    priority: str
    adopted_seq: int
    handed_over: date | None
    position: PositionValue
    position_seq: int | None
    position_signer: str | None
    implementation: ImplementationValue
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
    statements: list[Statement]  # the joint statements its answers belong to, in full

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
            reference=rec.reference,
            panel=rec.panel,
            number=rec.number,
            title=title(rec),
            titles=dict(rec.title),
            texts=dict(rec.text),
            supporting=dict(rec.supporting),
            group=rec.group,
            portfolio=rec.portfolio,
            shared_with=list(rec.shared_with),
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
            statements=[Statement.of(given) for given in statements_of(view, rec)],
        )
