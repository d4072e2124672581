"""Firefox for the end-to-end tests, driven over WebDriver BiDi, which Firefox speaks itself
(``--remote-debugging-port``): Debian has no geckodriver, and BiDi needs none. Only what the
tests use: open a page, wait for a condition, evaluate a script (awaiting its promise)."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FIREFOX = Path("/usr/bin/firefox-esr")
LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")


def firefox_problem() -> str | None:
    """Why Firefox cannot run here, or None."""
    if not FIREFOX.exists():
        return f"no Firefox at {FIREFOX} (scripts/install-browser installs Debian's firefox-esr)"
    try:
        import websocket  # noqa: F401  (websocket-client, which selenium brings)
    except ImportError:
        return "websocket-client is not installed"
    return None


class ScriptFailed(AssertionError):
    """A script evaluated in the page threw; its message."""


class Firefox:
    """One BiDi session on one headless Firefox, in its first tab."""

    def __init__(self, url: str, timeout: float) -> None:
        import websocket

        self.timeout = timeout
        self._ids = itertools.count(1)
        self._socket = websocket.create_connection(
            f"{url}/session", suppress_origin=True, timeout=timeout
        )
        self.call("session.new", {"capabilities": {}})
        tree = self.call("browsingContext.getTree", {})
        self.context = tree["contexts"][0]["context"]

    def call(self, method: str, params: dict[str, Any]) -> Any:
        number = next(self._ids)
        self._socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:  # events may come between; the answer carries the command's id
            message = json.loads(self._socket.recv())
            if message.get("id") == number:
                if message.get("type") == "error":
                    raise AssertionError(f"{method}: {message.get('message')}")
                return message["result"]

    def open(self, url: str) -> None:
        self.call(
            "browsingContext.navigate", {"context": self.context, "url": url, "wait": "complete"}
        )

    def evaluate(self, expression: str) -> Any:
        """The value of ``expression`` in the page (a promise is awaited), as BiDi serialises
        it: strings, numbers, booleans and null as themselves; use JSON.stringify for more."""
        found = self.call(
            "script.evaluate",
            {
                "expression": expression,
                "target": {"context": self.context},
                "awaitPromise": True,
            },
        )
        if found["type"] == "exception":
            raise ScriptFailed(found["exceptionDetails"]["text"])
        return found["result"].get("value")

    def wait_for(self, expression: str, what: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not self.evaluate(expression):
            if time.monotonic() > deadline:
                raise AssertionError(f"after {self.timeout} s in Firefox, {what}")
            time.sleep(0.1)  # polling the page: BiDi has no wait for a condition

    def close(self) -> None:
        self._socket.close()


@contextmanager
def firefox(timeout: float) -> Iterator[Firefox]:
    """A headless Firefox with a profile of its own, stopped and removed on leaving."""
    profile = Path(tempfile.mkdtemp(prefix="firefox-profile-"))
    process = subprocess.Popen(
        [str(FIREFOX), "--headless", "--no-remote", "--profile", str(profile),
         "--remote-debugging-port=0", "about:blank"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        deadline = time.monotonic() + timeout
        url = None
        for line in process.stderr:  # Firefox says where it listens before anything else
            if found := LISTENING.search(line):
                url = found.group(1)
                break
            if time.monotonic() > deadline:
                break
        assert url, f"Firefox did not say where WebDriver BiDi listens (exit {process.poll()})"
        stream = process.stderr  # drained, or a full pipe would stop Firefox
        threading.Thread(target=lambda: [None for _ in stream], daemon=True).start()
        browser = Firefox(url, timeout)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(profile, ignore_errors=True)
