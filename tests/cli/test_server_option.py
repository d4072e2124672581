"""``--server``: a write command signs locally and submits to a running ``assembly serve``."""

from __future__ import annotations

import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import httpx
import pytest

from tests.features.cycle import (
    GOVERNMENT,
    LEDGER,
    SECRETARIAT,
    answer,
    answers_csv,
    entries,
    last_events,
    long_justification,
    ok,
    one_sentence,
)
from tests.features.forked import assembly


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(folder: Path, *, log: IO[str] | int = subprocess.DEVNULL) -> Iterator[str]:
    """``assembly serve`` on the ledger in ``folder``, on a free loopback port, once it answers
    (its standard error to ``log``)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port)],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
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


@pytest.fixture
def server(folder: Path) -> Iterator[str]:
    """``assembly serve`` on the small assembly."""
    with serving(folder) as url:
        yield url


def read_models_position(folder: Path) -> int | None:
    with sqlite3.connect(folder / LEDGER) as db:
        found = db.execute("SELECT seq FROM projection_positions").fetchone()
    return None if found is None else int(found[0])


@pytest.mark.slow
def test_serve_brings_the_read_models_up_to_date_before_it_answers(
    folder: Path, tmp_path: Path
) -> None:
    with sqlite3.connect(folder / LEDGER) as db:  # as after an upgrade of their format
        db.execute("DELETE FROM projection_settings")
        db.execute("DELETE FROM projection_positions")
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log, serving(folder, log=log):
        seq = read_models_position(folder)  # before any page was asked for
    assert seq == entries(folder) - 1
    assert f"Applied {entries(folder)} entries to the read models." in log_path.read_text()


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


def answers_file(folder: Path, *rows: dict[str, str]) -> str:
    answers_csv(folder / "answers.csv", list(rows))
    return "answers.csv"


@pytest.mark.slow
def test_a_file_of_answers_is_submitted_whole_or_not_at_all(folder: Path, server: str) -> None:
    signed_here = ("--key", GOVERNMENT, "--server", server)
    good = [
        answer("1/1", planned_measures="A renovation fund from 2026."),
        answer("1/2", "rejected", justification=long_justification()),
        answer("1/3", "under_study", decision_date="2025-12-31"),
    ]
    before = entries(folder)

    bad = answers_file(folder, *good[:2], answer("1/9"))
    refused = assembly("respond", "--csv", bad, *signed_here, cwd=folder)
    assert refused.code == 3, refused
    assert "row 4: 1/9: Panel 1 has no recommendation 9." in refused.stderr
    assert entries(folder) == before

    whole = answers_file(folder, *good)
    rehearsed = ok(assembly("respond", "--csv", whole, "--dry-run", *signed_here, cwd=folder))
    assert "3 answer(s) would be written, 0 unchanged" in rehearsed.stdout
    assert entries(folder) == before

    done = ok(assembly("respond", "--csv", whole, *signed_here, cwd=folder))
    assert "Wrote 3 answer(s); 0 row(s) unchanged." in done.stdout
    written = last_events(folder, 3)
    assert [(event["type"], event["number"]) for event in written] == [
        ("assembly.government.responded", number) for number in (1, 2, 3)
    ]
    assert entries(folder) == before + 3

    again = ok(assembly("respond", "--csv", whole, *signed_here, cwd=folder))
    assert "Wrote 0 answer(s); 3 row(s) unchanged." in again.stdout
    assert entries(folder) == before + 3


@pytest.mark.slow
def test_a_theme_group_drawn_here_is_replayed_and_written_by_the_server(
    folder: Path, server: str
) -> None:
    before = entries(folder)
    draw = (
        *("theme", "draw", "--panel", "2", "--randomness-source", "The Lotto draw of last night"),
        *("--randomness-value", "Lotto: 3 9 14 27 36 44", "--published-at", "2025-06-01T20:00Z"),
    )
    done = ok(assembly(*draw, "--key", SECRETARIAT, "--server", server, cwd=folder))
    assert "Wrote seq" in done.stdout
    [group] = last_events(folder)
    assert (group["type"], group["formed_by"], len(group["pseudonyms"])) == (
        "assembly.theme.group_formed",
        "drawn",
        4,
    )
    again = assembly(*draw, "--key", SECRETARIAT, "--server", server, cwd=folder)
    one_sentence(again, 3, "The theme group of panel 2 is already recorded")
    assert entries(folder) == before + 1
