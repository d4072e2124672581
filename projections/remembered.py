"""Counts remembered per read-model position: a scoreboard read twice at the same position of
the stored read model, on the same day, with the same filters, is the same scoreboard, so a
process keeps the last ``SIZE`` it counted and counts again only when the ledger has grown (or
the day, or the filters, changed). The position is read first, by one indexed read.

The stored read model at one position is a pure function of the ledger up to that entry (a
rebuild writes the same rows), so nothing remembered can be stale: an entry more moves the
position, and the next read counts afresh.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from ledger import Ledger
from projections.runner import engine_of, stored_bare

SIZE = 256  # remembered counts per process

T = TypeVar("T")
_found: OrderedDict[tuple[Hashable, ...], object] = OrderedDict()
_lock = threading.Lock()


def remembered(ledger: Ledger, key: tuple[Hashable, ...], count: Callable[[], T]) -> T:
    """What ``count()`` gives for ``key`` at the stored read model's current position of
    ``ledger`` (the seq its reads answer at, its head): remembered from an earlier call at that
    position, or counted now (and kept)."""
    where = (str(engine_of(ledger).url), stored_bare(ledger).seq, *key)
    with _lock:
        if where in _found:
            _found.move_to_end(where)
            return _found[where]  # type: ignore[return-value]
    found = count()
    with _lock:
        _found[where] = found
        while len(_found) > SIZE:
            _found.popitem(last=False)
    return found
