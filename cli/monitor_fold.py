"""The monitor's status fold: every recommendation's status from the entries, folded a batch
at a time as the walk checks them, then compared with the server's board
(``cli.monitor_board``).

It runs in the monitor's own process, between the walk's batches: a second process, fed through
a pipe, measured slower on two cores (``benchmarks/monitor.py``), its start and the copies
costing more than the fold it took off the walk.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from cli.monitor_board import check_board, ours
from cli.monitor_entries import Fields, Row
from ledger.history import history_before
from projections.parsed import parsed_fields
from projections.status import Key, RecommendationStatus, Status, fold
from projections.tables import detail_of

Entry = tuple[int, str, Fields]  # seq, recorded_at, the body parsed
# Batches folded between two looks for the recommendations the fold has left alone since the
# last look, whose rows (``detail_of``) are written then, while the workers check the entries,
# rather than all at the end, when this process alone is at work.
SETTLE_EVERY = 8


class Folding:
    """The status fold (``projections.status``) of the entries given, read as the pages read
    the ledger (``projections.parsed``), history recorded after the fact judged as the ledger
    does; a fold that fails is raised by ``result``, once the entries are known to verify."""

    def __init__(self, state: Status | None = None, history: date | None = None) -> None:
        self.state = Status() if state is None else state
        self.history = history
        self.error: Exception | None = None

    def add(self, entries: Sequence[Entry]) -> None:
        if self.error is not None or not entries:
            return
        try:
            if entries[0][0] == 0:
                self.history = history_before(entries[0][2], entries[0][1])
            events = [
                found
                for seq, recorded_at, fields in entries
                if (found := parsed_fields(seq, recorded_at, fields, history_before=self.history))
                is not None
            ]
            self.state = replace(fold(self.state, events), seq=entries[-1][0])
        except Exception as exc:  # said once the entries verified: a bad entry comes first
            self.error = exc

    def result(self) -> Status:
        if self.error is not None:
            raise self.error
        return self.state


class BoardCheck:
    """The fold of the batches the walk has checked, from where the fold of the entries before
    them ended (``start``, with the ledger's ``history``) or nothing, then its comparison with
    the board."""

    def __init__(self, start: Status | None = None, history: date | None = None) -> None:
        self.start = Status() if start is None else start
        self.folding = Folding(self.start, history)
        self.batches = 0
        self.looked: dict[Key, RecommendationStatus] = {}  # each record at the last look
        # The records written, by key: each with its row (``detail_of``, as the bytes of its
        # line in ``walk.jsonl``: encoded while the workers check entries, not after the walk)
        # and what the board should say of it (``ours``), said then too: the comparison after
        # the walk says it only of the records changed since.
        self.rows: dict[Key, tuple[RecommendationStatus, bytes, dict[str, Any]]] = {}

    def add(self, rows: Sequence[Row], events: Sequence[Fields]) -> None:
        """Fold the rows of a batch the walk has checked, from their bodies as read."""
        self.folding.add([(row[1], row[4], event) for row, event in zip(rows, events, strict=True)])
        self.batches += 1
        if self.batches % SETTLE_EVERY == 0:
            self._settle()

    def _settle(self) -> None:
        """Write the row of each recommendation the fold has kept as it was since the last
        look (most are done with; the others are written again when the fold has them)."""
        if self.folding.error is not None:
            return
        looked, written = self.looked, self.rows
        for key, rec in self.folding.state.recommendations.items():
            if looked.get(key) is not rec:
                looked[key] = rec
            elif key not in written or written[key][0] is not rec:
                written[key] = (rec, detail_of(rec).encode(), ours(rec))

    def details(self) -> Mapping[Key, bytes]:
        """The rows written of the fold's recommendations (``detail_of``, encoded), for those
        whose record the fold still holds; the others' are not."""
        recommendations = self.folding.state.recommendations
        return {key: detail for key, (rec, detail, _) in self.rows.items()
                if recommendations.get(key) is rec}  # fmt: skip

    @property
    def history(self) -> date | None:
        """The ledger's ``history_before``, as the fold read it."""
        return self.folding.history

    def folded(self) -> Status:
        """The fold of every entry: where it started, then each batch checked since."""
        return self.folding.result()

    def compare(self, size: int, board: list[dict[str, Any]]) -> int:
        """``check_board`` on the fold: the recommendations compared, or Found raised."""
        written = self.rows

        def expected_of(rec: RecommendationStatus) -> dict[str, Any]:
            kept = written.get(rec.key)
            return kept[2] if kept is not None and kept[0] is rec else ours(rec)

        return check_board(self.folding.result(), size, board, expected_of)
