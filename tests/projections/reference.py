"""A slow reference for the status fold: each recommendation recomputed from the whole history.

Where the fold keeps running state, this looks everything up again: the entries about a
recommendation are found by filtering the history, corrections are applied by looking up the
last replacement of each seq, and every axis is read off the result.
"""

from __future__ import annotations

from typing import Any

from domain.correction import CorrectionRecorded
from domain.events import Event, Recorded, decode
from domain.government import (
    Assessed,
    ImplementationReported,
    ResponsibilityTransferred,
)
from domain.recommendation import Adopted, HandedOver
from domain.responses import Responded
from projections.status import Change, RecommendationStatus, Said, Status

REPLACEABLE = (Responded, ImplementationReported, Assessed)


def about(event: Event, key: tuple[int, int]) -> bool:
    return (getattr(event, "panel", None), getattr(event, "number", None)) == key and not (
        isinstance(event, CorrectionRecorded)
    )


def reference(events: list[Recorded]) -> dict[tuple[int, int], dict[str, Any]]:
    """What the status fold should hold for each recommendation, in ``summary``'s shape."""
    replaced: dict[int, tuple[dict[str, Any], int]] = {}
    corrections = [item for item in events if isinstance(item.event, CorrectionRecorded)]
    for item in corrections:
        event = item.event
        assert isinstance(event, CorrectionRecorded)
        kinds = {cls.TYPE: cls for cls in REPLACEABLE}
        if event.replacement is not None and event.corrected_type in kinds:
            cls = kinds[event.corrected_type]
            payload = decode(cls.TYPE, cls.SCHEMA, event.replacement).to_payload()
            replaced[event.supersedes] = (payload, item.seq)
    expected = {}
    for item in events:
        if not isinstance(item.event, Adopted):
            continue
        key = (item.event.panel, item.event.number)
        mine = [other for other in events if about(other.event, key)]
        seqs = {other.seq for other in mine}
        errata = [c for c in corrections if c.event.supersedes in seqs]  # type: ignore[attr-defined]

        def said(cls: type[Event]) -> list[tuple[int, dict[str, Any]]]:
            return [
                (other.seq, replaced.get(other.seq, (other.event.to_payload(), 0))[0])
                for other in mine  # noqa: B023
                if isinstance(other.event, cls)
            ]

        def last(cls: type[Event]) -> int | None:
            own = [other.seq for other in mine if isinstance(other.event, cls)]  # noqa: B023
            fixes = [replaced[seq][1] for seq in own if seq in replaced]
            return max(own + fixes, default=None)

        answers, reports, verdicts = said(Responded), said(ImplementationReported), said(Assessed)
        by_review = {payload["review"]: payload for _, payload in answers}
        handed = [o.event.on for o in mine if isinstance(o.event, HandedOver)]
        moves = [
            o.event.to_portfolio for o in mine if isinstance(o.event, ResponsibilityTransferred)
        ]
        position = by_review[max(by_review)]["position"] if by_review else "awaiting_response"
        untouched = "not_applicable" if position == "rejected" else "not_started"
        expected[key] = {
            "title": dict(item.event.title),
            "portfolio": (moves or [item.event.portfolio])[-1],
            "priority": item.event.priority,
            "handed_over": handed[0] if handed else None,
            "position": position,
            "implementation": reports[-1][1]["status"] if reports else untouched,
            "verdict": verdicts[-1][1]["verdict"] if verdicts else "none",
            "answers": answers,
            "reports": reports,
            "verdicts": verdicts,
            "position_seq": last(Responded),
            "implementation_seq": last(ImplementationReported),
            "verdict_seq": last(Assessed),
            "last_seq": max(seqs | {c.seq for c in errata}),
            "errata": [c.seq for c in errata],
        }
    return expected


def summary(state: Status) -> dict[tuple[int, int], dict[str, Any]]:
    """The fold's state in the reference's shape."""
    return {key: _summary(status) for key, status in state.recommendations.items()}


def _summary(status: RecommendationStatus) -> dict[str, Any]:
    def seq(change: Any) -> int | None:
        return None if change is None else change.seq

    return {
        "title": dict(status.title),
        "portfolio": status.portfolio,
        "priority": status.priority,
        "handed_over": status.handed_over,
        "position": status.position,
        "implementation": status.implementation,
        "verdict": status.verdict,
        "answers": [(s.change.seq, dict(s.payload)) for s in status.answers],
        "reports": [(s.change.seq, dict(s.payload)) for s in status.reports],
        "verdicts": [(s.change.seq, dict(s.payload)) for s in status.verdicts],
        "position_seq": seq(status.position_change),
        "implementation_seq": seq(status.implementation_change),
        "verdict_seq": seq(status.verdict_change),
        "last_seq": seq(status.last_change),
        "errata": [erratum.seq for erratum in status.errata],
    }


def record(status: RecommendationStatus) -> dict[str, Any]:
    """The record a row's ``detail`` holds, as plain dicts (``projections.tables`` writes its
    JSON from its parts; ``to_json`` of this is what it must write)."""

    def change(found: Change | None) -> dict[str, Any] | None:
        if found is None:
            return None
        made = {
            "seq": found.seq,
            "signer": found.signer,
            "at": found.at.isoformat(),
            "recorded": None if found.recorded is None else found.recorded.isoformat(),
        }
        return {**made, "after_the_fact": True} if found.after_the_fact else made

    def said(items: tuple[Said, ...]) -> list[dict[str, Any]]:
        return [
            {"payload": dict(s.payload), "change": change(s.change), "corrected_by": s.corrected_by}
            for s in items
        ]

    return {
        "panel": status.panel,
        "number": status.number,
        "title": dict(status.title),
        "portfolio": status.portfolio,
        "priority": status.priority,
        "adopted": change(status.adopted),
        "text": dict(status.text),
        "reference": status.reference,
        "group": status.group,
        "supporting": dict(status.supporting),
        "shared_with": list(status.shared_with),
        "handed_over": status.handed_over.isoformat() if status.handed_over else None,
        "handed_over_change": change(status.handed_over_change),
        "answers": said(status.answers),
        "reports": said(status.reports),
        "verdicts": said(status.verdicts),
        "errata": [
            {"seq": e.seq, "supersedes": e.supersedes, "reason": e.reason, "replaced": e.replaced}
            for e in status.errata
        ],
        "seqs": sorted(status.seqs),
        "position_change": change(status.position_change),
        "implementation_change": change(status.implementation_change),
        "verdict_change": change(status.verdict_change),
        "last_change": change(status.last_change),
    }
