"""A ledger for the monitor's tests (1/1 refused, a log key, a checkpoint) and the web
application served on loopback in a thread, so a test can stop it and serve another ledger,
even on the same port (a browser keeps what it saw per origin, port included)."""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from tests.e2e.conftest import WAIT_SECONDS, free_port
from tests.features.cycle import (
    CHARTER,
    GOVERNMENT,
    LEDGER,
    LOG_ORIGIN,
    copy_of,
    long_justification,
    ok,
    shared_template,
)
from tests.features.forked import assembly
from tlog.note import VerifierKey
from web import create_app


@dataclass(frozen=True)
class Monitored:
    """A ledger folder whose log a monitor can follow, and the log's verifier key."""

    folder: Path
    vkey: str


def run(folder: Path, *args: str) -> None:
    ok(assembly(*args, cwd=folder))


def refuse(folder: Path, ref: str) -> None:
    """The government refuses ``ref`` (with the justification a refusal needs)."""
    why = ("--justification", long_justification(), "--key", GOVERNMENT)
    run(folder, "respond", ref, "--position", "rejected", "--portfolio", "climate", *why)


def accept(folder: Path, ref: str) -> None:
    run(folder, "respond", ref, "--position", "accepted", "--portfolio", "climate",
        "--key", GOVERNMENT)  # fmt: skip


def checkpoint(folder: Path) -> None:
    run(folder, "checkpoint", "--key", "log.key")


def monitored_ledger(factory: object, folder: Path) -> Monitored:
    """The small assembly in ``folder``, 1/1 refused, a log key enrolled, a checkpoint signed."""
    copy_of(shared_template(factory).seated, folder)  # type: ignore[arg-type]
    refuse(folder, "1/1")
    log_key_with_a_plus(folder)
    enrol = ("keys", "enrol", "log.key.pub", "--role", "log", "--name", "Log operator (test)")
    run(folder, *enrol, "--key", CHARTER)
    checkpoint(folder)
    return Monitored(folder, ok(assembly("vkey", cwd=folder)).stdout.strip())


def log_key_with_a_plus(folder: Path) -> None:
    """Make ``log.key``, one whose verifier key holds a "+" in its base64 (about every other
    key does): a reader must split such a key at its first two "+" only."""
    for attempt in range(40):
        name = f"log-{attempt}.key"
        run(folder, "keys", "new", "--key", name)
        public = base64.b64decode((folder / f"{name}.pub").read_text())
        if "+" in VerifierKey(LOG_ORIGIN, public).text().split("+", 2)[2]:
            (folder / name).rename(folder / "log.key")
            (folder / f"{name}.pub").rename(folder / "log.key.pub")
            return
    raise AssertionError("forty keys without a + in their verifier key")


@contextmanager
def served(folder: Path, port: int | None = None, **options: Any) -> Iterator[str]:
    """The web application on the folder's ledger on loopback, in a thread, until the end
    (``options``: more of ``create_app``'s arguments)."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    with on_loopback(create_app(str(folder / LEDGER), public_url=url, **options), port):
        yield url


@contextmanager
def on_loopback(app: Any, port: int) -> Iterator[None]:
    """``app`` served on 127.0.0.1:``port`` by uvicorn, in a thread, until the end."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT_SECONDS
    while not server.started:  # uvicorn says when it listens; nothing to await across threads
        if not thread.is_alive() or time.monotonic() > deadline:
            raise AssertionError(f"the server on port {port} did not start")
        time.sleep(0.02)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(timeout=WAIT_SECONDS)
