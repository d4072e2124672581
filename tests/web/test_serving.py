"""``assembly serve`` (``cli.serve_commands``) builds the application on its public URL and runs
uvicorn with time limits for idle and slow clients; a public URL it cannot build links on, or none
while listening on every address, is refused before anything is read."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cli import serve_commands
from cli.errors import UsageProblem
from tests.web.conftest import Built
from web.caching import Kept
from web.protocol import TimedHeads


@pytest.fixture
def ran(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What ``uvicorn.run`` is called with, instead of serving until interrupted."""
    import uvicorn

    called: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: called.update(app=app, **options))
    return called


def test_serve_runs_uvicorn_with_time_limits_and_the_default_public_url(
    built: Built, ran: dict[str, Any]
) -> None:
    serve_commands.serve(host="127.0.0.1", port=8123, ledger=built.ledger)
    assert ran["timeout_keep_alive"] == serve_commands.IDLE_SECONDS == 5
    assert ran["h11_max_incomplete_event_size"] == serve_commands.LARGEST_HEAD
    assert ran["http"] is TimedHeads and TimedHeads.head_seconds == 10
    assert (ran["host"], ran["port"]) == ("127.0.0.1", 8123)
    assert ran["app"].state.settings.public_url == "http://127.0.0.1:8123"
    assert isinstance(ran["app"].state.kept, Kept)  # one process keeps its answers as several
    served = TestClient(ran["app"], base_url="http://127.0.0.1:8123")
    assert served.get("/healthz").status_code == 200
    assert served.get("/docs").status_code == 404


def test_serve_takes_a_public_url_and_the_api_docs_when_asked(
    built: Built, ran: dict[str, Any]
) -> None:
    serve_commands.serve(
        host="0.0.0.0",
        port=8000,
        public_url="https://ledger.example.org",
        api_docs=True,
        ledger=built.ledger,
    )
    served = TestClient(ran["app"], base_url="https://ledger.example.org")
    assert served.get("/docs").status_code == 200
    assert served.get("/healthz").headers["strict-transport-security"]
    assert served.get("/healthz", headers={"host": "0.0.0.0"}).status_code == 400


def test_listening_on_every_address_without_a_public_url_is_refused(built: Built) -> None:
    with pytest.raises(UsageProblem) as refused:
        serve_commands.serve(host="0.0.0.0", port=8000, ledger=built.ledger)
    assert refused.value.sentence() == (
        "Listening on every address (0.0.0.0) names no host for links: give --public-url, "
        "the URL readers reach the server at."
    )


def test_a_public_url_that_cannot_start_a_link_is_refused_before_the_ledger_is_read(
    ran: dict[str, Any],
) -> None:
    with pytest.raises(UsageProblem) as refused:
        serve_commands.serve(public_url="ledger.example.org", ledger="never-opened.db")
    assert "'ledger.example.org' is not a public URL" in refused.value.sentence()
    assert ran == {}
