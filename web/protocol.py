"""uvicorn's HTTP/1.1 protocol (h11), with a time limit on a request's head.

uvicorn closes a connection that stays idle after a response (``timeout_keep_alive``), but
any byte received restarts that wait, and nothing limits the time a request's line and headers
take to arrive: a client sending one byte every few seconds holds a connection for ever, and
a few thousand such clients hold them all. Here the head of each request must arrive whole
within ``head_seconds`` of the connection, or of the previous response, else the connection is
closed. The body has its own limit where it is read (``web.envelope``).
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD_SECONDS = 10.0


class TimedHeads(H11Protocol):
    """``H11Protocol`` closing a connection whose request head is late (see the module)."""

    head_seconds = HEAD_SECONDS
    _heads = 0  # how many times the clock was started: a late timer of an earlier head is void
    _timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_clock()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._start_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        super().connection_lost(exc)

    def _start_clock(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._heads += 1
        self._timer = self.loop.call_later(self.head_seconds, self._head_is_late, self._heads)

    def _head_is_late(self, head: int) -> None:
        """Close the connection if the head this clock was started for has not all arrived."""
        waiting = self.conn.their_state is h11.IDLE  # no whole request head since the start
        if head == self._heads and waiting and not self.transport.is_closing():
            self.transport.close()
