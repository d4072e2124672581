"""Witnesses as separate processes: ``assembly witness serve`` on a free loopback port each."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from queue import Empty, Queue

from tests import runner

_URL = re.compile(r"answers at (http://\S+/add-checkpoint)")


@contextmanager
def serving(directory: Path) -> Iterator[str]:
    """Run ``assembly witness serve DIRECTORY --listen 127.0.0.1:0`` and yield the URL of its
    add-checkpoint endpoint; the process is stopped on leaving."""
    with following(
        Path.cwd(), "witness", "serve", str(directory), "--listen", "127.0.0.1:0"
    ) as lines:
        for line in lines:
            found = _URL.search(line)
            if found:
                yield found.group(1)
                return


@contextmanager
def following(cwd: Path, *args: str) -> Iterator[Iterator[str]]:
    """Run ``assembly ARGS`` in ``cwd`` until leaving, yielding its stderr lines as they come
    (waiting more than 60 s for the next line fails the test)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSEMBLY_")}
    env["COLUMNS"] = "400"  # one line for each message, whatever the terminal
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", *args],
        cwd=cwd,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        yield _lines(process)
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr is not None:
            process.stderr.close()


def _lines(process: subprocess.Popen[str]) -> Iterator[str]:
    """The process's stderr lines; waiting for one never blocks longer than 60 s."""
    assert process.stderr is not None
    stream = process.stderr
    queue: Queue[str] = Queue()
    threading.Thread(target=lambda: [queue.put(line) for line in stream], daemon=True).start()
    while True:
        try:
            yield queue.get(timeout=60)
        except Empty:
            raise AssertionError(f"no line within 60 s (exit {process.poll()})") from None


def init_witness(directory: Path, name: str, origin: str, log_vkey: str) -> str:
    """Make a witness with ``assembly witness init`` and return its verifier key."""
    done = runner.assembly(
        "witness",
        "init",
        str(directory),
        "--name",
        name,
        "--origin",
        origin,
        "--log-vkey",
        log_vkey,
    )
    assert done.code == 0, done
    return done.stdout.strip()
