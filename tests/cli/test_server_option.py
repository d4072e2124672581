"""``--server``: a write command signs locally and submits to a running ``assembly serve``."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.features.cycle import GOVERNMENT, entries, ok, one_sentence
from tests.features.forked import assembly


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(folder: Path) -> Iterator[str]:
    """``assembly serve`` on the small assembly, on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            pytest.fail("assembly serve did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
def test_an_answer_signed_here_is_written_by_the_server(folder: Path, server: str) -> None:
    before = entries(folder)
    answer = ("respond", "1/1", "--position", "accepted", "--portfolio", "climate")
    done = ok(assembly(*answer, "--key", GOVERNMENT, "--server", server, cwd=folder))
    assert "Wrote seq" in done.stdout
    assert entries(folder) == before + 1
    refused = ("respond", "1/2", "--position", "rejected", "--portfolio", "climate")
    one_sentence(
        assembly(*refused, "--key", GOVERNMENT, "--server", server, cwd=folder), 3, "justification"
    )
    assert entries(folder) == before + 1
