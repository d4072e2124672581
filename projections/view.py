"""The status read model at a point in time, as every reader asks for it (docs/design.md 6).

Now: the stored tables (or one recommendation's row alone, an indexed read), with what they
lack folded in memory: a read never writes (``projections.tail``). At a point (after entry N,
or by the end of a day, UTC): the ledger folded in memory up to there. Overdue is judged on
the day asked, or on the day the last entry kept was recorded, never read from storage. Any
interface (the command line, a web page) reads through ``view_at`` so that all of them show
the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from types import MappingProxyType

from ledger import Ledger
from ledger.history import counted_before
from projections.board import Deadline, deadlines, ordered
from projections.parsed import parsed_body
from projections.runner import (
    stored,
    stored_after,
    stored_bare,
    stored_by_said,
    stored_choices,
    stored_counts,
    stored_one,
)
from projections.search import matches
from projections.status import Change, Key, RecommendationStatus, Status, fold
from projections.tables import said_seqs

BATCH = 1000
MAX_CHUNK = 2000  # stored rows read per query while filling a page


@dataclass(frozen=True)
class View:
    """The status read model as of a point, the date overdue is computed at, and who signed."""

    state: Status
    as_of: date
    signers: dict[str, str]

    def deadlines(self, rec: RecommendationStatus) -> tuple[Deadline, ...]:
        """Both reviews' deadlines as of the view's date (none before the hand-over)."""
        return deadlines(self.state, rec, as_of=self.as_of)

    def signer(self, change: Change | None) -> str | None:
        """The name and role of the key that made ``change`` (its key id if unknown)."""
        if change is None:
            return None
        return self.signers.get(change.signer, change.signer)


def view_at(
    book: Ledger,
    *,
    as_of: date | None = None,
    at_seq: int | None = None,
    today: date,
    only: Key | None = None,
    panel: int | None = None,
    overdue_only: bool = False,
) -> View:
    """The read model at the point asked for (now when neither ``as_of`` nor ``at_seq``);
    with ``only`` (a recommendation) or ``panel``, of those recommendations alone when read
    from storage (indexed reads; a fold at a point reads the ledger whatever is asked); with
    ``overdue_only``, read from storage, of the recommendations that can be overdue today (the
    overdue narrowing of ``stored_after``: every one that is, and some a suspension saved)."""
    signers = names_of_signers(book)
    if as_of is None and at_seq is None:
        if only is not None:
            state = stored_one(book, only)[0]
        elif overdue_only:
            state = stored_after(book, after=None, where={}, limit=EVERY_ROW, overdue_on=today)
        else:
            state = stored(book, panel=panel)
        return View(state, today, signers)
    state, last_day = fold_until(book, at_seq=at_seq, until=end_of(as_of))
    return View(state, as_of or last_day or today, signers)


def names_of_signers(book: Ledger) -> dict[str, str]:
    """Each enrolled key's name and role, as pages and commands show who signed: by key id."""
    return {s.key_id: f"{s.name} ({s.role})" for s in book.signers()}


EVERY_ROW = 10**12  # a limit of rows that is no limit


def panel_counts(
    book: Ledger, *, as_of: date | None = None, at_seq: int | None = None, today: date
) -> tuple[View, dict[int, int]]:
    """How many recommendations each panel has at the point asked for, and the view they were
    counted in; now, counted by the database (the view then holds no recommendation)."""
    if as_of is None and at_seq is None:
        empty = stored_bare(book)
        signers = names_of_signers(book)
        return View(empty, today, signers), stored_counts(book)
    view = view_at(book, as_of=as_of, at_seq=at_seq, today=today)
    counts: dict[int, int] = {}
    for rec in view.state.recommendations.values():
        counts[rec.panel] = counts.get(rec.panel, 0) + 1
    return view, counts


def newest_said(
    book: Ledger, *, today: date, statements: int, portfolio: str | None = None
) -> View:
    """Now: the view of the recommendations that hold the ``statements`` newest answers and
    verdicts (by seq), read newest first by the ``said_seq`` index until no recommendation
    left can hold a newer one than those found; it may hold a few more. With ``portfolio``,
    of the recommendations it is answerable for, alone or shared."""
    signers = names_of_signers(book)
    found: dict[Key, RecommendationStatus] = {}
    seqs: list[int] = []
    before = None
    while True:
        chunk = stored_by_said(book, before=before, limit=max(statements, 1), portfolio=portfolio)
        for rec in chunk:
            own = said_seqs(rec)
            if len(seqs) >= statements and sorted(seqs)[-statements] > max(own):
                chunk = []  # no later row holds a statement newer than the ones found
                break
            found[rec.key] = rec
            seqs.extend(own)
            before = max(own)
        if len(chunk) < max(statements, 1):
            break
    state = replace(stored_bare(book), recommendations=MappingProxyType(found))
    return View(state, today, signers)


def end_of(day_asked: date | None) -> datetime | None:
    """The moment "as of DAY" reads up to: the end of that day (UTC)."""
    if day_asked is None:
        return None
    return datetime.combine(day_asked + timedelta(days=1), time(), tzinfo=UTC)


def fold_until(
    book: Ledger, *, at_seq: int | None, until: datetime | None
) -> tuple[Status, date | None]:
    """Fold the entries up to ``at_seq`` that are in "as of" the moment ``until``
    (``ledger.history.counted_before``: history recorded after the fact by the moment its
    author gave, every other entry by when the ledger recorded it); also return the day the
    last of them was recorded.

    The ledger's clock only moves on, so on a ledger that holds no history the fold stops at
    the first entry recorded at ``until`` or later. On one that records history
    (``ledger.history``), history can be loaded at any time, so the fold reads on to the end,
    in the same single pass: it passes over the later live entries by their first bytes
    (``ledger.history.dated``) without decoding them."""
    state, last_day, start = Status(), None, 0
    history = book.history_before()
    while bodies := book.recorder.read_bodies(start=start, limit=BATCH):
        kept = [
            (seq, recorded_at, body)
            for seq, recorded_at, body in bodies
            if (at_seq is None or seq <= at_seq)
            and counted_before(recorded_at, body, until, history)
        ]
        if kept:
            events = [
                found
                for entry in kept
                if (found := parsed_body(*entry, history_before=history)) is not None
            ]
            state = replace(fold(state, events), seq=kept[-1][0])
            last_day = datetime.fromisoformat(kept[-1][1]).date()
        if at_seq is not None and bodies[-1][0] >= at_seq:
            break
        if len(kept) < len(bodies) and history is None:
            break  # the ledger's clock only moves on, so no later entry is wanted either
        start = bodies[-1][0] + 1
    return state, last_day


@dataclass(frozen=True)
class BoardPage:
    """One page of the status board: its rows in board order (panel, then number), each row's
    deadlines, the view they were read in (whose state holds those rows alone), the key the
    next page starts after (None on the last page), and for a filter form every panel number up
    to the highest with a recommendation and every portfolio."""

    view: View
    rows: tuple[RecommendationStatus, ...]
    deadlines: Mapping[Key, tuple[Deadline, ...]]
    next_after: Key | None
    panels: tuple[int, ...]
    portfolios: tuple[str, ...]


COLUMNS = ("panel", "position", "implementation", "verdict", "portfolio")  # for ``where``


def given_columns(**values: object) -> dict[str, object]:
    """A board read's ``where`` from the column filters an interface was given (None: any)."""
    if unknown := set(values) - set(COLUMNS):
        raise AssertionError(f"not a column of the board: {sorted(unknown)}")
    return {name: value for name, value in values.items() if value is not None}


def board_page(
    book: Ledger,
    *,
    as_of: date | None = None,
    at_seq: int | None = None,
    today: date,
    where: Mapping[str, object],
    words: Sequence[str] = (),
    overdue: bool = False,
    late_at: int | None = None,
    after: Key | None = None,
    limit: int,
) -> BoardPage:
    """The first ``limit`` recommendations after the key ``after`` whose fields equal
    ``where`` (stored columns: panel, position, implementation, verdict, portfolio), that hold
    every one of ``words`` (``projections.search``), with ``overdue``, that have a review
    overdue on the view's day and, with ``late_at``, that have review ``late_at`` overdue then
    (what a scoreboard's "overdue at the first review" links to).

    Now: read from the tables by key a chunk at a time, and only the rows that can pass every
    filter (the search and overdue narrowings of ``stored_after``), so a page costs about a
    page of rows however large the board; at a point: the fold of the ledger up to it, filtered
    in memory. Either way each row is then judged exactly, in memory."""
    if limit < 1:
        raise AssertionError("a page holds at least one row")
    signers = names_of_signers(book)
    if as_of is None and at_seq is None:
        overdue_on = today if overdue or late_at is not None else None
        read = partial(stored_after, book, where=where, words=words, overdue_on=overdue_on)
        first = read(after=after, limit=limit + 1)
        view = View(first, today, signers)
        candidates = _stored_rows(read, first, limit=limit + 1)
        highest, portfolios = stored_choices(book)
        panels = list(range(1, highest + 1))  # panels are numbered from 1 with no gap
    else:
        state, last_day = fold_until(book, at_seq=at_seq, until=end_of(as_of))
        view = View(state, as_of or last_day or today, signers)
        candidates = (
            rec
            for rec in ordered(state)
            if (after is None or rec.key > after)
            and all(getattr(rec, name) == value for name, value in where.items())
        )
        highest = max((rec.panel for rec in state.recommendations.values()), default=0)
        panels = list(range(1, highest + 1))
        portfolios = sorted({rec.portfolio for rec in state.recommendations.values()})
    rows: list[RecommendationStatus] = []
    dues: dict[Key, tuple[Deadline, ...]] = {}
    next_after = None
    for rec in candidates:
        if not matches(rec, words):
            continue
        found = view.deadlines(rec)
        if overdue and not any(deadline.overdue for deadline in found):
            continue
        if late_at is not None and not any(
            deadline.review == late_at and deadline.overdue for deadline in found
        ):
            continue
        if len(rows) == limit:
            next_after = rows[-1].key
            break
        rows.append(rec)
        dues[rec.key] = found
    shown = replace(view.state, recommendations=MappingProxyType({r.key: r for r in rows}))
    return BoardPage(
        replace(view, state=shown),
        tuple(rows),
        MappingProxyType(dues),
        next_after,
        tuple(panels),
        tuple(portfolios),
    )


def _stored_rows(
    read: Callable[..., Status], first: Status, *, limit: int
) -> Iterator[RecommendationStatus]:
    """The stored rows from ``first`` (a ``read`` of ``limit`` rows) on, reading further
    chunks (``read(after=KEY, limit=N)``), each twice the last (up to ``MAX_CHUNK``), only
    while the caller asks for more."""
    chunk, size = first, limit
    while True:
        yield from ordered(chunk)
        if len(chunk.recommendations) < size:
            return
        size = min(size * 2, MAX_CHUNK)
        chunk = read(after=max(chunk.recommendations), limit=size)
