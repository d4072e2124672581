"""The public pages (docs/design.md 7): the assembly and its panels, the status board, one
recommendation in full, what is overdue, and how to verify it all, rendered on the server.

Every page works without JavaScript: filters and the point in time are GET forms, and every
link carries the language and the point asked for (``as_of``, a day; ``at_seq``, an entry), so
that a page read in the past stays in the past. The data comes from the same read side as the
command line (``projections.view``, ``projections.board``, ``projections.trail``,
``projections.composition``), so a page and ``assembly status`` or ``show`` always agree. Each
request reads the ledger through its server process's connection pool (``web.context``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from functools import lru_cache, partial
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from markupsafe import Markup, escape

from ledger import Ledger
from projections.composition import PPM, Hidden
from projections.scoreboard import Scoreboard
from web import i18n
from web.asked import Asked, Problem
from web.bounds import point_asked, shown
from web.context import RETRY_AFTER, Busy, in_turn, opened
from web.i18n import LANGUAGE_IN, LANGUAGE_NAMES, LANGUAGES, choose, label, translations
from web.monitor import monitored, recommendation_page_data, verify_page_data, witnesses_of
from web.page_data import (
    board_data,
    overdue_data,
    overview_data,
    panel_data,
)
from web.scoreboard_data import drawn_block, portfolios_data, scoreboard_block

router = APIRouter()
HERE = Path(__file__).parent
STYLESHEET = HERE / "static" / "style.css"


# The templates are part of the release: compiled once per process, never looked at again
# (auto_reload would stat every template a page includes on each request).
class Pages(Environment):
    """Jinja's environment, reading ``row.key`` of a plain mapping straight from its items,
    and knowing the language its templates' words are compiled in (``lang``; None: none).

    Jinja first asks a dict for an attribute of that name, so each such read of a mapping's
    item raised and caught an ``AttributeError`` first: a page's tables do it thousands of
    times. A name that is an attribute of the mapping's type (``items``, ``get``) goes the
    usual way, so what each read gives is what Jinja gives."""

    lang: str | None = None

    def getattr(self, obj: Any, attribute: str) -> Any:
        names = _MAPPING_ATTRIBUTES.get(type(obj))
        if names is None or attribute in names:
            return super().getattr(obj, attribute)
        try:
            return obj[attribute]
        except LookupError:
            return self.undefined(obj=obj, name=attribute)


_MAPPING_ATTRIBUTES = {kind: frozenset(dir(kind)) for kind in (dict, MappingProxyType)}


class Translated(Extension):
    """Each ``_("words")`` of a template, a call of ``_`` on one string, replaced by the words
    in the environment's language (``Pages.lang``) when the template is compiled, as ``_``
    translates them when called: a page called ``_`` about a hundred times on each request.
    ``_`` on anything else (a variable, several arguments) is still called on each request."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        gettext = translations(cast(Pages, self.environment).lang).gettext
        tokens, before = list(stream), None
        at = 0
        while at < len(tokens):
            token, following = tokens[at], tokens[at + 1 : at + 4]
            if (
                token.test("name:_")
                and (before is None or not before.test("dot"))
                and [each.type for each in following] == ["lparen", "string", "rparen"]
            ):
                words = following[1]
                token = Token(words.lineno, "string", gettext(words.value))
                at += 3
            yield token
            before, at = token, at + 1


def environment(lang: str | None = None) -> Pages:
    """The pages' templates, with their words compiled in ``lang`` (``Translated``), or
    translated on each call (None)."""
    found = Pages(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        auto_reload=False,
        extensions=[Translated] if lang else [],
    )
    found.lang = lang
    return found


templates = environment()  # the words translated on each call: for templates from strings
IN_LANGUAGE = {lang: environment(lang) for lang in LANGUAGES}  # what the pages are drawn with


Build = Callable[[Ledger, Asked], dict[str, Any]]


@router.get("/static/style.css", include_in_schema=False)
def stylesheet() -> FileResponse:
    """The one stylesheet (served here, so the pages need nothing mounted beside them)."""
    return FileResponse(STYLESHEET, media_type="text/css")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def overview(request: Request) -> HTMLResponse:
    """The assembly from its charter, and each panel: theme, draw and composition."""
    return await render(request, "overview.html", overview_data)


@router.get("/panels/{panel}", response_class=HTMLResponse, include_in_schema=False)
async def panel_page(request: Request, panel: str) -> HTMLResponse:
    """One panel: both stages of its draw in full and its composition against the quotas."""
    return await render(request, "panel.html", partial(panel_data, panel=panel))


@router.get("/recommendations", response_class=HTMLResponse, include_in_schema=False)
async def board(request: Request) -> HTMLResponse:
    """The status board, filtered and searched by a GET form."""
    searched = bool(request.query_params.get("q"))  # every row's words are read
    return await render(request, "board.html", board_with_scoreboard, long=searched)


def board_with_scoreboard(book: Ledger, asked: Asked) -> dict[str, Any]:
    """The board's page and, above it, the scoreboard of every row its filters keep."""
    data = board_data(book, asked)
    data["scoreboard"] = scoreboard_block(book, asked, name="board-scoreboard", **data["filters"])
    return data


@router.get("/portfolios", response_class=HTMLResponse, include_in_schema=False)
async def portfolios(request: Request) -> HTMLResponse:
    """Each portfolio's record: answered on time, late or not at all, rejections, progress."""
    return await render(request, "portfolios.html", portfolios_data)


@router.get("/portfolios/{code}", response_class=HTMLResponse, include_in_schema=False)
async def portfolio(request: Request, code: str) -> HTMLResponse:
    """One portfolio's record, as on the page of them all."""
    return await render(request, "portfolios.html", partial(portfolios_data, code=code))


@router.get(
    "/recommendations/{panel}/{number}", response_class=HTMLResponse, include_in_schema=False
)
async def recommendation(request: Request, panel: str, number: str) -> Response:
    """One recommendation: its axes, due dates, answers, reports, verdicts and audit trail."""
    witnesses = witnesses_of(request)
    data = partial(recommendation_page_data, ref=(panel, number), witnesses=witnesses)
    return monitored(await render(request, "recommendation.html", data))


@router.get("/overdue", response_class=HTMLResponse, include_in_schema=False)
async def overdue(request: Request) -> HTMLResponse:
    """Every review not answered by its due date, the longest overdue first."""
    return await render(request, "overdue.html", overdue_data, long=True)  # every late row


@router.get("/verify", response_class=HTMLResponse, include_in_schema=False)
async def verify(request: Request) -> Response:
    """The latest checkpoint, the log's verifier keys, and how to check the ledger oneself."""
    data = partial(verify_page_data, witnesses=witnesses_of(request))
    return monitored(await render(request, "verify.html", data))


async def render(request: Request, name: str, build: Build, *, long: bool = False) -> HTMLResponse:
    """The page ``name`` with what ``build`` reads, or the error page of the problem found;
    read in the event loop's thread when that waits on nothing and the page is not ``long``
    to read, nor in the past (``web.context.in_turn``)."""
    past = "as_of" in request.query_params or "at_seq" in request.query_params
    read = partial(_render, request, name, build)
    return await in_turn(request.app.state.settings, read, long=long or past)


def _render(request: Request, name: str, build: Build) -> HTMLResponse:
    lang = choose(request.query_params.get("lang"), request.headers.get("accept-language"))
    asked = Asked(lang, request.url.path, dict(request.query_params))
    try:
        asked = point_asked(asked)
        with opened(request.app.state.settings, past=asked.travelling) as book:
            data = build(book, asked)
    except Problem as problem:
        return error_page(asked, problem)
    except Busy:
        return error_page(asked, Problem(503, Busy.SENTENCE))
    public_url = request.app.state.settings.public_url  # og:url, never the request's Host
    return HTMLResponse(page_html(name, asked, public_url=public_url, **data))


def no_page(request: Request) -> HTMLResponse:
    """The 404 page of a path that names no page, in the reader's language."""
    lang = choose(request.query_params.get("lang"), request.headers.get("accept-language"))
    asked = Asked(lang, request.url.path, {})
    return error_page(asked, Problem(404, "There is no page at %(path)s.", path=shown(asked.path)))


def error_page(asked: Asked, problem: Problem) -> HTMLResponse:
    """The error page of ``problem``, its sentence in the page's language."""
    sentence = translations(asked.lang).gettext(problem.message) % problem.values
    page = page_html("error.html", asked, status=problem.status, sentence=sentence)
    headers = {"Retry-After": str(RETRY_AFTER)} if problem.status == 503 else None
    return HTMLResponse(page, status_code=problem.status, headers=headers)


def page_html(name: str, asked: Asked, **data: Any) -> str:
    """Render a template with what every page needs: language, labels, links, and dates and
    numbers written in the page's language."""
    return IN_LANGUAGE[asked.lang].get_template(name).render(**helpers(asked), **data)


def helpers(asked: Asked) -> dict[str, Any]:
    """What every template is given: the page asked for, and functions that write labels,
    links, dates and numbers in its language."""
    return dict(
        asked=asked,
        lang=asked.lang,
        languages=LANGUAGES,
        language_names=LANGUAGE_NAMES,
        language_in=LANGUAGE_IN,
        _=translations(asked.lang).gettext,
        label=partial(label, asked.lang),
        role_label=partial(i18n.role_label, asked.lang),
        signer=partial(i18n.signer_label, asked.lang),
        chip=partial(i18n.chip, asked.lang),
        percent=partial(percent, asked.lang),
        in_language=partial(i18n.in_language, lang=asked.lang),
        said_in=partial(i18n.said_in, lang=asked.lang),
        said_lang=partial(i18n.said_lang, lang=asked.lang),
        other_lang=lambda texts: i18n.localized(texts, asked.lang)[1],
        bdi=i18n.isolated,
        breakable=breakable,
        ref_link=partial(ref_link, asked),
        title_of=partial(title_of, asked.lang),
        format_number=partial(i18n.format_number, asked.lang),
        time_day=partial(i18n.day_element, asked.lang),
        time_moment=partial(i18n.moment_element, asked.lang),
        colon=i18n.colon(asked.lang),
        semicolon=i18n.semicolon(asked.lang),
        board_row=partial(board_row, asked),
        at_a_glance=partial(scoreboard_html, asked),
    )


# Rows of the board drawn and kept per process (``board_row``): a page shows 100, in three
# languages, about a kilobyte each.
ROWS_KEPT = 4096


def board_row(asked: Asked, item: Mapping[str, Any]) -> Markup:
    """A row of the board (``board_row.html``), from the values it shows alone: each distinct
    row is drawn once per process, and a board's page, read again after the ledger moved,
    draws only the rows whose values changed. Drawing them was most of the page's time."""
    rec, due = item["rec"], item["due"]
    return _board_row(
        asked.lang,
        asked.link(f"/recommendations/{int(rec.panel)}/{int(rec.number)}"),
        item["ref"],
        item["title"],
        item["title_lang"],
        item["portfolio"],
        rec.position,
        rec.implementation,
        rec.verdict,
        due.get(1),
        due.get(2),
        tuple(item["late_at"]),
    )


@lru_cache(maxsize=ROWS_KEPT)
def _board_row(  # every value the row shows: each is part of the key
    lang: str,
    link: str,
    ref: str,
    title: str,
    title_lang: str | None,
    portfolio: str,
    position: str,
    implementation: str,
    verdict: str,
    first_due: date | None,
    second_due: date | None,
    late_at: tuple[int, ...],
) -> Markup:
    template = IN_LANGUAGE[lang].get_template("board_row.html")
    shown = template.render(
        **helpers(Asked(lang, "/recommendations", {})),
        link=link,
        ref=ref,
        titled={"title": title, "title_lang": title_lang},
        portfolio=portfolio,
        position=position,
        implementation=implementation,
        verdict=verdict,
        first_due=first_due,
        second_due=second_due,
        late_at=late_at,
    )
    return Markup(shown)


# Scoreboards drawn and kept per process (``scoreboard_html``): one per page and language
# whose figures differ, a few kilobytes each.
SCOREBOARDS_KEPT = 256


def scoreboard_html(asked: Asked, block: Mapping[str, Any], heading: str) -> Markup:
    """The scoreboard ``block`` (``web.scoreboard_data.scoreboard_block``) under ``heading``
    (``scoreboard.html``), from the values it shows alone: drawn once per process for each
    page, language and point, until a figure moves. It was half the board's rendering."""
    return _scoreboard_html(
        asked.lang,
        asked.as_of,
        asked.at_seq,
        heading,
        block["name"],
        block["board"],
        block["as_of"],
        block["seq"],
        tuple(block["months"].items()),
        block["kept"],
    )


@lru_cache(maxsize=SCOREBOARDS_KEPT)
def _scoreboard_html(  # every value the block shows: each is part of the key
    lang: str,
    as_of: date | None,
    at_seq: int | None,
    heading: str,
    name: str,
    board: Scoreboard,
    day: date,
    seq: int,
    months: tuple[tuple[int, int], ...],
    kept: tuple[tuple[str, str], ...],
) -> Markup:
    asked = Asked(lang, "/recommendations", {}, as_of, at_seq)
    block = drawn_block(asked, name, board, day, seq, months, kept)
    template = IN_LANGUAGE[lang].get_template("scoreboard_block.html")
    return Markup(template.render(**helpers(asked), sb=block, heading=heading))


def ref_link(asked: Asked, item: Mapping[str, Any]) -> Markup:
    """A row's reference, linked to its recommendation's page (at the point asked for)."""
    rec = item["rec"]
    here = asked.link(f"/recommendations/{int(rec.panel)}/{int(rec.number)}")
    # Escaped and joined as ``Markup.format`` would, at a fifth of its cost: on every row.
    return Markup(f'<a href="{escape(here)}">{escape(item["ref"])}</a>')


def title_of(lang: str, item: Mapping[str, Any]) -> Markup:
    """A row's title, isolated (``<bdi>``); in another language than the page's, marked with
    that language and followed by a note saying it exists only in that language."""
    other = item["title_lang"]
    if not other:
        return Markup(f"<bdi>{escape(item['title'])}</bdi>")
    return Markup(f'<bdi lang="{escape(other)}">{escape(item["title"])}</bdi> ') + _only_in(
        lang, other
    )


@lru_cache(maxsize=64)
def _only_in(lang: str, other: str) -> Markup:
    """The note after a title that exists only in ``other``: "(only in Dutch)"."""
    gettext = translations(lang).gettext
    note = gettext("only %(language)s") % {"language": gettext(LANGUAGE_IN[other])}
    return Markup('<span class="note" lang="{}">({})</span>').format(lang, note)


@lru_cache(maxsize=256)  # the few event types, on every row of every audit trail
def breakable(name: str) -> Markup:
    """A dotted name (an event type), escaped, that may wrap after each dot:
    ``recommendation.<wbr>adopted``."""
    return Markup(".<wbr>").join(name.split("."))


def percent(lang: str, ppm: int | Hidden | None) -> str:
    """Millionths as a percentage with one decimal, written in ``lang`` (12,5 % in French,
    12.5% in English); a hidden share as its reason."""
    if ppm is None or isinstance(ppm, Hidden):
        return "" if ppm is None else ppm.value
    tenths = (ppm + PPM // 2000) // (PPM // 1000)
    return i18n.format_percent(lang, Decimal(tenths).scaleb(-3))
