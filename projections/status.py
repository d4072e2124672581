"""The recommendation status read model: a pure fold over the assembly's recorded events.

``apply(state, recorded) -> state`` never changes the state it is given: it returns a new
``Status`` sharing every recommendation it did not touch (copy-on-write; ``fold`` copies the
mappings once per batch). Per recommendation it keeps the three axes apart (DESIGN.md 4):
the government's position (``awaiting_response`` until an answer, then the latest review's),
implementation (``not_started`` until a report, then the latest report's status) and the
commission's verdict (``none`` until assessed, then the latest), each with the seq, signer and
time of the change that set it, and every answer, report and verdict with its own seq.

Corrections: one carrying a replacement payload for an answer, a report or a verdict replaces
that entry's effect (found by the superseded seq within the recommendation the payload names);
every correction of an entry about a recommendation is listed on it, and a replacement counts
as the last change of its axis (even when it replaced an earlier answer). Corrections of other
entries (the adoption, a hand-over, a suspension) are not applied yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import MappingProxyType
from typing import Any

import domain.catalogue  # noqa: F401  (registers every event type before decoding)
from domain.charter import Chartered
from domain.correction import CorrectionRecorded
from domain.events import REGISTRY, Event, Recorded, decode, recorded_from
from domain.government import (
    Assessed,
    DeadlineResumed,
    DeadlineSuspended,
    ImplementationReported,
    ResponsibilityTransferred,
)
from domain.recommendation import Adopted, HandedOver
from domain.responses import Responded
from ledger import Entry
from projections.deadlines import Suspension
from projections.errors import Inconsistent, ProjectionError

AWAITING_RESPONSE = "awaiting_response"
NOT_STARTED = "not_started"
NO_VERDICT = "none"
Key = tuple[int, int]  # (panel, number)


@dataclass(frozen=True)
class Change:
    """Which entry made a change: its seq, its signer's key id, and when it happened."""

    seq: int
    signer: str
    at: datetime


@dataclass(frozen=True)
class Said:
    """One answer, report or verdict as it stands: its payload (a correction's replacement,
    if any) and the entry that said it, with the seq of the correction that replaced it."""

    payload: Mapping[str, Any]
    change: Change
    corrected_by: int | None = None


@dataclass(frozen=True)
class Erratum:
    """A correction of one of the recommendation's entries."""

    seq: int
    supersedes: int
    reason: str
    replaced: bool


@dataclass(frozen=True)
class RecommendationStatus:
    """Where one recommendation stands, every axis linked to the entry that set it."""

    panel: int
    number: int
    title: Mapping[str, str]
    portfolio: str
    priority: str
    adopted: Change
    handed_over: date | None = None
    answers: tuple[Said, ...] = ()  # in the order recorded; payload["review"] is 1 or 2
    reports: tuple[Said, ...] = ()
    verdicts: tuple[Said, ...] = ()
    errata: tuple[Erratum, ...] = ()
    seqs: frozenset[int] = frozenset()  # every entry about this recommendation
    position_change: Change | None = None
    implementation_change: Change | None = None
    verdict_change: Change | None = None
    last_change: Change | None = None

    @property
    def key(self) -> Key:
        return self.panel, self.number

    @property
    def position(self) -> str:
        """The latest review's answer, or ``awaiting_response``."""
        if not self.answers:
            return AWAITING_RESPONSE
        latest = max(self.answers, key=lambda said: said.payload["review"])
        return str(latest.payload["position"])

    @property
    def implementation(self) -> str:
        return str(self.reports[-1].payload["status"]) if self.reports else NOT_STARTED

    @property
    def verdict(self) -> str:
        return str(self.verdicts[-1].payload["verdict"]) if self.verdicts else NO_VERDICT

    def answer(self, review: int) -> Said | None:
        """The answer given at ``review`` (1 or 2), if any."""
        return next((said for said in self.answers if said.payload["review"] == review), None)


@dataclass(frozen=True)
class Status:
    """The read model: every recommendation, the review offsets, the suspensions."""

    recommendations: Mapping[Key, RecommendationStatus] = field(
        default_factory=lambda: MappingProxyType({})
    )
    offsets: tuple[int, int] = (3, 12)
    suspensions: tuple[Suspension, ...] = ()
    seq: int = -1  # the last entry folded


def recorded(entry: Entry) -> Recorded | None:
    """Decode a ledger entry into the assembly's event, or None for the ledger's own entries."""
    fields = entry.event
    if fields["type"] not in REGISTRY:
        return None
    return recorded_from(fields, seq=entry.seq, recorded_at=entry.recorded_at)


def apply(state: Status, event: Recorded) -> Status:
    """The state after one more recorded event (``state`` is left unchanged)."""
    return fold(state, [event])


def fold(state: Status, events: Iterable[Recorded]) -> Status:
    """The state after ``events``, in seq order (``state`` is left unchanged)."""
    recommendations = dict(state.recommendations)
    offsets, suspensions, last = state.offsets, list(state.suspensions), state.seq
    for item in events:
        if item.seq <= last:
            raise AssertionError(f"entry {item.seq} folded after entry {last}")
        last = item.seq
        try:
            offsets = _fold_one(recommendations, suspensions, offsets, item)
        except (AssertionError, ProjectionError):
            raise
        except Exception as exc:  # a projection stops loudly, naming the entry
            raise Inconsistent(item.seq, f"{type(exc).__name__}: {exc}") from exc
    return Status(MappingProxyType(recommendations), offsets, tuple(suspensions), last)


def _fold_one(
    recommendations: dict[Key, RecommendationStatus],
    suspensions: list[Suspension],
    offsets: tuple[int, int],
    item: Recorded,
) -> tuple[int, int]:
    """Apply one event to the copied mappings; return the review offsets after it."""
    event, change = item.event, Change(item.seq, item.signer, item.occurred_at)
    if isinstance(event, Chartered):
        return event.months()
    if isinstance(event, DeadlineSuspended):
        suspensions.append(Suspension(event.since))
    elif isinstance(event, DeadlineResumed):
        if not suspensions or suspensions[-1].until is not None:
            raise Inconsistent(item.seq, "the deadlines resume but were not suspended")
        suspensions[-1] = replace(suspensions[-1], until=event.on)
    elif isinstance(event, Adopted):
        recommendations[(event.panel, event.number)] = RecommendationStatus(
            panel=event.panel,
            number=event.number,
            title=MappingProxyType(dict(event.title)),
            portfolio=event.portfolio,
            priority=event.priority,
            adopted=change,
            seqs=frozenset({item.seq}),
            last_change=change,
        )
    elif isinstance(event, CorrectionRecorded):
        _correct(recommendations, event, change)
    elif isinstance(event, _ABOUT_ONE):
        key = (event.panel, event.number)
        if key not in recommendations:
            raise Inconsistent(item.seq, f"recommendation {key[0]}/{key[1]} was not adopted")
        recommendations[key] = _touch(recommendations[key], event, change)
    return offsets


_ABOUT_ONE = (HandedOver, Responded, ImplementationReported, ResponsibilityTransferred, Assessed)


def _touch(status: RecommendationStatus, event: Event, change: Change) -> RecommendationStatus:
    said = Said(MappingProxyType(event.to_payload()), change)
    status = replace(status, seqs=status.seqs | {change.seq}, last_change=change)
    if isinstance(event, HandedOver):
        return replace(status, handed_over=event.on)
    if isinstance(event, ResponsibilityTransferred):
        return replace(status, portfolio=event.to_portfolio)
    if isinstance(event, Responded):
        return replace(status, answers=(*status.answers, said), position_change=change)
    if isinstance(event, ImplementationReported):
        return replace(status, reports=(*status.reports, said), implementation_change=change)
    return replace(status, verdicts=(*status.verdicts, said), verdict_change=change)


_REPLACEABLE = frozenset({Responded.TYPE, ImplementationReported.TYPE, Assessed.TYPE})


def _correct(
    recommendations: dict[Key, RecommendationStatus],
    event: CorrectionRecorded,
    change: Change,
) -> None:
    owner = next(
        (status for status in recommendations.values() if event.supersedes in status.seqs), None
    )
    if owner is None:
        return  # an erratum of an entry that is about no recommendation
    replaced = event.replacement is not None and event.corrected_type in _REPLACEABLE
    erratum = Erratum(change.seq, event.supersedes, event.reason, replaced)
    status = replace(owner, errata=(*owner.errata, erratum), last_change=change)
    if event.replacement is not None and replaced:
        cls = REGISTRY[event.corrected_type]
        payload = MappingProxyType(decode(cls.TYPE, cls.SCHEMA, event.replacement).to_payload())

        def swap(items: tuple[Said, ...]) -> tuple[Said, ...]:
            return tuple(
                replace(said, payload=payload, corrected_by=change.seq)
                if said.change.seq == event.supersedes
                else said
                for said in items
            )

        if event.corrected_type == Responded.TYPE:
            status = replace(status, answers=swap(status.answers), position_change=change)
        elif event.corrected_type == ImplementationReported.TYPE:
            status = replace(status, reports=swap(status.reports), implementation_change=change)
        else:
            status = replace(status, verdicts=swap(status.verdicts), verdict_change=change)
    recommendations[owner.key] = status
