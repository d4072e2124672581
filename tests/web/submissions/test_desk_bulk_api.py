"""A spreadsheet on the desk (``POST /api/desk/bulk/prepare``): a good file is every event's
exact bytes, which signed and posted as one submission are written together; a file with bad
rows is each bad row, as ``assembly import --dry-run`` reports it, and nothing written; a file
that is no spreadsheet, too large, of no kind, or sent with the wrong office's key is one
sentence."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from ledger import Signer, load_signer
from sheets.answer_file import ANSWER_COLUMNS
from sheets.write import Dialect, write_sheet
from tests.features.cycle import (
    COMMISSION,
    GOVERNMENT,
    SECRETARIAT,
    answer,
    answers_csv,
    as_government,
    entries,
    long_justification,
)
from tests.web.submissions.conftest import state
from web.desk_bulk import KIND_TYPES, MAX_BULK_BYTES

GOOD = [
    answer("1/1", "accepted"),
    answer("1/2", "rejected", justification=long_justification()),
    answer("1/3", "under_study", decision_date="2027-06-30"),
]
BAD = [
    answer("1/1", "accepted"),
    answer("1/2", "rejected", justification="Trop cher."),  # row 3: too short a justification
    answer("1/3", "maybe"),  # row 4: no such position
]


def upload(
    client: TestClient, data: bytes, signer: Signer, *, kind: str = "answers", name: str = "a.csv"
) -> Any:
    return client.post(
        "/api/desk/bulk/prepare",
        params={"kind": kind, "key": signer.public_key.b64, "name": name, "lang": "fr"},
        content=data,
        headers={"content-type": "application/octet-stream"},
    )


def submission(events: list[dict[str, Any]], signer: Signer) -> dict[str, Any]:
    """Every prepared event signed and grouped by stream, as the page posts them: one
    submission."""
    batches: dict[str, dict[str, Any]] = {}
    for event in events:
        batch = batches.setdefault(
            event["stream"],
            {
                "stream": event["stream"],
                "expected_version": event["expected_version"],
                "events": [],
            },
        )
        sig = signer.sign(base64.b64decode(event["body"]))
        batch["events"].append({"body": event["body"], "sig": base64.b64encode(sig).decode()})
    return {"batches": list(batches.values())}


def test_a_good_file_is_every_events_bytes_and_one_submission_writes_them_all(
    folder: Path, client: TestClient
) -> None:
    government = load_signer(folder / GOVERNMENT)
    data = answers_csv(folder / "good.csv", GOOD).read_bytes()
    before = state(folder)
    reply = upload(client, data, government)
    assert reply.status_code == 200, reply.text
    found = reply.json()
    assert (found["rows"], found["unchanged"], found["problems"]) == (3, 0, [])
    assert state(folder) == before
    bodies = [json.loads(base64.b64decode(event["body"])) for event in found["events"]]
    assert [(b["payload"]["number"], b["payload"]["position"]) for b in bodies] == [
        (1, "accepted"),
        (2, "rejected"),
        (3, "under_study"),
    ]
    assert {b["signer"] for b in bodies} == {government.key_id}
    assert "1/2" in found["events"][1]["summary"]["headline"]
    written = client.post("/api/submissions", json=submission(found["events"], government))
    assert written.status_code == 201, written.text
    entries_written = written.json()["written"]
    assert [entry["seq"] for entry in entries_written] == list(range(before[0], before[0] + 3))
    assert entries(folder) == before[0] + 3
    again = upload(client, data, government)  # what the ledger now says is unchanged
    assert (again.status_code, again.json()["unchanged"], again.json()["events"]) == (200, 3, [])


def test_bad_rows_are_each_shown_by_row_as_the_dry_run_reports_them_and_nothing_is_written(
    folder: Path, client: TestClient
) -> None:
    government = load_signer(folder / GOVERNMENT)
    answers_csv(folder / "bad.csv", BAD)
    before = state(folder)
    reply = upload(client, (folder / "bad.csv").read_bytes(), government)
    assert reply.status_code == 422, reply.text
    found = reply.json()
    assert [(bad["row"], bad["column"]) for bad in found["problems"]] == [(3, ""), (4, "C")]
    assert "at least 200 characters" in found["problems"][0]["reason"]
    assert found["problems"][1]["name"] == "position"
    assert found["events"] == []
    assert state(folder) == before
    dry = as_government(folder, "import", "answers", "bad.csv", "--dry-run")
    for bad in found["problems"]:
        where = f"row {bad['row']}" + (
            f", column {bad['column']} (position)" if bad["column"] else ""
        )
        assert f"{where}: {bad['reason']}" in dry.stderr, dry.stderr


def test_a_workbook_is_read_as_the_command_line_reads_it(folder: Path, client: TestClient) -> None:
    government = load_signer(folder / GOVERNMENT)
    path = folder / "Réponses.xlsx"
    rows = [[row.get(column, "") for column in ANSWER_COLUMNS] for row in BAD]
    write_sheet(path, ANSWER_COLUMNS, rows, dialect=Dialect.XLSX)
    reply = upload(client, path.read_bytes(), government, name="C:\\Bureau\\Réponses.xlsx")
    assert reply.status_code == 422, reply.text
    assert [bad["row"] for bad in reply.json()["problems"]] == [3, 4]


def test_a_file_that_is_no_spreadsheet_is_one_sentence_naming_it_as_the_office_did(
    folder: Path, client: TestClient
) -> None:
    government = load_signer(folder / GOVERNMENT)
    before = state(folder)
    reply = upload(client, b"PK\x03\x04 not really", government, name="answers.csv")
    assert reply.status_code == 422
    assert reply.json() == {
        "detail": "answers.csv is not a CSV file: save it as CSV UTF-8 or send the .xlsx.",
        "field": "file",
    }
    header_only = upload(client, b"recommendation;review\n", government, name="x.csv")
    assert header_only.status_code == 422
    assert header_only.json()["detail"].startswith("x.csv: the header must be recommendation,")
    assert "desk-bulk" not in header_only.text
    assert state(folder) == before


def test_a_file_too_large_an_unknown_kind_and_another_offices_key_are_refused(
    folder: Path, client: TestClient
) -> None:
    government = load_signer(folder / GOVERNMENT)
    data = answers_csv(folder / "good.csv", GOOD).read_bytes()
    before = state(folder)
    large = upload(client, b"x" * (MAX_BULK_BYTES + 1), government)
    assert large.status_code == 413
    assert "larger than 512 KiB" in large.json()["detail"]
    unknown = upload(client, data, government, kind="wishes")
    assert unknown.status_code == 400 and unknown.json()["field"] == "kind"
    assert "answers, implementation, recommendations, verdicts" in unknown.json()["detail"]
    commission = upload(client, data, load_signer(folder / COMMISSION))
    assert commission.status_code == 403 and commission.json()["field"] == "key"
    assert "commission" in commission.json()["detail"]
    assert state(folder) == before


def test_every_kind_prepares_only_the_types_the_page_signs_for_it(
    folder: Path, client: TestClient
) -> None:
    rows = (
        "panel;number;portfolio;vote;text_fr;date;handed_over\n"
        "1;5;climate;V-1;Isoler les écoles.;2025-04-24;2025-05-01\n"
    )
    reply = upload(client, rows.encode(), load_signer(folder / SECRETARIAT), kind="recommendations")
    assert reply.status_code == 200, reply.text
    types = [json.loads(base64.b64decode(e["body"]))["type"] for e in reply.json()["events"]]
    assert types == list(KIND_TYPES["recommendations"])
    good = answers_csv(folder / "good.csv", GOOD).read_bytes()
    answers = upload(client, good, load_signer(folder / GOVERNMENT)).json()["events"]
    assert {json.loads(base64.b64decode(e["body"]))["type"] for e in answers} == set(
        KIND_TYPES["answers"]
    )


def test_a_file_in_windows_1252_is_read_and_the_page_told_so(
    folder: Path, client: TestClient
) -> None:
    government = load_signer(folder / GOVERNMENT)
    text = answers_csv(folder / "good.csv", GOOD).read_text(encoding="utf-8")
    accented = text.replace("multiannual", "pluriannuel, réformé,", 1)
    reply = upload(client, accented.encode("cp1252"), government)
    assert reply.status_code == 200, reply.text
    assert reply.json()["note"] == "read as Windows-1252"
    second = json.loads(base64.b64decode(reply.json()["events"][1]["body"]))
    assert "pluriannuel, réformé," in second["payload"]["justification"]
