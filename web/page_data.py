"""What each public page reads (``web.pages`` renders it): the assembly and its panels, a
page of the status board, one recommendation in full, the overdue reviews, and what a verifier
needs. Every function reads the ledger at the point asked for through the same read side as the
command line, so that a page and ``assembly status`` or ``show`` always agree; what cannot be
shown is a ``Problem``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from domain.charter import ASSEMBLY, Chartered
from domain.draws import InvitationDraw
from domain.draws.events import InvitationAnnounced, InvitationPerformed
from domain.events import Event
from domain.government import Implementation, Verdict
from domain.responses import Position
from ledger import Ledger
from ledger.tree import latest_checkpoint
from projections.board import overdue_reviews
from projections.composition import Composition, read_composition, strata
from projections.names import Names, first_words, names_in, paragraphs, shown_ref
from projections.search import words_of
from projections.status import (
    AWAITING_RESPONSE,
    NO_VERDICT,
    NOT_APPLICABLE,
    Key,
    RecommendationStatus,
    recorded,
)
from projections.trail import recommendation_trail
from projections.view import View, board_page, end_of, panel_counts, view_at
from tlog.note import VerifierKey
from web.asked import Asked, Problem
from web.bounds import bounded_text, number, panel_number, shown
from web.http import MAX_NUMBER
from web.i18n import localized
from web.scoreboard_data import review_asked, scoreboard_block

PAGE_SIZE = 100  # rows of the board per page
FILTERS = {
    "position": (AWAITING_RESPONSE, *Position),
    "implementation": (*Implementation, NOT_APPLICABLE),
    "verdict": (NO_VERDICT, *Verdict),
}


def read_view(book: Ledger, asked: Asked, **only: Any) -> View:
    """The status read model at the point asked for, as ``assembly status`` reads it."""
    today = datetime.now(UTC).date()
    return view_at(book, as_of=asked.as_of, at_seq=asked.at_seq, today=today, **only)


def events(book: Ledger, stream: uuid.UUID, asked: Asked) -> list[Event]:
    """The assembly events of one stream that were in the ledger at the point asked for."""
    history = book.history_before()
    kept = (entry for entry in book.stream(stream) if asked.keeps(entry, history))
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
    today = datetime.now(UTC).date()
    view, counted = panel_counts(book, as_of=asked.as_of, at_seq=asked.at_seq, today=today)
    counts = {**{p["number"]: 0 for p in panels}, **counted}
    return {
        "charter": charter(book, asked),
        "panels": panels,
        "counts": counts,
        "total": sum(counts.values()),
        "view": view,
        "scoreboard": scoreboard_block(book, asked, where={}, kept={}),
    }


def panel_summary(book: Ledger, asked: Asked, found: Composition) -> dict[str, Any]:
    """What the pages say of one panel: its composition, stage-one draw and strata."""
    stage_one = events(book, InvitationDraw.stream_for(found.panel), asked)
    return {
        "names": names_asked(book, asked),  # the strata's and values' labels
        "number": found.panel,
        "composition": found,
        "convened": found.convened,
        "invitation": next((e for e in stage_one if isinstance(e, InvitationAnnounced)), None),
        "invited": next((e for e in stage_one if isinstance(e, InvitationPerformed)), None),
        "strata": strata(found),
    }


def names_asked(book: Ledger, asked: Asked) -> Names:
    """The labels of codes (portfolios, strata, groups) as they stood at the point asked for."""
    return names_in(book, up_to=asked.at_seq, until=end_of(asked.as_of))


def panel_data(book: Ledger, asked: Asked, *, panel: str) -> dict[str, Any]:
    """One panel convened by the point asked for (a 404 problem otherwise)."""
    until = end_of(asked.as_of)
    found, wanted = None, number(panel, most=MAX_NUMBER)
    if wanted:
        found = read_composition(book, wanted, at_seq=asked.at_seq, until=until)
    if found is None or found.convened is None:
        raise Problem(404, "There is no panel %(panel)s in the ledger.", panel=shown(panel))
    kept = {"panel": str(found.panel)}
    return {
        "panel": panel_summary(book, asked, found),
        "scoreboard": scoreboard_block(book, asked, where={"panel": found.panel}, kept=kept),
    }


def board_data(book: Ledger, asked: Asked, *, limit: int | None = None) -> dict[str, Any]:
    """One page of the board's rows that pass the filters (``limit`` at most, else
    ``PAGE_SIZE``, after the recommendation ``after`` names), and the choices the filter form
    offers; the downloads (``web.downloads``) ask for every row at once.

    A value no recommendation can have is a 400 problem rather than an empty board, so that a
    mistyped link says so instead of suggesting that nothing matches."""
    chosen = {
        name: bounded_text(asked.query.get(name, ""), name)
        for name in (*FILTERS, "panel", "portfolio", "q")
    }
    for name, allowed in FILTERS.items():
        if chosen[name] and chosen[name] not in allowed:
            raise Problem(
                400,
                "%(value)s is not a known value for %(filter)s.",
                value=shown(chosen[name]),
                filter=name,
            )
    late_only = asked.query.get("overdue", "") not in ("", "0")
    late_review = review_asked(asked.query.get("late_at", ""))
    after = _key(asked.query.get("after", ""))
    where: dict[str, object] = {
        name: chosen[name] for name in (*FILTERS, "portfolio") if chosen[name]
    }
    if chosen["panel"]:
        where["panel"] = panel_number(chosen["panel"])

    page = board_page(
        book,
        as_of=asked.as_of,
        at_seq=asked.at_seq,
        today=datetime.now(UTC).date(),
        where=where,
        words=words_of(chosen["q"]),
        overdue=late_only,
        late_at=late_review,
        after=after,
        limit=limit or PAGE_SIZE,
    )
    names = names_asked(book, asked)
    rows = []
    for rec in page.rows:
        dues = page.deadlines[rec.key]
        due = {deadline.review: deadline.due for deadline in dues}
        late = any(d.overdue for d in dues)
        named = names.portfolio(rec.portfolio, asked.lang)
        late_at = [d.review for d in dues if d.overdue]  # which reviews, said in words
        rows.append(row(rec, asked.lang, due=due, late=late, late_at=late_at, portfolio=named))
    kept = {**chosen, "overdue": "1" if late_only else "", "late_at": str(late_review or "")}
    following = page.next_after
    return {
        "view": page.view,
        "filters": {  # what the scoreboard above the board counts (``web.scoreboard_data``)
            "where": where,
            "words": words_of(chosen["q"]),
            "overdue": late_only,
            "late_at": late_review,
            "kept": kept,
        },
        "rows": rows,
        "chosen": chosen,
        "late_only": late_only,
        "choices": FILTERS,
        "panels": list(page.panels),
        "portfolios": [(code, names.portfolio(code, asked.lang)) for code in page.portfolios],
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
    panel, _, rest = text.partition("/")
    key = number(panel, most=MAX_NUMBER), number(rest, most=MAX_NUMBER)
    if key[0] is None or key[1] is None:
        raise Problem(
            400, "%(value)s is not a recommendation reference such as 1/12.", value=shown(text)
        )
    return key[0], key[1]


def row(rec: RecommendationStatus, lang: str, **more: Any) -> dict[str, Any]:
    """A recommendation as a table row: its reference (with the assembly's own), title (and the
    title's language); without a title of its own, the first words of its text."""
    title, title_lang = localized(rec.title, lang)
    if not title.strip():
        text, title_lang = localized(rec.text, lang)
        title = first_words(text)
    return {
        "rec": rec,
        "ref": shown_ref(rec),
        "title": title,
        "title_lang": title_lang,
        **more,
    }


def recommendation_data(book: Ledger, asked: Asked, *, ref: tuple[str, str]) -> dict[str, Any]:
    """One recommendation as ``assembly show`` and ``assembly trail`` give it; in the past,
    its trail keeps the entries the view kept (``TrailLine.kept``)."""
    missing = Problem(
        404, "There is no recommendation %(ref)s in the ledger.", ref=shown("/".join(ref))
    )
    panel, which = number(ref[0], most=MAX_NUMBER), number(ref[1], most=MAX_NUMBER)
    if panel is None or which is None:
        raise missing
    key = (panel, which)
    view = read_view(book, asked, only=key)
    rec = view.state.recommendations.get(key)
    if rec is None:
        raise missing
    text, text_lang = localized(rec.text, asked.lang)
    supporting, supporting_lang = localized(rec.supporting, asked.lang)
    trail = recommendation_trail(book, *key)
    until = end_of(asked.as_of)
    names = names_in(book, up_to=view.state.seq)
    return {
        "view": view,
        "names": names,  # the answers' portfolios by their labels
        "item": row(
            rec,
            asked.lang,
            text=text,
            text_lang=text_lang,
            paragraphs=paragraphs(text),
            supporting=paragraphs(supporting),
            supporting_lang=supporting_lang,
            group=names.group(rec.group, asked.lang) if rec.group else None,
            portfolio=names.portfolio(rec.portfolio, asked.lang),
            shared_with=[names.portfolio(code, asked.lang) for code in rec.shared_with],
        ),
        "axes": [
            ("position", rec.position, rec.position_change),
            ("implementation", rec.implementation, rec.implementation_change),
            ("verdict", rec.verdict, rec.verdict_change),
        ],
        "deadlines": view.deadlines(rec),
        "answers": sorted(rec.answers, key=lambda said: int(said.payload["review"])),
        "trail": [line for line in trail if line.kept(at_seq=asked.at_seq, until=until)],
    }


def overdue_data(book: Ledger, asked: Asked) -> dict[str, Any]:
    """The overdue reviews as of the day asked (or the day of the entry asked)."""
    view = read_view(book, asked, overdue_only=True)
    late = overdue_reviews(view.state, as_of=view.as_of)
    names = names_asked(book, asked)
    return {
        "view": view,
        "rows": [
            row(rec, asked.lang, deadline=due, portfolio=names.portfolio(rec.portfolio, asked.lang))
            for rec, due in late
        ],
    }


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
