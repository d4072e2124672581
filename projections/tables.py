"""The read models' tables in the ledger's database, and the status model's rows.

Tables are named ``projection_*`` so they never collide with the ledger's ``ledger_*`` tables,
whose append-only triggers do not reach them. ``projection_positions`` holds, per projection,
the seq of the last entry applied; ``projection_recommendations`` one row per recommendation,
its status columns (for queries) next to ``detail``, the whole record as JSON, from which the
fold resumes; ``projection_settings`` what the fold keeps besides recommendations (the review
offsets, the suspensions and the joint statements).

Each format of the rows has its own tables (``layout``): a new format is built beside the one
readers are served from, and its row ``format`` of ``projection_settings`` (the pointer) says
which format is complete. Formats up to 9 share the unsuffixed names; later ones end in
``_vN``, as do the names of their position and settings rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any

from pydantic_core import from_json, to_json
from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

from projections.deadlines import Suspension, add_months
from projections.search import haystack
from projections.status import Change, Erratum, RecommendationStatus, Said, Status

metadata = MetaData()
_Seq = BigInteger().with_variant(Integer(), "sqlite")

positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("seq", _Seq, nullable=False),
)

settings = Table(
    "projection_settings",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


FORMAT = "9"
# The shape of the rows and the meaning of the fold: when either changes, this changes, and the
# rows of the new format are built in their own tables beside the old (``projections.runner``).
NAME = "status"  # the status model's position and settings rows (of the formats up to 9)
_LEGACY = 9  # the last format whose tables have no suffix


@dataclass(frozen=True)
class Layout:
    """The status model's tables of one format, and the name of its position and settings
    rows."""

    format: str
    metadata: MetaData
    recommendations: Table
    reviews: Table
    name: str


@cache
def layout(format: str) -> Layout:
    """The tables of ``format`` (the same objects on every call)."""
    legacy = format.isdigit() and int(format) <= _LEGACY
    suffix = "" if legacy else f"_v{format}"
    tables = MetaData()
    recommendations = Table(
        f"projection_recommendations{suffix}",
        tables,
        Column("panel", Integer, primary_key=True, autoincrement=False),
        Column("number", Integer, primary_key=True, autoincrement=False),
        Column("title", Text, nullable=False),
        Column("portfolio", String(64), nullable=False, index=True),
        Column("priority", String(16), nullable=False),
        Column("handed_over", String(10), index=True),
        Column("position", String(32), nullable=False),
        Column("position_seq", _Seq),
        Column("implementation", String(32), nullable=False),
        Column("implementation_seq", _Seq),
        Column("verdict", String(32), nullable=False),
        Column("verdict_seq", _Seq),
        Column("last_seq", _Seq, nullable=False),
        Column("answers", Text, nullable=False),
        # For the board's filters that are not plain columns, so that a page reads only the rows
        # that can pass them: the reviews still awaiting an answer (",1,2,", ",2,", ""), and what a
        # text search looks in (``projections.search.haystack``).
        Column("awaiting", String(40), nullable=False),
        Column("words", Text, nullable=False),
        # The seq of its newest answer or verdict (None: neither yet), for the feed's newest first.
        Column("said_seq", _Seq, index=True),
        # The other portfolios answerable for it (",housing,mobility,"; "" for none), so that a
        # portfolio's feed holds the recommendations it shares.
        Column("shared_with", Text, nullable=False),
        Column("detail", Text, nullable=False),
        # What a scoreboard counts, in one narrow index it reads instead of the wide rows, in the
        # order it groups them (the board's position filter seeks in it too).
        Index(
            f"ix_projection_recommendations{suffix}_tally",
            "position",
            "implementation",
            "verdict",
            "portfolio",
            "awaiting",
            "handed_over",
        ),
    )

    # One row per review of each handed-over recommendation: its due date (were no suspension to
    # move it) and, once answered, the day the answer counts from and how many days late it came,
    # so that a portfolio's record is counted by the database (``projections.tallies``).
    reviews = Table(
        f"projection_reviews{suffix}",
        tables,
        Column("panel", Integer, primary_key=True, autoincrement=False),
        Column("number", Integer, primary_key=True, autoincrement=False),
        Column("review", Integer, primary_key=True, autoincrement=False),
        Column("portfolio", String(64), nullable=False),
        Column("due", String(10), nullable=False),
        Column("answered", String(10)),  # the day its answer counts from; None: not answered yet
        Column("days_late", Integer),  # None: not answered yet; 0: answered by its due date
        Index(f"ix_projection_reviews{suffix}_tally", "portfolio", "days_late", "due", "answered"),
        Index(f"ix_projection_reviews{suffix}_answered", "answered"),
    )
    return Layout(format, tables, recommendations, reviews, NAME + suffix)


def current() -> Layout:
    """The tables of the format this code folds (``FORMAT``, read when called)."""
    return layout(FORMAT)


recommendations = layout(FORMAT).recommendations
reviews = layout(FORMAT).reviews


def recommendation_row(status: RecommendationStatus, *, reviews: int = 2) -> dict[str, Any]:
    """The row of one recommendation, under a charter of ``reviews`` appointments."""
    row = query_columns(status, reviews=reviews)
    row["title"], row["answers"], row["detail"] = _texts(status)
    return row


def detail_of(status: RecommendationStatus) -> str:
    """The row's ``detail`` alone: the record ``from_row`` reads back (a monitor keeps it)."""
    return _json(_record(status))


def query_columns(status: RecommendationStatus, *, reviews: int = 2) -> dict[str, Any]:
    """The columns of its row that reads filter and order on: the row without its texts and
    its record (what ``projections.tail`` filters in memory as the queries do on the table)."""
    return {
        "panel": status.panel,
        "number": status.number,
        "portfolio": status.portfolio,
        "priority": status.priority,
        "handed_over": status.handed_over.isoformat() if status.handed_over else None,
        "position": status.position,
        "position_seq": _seq(status.position_change),
        "implementation": status.implementation,
        "implementation_seq": _seq(status.implementation_change),
        "verdict": status.verdict,
        "verdict_seq": _seq(status.verdict_change),
        "last_seq": _seq(status.last_change),
        "awaiting": awaiting(status, reviews),
        "words": haystack(status),
        "said_seq": said_seq(status),
        "shared_with": f",{','.join(status.shared_with)}," if status.shared_with else "",
    }


def review_rows(status: RecommendationStatus, offsets: tuple[int, ...]) -> list[dict[str, Any]]:
    """The rows of ``status``'s reviews under a charter of ``offsets`` (months): none before
    the hand-over. An answer counts from the day the ledger recorded it, or for history
    recorded after the fact from the day its author gave (as ``projections.board``)."""
    if status.handed_over is None:
        return []
    found = []
    for review in status.due_reviews(len(offsets)):
        due, due_text = _due(status.handed_over, offsets[review - 1])
        said = status.answer(review)
        on = late = None
        if said is not None:
            change = said.change
            on = (change.at if change.after_the_fact else change.recorded or change.at).date()
            late = max(0, (on - due).days)
        found.append(
            {
                "panel": status.panel,
                "number": status.number,
                "review": review,
                "portfolio": status.portfolio,
                "due": due_text,
                "answered": None if on is None else on.isoformat(),
                "days_late": late,
            }
        )
    return found


@lru_cache(maxsize=1 << 12)
def _due(handed_over: date, months: int) -> tuple[date, str]:
    """A review's due date, and as text: a panel hands its recommendations over on a few days,
    so a rebuild works each out once per day rather than once per row."""
    due = add_months(handed_over, months)
    return due, due.isoformat()


def awaiting(status: RecommendationStatus, reviews: int) -> str:
    """The reviews still awaiting an answer, each between commas (",1,2,"; "" for none)."""
    due = [str(n) for n in status.due_reviews(reviews) if status.answer(n) is None]
    return f",{','.join(due)}," if due else ""


def said_seqs(status: RecommendationStatus) -> list[int]:
    """The seqs of the recommendation's answers and verdicts (what the feed lists)."""
    return [said.change.seq for said in (*status.answers, *status.verdicts)]


def said_seq(status: RecommendationStatus) -> int | None:
    """The seq of the recommendation's newest answer or verdict, if it has one."""
    return max(said_seqs(status), default=None)


# Rows decoded and kept per process (``from_row``): a board's page holds 100, a feed 50, and the
# next request mostly reads the same ones again. A row longer than ``ROW_KEPT_UP_TO`` characters
# (long answers, many reports) is decoded each time: at most about 1,024 x 8 KiB of texts and
# what they decode to are kept.
ROWS_KEPT = 1024
ROW_KEPT_UP_TO = 8 * 1024


def from_row(detail: str) -> RecommendationStatus:
    """A recommendation back from its row's ``detail``.

    Decoded once per process for each distinct text (up to ``ROW_KEPT_UP_TO`` characters):
    the same object then serves every request that reads that row again, and a row rewritten
    with anything changed is another text. Its fields are read-only (mappings behind proxies,
    tuples, frozen dataclasses), not the values nested in an answer's payload: a reader must
    not change what it is given. Decoding (a datetime for each of its changes) was most of what
    a board's page or a feed cost."""
    return _kept_row(detail) if len(detail) <= ROW_KEPT_UP_TO else _decoded_row(detail)


@lru_cache(maxsize=ROWS_KEPT)
def _kept_row(detail: str) -> RecommendationStatus:
    return _decoded_row(detail)


def _decoded_row(detail: str) -> RecommendationStatus:
    data = from_json(detail)
    return RecommendationStatus(
        panel=data["panel"],
        number=data["number"],
        title=MappingProxyType(data["title"]),
        portfolio=data["portfolio"],
        priority=data["priority"],
        adopted=_change(data["adopted"]),
        text=MappingProxyType(data["text"]),
        reference=data.get("reference"),
        group=data.get("group"),
        supporting=MappingProxyType(data.get("supporting", {})),
        shared_with=tuple(data.get("shared_with", ())),
        handed_over=date.fromisoformat(data["handed_over"]) if data["handed_over"] else None,
        handed_over_change=_maybe(data["handed_over_change"]),
        answers=tuple(_said(item) for item in data["answers"]),
        reports=tuple(_said(item) for item in data["reports"]),
        verdicts=tuple(_said(item) for item in data["verdicts"]),
        errata=tuple(Erratum(**item) for item in data["errata"]),
        seqs=frozenset(data["seqs"]),
        position_change=_maybe(data["position_change"]),
        implementation_change=_maybe(data["implementation_change"]),
        verdict_change=_maybe(data["verdict_change"]),
        last_change=_maybe(data["last_change"]),
    )


def settings_value(state: Status) -> str:
    """What the status fold keeps besides recommendations, as JSON."""
    return json.dumps(
        {
            "offsets": list(state.offsets),
            "statements": {name: dict(given) for name, given in state.statements.items()},
            "suspensions": [
                [item.since.isoformat(), item.until.isoformat() if item.until else None]
                for item in state.suspensions
            ],
        }
    )


def with_settings(state: Status, value: str) -> Status:
    """``state`` with the offsets, suspensions and joint statements stored as ``value``."""
    data = json.loads(value)
    return Status(
        state.recommendations,
        tuple(data["offsets"]),
        tuple(
            Suspension(date.fromisoformat(since), date.fromisoformat(until) if until else None)
            for since, until in data["suspensions"]
        ),
        state.seq,
        MappingProxyType(
            {name: MappingProxyType(given) for name, given in data.get("statements", {}).items()}
        ),
    )


def _texts(status: RecommendationStatus) -> tuple[str, str, str]:
    """The row's ``title``, ``answers`` and ``detail``: the JSON (pydantic-core's ``to_json``:
    compact, UTF-8) of the record ``_record`` makes, and of its title and answers."""
    record = _record(status)
    return _json(record["title"]), _json(record["answers"]), _json(record)


def _record(status: RecommendationStatus) -> dict[str, Any]:
    """The record a row's ``detail`` holds (``from_row`` reads it back):

    ``{"panel", "number", "title", "portfolio", "priority", "adopted", "text", "reference",
    "group", "supporting", "shared_with", "handed_over", "handed_over_change", "answers",
    "reports", "verdicts", "errata", "seqs", "position_change", "implementation_change",
    "verdict_change", "last_change"}``, in that order, each change as ``_change_record`` and
    each answer, report and verdict as ``_said_record`` give it.

    Made of plain values and written by one call of the serialiser: the JSON of each part
    written apart and joined took a third longer (``benchmarks/monitor.py``, which writes
    the row of every recommendation it folds).
    """
    return {
        "panel": status.panel,
        "number": status.number,
        "title": _plain(status.title),
        "portfolio": status.portfolio,
        "priority": status.priority,
        "adopted": _change_record(status.adopted),
        "text": _plain(status.text),
        "reference": status.reference,
        "group": status.group,
        "supporting": _plain(status.supporting),
        "shared_with": list(status.shared_with),
        "handed_over": None if status.handed_over is None else status.handed_over.isoformat(),
        "handed_over_change": _change_record(status.handed_over_change),
        "answers": [_said_record(said) for said in status.answers],
        "reports": [_said_record(said) for said in status.reports],
        "verdicts": [_said_record(said) for said in status.verdicts],
        "errata": [
            {"seq": e.seq, "supersedes": e.supersedes, "reason": e.reason, "replaced": e.replaced}
            for e in status.errata
        ],
        "seqs": sorted(status.seqs),
        "position_change": _change_record(status.position_change),
        "implementation_change": _change_record(status.implementation_change),
        "verdict_change": _change_record(status.verdict_change),
        "last_change": _change_record(status.last_change),
    }


def _plain(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """``mapping`` as a dict of the same items in the same order, for ``to_json``: a read-only
    mapping's ``copy`` (its dict's) takes a fifth of the time ``dict`` takes to read it item
    by item, and a row holds up to a dozen."""
    if type(mapping) is MappingProxyType or type(mapping) is dict:
        found = mapping.copy()
        if type(found) is dict:
            return found
    return dict(mapping)


def _json(value: Any) -> str:
    return to_json(value).decode()  # pydantic-core's serialiser: a tenth of json.dumps's time


def _change_record(change: Change | None) -> dict[str, Any] | None:
    """``{"seq", "signer", "at", "recorded"}`` (datetimes in ISO format), and
    ``"after_the_fact": true`` only for history recorded after the fact: a live ledger's rows
    stay as they were."""
    if change is None:
        return None
    made: dict[str, Any] = {
        "seq": change.seq,
        "signer": change.signer,
        "at": _iso(change.at),
        "recorded": None if change.recorded is None else _iso(change.recorded),
    }
    if change.after_the_fact:
        made["after_the_fact"] = True
    return made


@lru_cache(maxsize=1 << 12)
def _iso(moment: datetime) -> str:
    """``moment.isoformat()``, once per moment: the entries of one append share the time the
    ledger recorded them, and often the time their author signed them."""
    return moment.isoformat()


def _said_record(said: Said) -> dict[str, Any]:
    """``{"payload", "change", "corrected_by"}``."""
    return {
        "payload": _plain(said.payload),
        "change": _change_record(said.change),
        "corrected_by": said.corrected_by,
    }


def _change(data: Mapping[str, Any]) -> Change:
    recorded = data["recorded"] and datetime.fromisoformat(data["recorded"])
    at = datetime.fromisoformat(data["at"])
    return Change(data["seq"], data["signer"], at, recorded, data.get("after_the_fact", False))


def _maybe(data: Mapping[str, Any] | None) -> Change | None:
    return None if data is None else _change(data)


def _said(data: Mapping[str, Any]) -> Said:
    return Said(MappingProxyType(data["payload"]), _change(data["change"]), data["corrected_by"])


def _seq(change: Change | None) -> int | None:
    return None if change is None else change.seq
