"""An answer dated before the ledger recorded it: the page, the API and ``assembly show`` judge
it by the day it was recorded, show the date its author gave beside it, and flag it when that
date is more than ``CLAIM_GRACE_DAYS`` earlier."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from projections.board import CLAIM_GRACE_DAYS
from tests.features.cycle import GOVERNMENT, LEDGER, copy_of, ok
from tests.features.forked import assembly
from tests.web.conftest import Built, serving
from tests.web.test_pages import page

CLAIMED = date(2025, 7, 20)  # before review 1's due date (2025-08-01), long before today
DUE = date(2025, 8, 1)


@dataclass(frozen=True)
class Backdated:
    folder: Path
    client: TestClient
    recorded: date


@pytest.fixture(scope="module")
def backdated(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Backdated:
    """A copy of the session's ledger in which 1/2 was answered today, dated ``CLAIMED``."""
    folder = copy_of(built.folder, tmp_path_factory.mktemp("backdated"))
    answer = ("respond", "1/2", "--position", "accepted", "--portfolio", "climate")
    ok(assembly(*answer, "--at", CLAIMED.isoformat(), "--key", GOVERNMENT, cwd=folder))
    recorded = datetime.now(UTC).date()
    assert (recorded - CLAIMED).days > CLAIM_GRACE_DAYS
    return Backdated(folder, TestClient(serving(str(folder / LEDGER))), recorded)


FRENCH_FLAG = "daté {early} jours avant son enregistrement"


@pytest.mark.parametrize(
    ("lang", "late", "flag"),
    [
        ("en", "answered {late} days late", "dated {early} days before it was recorded"),
        ("fr", "répondu avec {late} jours de retard", FRENCH_FLAG),
        ("nl", "{late} dagen te laat beantwoord", "{early} dagen vóór de inschrijving gedateerd"),
    ],
)
def test_the_page_judges_an_answer_by_its_recording_day_and_flags_its_earlier_date(
    backdated: Backdated, lang: str, late: str, flag: str
) -> None:
    found = page(backdated.client, f"/recommendations/1/2?lang={lang}")
    row = found.row("1")
    status = "".join(row[1].split())  # no spaces: counts above 999 are grouped with one
    days_late, early = (backdated.recorded - DUE).days, (backdated.recorded - CLAIMED).days
    for words in (late.format(late=days_late), flag.format(early=early)):
        assert "".join(words.split()) in status.replace(".", "").replace(",", ""), row
    assert {CLAIMED.isoformat(), backdated.recorded.isoformat()} <= set(found.times)


def test_the_api_and_show_judge_an_answer_by_its_recording_day(backdated: Backdated) -> None:
    response = backdated.client.get("/api/recommendations/1/2")
    assert response.status_code == 200, response.text
    first = response.json()["deadlines"][0]
    assert first == {
        "review": 1,
        "due": DUE.isoformat(),
        "recorded": backdated.recorded.isoformat(),
        "claimed": CLAIMED.isoformat(),
        "overdue": False,
        "days_late": 0,
        "answered_days_late": (backdated.recorded - DUE).days,
        "claimed_days_early": (backdated.recorded - CLAIMED).days,
        "backdated": True,
        "after_the_fact": False,  # a live ledger: a backdated answer is not history
    }
    (answer,) = response.json()["answers"]
    assert answer["at"].startswith(CLAIMED.isoformat())
    assert answer["recorded_at"].startswith(backdated.recorded.isoformat())
    shown = json.loads(ok(assembly("show", "1/2", "--format", "json", cwd=backdated.folder)).stdout)
    assert (shown["recorded_review_1"], shown["claimed_review_1"]) == (
        first["recorded"],
        first["claimed"],
    )
    assert shown["answered_days_late_review_1"] == first["answered_days_late"]
    assert shown["backdated_review_1"] is True
    assert shown["review_1"] == (
        f"answered {first['answered_days_late']} days late (recorded {first['recorded']}); its "
        f"author dated it {CLAIMED}, {first['claimed_days_early']} days before the ledger "
        "recorded it"
    )
