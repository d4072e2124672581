"""The monitor's reading of the pages people read: each recommendation's page, in English, must
show the status its entries give.

The page (``web/templates/recommendation.html``) shows each axis in a cell that carries the
status's key (``data-status``) beside the words; both are read, and the words must be the key's
English label (``web.i18n.label``), so that a page that says one thing in its markup and another
in words is caught too.

Which pages (``--pages``): ``changed``, the default, reads the pages of the recommendations the
new entries touched, so every page on a first run and a few after; ``all`` reads every page on
every run; ``none`` reads none.

A page is read after the checkpoint was signed: where it disagrees, the recommendation's
``last_seq`` is asked of the API, and a recommendation changed after the checkpoint is left for a
later run, as on the board (``cli.monitor_board``): the state remembers it, and the next run
reads its page again whichever ``--pages`` but ``none`` says.

A server that answers but refuses a recommendation's page, or its ``/api/recommendations/P/N``,
with an HTTP error hides what its entries hold: that is misbehaviour too. Only a server that
cannot be reached, or says to try later (429, 502, 503, 504), is not.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from html.parser import HTMLParser
from typing import Any

from cli.monitor_board import ours
from cli.monitor_evidence import PAGE, READ_MODEL, Found
from projections.status import Key, RecommendationStatus, Status
from tlog.tiles import BadTiles, Fetch, TilesUnavailable
from web.i18n import label

AXES = ("position", "implementation", "verdict")
READING = 4  # pages fetched at once
# A server busy or behind a gateway that cannot reach it says so; it cannot be reached for now.
TRY_LATER = frozenset({429, 502, 503, 504})


class Pages(StrEnum):
    """Which recommendations' pages a run reads (``--pages``)."""

    changed = "changed"
    all = "all"
    none = "none"


def pages_to_read(
    which: Pages, before: Status, after: Status, *, again: Iterable[Key] = ()
) -> list[Key]:
    """The recommendations whose pages a run reads: ``which`` says which; ``before``
    is the fold the run started from, ``after`` the fold of the checkpoint (the fold shares
    every recommendation it did not touch, so a touched one is another object); ``again``, the
    pages the last run left for a later one, are read with those changed."""
    if which is Pages.none:
        return []
    everyone = after.recommendations
    if which is Pages.all:
        return sorted(everyone)
    changed = {key for key, rec in everyone.items() if before.recommendations.get(key) is not rec}
    return sorted(changed | {key for key in again if key in everyone})


@dataclass(frozen=True)
class PagesRead:
    """The pages a run compared, and those it left for a later run (changed after the
    checkpoint, says the API)."""

    compared: int
    later: tuple[Key, ...]


def check_pages(
    site: Fetch, api: Fetch, state: Status, size: int, keys: Iterable[Key]
) -> PagesRead:
    """Read the page of each recommendation of ``keys`` and compare what it shows with ``state``,
    the fold of the checkpoint's ``size`` entries; raise Found at the first that disagrees with
    it; return what was compared and left."""
    wanted = list(keys)
    compared = 0
    later: list[Key] = []
    with ThreadPoolExecutor(READING) as pool:
        for key, shown in zip(wanted, pool.map(lambda key: _shown(site, key), wanted), strict=True):
            rec = state.recommendations[key]
            if isinstance(shown, Refused):
                raise _not_served(PAGE, "page", shown, rec, state)
            expected = ours(rec)
            wrong = _first_wrong(shown, expected)
            if wrong is None:
                compared += 1
                continue
            if _changed_since(api, rec, state, size):
                later.append(key)  # the page may show a change after the checkpoint
                continue
            raise _disagreement(key, wrong, shown, rec, state)
    return PagesRead(compared, tuple(later))


@dataclass(frozen=True)
class Refused:
    """A server that answered a path with an HTTP error."""

    path: str
    status: int


def _answer(fetch: Fetch, path: str, shown: str) -> bytes | Refused:
    """What the server answers at ``path`` (``shown`` as the evidence names it), or its refusal;
    a server that cannot be reached, or says to try later, raises TilesUnavailable."""
    try:
        return fetch(path)
    except TilesUnavailable as exc:
        if exc.status is None or exc.status in TRY_LATER:
            raise
        return Refused(shown, exc.status)


def _shown(site: Fetch, key: Key) -> dict[str, tuple[str, str]] | Refused:
    """What the page of ``key`` shows of each axis: its status key and its words."""
    path = f"recommendations/{key[0]}/{key[1]}?lang=en"
    answer = _answer(site, path, f"/{path}")
    if isinstance(answer, Refused):
        return answer
    reader = _Cells()
    reader.feed(answer.decode(errors="replace"))
    reader.close()
    return reader.cells


def _first_wrong(shown: dict[str, tuple[str, str]], expected: dict[str, Any]) -> str | None:
    """The first axis the page shows otherwise than ``expected`` (or not at all)."""
    for axis in AXES:
        status, words = shown.get(axis, ("", ""))
        if status != expected[axis] or words != label("en", expected[axis]):
            return axis
    return None


def _changed_since(api: Fetch, rec: RecommendationStatus, state: Status, size: int) -> bool:
    """Whether the API says ``rec`` changed at or after entry ``size``; raise Found when it
    does not serve the recommendation."""
    path = f"recommendations/{rec.key[0]}/{rec.key[1]}"
    answer = _answer(api, path, f"/api/{path}")
    if isinstance(answer, Refused):
        raise _not_served(READ_MODEL, "API's recommendation", answer, rec, state)
    try:
        last = json.loads(answer)["last_seq"]
    except (ValueError, KeyError, TypeError):
        raise BadTiles(f"/api/{path} does not answer a recommendation's JSON") from None
    return isinstance(last, int) and last >= size


def _not_served(
    kind: str, what: str, refused: Refused, rec: RecommendationStatus, state: Status
) -> Found:
    ref = f"{rec.key[0]}/{rec.key[1]}"
    return Found(
        kind,
        f"the server does not serve the {what} {ref}, which its entries hold and its board "
        f"lists: {refused.path} answers HTTP {refused.status}",
        refused={"path": refused.path, "status": refused.status},
        from_entries=ours(rec),
        entries_folded=state.seq + 1,
        entry_seqs=_seqs(rec),
    )


def _seqs(rec: RecommendationStatus) -> list[int]:
    """The entries that set ``rec``'s status."""
    changes = (rec.adopted, rec.position_change, rec.implementation_change, rec.verdict_change)
    return sorted({change.seq for change in changes if change is not None})


def _disagreement(
    key: Key, axis: str, shown: dict[str, tuple[str, str]], rec: RecommendationStatus, state: Status
) -> Found:
    status, words = shown.get(axis, ("", ""))
    expected = ours(rec)[axis]
    ref = f"{key[0]}/{key[1]}"
    if status != expected:
        summary = (
            f"the page of recommendation {ref} shows {axis} {status!r} where its entries give "
            f"{expected!r}"
            if status
            else f"the page of recommendation {ref} does not show its {axis}"
        )
    else:
        summary = (
            f"the page of recommendation {ref} says {words!r} for {axis} {status!r}, whose "
            f"words are {label('en', status)!r}"
        )
    return Found(
        PAGE,
        summary,
        page=f"/recommendations/{ref}?lang=en",
        page_shows={name: {"status": cell[0], "words": cell[1]} for name, cell in shown.items()},
        from_entries=ours(rec),
        entries_folded=state.seq + 1,
        entry_seqs=_seqs(rec),
    )


class _Cells(HTMLParser):
    """The cells of a recommendation's page that carry an axis's status: ``class="axis-NAME"``
    with ``data-status``, and the words inside them."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[str, tuple[str, str]] = {}
        self.axis: str | None = None
        self.status = ""
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "td":
            return
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        axis = next((name[5:] for name in classes if name.startswith("axis-")), None)
        if axis in AXES and "data-status" in found:
            self.axis, self.status, self.words = axis, found["data-status"] or "", []

    def handle_data(self, data: str) -> None:
        if self.axis is not None:
            self.words.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self.axis is not None:
            self.cells.setdefault(self.axis, (self.status, " ".join("".join(self.words).split())))
            self.axis = None
