"""The monitor's comparison of the server's status board with the status its entries give.

The server answers ``/api/status`` from its read model (tables brought up to date from the
ledger); the monitor folds the verified entries itself. Where they differ on a recommendation
the checkpoint covers, the read model says what the entries do not: misbehaviour.

The server may have moved on past the checkpoint: a recommendation whose last change on the
board comes after it (``last_seq`` at or beyond the checkpoint's size) is left for a later run,
when a checkpoint covers that change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import urlencode

from pydantic_core import from_json

from cli.monitor_evidence import READ_MODEL, Found
from projections.status import Key, RecommendationStatus, Status
from tlog.tiles import BadTiles, Fetch

PAGE = 5000  # the API's largest page
COMPARED = ("position", "implementation", "verdict", "portfolio", "last_seq")


def board_rows(api: Fetch) -> list[dict[str, Any]]:
    """Every row of the server's ``/api/status``, page after page."""
    return list(_pages(api))


def _pages(api: Fetch) -> Iterator[dict[str, Any]]:
    after: str | None = None
    while True:
        query = {"limit": PAGE} | ({} if after is None else {"after": after})
        path = f"status?{urlencode(query)}"
        try:
            page = from_json(api(path))  # pydantic-core's parser: 6 pages of 5,000 rows
            rows, after = page["recommendations"], page["next_after"]
        except (ValueError, KeyError, TypeError):
            raise BadTiles(f"/api/{path} does not answer the status board's JSON") from None
        yield from rows
        if after is None:
            return


def ours(rec: RecommendationStatus) -> dict[str, Any]:
    """What the board should say of ``rec``, by the entries."""
    last = rec.last_change.seq if rec.last_change else None
    return {
        "position": rec.position,
        "implementation": rec.implementation,
        "verdict": rec.verdict,
        "portfolio": rec.portfolio,
        "last_seq": last,
    }


def check_board(
    state: Status,
    size: int,
    board: Iterable[dict[str, Any]],
    expected_of: Callable[[RecommendationStatus], dict[str, Any]] = ours,
) -> int:
    """Compare the server's board (``board_rows``) with ``state``, the fold of the checkpoint's
    ``size`` entries (``expected_of`` a record: what ``ours`` says of it, perhaps said before);
    raise Found at the first disagreement; return the recommendations compared."""
    seen: set[Key] = set()
    compared = 0
    for row in board:
        key = _key(row)
        seen.add(key)
        if isinstance(row.get("last_seq"), int) and row["last_seq"] >= size:
            continue  # changed after the checkpoint: for a later run
        rec = state.recommendations.get(key)
        if rec is None:
            summary = (
                f"the server's board shows recommendation {_ref(key)}, which none of the "
                f"{size} entries the checkpoint covers adopted"
            )
            raise _disagreement(summary, row, None, state)
        expected = expected_of(rec)
        said = {name: row.get(name) for name in COMPARED}
        if said != expected:
            wrong = next(name for name in COMPARED if said[name] != expected[name])
            summary = (
                f"the server's board says {wrong} {said[wrong]!r} for recommendation "
                f"{_ref(key)} where its entries give {expected[wrong]!r}"
            )
            raise _disagreement(summary, row, rec, state)
        compared += 1
    for key, rec in state.recommendations.items():
        if key not in seen:
            summary = (
                f"the server's board leaves out recommendation {_ref(key)}, which entry "
                f"{rec.adopted.seq} adopted"
            )
            raise _disagreement(summary, None, rec, state)
    return compared


def _key(row: dict[str, Any]) -> Key:
    panel, number = row.get("panel"), row.get("number")
    if not isinstance(panel, int) or not isinstance(number, int):
        raise BadTiles("/api/status answers a row without a panel and number")
    return panel, number


def _disagreement(
    summary: str, row: dict[str, Any] | None, rec: RecommendationStatus | None, state: Status
) -> Found:
    """The evidence of a disagreement: the server's row, the fold's, and the entries that set
    the fold's (their bytes and proofs are added by the caller, who holds them)."""
    changes = () if rec is None else (
        rec.adopted, rec.position_change, rec.implementation_change, rec.verdict_change
    )  # fmt: skip
    return Found(
        READ_MODEL,
        summary,
        server_answer=row,
        from_entries=None if rec is None else ours(rec),
        entries_folded=state.seq + 1,
        entry_seqs=sorted({change.seq for change in changes if change is not None}),
    )


def _ref(key: Key) -> str:
    return f"{key[0]}/{key[1]}"
