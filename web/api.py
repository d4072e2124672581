"""The JSON API (issue 6): the read models as JSON and an Atom feed (the log's checkpoints,
proofs and tiles are in ``web.proofs``).

Every route opens the ledger for the request (``web.context.opened``) and reads through the
functions the command line uses (``projections.view.view_at``, ``ledger.tree``,
``ledger.receipt``, ``ledger.tiles``), so the API, the pages and ``assembly`` always agree. JSON
responses are the models of ``web.models``, which the OpenAPI schema (``/openapi.json``)
describes exactly. What is not there is a 404 with one sentence in ``detail``; a malformed
parameter a 422 (FastAPI's validation) or a 400; integers are bounded to 64 bits and days to
``FIRST_DAY``..``LAST_DAY`` (``web.http``) so that no input reaches the database, or a date
computation, as a value it cannot hold.

Time travel: ``as_of`` reads the ledger as it stood at the end of that day (UTC): what it had
recorded by then, and history recorded after the fact that its authors dated by then
(``ledger.history.counted_before``); ``at_seq`` as it stood after that entry; overdue is
judged on ``as_of`` (default: today, or the day entry ``at_seq`` was recorded).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import partial
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response
from pydantic import AfterValidator

from domain.government import Implementation
from ledger import Ledger
from ledger.canonical import parse_time
from projections.board import overdue_reviews
from projections.composition import read_composition, strata
from projections.dashboard import dashboard, late_line
from projections.names import names_in
from projections.search import words_of
from projections.status import Key
from projections.trail import recommendation_trail
from projections.view import View, board_page, end_of, given_columns, newest_said, view_at
from web import feed, models
from web.context import Settings, in_turn, opened
from web.http import (
    FIRST_DAY,
    LAST_DAY,
    MAX_INT,
    MAX_NUMBER,
    PLAIN_TEXT,
    NotFound,
    TryLater,
    raw,
)

router = APIRouter(prefix="/api")
PAGE = 1000  # recommendations of the board per response, unless ``limit`` says otherwise
MAX_PAGE = 5000


def _a_day_to_read_at(day: date | None) -> date | None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"as_of is a day from {FIRST_DAY} to {LAST_DAY}")
    return day


def _within_bounds(reference: str | None) -> str | None:
    if reference is not None and max(map(int, reference.split("/"))) > MAX_NUMBER:
        raise ValueError(f"the numbers of a reference are at most {MAX_NUMBER}")
    return reference


AsOf = Annotated[
    date | None,
    Query(
        description="Read the ledger as it stood at the end of this day (UTC): what it had "
        "recorded by then, and history recorded after the fact that its authors dated by then."
    ),
    AfterValidator(_a_day_to_read_at),
]
AtSeq = Annotated[
    int | None, Query(ge=0, le=MAX_INT, description="Read the ledger as it stood after entry N.")
]
PanelNumber = Annotated[int, Path(ge=1, le=MAX_NUMBER, description="The panel's number.")]
Number = Annotated[int, Path(ge=1, le=MAX_NUMBER, description="The recommendation's number.")]


class AtomResponse(Response):
    media_type = feed.MEDIA_TYPE


# --- the read models -----------------------------------------------------------------------------


@router.get("/status", tags=["status"], responses=TryLater)
def status(
    request: Request,
    panel: Annotated[int | None, Query(ge=1, le=MAX_NUMBER, description="Only this panel.")] = None,
    position: Annotated[
        models.PositionValue | None, Query(description="Only those at this position.")
    ] = None,
    implementation: Annotated[
        Implementation | None, Query(description="Only those at this stage of implementation.")
    ] = None,
    verdict: Annotated[
        models.VerdictValue | None, Query(description="Only those with this verdict.")
    ] = None,
    portfolio: Annotated[
        str | None,
        Query(max_length=64, pattern=PLAIN_TEXT, description="Only those of this portfolio."),
    ] = None,
    overdue: Annotated[bool, Query(description="Only those with a review overdue.")] = False,
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=PLAIN_TEXT,
            description="Only those with every word of this in their reference (PANEL/NUMBER), "
            "a title or their text, in any language and any case.",
        ),
    ] = None,
    after: Annotated[
        str | None,
        Query(
            max_length=41,
            pattern=r"^[0-9]{1,19}/[0-9]{1,19}$",
            description="Start after this recommendation (PANEL/NUMBER): the previous page's "
            "next_after.",
        ),
        AfterValidator(_within_bounds),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE, description="At most this many recommendations.")
    ] = PAGE,
    as_of: AsOf = None,
    at_seq: AtSeq = None,
) -> models.Board:
    """The status board, a page at a time in board order (panel, then number): every
    recommendation's three axes, due dates and overdue flag. ``next_after`` names where the
    next page starts; it is null on the last page."""
    where = given_columns(
        panel=panel,
        position=position,
        implementation=implementation,
        verdict=verdict,
        portfolio=portfolio,
    )

    start = None
    if after is not None:  # two numbers, as the pattern asks
        panel_after, number_after = after.split("/")
        start = (int(panel_after), int(number_after))
    with opened(request.app.state.settings, past=_past(as_of, at_seq)) as book:
        page = board_page(
            book,
            as_of=as_of,
            at_seq=at_seq,
            today=datetime.now(UTC).date(),
            where=where,
            words=words_of(q or ""),
            overdue=overdue,
            after=start,
            limit=limit,
        )
    view = page.view
    return models.Board(
        as_of=view.as_of,
        seq=view.state.seq,
        recommendations=[models.BoardRow.of(rec, page.deadlines[rec.key]) for rec in page.rows],
        next_after=None if page.next_after is None else "{}/{}".format(*page.next_after),
    )


@router.get(
    "/recommendations/{panel}/{number}", tags=["status"], responses={**NotFound, **TryLater}
)
def recommendation(
    request: Request, panel: PanelNumber, number: Number, as_of: AsOf = None, at_seq: AtSeq = None
) -> models.Recommendation:
    """One recommendation in full: each axis with the entry and signer that set it, the due
    dates, every answer, report, verdict and erratum, and the entries behind it."""
    key = (panel, number)
    with opened(request.app.state.settings, past=_past(as_of, at_seq)) as book:
        view = _view(book, as_of, at_seq, only=key)
        rec = view.state.recommendations.get(key)
        if rec is None:
            raise HTTPException(
                404,
                f"Recommendation {panel}/{number} is not in the ledger "
                f"as of entry {view.state.seq}.",
            )
        lines = recommendation_trail(book, panel, number)
    until = end_of(as_of)
    kept = [line for line in lines if line.kept(at_seq=at_seq, until=until)]
    return models.Recommendation.of(view, rec, kept)


@router.get("/overdue", tags=["status"], responses=TryLater)
def overdue(request: Request, as_of: AsOf = None, at_seq: AtSeq = None) -> models.Overdue:
    """Every review not answered by its due date, the longest overdue first."""
    with opened(request.app.state.settings, past=_past(as_of, at_seq)) as book:
        view = _view(book, as_of, at_seq, overdue_only=True)
    late = [
        late_line(rec, deadline.review, deadline.due, deadline.late)
        for rec, deadline in overdue_reviews(view.state, as_of=view.as_of)
    ]
    return models.Overdue(
        as_of=view.as_of, seq=view.state.seq, overdue=[models.LateReview.of(line) for line in late]
    )


@router.get("/panels/{panel}/composition", tags=["status"], responses=NotFound)
def composition(
    request: Request, panel: PanelNumber, as_of: AsOf = None, at_seq: AtSeq = None
) -> models.Composition:
    """A panel's composition: per stratum, the quota, who was drawn and seated, the volunteer
    pool's count and the population's share."""
    with opened(request.app.state.settings) as book:
        state = read_composition(book, panel, at_seq=at_seq, until=end_of(as_of))
        names = names_in(book, up_to=at_seq, until=end_of(as_of))
    if state.convened is None:
        point = "" if as_of is None and at_seq is None else " at the point asked for"
        raise HTTPException(404, f"Panel {panel} has not been convened{point}.")
    return models.Composition.of(state, strata(state), names)


@router.get("/dashboard", tags=["status"], responses=TryLater)
def dashboard_counts(
    request: Request,
    panel: Annotated[int | None, Query(ge=1, le=MAX_NUMBER, description="Only this panel.")] = None,
    as_of: AsOf = None,
    at_seq: AtSeq = None,
) -> models.Dashboard:
    """The commission's dashboard: counts per status, in total, per panel and per portfolio,
    each with the entries it rests on, and the overdue list."""
    with opened(request.app.state.settings, past=_past(as_of, at_seq)) as book:
        view = _view(book, as_of, at_seq)
        board = dashboard(view.state, as_of=view.as_of, panel=panel)
        digest = _entry_hash(book, board.seq).hex() if board.seq >= 0 else None
    return models.Dashboard(
        as_of=board.as_of,
        seq=board.seq,
        hash=digest,
        counts=[models.CountLine.of(count) for count in board.counts],
        overdue=[models.LateReview.of(line) for line in board.overdue],
    )


def _past(as_of: date | None, at_seq: int | None) -> bool:
    """Whether the request reads the ledger at a point in the past (a fold, taken in turns)."""
    return as_of is not None or at_seq is not None


def _view(
    book: Ledger,
    as_of: date | None,
    at_seq: int | None,
    *,
    only: Key | None = None,
    overdue_only: bool = False,
) -> View:
    today = datetime.now(UTC).date()
    return view_at(
        book, as_of=as_of, at_seq=at_seq, today=today, only=only, overdue_only=overdue_only
    )


def _entry_hash(book: Ledger, seq: int) -> bytes:
    return book.recorder.read_entries(start=seq, limit=1)[0].hash


# --- the feed ------------------------------------------------------------------------------------


@router.get(
    "/feed.atom",
    tags=["feed"],
    response_class=Response,
    responses=raw(feed.MEDIA_TYPE, "An Atom feed (RFC 4287).", missing=False),
)
async def atom_feed(
    request: Request,
    lang: Annotated[
        Literal["fr", "nl", "en"] | None,
        Query(description="The language of the titles and values; English when not given."),
    ] = None,
    portfolio: Annotated[
        str | None,
        Query(max_length=64, pattern=PLAIN_TEXT, description="Only those of this portfolio."),
    ] = None,
    recommendation: Annotated[
        str | None,
        Query(
            max_length=41,
            pattern=r"^[0-9]{1,19}/[0-9]{1,19}$",
            description="Only this recommendation (PANEL/NUMBER).",
        ),
        AfterValidator(_within_bounds),
    ] = None,
) -> Response:
    """The government's newest answers and the commission's newest verdicts (at most 50),
    newest first, each linked to its recommendation's page: of every recommendation, of one
    portfolio's, or of one recommendation."""
    settings = request.app.state.settings
    read = partial(_feed, settings, lang=lang, portfolio=portfolio, recommendation=recommendation)
    return await in_turn(settings, read)  # in the event loop's thread if it waits on nothing


def _feed(
    settings: Settings, *, lang: str | None, portfolio: str | None, recommendation: str | None
) -> Response:
    base = settings.public_url  # never the request's Host
    language = lang or "en"
    today = datetime.now(UTC).date()
    with opened(settings) as book:
        name = None
        if recommendation is not None:
            panel, number = (int(part) for part in recommendation.split("/"))
            view = view_at(book, today=today, only=(panel, number))
            rec = view.state.recommendations.get((panel, number))
            name = feed.named(rec, language) if rec else recommendation
        elif portfolio is not None:  # the recommendations it answers for, alone or shared
            view = newest_said(book, today=today, statements=feed.LIMIT, portfolio=portfolio)
            name = names_in(book).portfolio(portfolio, language)
        else:
            view = newest_said(book, today=today, statements=feed.LIMIT)
        newest = feed.newest(view)
        said = book.entries_at([found.said.change.seq for found in newest])  # in one statement
        hashes = {entry.seq: entry.hash for entry in said}
        items = [
            feed.item(
                view,
                found,
                entry_hash=hashes[found.said.change.seq],
                link=f"{base}/recommendations/{found.rec.panel}/{found.rec.number}",
                lang=language,
            )
            for found in newest
        ]
        if items:
            updated = items[0].updated
        else:  # the last entry's time (counting the entries reads them all: only when needed)
            last = book.recorder.read_entries(start=max(0, book.count() - 1), limit=1)
            updated = _stamp(last[0].recorded_at if last else None)
    asked = {"recommendation": recommendation, "portfolio": portfolio, "lang": lang}
    query = urlencode({key: value for key, value in asked.items() if value is not None})
    here = f"{base}/api/feed.atom" + (f"?{query}" if query else "")
    title = feed.title(language, name)
    document = feed.atom(
        items, feed_id=here, self_url=here, updated=updated, name=title, lang=language
    )
    return AtomResponse(document)


def _stamp(recorded_at: str | None) -> datetime:
    return parse_time(recorded_at) if recorded_at else datetime(1970, 1, 1, tzinfo=UTC)
