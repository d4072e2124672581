"""The public pages (DESIGN.md 7): the assembly and its panels, the status board, one
recommendation in full, what is overdue, and how to verify it all, rendered on the server.

Every page works without JavaScript: filters and the point in time are GET forms, and every
link carries the language and the point asked for (``as_of``, a day; ``at_seq``, an entry), so
that a page read in the past stays in the past. The data comes from the same read side as the
command line (``projections.view``, ``projections.board``, ``projections.trail``,
``projections.composition``), so a page and ``assembly status`` or ``show`` always agree. Each
request opens the ledger and closes it (``web.context``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from domain.charter import ASSEMBLY, Chartered
from domain.draws import InvitationDraw
from domain.draws.events import InvitationAnnounced, InvitationPerformed
from domain.events import Event
from domain.government import Implementation, Verdict
from domain.responses import Position
from ledger import Entry, Ledger
from ledger.note import VerifierKey
from ledger.tree import latest_checkpoint
from projections.board import overdue_reviews
from projections.composition import PPM, Composition, Hidden, read_composition, strata
from projections.status import (
    AWAITING_RESPONSE,
    NO_VERDICT,
    Key,
    RecommendationStatus,
    recorded,
)
from projections.trail import recommendation_trail
from projections.view import View, board_page, end_of, view_at
from web import i18n
from web.context import opened
from web.i18n import LANGUAGE_IN, LANGUAGE_NAMES, LANGUAGES, choose, label, localized, translations

router = APIRouter()
HERE = Path(__file__).parent
STYLESHEET = HERE / "static" / "style.css"
PAGE_SIZE = 100  # rows of the board per page
FILTERS = {
    "position": (AWAITING_RESPONSE, *Position),
    "implementation": tuple(Implementation),
    "verdict": (NO_VERDICT, *Verdict),
}
templates = Environment(
    loader=FileSystemLoader(HERE / "templates"), autoescape=True, undefined=StrictUndefined
)


class Problem(Exception):
    """What makes a page impossible, as an HTTP status and a sentence (a message id) to show."""

    def __init__(self, status: int, message: str, **values: object) -> None:
        super().__init__(message)
        self.status, self.message, self.values = status, message, values


@dataclass(frozen=True)
class Asked:
    """What every page is asked for: its language, the point in time, the query it came with."""

    lang: str
    path: str
    query: Mapping[str, str]
    as_of: date | None = None
    at_seq: int | None = None

    @property
    def travelling(self) -> bool:
        return self.as_of is not None or self.at_seq is not None

    def link(self, path: str, **params: object) -> str:
        """``path`` with the language, the point in time and ``params`` (empty ones dropped)."""
        carried = {"lang": self.lang, "as_of": self.as_of, "at_seq": self.at_seq, **params}
        kept = {name: str(value) for name, value in carried.items() if value not in (None, "")}
        return f"{path}?{urlencode(kept)}"

    def switch(self, lang: str) -> str:
        """This page, with the same query, in ``lang``."""
        return f"{self.path}?{urlencode({**self.query, 'lang': lang})}"

    def keeps(self, entry: Entry) -> bool:
        """Whether ``entry`` was in the ledger at the point asked for."""
        until = end_of(self.as_of)
        return (self.at_seq is None or entry.seq <= self.at_seq) and (
            until is None or datetime.fromisoformat(entry.recorded_at) < until
        )


Build = Callable[[Ledger, Asked], dict[str, Any]]


@router.get("/static/style.css", include_in_schema=False)
def stylesheet() -> FileResponse:
    """The one stylesheet (served here, so the pages need nothing mounted beside them)."""
    return FileResponse(STYLESHEET, media_type="text/css")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview(request: Request) -> HTMLResponse:
    """The assembly from its charter, and each panel: theme, draw and composition."""
    return render(request, "overview.html", overview_data)


@router.get("/panels/{panel}", response_class=HTMLResponse, include_in_schema=False)
def panel_page(request: Request, panel: str) -> HTMLResponse:
    """One panel: both stages of its draw in full and its composition against the quotas."""
    return render(request, "panel.html", partial(panel_data, panel=panel))


@router.get("/recommendations", response_class=HTMLResponse, include_in_schema=False)
def board(request: Request) -> HTMLResponse:
    """The status board, filtered and searched by a GET form."""
    return render(request, "board.html", board_data)


@router.get(
    "/recommendations/{panel}/{number}", response_class=HTMLResponse, include_in_schema=False
)
def recommendation(request: Request, panel: str, number: str) -> HTMLResponse:
    """One recommendation: its axes, due dates, answers, reports, verdicts and audit trail."""
    return render(request, "recommendation.html", partial(recommendation_data, ref=(panel, number)))


@router.get("/overdue", response_class=HTMLResponse, include_in_schema=False)
def overdue(request: Request) -> HTMLResponse:
    """Every review not answered by its due date, the longest overdue first."""
    return render(request, "overdue.html", overdue_data)


@router.get("/verify", response_class=HTMLResponse, include_in_schema=False)
def verify(request: Request) -> HTMLResponse:
    """The latest checkpoint, the log's verifier keys, and how to check the ledger oneself."""
    return render(request, "verify.html", verify_data)


def render(request: Request, name: str, build: Build) -> HTMLResponse:
    """The page ``name`` with what ``build`` reads, or the error page of the problem found."""
    lang = choose(request.query_params.get("lang"), request.headers.get("accept-language"))
    asked = Asked(lang, request.url.path, dict(request.query_params))
    try:
        asked = point_asked(asked)
        with opened(request.app.state.settings) as book:
            data = build(book, asked)
    except Problem as problem:
        sentence = translations(lang).gettext(problem.message) % problem.values
        page = page_html("error.html", asked, status=problem.status, sentence=sentence)
        return HTMLResponse(page, status_code=problem.status)
    return HTMLResponse(page_html(name, asked, **data))


def page_html(name: str, asked: Asked, **data: Any) -> str:
    """Render a template with what every page needs: language, labels, links, and dates and
    numbers written in the page's language."""
    return templates.get_template(name).render(
        asked=asked,
        lang=asked.lang,
        languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        language_in=LANGUAGE_IN,
        _=translations(asked.lang).gettext,
        label=partial(label, asked.lang),
        percent=partial(percent, asked.lang),
        localized=localized,
        format_number=partial(i18n.format_number, asked.lang),
        time_day=partial(i18n.day_element, asked.lang),
        time_moment=partial(i18n.moment_element, asked.lang),
        **data,
    )


def point_asked(asked: Asked) -> Asked:
    """``asked`` with its point in time read from the query (a 400 problem if malformed)."""
    as_of, at_seq = asked.query.get("as_of", ""), asked.query.get("at_seq", "")
    day = seq = None
    if as_of:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise Problem(400, "%(value)s is not a date such as 2026-03-31.", value=as_of) from None
    if at_seq:
        if not at_seq.isdigit():
            raise Problem(400, "%(value)s is not an entry number such as 41.", value=at_seq)
        seq = int(at_seq)
    return Asked(asked.lang, asked.path, asked.query, day, seq)


def read_view(book: Ledger, asked: Asked, **only: Any) -> View:
    """The status read model at the point asked for, as ``assembly status`` reads it."""
    today = datetime.now(UTC).date()
    return view_at(book, as_of=asked.as_of, at_seq=asked.at_seq, today=today, **only)


def events(book: Ledger, stream: uuid.UUID, asked: Asked) -> list[Event]:
    """The assembly events of one stream that were in the ledger at the point asked for."""
    kept = (entry for entry in book.stream(stream) if asked.keeps(entry))
    return [found.event for entry in kept if (found := recorded(entry)) is not None]


def charter(book: Ledger, asked: Asked) -> Chartered | None:
    """The assembly's charter, if it was written by the point asked for."""
    return next((e for e in events(book, ASSEMBLY, asked) if isinstance(e, Chartered)), None)


def overview_data(book: Ledger, asked: Asked) -> dict[str, Any]:
    """The charter and every panel convened (panels are numbered from 1 with no gap)."""
    until = end_of(asked.as_of)
    panels, number = [], 1
    while (found := read_composition(book, number, at_seq=asked.at_seq, until=until)).convened:
        panels.append(panel_summary(book, asked, found))
        number += 1
    view = read_view(book, asked)
    counts = {p["number"]: 0 for p in panels}
    for rec in view.state.recommendations.values():
        counts[rec.panel] = counts.get(rec.panel, 0) + 1
    return {"charter": charter(book, asked), "panels": panels, "counts": counts, "view": view}


def panel_summary(book: Ledger, asked: Asked, found: Composition) -> dict[str, Any]:
    """What the pages say of one panel: its composition, stage-one draw and strata."""
    stage_one = events(book, InvitationDraw.stream_for(found.panel), asked)
    return {
        "number": found.panel,
        "composition": found,
        "convened": found.convened,
        "invitation": next((e for e in stage_one if isinstance(e, InvitationAnnounced)), None),
        "invited": next((e for e in stage_one if isinstance(e, InvitationPerformed)), None),
        "strata": strata(found),
    }


def panel_data(book: Ledger, asked: Asked, *, panel: str) -> dict[str, Any]:
    """One panel convened by the point asked for (a 404 problem otherwise)."""
    until = end_of(asked.as_of)
    found = None
    if panel.isdigit() and int(panel) > 0:
        found = read_composition(book, int(panel), at_seq=asked.at_seq, until=until)
    if found is None or found.convened is None:
        raise Problem(404, "There is no panel %(panel)s in the ledger.", panel=panel)
    return {"panel": panel_summary(book, asked, found)}


def board_data(book: Ledger, asked: Asked) -> dict[str, Any]:
    """One page of the board's rows that pass the filters (``PAGE_SIZE`` at most, after the
    recommendation ``after`` names), and the choices the filter form offers.

    A value no recommendation can have is a 400 problem rather than an empty board, so that a
    mistyped link says so instead of suggesting that nothing matches."""
    chosen = {name: asked.query.get(name, "") for name in (*FILTERS, "panel", "portfolio", "q")}
    for name, allowed in FILTERS.items():
        if chosen[name] and chosen[name] not in allowed:
            raise Problem(
                400,
                "%(value)s is not a known value for %(filter)s.",
                value=chosen[name],
                filter=name,
            )
    if chosen["panel"] and not chosen["panel"].isdigit():
        raise Problem(400, "%(value)s is not a panel number.", value=chosen["panel"])
    late_only = asked.query.get("overdue", "") not in ("", "0")
    after = _key(asked.query.get("after", ""))
    where: dict[str, object] = {
        name: chosen[name] for name in (*FILTERS, "portfolio") if chosen[name]
    }
    if chosen["panel"]:
        where["panel"] = int(chosen["panel"])

    def wanted(view: View, rec: RecommendationStatus) -> bool:
        late = any(deadline.overdue for deadline in view.deadlines(rec))
        return (late or not late_only) and matches(book, rec, chosen["q"])

    today = datetime.now(UTC).date()
    page = board_page(
        book,
        as_of=asked.as_of,
        at_seq=asked.at_seq,
        today=today,
        where=where,
        wanted=wanted,
        after=after,
        limit=PAGE_SIZE,
    )
    rows = []
    for rec in page.rows:
        dues = page.view.deadlines(rec)
        due = {deadline.review: deadline.due for deadline in dues}
        rows.append(row(rec, asked.lang, due=due, late=any(d.overdue for d in dues)))
    kept = {**chosen, "overdue": "1" if late_only else ""}
    following = page.next_after
    return {
        "view": page.view,
        "rows": rows,
        "chosen": chosen,
        "late_only": late_only,
        "choices": FILTERS,
        "panels": list(page.panels),
        "portfolios": list(page.portfolios),
        "first_page": asked.link("/recommendations", **kept) if after else None,
        "next_page": (
            asked.link("/recommendations", **kept, after=f"{following[0]}/{following[1]}")
            if following
            else None
        ),
    }


def _key(text: str) -> Key | None:
    """The recommendation a page starts after (``PANEL/NUMBER``), if any (else a 400)."""
    if not text:
        return None
    panel, slash, number = text.partition("/")
    if not (slash and panel.isdigit() and number.isdigit()):
        raise Problem(400, "%(value)s is not a recommendation reference such as 1/12.", value=text)
    return int(panel), int(number)


def matches(book: Ledger, rec: RecommendationStatus, words: str) -> bool:
    """Whether every word of ``words`` is in the recommendation's title or text (any language)."""
    if not words.strip():
        return True
    texts = [*rec.title.values(), *full_text(book, rec).values()]
    haystack = " ".join(texts).casefold()
    return all(word in haystack for word in words.casefold().split())


def full_text(book: Ledger, rec: RecommendationStatus) -> Mapping[str, str]:
    """The recommendation's text in each language, from its adoption entry."""
    found = book.recorder.read_entries(start=rec.adopted.seq, limit=1)
    text = found[0].event["payload"].get("text", {}) if found else {}
    return {str(lang): str(value) for lang, value in text.items()}


def row(rec: RecommendationStatus, lang: str, **more: Any) -> dict[str, Any]:
    """A recommendation as a table row: its reference, title (and the title's language)."""
    title, title_lang = localized(rec.title, lang)
    return {
        "rec": rec,
        "ref": f"{rec.panel}/{rec.number}",
        "title": title,
        "title_lang": title_lang,
        **more,
    }


def recommendation_data(book: Ledger, asked: Asked, *, ref: tuple[str, str]) -> dict[str, Any]:
    """One recommendation as ``assembly show`` and ``assembly trail`` give it; in the past,
    its trail stops at the last entry kept."""
    panel, number = ref
    missing = Problem(
        404, "There is no recommendation %(ref)s in the ledger.", ref=f"{panel}/{number}"
    )
    if not (panel.isdigit() and number.isdigit()):
        raise missing
    key = (int(panel), int(number))
    view = read_view(book, asked, only=key)
    rec = view.state.recommendations.get(key)
    if rec is None:
        raise missing
    text, text_lang = localized(full_text(book, rec), asked.lang)
    trail = recommendation_trail(book, *key)
    return {
        "view": view,
        "item": row(rec, asked.lang, text=text, text_lang=text_lang),
        "axes": [
            ("position", rec.position, rec.position_change),
            ("implementation", rec.implementation, rec.implementation_change),
            ("verdict", rec.verdict, rec.verdict_change),
        ],
        "deadlines": view.deadlines(rec),
        "answers": sorted(rec.answers, key=lambda said: int(said.payload["review"])),
        "trail": [line for line in trail if line.seq <= view.state.seq or not asked.travelling],
    }


def overdue_data(book: Ledger, asked: Asked) -> dict[str, Any]:
    """The overdue reviews as of the day asked (or the day of the entry asked)."""
    view = read_view(book, asked)
    late = overdue_reviews(view.state, as_of=view.as_of)
    return {"view": view, "rows": [row(rec, asked.lang, deadline=due) for rec, due in late]}


def verify_data(book: Ledger, asked: Asked) -> dict[str, Any]:
    """What ``assembly vkey`` prints and the latest checkpoint: both as they are now, since a
    verifier checks the ledger of today."""
    found = charter(book, Asked(asked.lang, asked.path, {}))
    origin = found.log_origin if found else None
    logs = [r for r in book.signers() if r.role == "log" and r.revoked_seq is None]
    keys = [VerifierKey(origin, r.public_key).text() for r in logs] if origin else []
    issued = latest_checkpoint(book.recorder)
    return {
        "origin": origin,
        "keys": keys,
        "checkpoint": issued,
        "note": issued.note.decode("utf-8") if issued else "",
        "entries": book.count(),
        "timeless": True,  # the keys and the latest checkpoint are shown as they are now
    }


def percent(lang: str, ppm: int | Hidden | None) -> str:
    """Millionths as a percentage with one decimal, written in ``lang`` (12,5 % in French,
    12.5% in English); a hidden share as its reason."""
    if ppm is None or isinstance(ppm, Hidden):
        return "" if ppm is None else ppm.value
    tenths = (ppm + PPM // 2000) // (PPM // 1000)
    return i18n.format_percent(lang, Decimal(tenths).scaleb(-3))
