"""The monitor's status fold, in a process of its own beside the checks of the entries.

The walk over the entries (``ledger.verify``) keeps the monitor's main process busy, as it keeps
``assembly verify``'s; the fold of the same entries into every recommendation's status, and its
comparison with the server's board (``cli.monitor_board``), run in a second process, on a core
the signature checks leave idle most of the time. It is fed each batch the walk has checked:
(seq, recorded_at, body) of each entry.
"""

from __future__ import annotations

import json
import multiprocessing
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from cli.monitor_board import check_board
from cli.monitor_entries import Row
from cli.monitor_evidence import Found
from ledger.history import history_before
from projections.parsed import parsed_body
from projections.status import Status, fold

Entry = tuple[int, str, bytes]


class Folding:
    """The status fold (``projections.status``) of the entries given, read as the pages read
    the ledger (``projections.parsed``), history recorded after the fact judged as the ledger
    does; a fold that fails is raised by ``result``, once the entries are known to verify."""

    def __init__(self) -> None:
        self.state = Status()
        self.history: date | None = None
        self.error: Exception | None = None

    def add(self, entries: Sequence[Entry]) -> None:
        if self.error is not None or not entries:
            return
        try:
            if entries[0][0] == 0:
                self.history = history_before(json.loads(entries[0][2]), entries[0][1])
            events = [
                found
                for seq, recorded_at, body in entries
                if (found := parsed_body(seq, recorded_at, body, history_before=self.history))
                is not None
            ]
            self.state = replace(fold(self.state, events), seq=entries[-1][0])
        except Exception as exc:  # said once the entries verified: a bad entry comes first
            self.error = exc

    def result(self) -> Status:
        if self.error is not None:
            raise self.error
        return self.state


class FoldingProcess:
    """A ``Folding`` in a spawned process, fed through a pipe; ``compare`` ends it."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()

    def add(self, rows: Sequence[Row]) -> None:
        """Fold the rows of a batch the walk has checked."""
        self.conn.send([(row[1], row[4], row[6]) for row in rows])

    def compare(self, size: int, board: list[dict[str, Any]]) -> int:
        """``check_board`` on the fold: the recommendations compared, or Found raised."""
        self.conn.send((size, board))
        answer = self.conn.recv()
        if answer[0] == "found":
            raise Found(answer[1], answer[2], **answer[3])
        if answer[0] == "failed":
            raise AssertionError(f"the status fold failed on entries that verify: {answer[1]}")
        return int(answer[1])

    def __enter__(self) -> FoldingProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join()


def _serve(conn: Connection) -> None:
    folding = Folding()
    try:
        while True:
            message = conn.recv()
            if isinstance(message, list):
                folding.add(message)
                continue
            size, board = message
            try:
                conn.send(("compared", check_board(folding.result(), size, board)))
            except Found as found:
                conn.send(("found", found.kind, found.summary, found.details))
            except Exception as exc:  # the main process raises it as a bug of ours
                conn.send(("failed", f"{type(exc).__name__}: {exc}"))
            return
    except EOFError:  # the main process stopped before comparing: nothing to say
        return
