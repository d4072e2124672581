"""The recommendation status read model: a pure fold over the assembly's recorded events.

``apply(state, recorded) -> state`` never changes the state it is given: it returns a new
``Status`` sharing every recommendation it did not touch (copy-on-write; ``fold`` copies the
mappings once per batch). Per recommendation it keeps the three axes apart (docs/design.md 4):
the government's position (``awaiting_response`` until an answer, then the latest review's),
implementation (``not_started`` until a report, then the latest report's status;
``not_applicable`` while the position is ``rejected`` and nothing was reported) and the
commission's verdict (``none`` until assessed, then the latest), each with the seq, signer and
time of the change that set it, and every answer, report and verdict with its own seq.

A joint statement (``domain.statement``) is kept once, by its id, in ``Status.statements``: each
answer that names it is shown with its full text, and counted once per recommendation.

Corrections: one carrying a replacement payload for an answer, a report or a verdict replaces
that entry's effect (found by the superseded seq within the recommendation the payload names);
every correction of an entry about a recommendation is listed on it, and a replacement counts
as the last change of its axis (even when it replaced an earlier answer). Corrections of other
entries (the adoption, a hand-over, a suspension) are not applied yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from types import MappingProxyType
from typing import Any, NamedTuple

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
from domain.responses import Position, Responded
from domain.statement import StatementGiven
from ledger import Entry
from projections.deadlines import Suspension
from projections.errors import Inconsistent, ProjectionError
from projections.parsed import ABOUT_ONE, FROM_PAYLOAD, Parsed, body_fields, parsed
from projections.parsed import Change as Change  # where readers have always found it

AWAITING_RESPONSE = "awaiting_response"
NOT_STARTED = "not_started"
NOT_APPLICABLE = "not_applicable"  # nothing to implement: the government refused it
NO_VERDICT = "none"
Key = tuple[int, int]  # (panel, number)


class Said(NamedTuple):
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
    text: Mapping[str, str] = field(  # as adopted, in each language given
        default_factory=lambda: MappingProxyType({})
    )
    reference: str | None = None  # the assembly's own (SD-E2), beside panel/number
    group: str | None = None  # the code of the group (objective, goal) it belongs to
    supporting: Mapping[str, str] = field(  # the supporting statement, per language
        default_factory=lambda: MappingProxyType({})
    )
    shared_with: tuple[str, ...] = ()  # portfolios that may answer it beside the lead one
    handed_over: date | None = None
    handed_over_change: Change | None = None  # the hand-over entry: the deadlines rest on it
    answers: tuple[Said, ...] = ()  # in the order recorded; payload["review"] from 1 to N
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
        """The latest report's status; before any, ``not_applicable`` after a refusal, else
        ``not_started``."""
        if self.reports:
            return str(self.reports[-1].payload["status"])
        return NOT_APPLICABLE if self.position == Position.REJECTED else NOT_STARTED

    @property
    def verdict(self) -> str:
        return str(self.verdicts[-1].payload["verdict"]) if self.verdicts else NO_VERDICT

    def due_reviews(self, reviews: int) -> tuple[int, ...]:
        """The reviews, of the charter's ``reviews``, at which an answer is due: every one. A
        recommendation answered ``not_competent`` is still followed up at the later
        appointments (what became of the referral), as the charter asks; a charter that asks
        for one answer has one appointment."""
        return tuple(range(1, reviews + 1))

    def answer(self, review: int) -> Said | None:
        """The answer given at ``review`` (1 for the first appointment), if any."""
        return next((said for said in self.answers if said.payload["review"] == review), None)


@dataclass(frozen=True)
class Status:
    """The read model: every recommendation, the review offsets (months, one per appointment),
    the suspensions, and the joint statements by id (their payloads)."""

    recommendations: Mapping[Key, RecommendationStatus] = field(
        default_factory=lambda: MappingProxyType({})
    )
    offsets: tuple[int, ...] = (3, 12)
    suspensions: tuple[Suspension, ...] = ()
    seq: int = -1  # the last entry folded
    statements: Mapping[str, Mapping[str, Any]] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def statement(self, said: Said) -> Mapping[str, Any] | None:
        """The joint statement an answer names, if it names one."""
        name = said.payload.get("statement")
        return None if name is None else self.statements.get(str(name))


def recorded(entry: Entry, *, history_before: date | None = None) -> Recorded | None:
    """Decode a ledger entry into the assembly's event, or None for the ledger's own entries
    (``history_before``: the ledger's, see ``Ledger.history_before``)."""
    return recorded_body(entry.seq, entry.recorded_at, entry.body, history_before=history_before)


def recorded_body(
    seq: int, recorded_at: str, body: bytes, *, history_before: date | None = None
) -> Recorded | None:
    """``recorded`` of the entry at ``seq``, from its stored body and time.

    The body's envelope was checked when it was appended (and ``assembly verify`` checks it
    again): here it is only parsed, and the payload decoded and validated as its event type
    (``projections.parsed.parsed_body`` folds without validating again).
    """
    fields = body_fields(seq, body)
    if fields["type"] not in REGISTRY:
        return None
    return recorded_from(fields, seq=seq, recorded_at=recorded_at, history_before=history_before)


def about(item: Event | Parsed) -> Key | None:
    """The recommendation an event is about, if it is about one (corrections aside)."""
    if isinstance(item, Parsed):
        if item.type in FROM_PAYLOAD:
            return item.payload["panel"], item.payload["number"]
    elif item.TYPE in FROM_PAYLOAD:
        return item.panel, item.number  # type: ignore[attr-defined]
    return None


def apply(state: Status, event: Recorded | Parsed) -> Status:
    """The state after one more recorded event (``state`` is left unchanged)."""
    return fold(state, [event])


def fold(state: Status, events: Iterable[Recorded | Parsed]) -> Status:
    """The state after ``events``, in seq order (``state`` is left unchanged): decoded events,
    or entries parsed for the fold (``projections.parsed``), which it reads alike.

    Within one call each recommendation touched is worked on as a mutable draft and frozen
    once at the end, so a batch costs one new ``RecommendationStatus`` per recommendation it
    touches, not one per event.
    """
    drafts: dict[Key, _Draft] = {}
    offsets, suspensions, last = state.offsets, list(state.suspensions), state.seq
    statements = dict(state.statements)
    for entry in events:
        item = entry if isinstance(entry, Parsed) else parsed(entry)
        seq = item.change.seq
        if seq <= last:
            raise AssertionError(f"entry {seq} folded after entry {last}")
        last = seq
        try:
            offsets = _fold_one(state.recommendations, drafts, suspensions, offsets, item)
            if isinstance(item.event, StatementGiven):
                statements[item.event.id] = MappingProxyType(dict(item.payload))
        except (AssertionError, ProjectionError):
            raise
        except Exception as exc:  # a projection stops loudly, naming the entry
            raise Inconsistent(seq, f"{type(exc).__name__}: {exc}") from exc
    recommendations = dict(state.recommendations)
    recommendations.update((key, draft.freeze()) for key, draft in drafts.items())
    return Status(
        MappingProxyType(recommendations),
        offsets,
        tuple(suspensions),
        last,
        state.statements if len(statements) == len(state.statements) else statements,
    )


RECOMMENDATION_FIELDS = frozenset(RecommendationStatus.__dataclass_fields__)


class _Draft:
    """A recommendation being folded: the fields an event may change, mutable."""

    __slots__ = ("answers", "base", "changed", "errata", "reports", "seqs", "verdicts")

    def __init__(self, base: RecommendationStatus) -> None:
        self.base = base
        self.changed: dict[str, Any] = {}
        self.answers = list(base.answers)
        self.reports = list(base.reports)
        self.verdicts = list(base.verdicts)
        self.errata = list(base.errata)
        self.seqs = set(base.seqs)

    def freeze(self) -> RecommendationStatus:
        """The recommendation as folded: its base with the changed fields. Made by copying the
        base's fields, not by ``dataclasses.replace``, whose frozen ``__init__`` sets each of
        the 22 fields one call at a time (a sixth of a rebuild's fold)."""
        made = object.__new__(RecommendationStatus)
        fields = made.__dict__
        fields.update(self.base.__dict__)
        fields.update(
            answers=tuple(self.answers),
            reports=tuple(self.reports),
            verdicts=tuple(self.verdicts),
            errata=tuple(self.errata),
            seqs=frozenset(self.seqs),
        )
        if not RECOMMENDATION_FIELDS.issuperset(self.changed):  # as dataclasses.replace checked
            unknown = sorted(self.changed.keys() - RECOMMENDATION_FIELDS)
            raise AssertionError(f"a recommendation has no field {', '.join(unknown)}")
        fields.update(self.changed)
        return made


def _fold_one(
    recommendations: Mapping[Key, RecommendationStatus],
    drafts: dict[Key, _Draft],
    suspensions: list[Suspension],
    offsets: tuple[int, ...],
    item: Parsed,
) -> tuple[int, ...]:
    """Apply one event to the drafts and suspensions; return the review offsets after it.

    The entries about one recommendation are read from their payloads (by type name: one set
    lookup, not a chain of isinstance); the rarer ones from their events.
    """
    kind, payload, change = item.type, item.payload, item.change
    if kind in ABOUT_ONE:
        key = (payload["panel"], payload["number"])
        draft = drafts.get(key)
        if draft is None:
            if key not in recommendations:
                raise Inconsistent(change.seq, f"recommendation {key[0]}/{key[1]} was not adopted")
            draft = drafts[key] = _Draft(recommendations[key])
        _touch(draft, kind, payload, change)
        return offsets
    if kind == Adopted.TYPE:
        adopted = _adopted(payload, change)
        drafts[adopted.key] = _Draft(adopted)
        return offsets
    event = item.event
    if isinstance(event, CorrectionRecorded):
        _correct(recommendations, drafts, event, change)
    elif isinstance(event, Chartered):
        return event.months()
    elif isinstance(event, DeadlineSuspended):
        suspensions.append(Suspension(event.since))
    elif isinstance(event, DeadlineResumed):
        if not suspensions or suspensions[-1].until is not None:
            raise Inconsistent(change.seq, "the deadlines resume but were not suspended")
        suspensions[-1] = replace(suspensions[-1], until=event.on)
    return offsets


# What an adoption stored without a field means: the field's default (as validating gives).
_ADOPTED_DEFAULTS = {
    name: info.get_default(call_default_factory=True)
    for name, info in Adopted.model_fields.items()
    if not info.is_required()
}


def _adopted(payload: Mapping[str, Any], change: Change) -> RecommendationStatus:
    """A recommendation as its adoption (a payload in the current schema) states it."""
    fields = {**_ADOPTED_DEFAULTS, **payload}
    return RecommendationStatus(
        panel=fields["panel"],
        number=fields["number"],
        title=MappingProxyType(dict(fields["title"])),
        portfolio=fields["portfolio"],
        priority=fields["priority"],
        adopted=change,
        text=MappingProxyType(dict(fields["text"])),
        reference=fields["reference"],
        group=fields["group"],
        supporting=MappingProxyType(dict(fields["supporting"])),
        shared_with=tuple(fields["shared_with"]),
        seqs=frozenset({change.seq}),
        last_change=change,
    )


def _touch(draft: _Draft, kind: str, payload: Mapping[str, Any], change: Change) -> None:
    draft.seqs.add(change.seq)
    draft.changed["last_change"] = change
    if kind == HandedOver.TYPE:
        draft.changed["handed_over"] = date.fromisoformat(payload["on"])
        draft.changed["handed_over_change"] = change
    elif kind == ResponsibilityTransferred.TYPE:
        draft.changed["portfolio"] = payload["to_portfolio"]
    else:
        said = Said(MappingProxyType(payload), change)
        if kind == Responded.TYPE:
            draft.answers.append(said)
            draft.changed["position_change"] = change
        elif kind == ImplementationReported.TYPE:
            draft.reports.append(said)
            draft.changed["implementation_change"] = change
        else:
            draft.verdicts.append(said)
            draft.changed["verdict_change"] = change


_REPLACEABLE = frozenset({Responded.TYPE, ImplementationReported.TYPE, Assessed.TYPE})


def _correct(
    recommendations: Mapping[Key, RecommendationStatus],
    drafts: dict[Key, _Draft],
    event: CorrectionRecorded,
    change: Change,
) -> None:
    draft = _owner(recommendations, drafts, event.supersedes)
    if draft is None:
        return  # an erratum of an entry that is about no recommendation
    replaced = event.replacement is not None and event.corrected_type in _REPLACEABLE
    draft.errata.append(Erratum(change.seq, event.supersedes, event.reason, replaced))
    draft.changed["last_change"] = change
    if event.replacement is None or not replaced:
        return
    cls = REGISTRY[event.corrected_type]
    payload = MappingProxyType(decode(cls.TYPE, cls.SCHEMA, event.replacement).to_payload())
    said, axis = {
        Responded.TYPE: (draft.answers, "position_change"),
        ImplementationReported.TYPE: (draft.reports, "implementation_change"),
        Assessed.TYPE: (draft.verdicts, "verdict_change"),
    }[event.corrected_type]
    said[:] = [
        item._replace(payload=payload, corrected_by=change.seq)
        if item.change.seq == event.supersedes
        else item
        for item in said
    ]
    draft.changed[axis] = change


def _owner(
    recommendations: Mapping[Key, RecommendationStatus], drafts: dict[Key, _Draft], seq: int
) -> _Draft | None:
    """The draft of the recommendation entry ``seq`` is about (made if needed), if any."""
    for draft in drafts.values():
        if seq in draft.seqs:
            return draft
    for key, status in recommendations.items():
        if key not in drafts and seq in status.seqs:
            draft = drafts[key] = _Draft(status)
            return draft
    return None
