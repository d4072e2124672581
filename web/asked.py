"""What a page is asked for: its language, the point in time, the query it came with; and
``Problem``, what makes a page impossible (an HTTP status and a sentence to show)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from urllib.parse import urlencode

from ledger import Entry
from ledger.history import counted_before
from projections.view import end_of


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
        if not params:  # a board links each of its rows so: the query is the same for all
            return f"{path}?{self._carried}"
        carried = {"lang": self.lang, "as_of": self.as_of, "at_seq": self.at_seq, **params}
        kept = {name: str(value) for name, value in carried.items() if value not in (None, "")}
        return f"{path}?{urlencode(kept)}"

    @cached_property
    def _carried(self) -> str:
        """The query every link of the page carries: the language and the point in time."""
        carried = {"lang": self.lang, "as_of": self.as_of, "at_seq": self.at_seq}
        return urlencode({name: str(value) for name, value in carried.items() if value is not None})

    def switch(self, lang: str) -> str:
        """This page, with the same query, in ``lang``."""
        return f"{self.path}?{urlencode({**self.query, 'lang': lang})}"

    def keeps(self, entry: Entry, history: date | None) -> bool:
        """Whether ``entry`` was in the ledger at the point asked for, on a ledger whose
        history ends ``history`` (``Ledger.history_before``): history recorded after the fact
        by the day its author gave (``ledger.history.counted_before``)."""
        until = end_of(self.as_of)
        return (self.at_seq is None or entry.seq <= self.at_seq) and counted_before(
            entry.recorded_at, entry.body, until, history
        )
