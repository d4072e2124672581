"""What the scoreboards read (``web/templates/scoreboard.html`` draws them): the block at the
top of ``/``, of a panel's page and of the board, and the scoreboard per portfolio.

Each block counts the rows a board read returns with the filters in force
(``projections.view.board_page``, with no page limit), so each figure and the board its link
opens are the same read. How each value is drawn is here too: a colour of the Okabe-Ito
palette (told apart by readers with any common colour blindness) and a pattern, so that no
value is told by colour alone; every segment is outlined in ink, which contrasts with the page
(WCAG 2.2 1.4.11) whatever its fill.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from ledger import Ledger
from projections.names import names_in
from projections.runner import stored_bare
from projections.scoreboard import (
    Scoreboard,
    portfolio_scores,
    portfolio_scores_now,
    review_days,
    scoreboard,
    scoreboard_now,
)
from projections.tallies import stored_review_days
from projections.view import EVERY_ROW, BoardPage, board_page, end_of
from web.asked import Asked, Problem
from web.bounds import bounded_text, number, shown

INK = "#1a1a1a"  # the page's ink (style.css ``--ink``): every segment's outline

# Okabe & Ito (2008), "Color Universal Design": their eight colours, and white for what is
# still open. Each value also has its own pattern (``PATTERNS``).
BLUE, ORANGE, GREEN, PINK = "#0072B2", "#E69F00", "#009E73", "#CC79A7"
SKY, VERMILLION, YELLOW, WHITE = "#56B4E9", "#D55E00", "#F0E442", "#FFFFFF"
DRAWN: Mapping[str, tuple[str, str]] = {  # value: (fill, pattern)
    "accepted": (GREEN, "solid"),
    "accepted_in_part": (SKY, "diagonal"),
    "already_in_place": (BLUE, "dots"),
    "under_study": (YELLOW, "horizontal"),
    "not_competent": (PINK, "cross"),
    "rejected": (VERMILLION, "backward"),
    "postponed": (ORANGE, "vertical"),
    "awaiting_response": (WHITE, "dots"),
    "completed": (GREEN, "solid"),
    "completed_modified": (SKY, "diagonal"),
    "in_progress": (BLUE, "dots"),
    "not_started": (WHITE, "dots"),
    "stalled": (ORANGE, "vertical"),
    "abandoned": (VERMILLION, "backward"),
    "not_applicable": (WHITE, "cross"),
    "agrees": (GREEN, "solid"),
    "disputes": (VERMILLION, "backward"),
    "insufficient_information": (YELLOW, "horizontal"),
    "none": (WHITE, "dots"),
}
DARK = frozenset({BLUE, VERMILLION})  # fills whose pattern is drawn in white, not in ink


def drawn(value: str) -> dict[str, str]:
    """How ``value`` is drawn: its fill, its pattern, and the colour of the pattern's marks."""
    fill, pattern = DRAWN.get(value, (WHITE, "cross"))
    return {"fill": fill, "pattern": pattern, "marks": WHITE if fill in DARK else INK}


def scoreboard_block(
    book: Ledger,
    asked: Asked,
    *,
    where: Mapping[str, object],
    kept: Mapping[str, str],
    words: Sequence[str] = (),
    overdue: bool = False,
    late_at: int | None = None,
    name: str = "scoreboard",
) -> dict[str, Any]:
    """The scoreboard of the recommendations that pass the filters, as the template draws it.

    ``kept`` are the board's query parameters in force: each figure links to the board with
    them and the one filter its rows share; ``name`` tells one block's ids from another's."""
    board = None
    if not asked.travelling:  # counted by the database
        as_of = datetime.now(UTC).date()
        board = scoreboard_now(
            book, where=where, today=as_of, words=words, overdue=overdue, late_at=late_at
        )
        state = stored_bare(book)
    if board is None:  # in the past, or overdue rows asked for with a suspension recorded
        page = read_all(book, asked, where=where, words=words, overdue=overdue, late_at=late_at)
        state, as_of = page.view.state, page.view.as_of
        board = scoreboard(page.rows, page.deadlines, reviews=len(state.offsets))
    base = tuple((key, value) for key, value in kept.items() if value)
    months = tuple(enumerate(state.offsets, start=1))
    return drawn_block(asked, name, board, as_of, state.seq, months, base)


def drawn_block(
    asked: Asked,
    name: str,
    board: Scoreboard,
    as_of: date,
    seq: int,
    months: Sequence[tuple[int, int]],
    kept: Sequence[tuple[str, str]],
) -> dict[str, Any]:
    """A scoreboard block as ``scoreboard.html`` draws it, from the values it shows: ``months``
    per review, ``kept`` the board's filters in force, in their order."""
    return {
        "name": name,
        "board": board,
        "as_of": as_of,
        "seq": seq,
        "months": dict(months),
        "kept": tuple(kept),
        "link": figure_link(asked, kept),
        "drawn": drawn,
    }


def figure_link(asked: Asked, kept: Sequence[tuple[str, str]]) -> Callable[[str, object], str]:
    """What a scoreboard's figure links to: the board with the filters in force (``kept``,
    in their order) and the one its rows share."""
    base = dict(kept)

    def link(name: str, value: object) -> str:
        """The board with the filters in force and ``name`` set to ``value``."""
        return asked.link("/recommendations", **{**base, name: value})

    return link


def read_all(
    book: Ledger,
    asked: Asked,
    *,
    where: Mapping[str, object],
    words: Sequence[str] = (),
    overdue: bool = False,
    late_at: int | None = None,
) -> BoardPage:
    """Every row of the board with these filters at the point asked for, on one page."""
    return board_page(
        book,
        as_of=asked.as_of,
        at_seq=asked.at_seq,
        today=datetime.now(UTC).date(),
        where=where,
        words=words,
        overdue=overdue,
        late_at=late_at,
        limit=EVERY_ROW,
    )


def review_asked(text: str) -> int | None:
    """The review a board's ``late_at`` names (1 for the charter's first appointment), if
    any; anything else than a review's number is a 400 problem."""
    if not text:
        return None
    found = number(text, most=99)
    if not found:
        raise Problem(400, "%(value)s is not a review's number such as 1.", value=shown(text))
    return found


def portfolios_data(book: Ledger, asked: Asked, *, code: str | None = None) -> dict[str, Any]:
    """Each portfolio's record at the point asked for (or portfolio ``code``'s alone, a 404
    problem if no recommendation names it), and the days of the charter's reviews: now,
    counted by the database; at a point in the past (or with a suspension recorded), from
    every row the board reads there."""
    if code is not None:
        code = bounded_text(code, "portfolio")
    scores = reviews = None
    if not asked.travelling:
        as_of = datetime.now(UTC).date()
        scores = portfolio_scores_now(book, code=code, today=as_of)
        reviews = stored_review_days(book, code=code)
        state = stored_bare(book)
    if scores is None or reviews is None:
        page = read_all(book, asked, where={"portfolio": code} if code else {})
        scores = portfolio_scores(page.rows, page.deadlines)
        reviews = review_days(page.rows, page.deadlines)
        state, as_of = page.view.state, page.view.as_of
    if code and not scores:
        raise Problem(404, "There is no portfolio %(code)s in the ledger.", code=shown(code))
    names = names_in(book, up_to=asked.at_seq, until=end_of(asked.as_of))
    months = dict(enumerate(state.offsets, start=1))
    here = asked.path
    return {
        "seq": state.seq,
        "as_of": as_of,
        "code": code,
        "scores": [(score, names.portfolio(score.portfolio, asked.lang)) for score in scores],
        "reviews": [(review, months.get(review), day, here) for review, day in reviews],
        "drawn": drawn,
    }
