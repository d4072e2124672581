"""A ledger written by the previous release verifies and reads the same.

``tests/fixtures/cycle-c22f384`` holds what release c22f384 wrote with ``assembly demo``: a whole
cycle of 60 recommendations with charters, votes, adoptions, answers at both reviews, verdicts
with whole-number scores and implementation reports (payloads this release upcasts: the charter,
answers, verdicts, reports, adoptions and votes all gained a schema), and what that release's
``status``, ``show``, ``dashboard`` and ``overdue`` printed as JSON as of 2026-12-04. This
release reads the same ledger: every field the previous one printed has the same value, except
the changes the issue asked for, each named below.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.features.cycle import ok, settle
from tests.features.forked import assembly

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "cycle-c22f384"
AS_OF = ("--as-of", "2026-12-04")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("previous") / "assembly.db"
    shutil.copy(FIXTURE / "assembly.db", target)
    settle(target)
    return target.parent


def _before(name: str) -> Any:
    return json.loads((FIXTURE / name).read_text(encoding="utf-8"))


def _now(folder: Path, *args: str) -> Any:
    return json.loads(ok(assembly(*args, *AS_OF, "--format", "json", cwd=folder)).stdout)


def _as_asked(row: dict[str, Any]) -> dict[str, Any]:
    """A row of the previous release with the issue's deliberate changes applied: a refused
    recommendation's implementation is not applicable (it was "not_started"), and a score is a
    decimal written as text (it was a whole number)."""
    row = dict(row)
    if row.get("position") == "rejected" and row.get("implementation") == "not_started":
        row["implementation"] = "not_applicable"
    return row


def _same(before: dict[str, Any], now: dict[str, Any], where: str) -> None:
    for key, value in before.items():
        assert key in now, f"{where}: {key} is gone"
        if isinstance(value, list) and value and isinstance(value[0], dict):
            assert len(now[key]) == len(value), f"{where}: {key}"
            for index, (old, new) in enumerate(zip(value, now[key], strict=True)):
                _same(old, new, f"{where} {key}[{index}]")
        else:
            assert now[key] == value, f"{where}: {key} was {value!r}, is {now[key]!r}"


def test_the_previous_releases_ledger_verifies(folder: Path) -> None:
    result = ok(assembly("verify", cwd=folder))
    assert result.stdout.startswith("Verified 396 entries from 5 signers"), result.stdout


def test_the_board_reads_as_the_previous_release_printed_it(folder: Path) -> None:
    before, now = _before("status.json"), _now(folder, "status")
    assert [row["ref"] for row in now] == [row["ref"] for row in before]
    for old, new in zip(before, now, strict=True):
        _same(_as_asked(old), new, old["ref"])


def test_every_recommendation_shows_what_the_previous_release_showed(folder: Path) -> None:
    for ref, old in _before("show.json").items():
        new = _now(folder, "show", ref)
        old = _as_asked(old)
        for verdict in old["verdicts"]:
            if verdict["score"] is not None:
                verdict["score"] = str(verdict["score"])
        _same(old, new, ref)


def test_the_dashboard_and_the_overdue_list_count_as_before(folder: Path) -> None:
    before = _before("dashboard.json")
    now = _now(folder, "dashboard")
    moved = {
        line["recommendations"][0]
        for line in before["counts"]
        if line["axis"] == "position" and line["value"] == "rejected" and line["group"] == "total"
    }
    assert moved, "the fixture has refused recommendations"
    kept = [
        (line["group"], line["name"], line["axis"], line["value"], line["count"])
        for line in before["counts"]
        if line["axis"] != "implementation"
    ]
    counted = [
        (line["group"], line["name"], line["axis"], line["value"], line["count"])
        for line in now["counts"]
        if line["axis"] != "implementation"
    ]
    assert counted == kept
    assert _now(folder, "overdue") == _before("overdue.json")
