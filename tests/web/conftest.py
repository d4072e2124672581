"""Fixtures of the page tests: the small assembly of ``tests.features.cycle`` with one answer,
a log key and a checkpoint, built once per session through ``assembly``; a client on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from projections.view import View, view_at
from tests.features.cycle import CHARTER, GOVERNMENT, LEDGER, copy_of, ok, shared_template
from tests.features.forked import assembly
from web import create_app
from web.context import Settings, opened

PUBLIC_URL = "http://testserver"  # the host TestClient names
ANSWERED = (1, 1)  # accepted at the first review, after its due date; 1/2 and 1/3 stay overdue
MEASURES = "A pilot in two communes, then the whole region."


@dataclass(frozen=True)
class Built:
    """The session's ledger and what the tests need to know about it."""

    folder: Path
    ledger: str
    answer_seq: int  # the entry of the answer to 1/1
    vkey: str  # what ``assembly vkey`` prints


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The small assembly, with 1/1 answered, a log key enrolled and a checkpoint signed."""
    folder = copy_of(shared_template(tmp_path_factory).seated, tmp_path_factory.mktemp("web"))
    answer = ("respond", "1/1", "--position", "accepted", "--portfolio", "climate")
    ok(assembly(*answer, "--planned-measures", MEASURES, "--key", GOVERNMENT, cwd=folder))
    ok(assembly("keys", "new", "--key", "log.key", cwd=folder))
    enrol = ("keys", "enrol", "log.key.pub", "--role", "log", "--name", "Log operator (test)")
    ok(assembly(*enrol, "--key", CHARTER, cwd=folder))
    ok(assembly("checkpoint", "--key", "log.key", "--out", "checkpoint.txt", cwd=folder))
    vkey = ok(assembly("vkey", cwd=folder)).stdout.strip()
    ledger = str(folder / LEDGER)
    answered = read(ledger).state.recommendations[ANSWERED]
    return Built(folder, ledger, answered.answers[0].change.seq, vkey)


def read(ledger: str, *, at_seq: int | None = None) -> View:
    """The status read model of ``ledger`` as the pages read it (now, or after ``at_seq``)."""
    with opened(Settings(ledger)) as book:
        return view_at(book, at_seq=at_seq, today=datetime.now(UTC).date())


def serving(ledger: str, **options: Any) -> FastAPI:
    """The web application on ``ledger``, at the public URL of the test client's host."""
    return create_app(ledger, public_url=PUBLIC_URL, **options)


@pytest.fixture(scope="session")
def client(built: Built) -> TestClient:
    """A client of the web application on the session's ledger."""
    return TestClient(serving(built.ledger))
