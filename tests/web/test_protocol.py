"""A client that sends a request's head too slowly is cut off (``web.protocol``), on a real
uvicorn server over a loopback socket: one that never finishes its head, one that trickles it
a byte at a time, and one that waits too long after a response; a prompt client is served."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import uvicorn

from tests.web.conftest import Built, serving
from web.protocol import TimedHeads

LIMIT = 0.3  # seconds for a head in these tests
PATIENCE = 5.0  # how long a test waits for the server to act before it fails


class QuickHeads(TimedHeads):
    head_seconds = LIMIT


@asynccontextmanager
async def running(ledger: str) -> AsyncIterator[int]:
    """uvicorn serving the application with ``QuickHeads`` on a loopback port, until the end."""
    listening = socket.create_server(("127.0.0.1", 0))
    port = int(listening.getsockname()[1])
    config = uvicorn.Config(
        serving(ledger, listening="127.0.0.1"), http=QuickHeads, log_level="error", lifespan="off"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[listening]))
    try:
        yield port
    finally:
        server.should_exit = True
        await task


def scenario(built: Built, client: Callable[[int], Awaitable[bytes]]) -> bytes:
    """What ``client`` reads from a connection to the running server, up to its end."""

    async def run() -> bytes:
        async with running(built.ledger) as port:
            return await asyncio.wait_for(client(port), timeout=PATIENCE)

    return asyncio.run(run())


async def read_all(reader: asyncio.StreamReader) -> bytes:
    return await reader.read()  # up to the end of the stream: the server closed it


def test_a_head_that_never_ends_is_cut_off(built: Built) -> None:
    async def client(port: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line
        return await read_all(reader)

    assert scenario(built, client) == b""


def test_a_head_sent_a_byte_at_a_time_is_cut_off_though_bytes_keep_coming(built: Built) -> None:
    async def client(port: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 1000
        for byte in head:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(LIMIT / 10)  # the slow client under test, not a wait for it
            if reader.at_eof():
                break
        return await read_all(reader)

    assert scenario(built, client) == b""


def test_a_prompt_client_is_served_then_cut_off_when_its_next_head_is_late(
    built: Built,
) -> None:
    async def client(port: int) -> bytes:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answered = await reader.readuntil(b'{"status":"ok"}')
        writer.write(b"GET /healthz HTTP/1.1\r\n")  # the next request, never finished
        return answered + await read_all(reader)

    answer = scenario(built, client)
    assert answer.startswith(b"HTTP/1.1 200 OK") and answer.endswith(b'{"status":"ok"}')
