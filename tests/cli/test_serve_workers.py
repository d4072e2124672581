"""``assembly serve --workers N``: several server processes on one port, each making the
application from the settings the command hands them, each answering pages."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.features.cycle import LEDGER, copy_of, shared_template

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(ledger: str, folder: Path, *options: str) -> Iterator[tuple[str, Path]]:
    """``assembly serve`` with ``options`` on ``ledger``, run in ``folder``: the URL it answers
    at, and the file its output goes to (complete once the block ends)."""
    port = free_port()
    log = folder / f"serve-{port}.log"
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port), *options]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, "--ledger", ledger], cwd=folder, stdout=output, stderr=subprocess.STDOUT
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:  # polled: a port has nothing to await
            assert process.poll() is None, log.read_text()
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(f"assembly serve {' '.join(options)} did not answer: {log.read_text()}")
        yield url, log
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_two_workers_start_and_serve_the_pages(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    folder = copy_of(shared_template(tmp_path_factory).seated, tmp_path / "assembly")
    with serving(str(folder / LEDGER), folder, "--workers", "2") as (url, log):
        # a connection each, so that both workers answer some: the same page, the same ETag
        answers = [httpx.get(f"{url}/recommendations/1/1?lang=en", timeout=30) for _ in range(6)]
        assert [answer.status_code for answer in answers] == [200] * 6
        assert len({answer.headers["etag"] for answer in answers}) == 1
    started = log.read_text().count("Started server process")
    assert started == 2, log.read_text()
