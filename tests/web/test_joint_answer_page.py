"""A joint answer on the pages: the statement in full on each recommendation it covers, and
implementation read as not applicable after a refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.cli.test_joint_answers import dated_csv
from tests.features.cycle import (
    LEDGER,
    answer,
    as_government,
    copy_of,
    long_justification,
    ok,
    shared_template,
)
from tests.web.conftest import serving

STATEMENT = "Nous reprenons les recommandations du panel sans filtre. "


def test_a_joint_answer_is_shown_in_full_on_each_recommendation_it_covers(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    folder = copy_of(shared_template(tmp_path_factory).seated, tmp_path / "assembly")
    refusal = answer("1/3", "rejected", justification=long_justification())
    dated_csv(folder / "refusals.csv", [refusal])
    ok(
        as_government(
            folder,
            *("respond-jointly", "--id", "gov-joint", "--by", "Office of the Minister-President"),
            *("--text", f"fr={STATEMENT * 3}", "--covers", "1/1,1/2", "--answers", "refusals.csv"),
        )
    )
    client = TestClient(serving(str(folder / LEDGER)))
    for number in (1, 2, 3):
        page = client.get(f"/recommendations/1/{number}?lang=fr").text
        assert STATEMENT.strip() in page
        assert "Office of the Minister-President" in page
    refused = client.get("/recommendations/1/3?lang=en").text
    assert "Not applicable: the government rejected this recommendation." in refused
