"""Reads at a point in the past fold the ledger in memory, so the server runs only a few at
once (``web.context``): one that finds no turn within the wait is a 503 with Retry-After, in
the reader's language, and every other page goes on."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import Built, serving
from web.context import Busy, Settings, opened


@pytest.fixture
def app(built: Built) -> Iterator[FastAPI]:
    """The application with one turn for past reads, and a short wait for it."""
    found = serving(built.ledger, past_reads=1)
    found.state.settings = replace(found.state.settings, wait=0.05)  # a new gate of one turn
    yield found


def taken(app: FastAPI) -> threading.BoundedSemaphore:
    """The gate of past reads, with its one turn taken (give it back with ``release``)."""
    gate: threading.BoundedSemaphore = app.state.settings.gate
    assert gate.acquire(timeout=1)
    return gate


@pytest.mark.parametrize(
    "path",
    [
        "/api/status?as_of=2026-06-30",
        "/api/status?at_seq=3",
        "/api/recommendations/1/1?at_seq=100000",
        "/api/overdue?as_of=2026-06-30",
        "/api/dashboard?at_seq=3",
    ],
)
def test_an_api_read_in_the_past_without_a_turn_is_a_503_to_retry(app: FastAPI, path: str) -> None:
    client = TestClient(app)
    gate = taken(app)
    try:
        refused = client.get(path)
        now = client.get(path.split("?")[0])
    finally:
        gate.release()
    assert refused.status_code == 503 and refused.headers["retry-after"] == "30"
    assert refused.json() == {"detail": Busy.SENTENCE}
    assert now.status_code == 200  # the same read now needs no turn
    assert client.get(path).status_code == 200  # and with the turn free again, it is served


def test_a_page_in_the_past_without_a_turn_says_so_in_the_readers_language(app: FastAPI) -> None:
    client = TestClient(app)
    gate = taken(app)
    try:
        refused = client.get("/recommendations?as_of=2026-06-30&lang=nl")
        board = client.get("/recommendations?lang=nl")
    finally:
        gate.release()
    assert refused.status_code == 503 and refused.headers["retry-after"] == "30"
    assert "probeer het over een minuut opnieuw" in refused.text
    assert board.status_code == 200


def test_a_turn_is_given_back_whatever_happens_in_the_read(built: Built) -> None:
    settings = Settings(built.ledger, past_reads=1, wait=0.05)
    with pytest.raises(RuntimeError), opened(settings, past=True):
        raise RuntimeError("a read that fails")
    with opened(settings, past=True), pytest.raises(Busy), opened(settings, past=True):
        pass  # the one turn is taken by the read around it
    with opened(settings, past=True):
        pass
