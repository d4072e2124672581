"""The JSON API against what the command line and the read side say about the same ledger: the
board, one recommendation, the overdue list, a panel's composition and the dashboard; the
checkpoints, receipts and consistency proofs that ``assembly verify-proof`` accepts; the tiles
that ``tlog.tiles``'s client proves entries from; the Atom feed."""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from projections.board import ordered
from projections.view import view_at
from tests.features.cycle import (
    CHARTER,
    COMMISSION,
    GOVERNMENT,
    LEDGER,
    copy_of,
    long_justification,
    ok,
    shared_template,
)
from tests.features.forked import assembly
from tests.runner import Result
from tests.web.conftest import serving
from tlog.checkpoint import parse_checkpoint
from tlog.note import parse_note, parse_verifier_key
from tlog.receipt import CONSISTENCY_FORMAT, TLOG_PROOF
from tlog.tiles import TILE_WIDTH, included_entry, open_tile_log
from web.context import Settings, opened
from web.feed import ATOM, entry_id
from web.models import ConsistencyProof

_BUILT: dict[str, Published] = {}


@dataclass(frozen=True)
class Published:
    """The API tests' ledger: answers, a report, verdicts, two checkpoints, one entry after."""

    folder: Path
    first: int  # the size of the first checkpoint
    size: int  # the size of the latest checkpoint
    entries: int  # how many entries the ledger holds (one more than the latest checkpoint)

    @property
    def ledger(self) -> str:
        return str(self.folder / LEDGER)


def published(factory: pytest.TempPathFactory) -> Published:
    """The small assembly with a log key enrolled (as ``tests/cli/conftest.py``'s ``logged``),
    1/1 accepted, reported on and assessed, 1/2 rejected; checkpoint one; 1/2 assessed;
    checkpoint two; 1/3 answered after it. Built once per session through ``assembly``."""
    if "ledger" in _BUILT:
        return _BUILT["ledger"]
    folder = copy_of(shared_template(factory).seated, factory.mktemp("api") / "assembly")
    ok(assembly("keys", "new", "--key", "log.key", cwd=folder))
    enrol = ("keys", "enrol", "log.key.pub", "--role", "log", "--name", "Log operator (test)")
    ok(assembly(*enrol, "--key", CHARTER, cwd=folder))
    (folder / "log.vkey").write_text(ok(assembly("vkey", cwd=folder)).stdout)
    government = ("--portfolio", "climate", "--key", GOVERNMENT)
    ok(assembly("respond", "1/1", "--position", "accepted", *government, cwd=folder))
    why = ("--justification", long_justification())
    ok(assembly("respond", "1/2", "--position", "rejected", *why, *government, cwd=folder))
    report = ("implement", "1/1", "--status", "in_progress", "--progress", "40")
    ok(assembly(*report, "--milestone", "Call published", "--key", GOVERNMENT, cwd=folder))
    verdict = ("assess", "1/1", "--verdict", "agrees", "--score", "7")
    ok(assembly(*verdict, "--reasons", "As promised.", "--key", COMMISSION, cwd=folder))
    first = checkpoint(folder, "first.txt")
    verdict = ("assess", "1/2", "--verdict", "disputes", "--reasons", "No budget line.")
    ok(assembly(*verdict, "--key", COMMISSION, cwd=folder))
    size = checkpoint(folder, "checkpoint.txt")
    late = ("respond", "1/3", "--position", "under_study", "--decision-date", "2026-12-31")
    ok(assembly(*late, *government, cwd=folder))
    _BUILT["ledger"] = Published(folder, first, size, size + 1)
    return _BUILT["ledger"]


def checkpoint(folder: Path, out: str) -> int:
    """Sign a checkpoint with the log key through ``assembly``; return its size."""
    ok(assembly("checkpoint", "--key", "log.key", "--out", out, cwd=folder))
    return parse_checkpoint(parse_note((folder / out).read_bytes()).text).size


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Published:
    return published(tmp_path_factory)


@pytest.fixture(scope="module")
def api(book: Published) -> TestClient:
    return TestClient(serving(book.ledger))


def cli(book: Published, *args: str) -> Any:
    """What ``assembly ARGS --format json`` prints on the same ledger."""
    return json.loads(ok(assembly(*args, "--format", "json", cwd=book.folder)).stdout)


def get(api: TestClient, url: str, status: int = 200) -> Any:
    response = api.get(url)
    assert response.status_code == status, response.text
    return response.json()


def same(api_row: dict[str, Any], cli_row: dict[str, Any]) -> None:
    """The API row says what the command line says, on every single-valued field both have."""
    shared = {key for key in set(api_row) & set(cli_row) if not isinstance(cli_row[key], list)}
    assert len(shared) >= 5
    assert {k: api_row[k] for k in shared} == {k: cli_row[k] for k in shared}


def verify_proof(book: Published, name: str) -> Result:
    """``assembly verify-proof NAME --vkey log.vkey``, which must succeed."""
    return ok(assembly("verify-proof", name, "--vkey", "log.vkey", cwd=book.folder))


# --- the read models -----------------------------------------------------------------------------


def test_the_board_lists_every_recommendation_as_the_read_side_folds_it(
    api: TestClient, book: Published
) -> None:
    board = get(api, "/api/status")
    with opened(Settings(book.ledger)) as ledger:
        view = view_at(ledger, today=datetime.now(UTC).date())
    expected = [f"{rec.panel}/{rec.number}" for rec in ordered(view.state)]
    assert [row["ref"] for row in board["recommendations"]] == expected
    assert board["seq"] == view.state.seq == book.entries - 1
    positions = {row["ref"]: row["position"] for row in board["recommendations"]}
    assert positions == {
        "1/1": "accepted", "1/2": "rejected", "1/3": "under_study", "1/4": "awaiting_response"
    }  # fmt: skip


def test_the_board_says_what_assembly_status_says(api: TestClient, book: Published) -> None:
    rows = get(api, "/api/status")["recommendations"]
    for api_row, cli_row in zip(rows, cli(book, "status"), strict=True):
        same(api_row, cli_row)


@pytest.mark.parametrize(
    ("query", "refs"),
    [
        ("position=rejected", ["1/2"]),
        ("position=awaiting_response", ["1/4"]),
        ("implementation=in_progress", ["1/1"]),
        ("verdict=disputes", ["1/2"]),
        ("verdict=none", ["1/3", "1/4"]),
        ("portfolio=housing", []),
        ("panel=2", []),
        ("q=recommandation%203", ["1/3"]),
        ("q=AANBEVELING%204", ["1/4"]),
        ("q=1/2", ["1/2"]),
        ("q=tekst%204", ["1/4"]),
        ("q=nothing", []),
        ("panel=1&position=accepted&verdict=agrees", ["1/1"]),
    ],
)
def test_the_board_keeps_only_what_the_filters_ask_for(
    api: TestClient, query: str, refs: list[str]
) -> None:
    board = get(api, f"/api/status?{query}")
    assert [row["ref"] for row in board["recommendations"]] == refs


def test_the_board_filters_overdue_ones_as_assembly_status_does(
    api: TestClient, book: Published
) -> None:
    board = get(api, "/api/status?overdue=true")
    expected = [row["ref"] for row in cli(book, "status", "--overdue")]
    assert [row["ref"] for row in board["recommendations"]] == expected
    assert all(row["overdue"] for row in board["recommendations"])


def pages(api: TestClient, query: str, limit: int) -> list[list[str]]:
    """Every page of the board for ``query``, ``limit`` rows at a time, by their refs."""
    found, after = [], ""
    while True:
        board = get(api, f"/api/status?limit={limit}{after}&{query}")
        found.append([row["ref"] for row in board["recommendations"]])
        if board["next_after"] is None:
            return found
        assert board["next_after"] == found[-1][-1]
        after = f"&after={board['next_after']}"


@pytest.mark.parametrize("query", ["", "verdict=none", "overdue=true", "at_seq=40", "q=1/"])
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_the_board_read_page_by_page_is_the_whole_board_in_order(
    api: TestClient, query: str, limit: int
) -> None:
    whole = [row["ref"] for row in get(api, f"/api/status?{query}")["recommendations"]]
    walked = pages(api, query, limit)
    assert [ref for page in walked for ref in page] == whole
    assert all(len(page) == limit for page in walked[:-1])
    assert len(walked[-1]) <= limit and (walked[-1] or len(walked) == 1)


def test_a_page_after_the_last_recommendation_is_empty_and_the_last(api: TestClient) -> None:
    assert get(api, "/api/status?after=1/4") == {
        **get(api, "/api/status?after=1/4"),
        "recommendations": [],
        "next_after": None,
    }
    assert [r["ref"] for r in get(api, "/api/status?after=1/2")["recommendations"]] == [
        "1/3",
        "1/4",
    ]


def test_the_board_travels_in_time_to_an_entry(api: TestClient, book: Published) -> None:
    answer = get(api, "/api/recommendations/1/2")["position_seq"]
    before = get(api, f"/api/status?at_seq={answer - 1}")
    after = get(api, f"/api/status?at_seq={answer}")
    assert (before["seq"], after["seq"]) == (answer - 1, answer)
    assert before["recommendations"][1]["position"] == "awaiting_response"
    assert after["recommendations"][1]["position"] == "rejected"


def test_the_board_as_of_a_day_before_the_ledger_is_empty(api: TestClient) -> None:
    board = get(api, "/api/status?as_of=2000-01-01")
    assert board == {"as_of": "2000-01-01", "seq": -1, "recommendations": [], "next_after": None}


@pytest.mark.parametrize(
    "query",
    [
        "position=maybe",
        "verdict=agree",
        "implementation=done",
        "panel=0",
        "panel=x",
        "at_seq=-1",
        "at_seq=9223372036854775808",
        "as_of=2026-02-30",
        "as_of=9999-12-31",
        "as_of=1899-12-31",
        "overdue=perhaps",
        "after=1",
        "after=a/b",
        "after=9999999999999999999/1",
        "after=1/2/3",
        "limit=0",
        "limit=5001",
    ],
)
def test_a_bad_filter_is_refused_with_a_422(api: TestClient, query: str) -> None:
    refused = get(api, f"/api/status?{query}", 422)
    assert refused["detail"][0]["loc"][0] == "query"


def test_one_recommendation_says_what_assembly_show_says(api: TestClient, book: Published) -> None:
    shown = get(api, "/api/recommendations/1/1")
    expected = cli(book, "show", "1/1")
    same(shown, expected)
    assert shown["position_signer"] == "The government (test) (government)"
    assert shown["verdict_signer"] == "The commission (test) (commission)"
    deadline = shown["deadlines"][0]
    assert deadline["due"] == expected["due_review_1"]
    assert deadline["days_late"] == expected["days_late_review_1"]
    for section in ("answers", "implementation_reports", "verdicts", "errata"):
        assert len(shown[section]) == len(expected[section])
        for api_row, cli_row in zip(shown[section], expected[section], strict=True):
            assert api_row["seq"] == cli_row["seq"]
            assert api_row.get("signer") == cli_row.get("signer")
    assert shown["verdicts"][0] | {"seq": 0, "at": "", "recorded_at": ""} == {
        "verdict": "agrees", "reasons": "As promised.", "score": "7", "seq": 0,
        "signer": "The commission (test) (commission)", "at": "", "recorded_at": "",
        "after_the_fact": False, "corrected_by": None, "language": None, "translations": {},
    }  # fmt: skip


def test_one_recommendation_carries_its_trail_as_assembly_trail_shows_it(
    api: TestClient, book: Published
) -> None:
    trail = get(api, "/api/recommendations/1/2")["trail"]
    expected = cli(book, "trail", "1/2")
    assert [line["seq"] for line in trail] == [line["seq"] for line in expected]
    assert [line["hash"] for line in trail] == [line["hash"] for line in expected]
    assert all(line["verifies"] for line in trail)
    assert {line["type"] for line in trail} >= {"assembly.commission.assessed"}


def test_one_recommendation_in_time_keeps_its_trail_to_that_entry(api: TestClient) -> None:
    now = get(api, "/api/recommendations/1/2")
    verdict = now["verdicts"][0]["seq"]
    before = get(api, f"/api/recommendations/1/2?at_seq={verdict - 1}")
    assert (before["verdict"], before["verdicts"]) == ("none", [])
    assert [line["seq"] for line in before["trail"]] == [
        line["seq"] for line in now["trail"] if line["seq"] < verdict
    ]


def test_an_unknown_recommendation_is_a_404_in_one_sentence(api: TestClient) -> None:
    refused = get(api, "/api/recommendations/1/9", 404)
    assert refused == {"detail": refused["detail"]}
    assert refused["detail"].startswith("Recommendation 1/9 is not in the ledger as of entry ")


def test_a_recommendation_before_its_adoption_is_a_404(api: TestClient) -> None:
    adopted = get(api, "/api/recommendations/1/4")["adopted_seq"]
    refused = get(api, f"/api/recommendations/1/4?at_seq={adopted - 1}", 404)
    assert refused["detail"] == (
        f"Recommendation 1/4 is not in the ledger as of entry {adopted - 1}."
    )


def test_a_recommendation_number_out_of_range_is_a_422(api: TestClient) -> None:
    assert get(api, "/api/recommendations/0/1", 422)["detail"][0]["loc"] == ["path", "panel"]
    assert get(api, "/api/recommendations/1/99999999999999999999", 422)


def test_the_overdue_list_says_what_assembly_overdue_says(api: TestClient, book: Published) -> None:
    late = get(api, "/api/overdue")
    expected = cli(book, "overdue")
    assert len(late["overdue"]) == len(expected)
    for api_row, cli_row in zip(late["overdue"], expected, strict=True):
        same(api_row, cli_row)


def test_the_composition_says_what_assembly_composition_says(
    api: TestClient, book: Published
) -> None:
    composition = get(api, "/api/panels/1/composition")
    assert (composition["panel"], composition["seats"], composition["drawn"]) == (1, 12, True)
    expected = cli(book, "composition", "1")
    assert len(composition["strata"]) == len(expected)
    for api_row, cli_row in zip(composition["strata"], expected, strict=True):
        assert api_row == cli_row


def test_a_panel_not_convened_is_a_404_in_one_sentence(api: TestClient) -> None:
    assert get(api, "/api/panels/2/composition", 404) == {
        "detail": "Panel 2 has not been convened."
    }
    assert get(api, "/api/panels/1/composition?at_seq=0", 404) == {
        "detail": "Panel 1 has not been convened at the point asked for."
    }


def test_the_dashboard_says_what_assembly_dashboard_says(api: TestClient, book: Published) -> None:
    board = get(api, "/api/dashboard")
    expected = cli(book, "dashboard")
    assert (board["seq"], board["hash"]) == (expected["seq"], expected["hash"])
    assert board["counts"] == expected["counts"]
    for api_row, cli_row in zip(board["overdue"], expected["overdue"], strict=True):
        same(api_row, cli_row)


# --- checkpoints and proofs ----------------------------------------------------------------------


def test_the_checkpoint_is_served_exactly_as_issued(api: TestClient, book: Published) -> None:
    response = api.get("/api/checkpoint")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert response.content == (book.folder / "checkpoint.txt").read_bytes()
    earlier = api.get(f"/api/checkpoints/{book.first}")
    assert earlier.content == (book.folder / "first.txt").read_bytes()


def test_a_checkpoint_never_issued_is_a_404_naming_the_sizes_issued(
    api: TestClient, book: Published
) -> None:
    refused = get(api, "/api/checkpoints/3", 404)
    assert refused["detail"] == (
        f"No checkpoint was issued at size 3 (issued at sizes: {book.first}, {book.size})."
    )


def test_without_a_checkpoint_the_proof_routes_say_so(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = copy_of(shared_template(tmp_path_factory).seated, tmp_path / "assembly")
    api = TestClient(serving(str(folder / LEDGER)))
    for url in (
        "/api/checkpoint",
        "/api/proofs/1",
        "/api/tiles/checkpoint",
        "/api/tiles/tile/0/000",
    ):
        assert get(api, url, 404) == {
            "detail": "No checkpoint was issued yet: the log operator signs one with "
            "assembly checkpoint."
        }


def test_a_receipt_from_the_api_verifies_with_assembly_verify_proof(
    api: TestClient, book: Published
) -> None:
    response = api.get("/api/proofs/5")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="entry-5.tlog-proof"'
    assert response.content.startswith(TLOG_PROOF.encode() + b"\nextra ")
    (book.folder / "entry-5.tlog-proof").write_bytes(response.content)
    checked = ok(
        assembly("verify-proof", "entry-5.tlog-proof", "--vkey", "log.vkey", cwd=book.folder)
    )
    assert f"is in the ledger test.assembly.example/ledger of {book.size} entries" in checked.stdout


def test_a_receipt_against_an_earlier_checkpoint_verifies_too(
    api: TestClient, book: Published
) -> None:
    response = api.get(f"/api/proofs/{book.first - 1}?size={book.first}")
    (book.folder / "early.tlog-proof").write_bytes(response.content)
    checked = ok(
        assembly("verify-proof", "early.tlog-proof", "--vkey", "log.vkey", cwd=book.folder)
    )
    assert f"of {book.first} entries: the inclusion proof holds" in checked.stdout


def test_an_entry_after_the_latest_checkpoint_is_a_404_saying_so(
    api: TestClient, book: Published
) -> None:
    assert get(api, f"/api/proofs/{book.size}", 404) == {
        "detail": f"Entry {book.size} is not covered by a checkpoint yet: the checkpoint of "
        f"{book.size} entries ends before it."
    }
    assert get(api, f"/api/proofs/{book.entries}", 404) == {
        "detail": f"The ledger holds no entry {book.entries} ({book.entries} entries)."
    }


def test_a_consistency_proof_from_the_api_verifies_with_assembly_verify_proof(
    api: TestClient, book: Published
) -> None:
    response = api.get(f"/api/proofs/consistency?old={book.first}")
    assert response.status_code == 200
    document = ConsistencyProof.model_validate_json(response.content)
    assert document.format == CONSISTENCY_FORMAT
    assert document.new_checkpoint.encode() == (book.folder / "checkpoint.txt").read_bytes()
    (book.folder / "consistency.json").write_bytes(response.content)
    checked = ok(
        assembly("verify-proof", "consistency.json", "--vkey", "log.vkey", cwd=book.folder)
    )
    assert f"extends its checkpoint of {book.first}: the consistency proof holds" in checked.stdout


def test_a_consistency_proof_backwards_is_a_400_and_of_no_checkpoint_a_404(
    api: TestClient, book: Published
) -> None:
    backwards = get(api, f"/api/proofs/consistency?old={book.size}&new={book.first}", 400)
    assert backwards == {
        "detail": f"The new checkpoint ({book.first}) is smaller than the old one ({book.size})."
    }
    assert get(api, "/api/proofs/consistency?old=2", 404)["detail"].startswith(
        "No checkpoint was issued at size 2"
    )
    assert get(api, "/api/proofs/consistency", 422)["detail"][0]["loc"] == ["query", "old"]


# --- tiles ---------------------------------------------------------------------------------------


def test_every_entry_is_proved_from_the_tiles_the_api_serves(
    api: TestClient, book: Published
) -> None:
    def fetch(path: str) -> bytes:
        response = api.get(f"/api/tiles/{path}")
        assert response.status_code == 200, (path, response.text)
        return bytes(response.content)

    vkey = parse_verifier_key((book.folder / "log.vkey").read_text().strip())
    log = open_tile_log(fetch, [vkey])
    assert log.size == book.size
    with opened(Settings(book.ledger)) as ledger:
        stored = [entry.canonical_bytes() for entry in ledger.entries()]
    assert [included_entry(log, index) for index in range(log.size)] == stored[: book.size]
    assert f"tile/0/000.p/{book.size}" in log.nodes.fetched


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/000",  # the tree is smaller than a full tile
        "tile/0/001.p/1",  # no second tile
        "tile/1/000.p/1",  # no level 1 yet
        "tile/0/0.p/5",  # not 3 digits
        "tile/0/x000/000.p/5",  # not as the spec writes tile 0
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/05",
        "tile/entries/000.p/999",
        "tile/entries/x999/x999/x999/x999/x999/x999/x999/999.p/3",
        "tile/entries/abc",
    ],
)
def test_a_tile_the_tree_does_not_hold_is_a_404(api: TestClient, path: str) -> None:
    response = api.get(f"/api/tiles/{path}")
    assert response.status_code == 404, response.text
    assert path in response.json()["detail"] or "latest checkpoint" in response.json()["detail"]


def test_a_smaller_partial_tile_is_the_start_of_the_larger(
    api: TestClient, book: Published
) -> None:
    whole = api.get(f"/api/tiles/tile/0/000.p/{book.size}")
    part = api.get("/api/tiles/tile/0/000.p/3")
    assert part.status_code == whole.status_code == 200
    assert part.content == whole.content[: 3 * 32]
    assert part.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert book.size < TILE_WIDTH


# --- the feed ------------------------------------------------------------------------------------


def test_the_feed_is_atom_with_every_answer_and_verdict_newest_first(
    api: TestClient, book: Published
) -> None:
    response = api.get("/api/feed.atom")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    ns = {"a": ATOM}
    assert root.tag == f"{{{ATOM}}}feed"
    assert root.findtext("a:id", namespaces=ns) == "http://testserver/api/feed.atom"
    entries = root.findall("a:entry", ns)
    assert len(entries) == 5  # three answers, two verdicts
    titles = [entry.findtext("a:title", namespaces=ns) for entry in entries]
    assert titles[0] == "1/3 Recommandation 3: the government's answer (review 1): under study"
    assert titles[1] == "1/2 Recommandation 2: the commission's verdict: disputes"
    updated = [entry.findtext("a:updated", namespaces=ns) or "" for entry in entries]
    assert updated == sorted(updated, reverse=True)
    assert root.findtext("a:updated", namespaces=ns) == updated[0]
    links = [entry.find("a:link", ns) for entry in entries]
    assert links[0] is not None
    assert links[0].get("href") == "http://testserver/recommendations/1/3"


def test_each_feed_entry_is_named_by_its_ledger_entry_hash(
    api: TestClient, book: Published
) -> None:
    root = ET.fromstring(api.get("/api/feed.atom").content)
    ids = [entry.findtext(f"{{{ATOM}}}id") for entry in root.iter(f"{{{ATOM}}}entry")]
    with opened(Settings(book.ledger)) as ledger:
        last = ledger.recorder.read_entries(start=book.entries - 1, limit=1)[0]
    assert ids[0] == entry_id(last.hash)
    assert ids[0] == "ni:///sha-256;" + base64.urlsafe_b64encode(last.hash).decode().rstrip("=")
    assert len(set(ids)) == len(ids)
