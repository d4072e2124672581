"""The browser and the server of the end-to-end tests, on the page tests' ledger.

The browser is Debian's Chromium driven through its chromedriver, both found at fixed paths
(``scripts/install-browser`` installs them): Selenium is given both paths and runs offline, so
it never fetches a browser or a driver. Without them the tests skip, and under ``CI=true`` fail,
as the PostgreSQL tests do. Screenshots go to ``$ASSEMBLY_TEST_ARTIFACTS/screenshots`` (default
``test-artifacts/`` at the repository's root), which CI keeps.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI
from tests.web.conftest import Built, built

__all__ = ["Browser", "Server", "browser", "built", "server"]

CHROMIUM = Path(os.environ.get("ASSEMBLY_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("ASSEMBLY_CHROMEDRIVER", "/usr/bin/chromedriver"))
ROOT = Path(__file__).parents[2]
ARTIFACTS = Path(os.environ.get("ASSEMBLY_TEST_ARTIFACTS", ROOT / "test-artifacts"))
STARTUP_SECONDS = 30
WAIT_SECONDS = 15


@dataclass(frozen=True)
class Server:
    """``assembly serve`` listening on loopback, and where its output goes."""

    url: str
    log: Path

    def get(self, path: str) -> tuple[int, bytes]:
        """The status and body of ``GET path``, an error status included (not raised)."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=WAIT_SECONDS) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


@dataclass(frozen=True)
class Browser:
    """A headless Chromium, the folder it downloads into, and where its screenshots go."""

    driver: Any  # selenium.webdriver.Chrome: selenium is imported only when the browser exists
    downloads: Path
    screenshots: Path

    def screenshot(self, name: str) -> Path:
        """Save the whole page (not only the window) as ``<name>.png`` among the artifacts."""
        size = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot",
            {"format": "png", "captureBeyondViewport": True, "clip": clip},
        )
        path = self.screenshots / f"{name}.png"
        path.write_bytes(base64.b64decode(shot["data"]))
        return path


def browser_problem() -> str | None:
    """Why the end-to-end tests cannot run here, or None."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            return f"no {path}: install Debian's {package} (scripts/install-browser)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    return None


def checkout_env() -> dict[str, str]:
    """The environment of an ``assembly`` child: this checkout's code first on its path (an
    editable install made before a package was added would not find it), no ``ASSEMBLY_*``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSEMBLY_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), env.get("PYTHONPATH"))))
    return env


def free_port() -> int:
    """A TCP port nothing listens on at the moment (the server binds it right after)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def server(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``assembly serve`` on the session's ledger, on a free loopback port, until the end."""
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    command = [sys.executable, "-m", "cli", "serve", "--port", str(port), "--ledger", built.ledger]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=built.folder, env=checkout_env(), stdout=output, stderr=subprocess.STDOUT
        )
    running = Server(f"http://127.0.0.1:{port}", log)
    try:
        wait_until_ready(running, process)
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_ready(running: Server, process: subprocess.Popen[bytes]) -> None:
    """Return once ``/healthz`` answers; fail with the server's output if it never does."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"assembly serve exited with {process.returncode}:\n{output(running)}")
        try:
            if running.get("/healthz")[0] == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(0.1)  # polling a port: there is nothing to await
    pytest.fail(f"assembly serve did not answer in {STARTUP_SECONDS} s:\n{output(running)}")


def output(running: Server) -> str:
    return running.log.read_text(encoding="utf-8", errors="replace")[-4000:]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Headless Chromium through Debian's chromedriver (skip without it, fail under CI)."""
    problem = browser_problem()
    if problem is not None:
        if IN_CI:
            pytest.fail(f"CI=true requires the browser of the end-to-end tests: {problem}")
        pytest.skip(problem)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager, should anything call it, fetches nothing
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--lang=en",
    ):
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(chromium: Any, tmp_path: Path) -> Browser:
    """The session's Chromium, downloading into this test's folder, with its screenshot folder."""
    chromium.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)}
    )
    screenshots = ARTIFACTS / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    return Browser(chromium, tmp_path, screenshots)
