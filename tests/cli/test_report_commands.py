"""The commission's dashboard and report as the commission and a journalist use them: counts
that agree with the status board, lines that cite entries the ledger really holds, time travel,
every format, and --out."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from domain import commands
from domain.responses import Position, Responded
from tests.domain.conftest import (  # noqa: F401  (fixtures reused from the domain tests)
    Office,
    adopted,
    assembly_charter,
    recommended,
    small_draws,
    snapshots,
    step,
    vote,
)
from tests.features.cycle import as_government, ok, one_sentence
from tests.features.forked import assembly

AXES = ("position", "implementation", "verdict")


# -- Helpers: each reads the ledger another way than the report does -------------------------


def run(folder: Path, *args: str) -> str:
    return ok(assembly(*args, cwd=folder)).stdout


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def report_rows(folder: Path, *args: str) -> list[dict[str, str]]:
    """The report on panel 1 as CSV rows."""
    return rows_of(run(folder, "annex", "--panel", "1", "--format", "csv", *args))


def board(folder: Path, *args: str) -> list[dict[str, Any]]:
    """``assembly status`` of panel 1, as JSON rows."""
    rows = json.loads(run(folder, "status", "--panel", "1", "--format", "json", *args))
    assert isinstance(rows, list)
    return rows


def ledger_hashes(folder: Path) -> dict[int, str]:
    """Every entry about panel 1 (``assembly trail``) and the head (``assembly verify``)."""
    trail = json.loads(run(folder, "trail", "--panel", "1", "--format", "json"))
    found = {line["seq"]: line["hash"] for line in trail}
    seq, digest = head(folder)
    found[seq] = digest
    return found


def head(folder: Path) -> tuple[int, str]:
    seq, digest = json.loads(run(folder, "verify", "--format", "json"))["head"].split(":")
    return int(seq), digest


def trail_types(folder: Path, ref: str) -> dict[int, str]:
    """The event type of each entry about recommendation ``ref``, by seq."""
    return {
        line["seq"]: line["type"]
        for line in json.loads(run(folder, "trail", ref, "--format", "json"))
    }


@pytest.fixture
def cycle(folder: Path) -> Path:
    """The session's cycle (1/1 to 1/3 handed over on 2025-05-01, 1/4 adopted only) in which
    the government accepted 1/2 at review 1."""
    ok(as_government(folder, "respond", "1/2", "--position", "accepted", "--portfolio", "climate"))
    return folder


# -- The report on the CLI-built cycle -------------------------------------------------------


def test_the_report_counts_agree_with_the_status_board(cycle: Path) -> None:
    rows = report_rows(cycle)
    status = board(cycle)
    for group, name_of in (("panel", lambda row: "1"), ("portfolio", lambda row: row["portfolio"])):
        expected = Counter((name_of(row), axis, row[axis]) for row in status for axis in AXES)
        counted = {
            (row["name"], row["axis"], row["value"]): int(row["count"])
            for row in rows
            if row["section"] == "count" and row["group"] == group
        }
        assert counted == dict(expected), group
    assert expected[("climate", "position", "awaiting_response")] == 3


def test_every_line_of_the_report_cites_the_hash_the_ledger_holds_at_its_seq(
    cycle: Path,
) -> None:
    rows = report_rows(cycle)
    hashes = ledger_hashes(cycle)
    top, top_hash = head(cycle)
    assert {row["section"] for row in rows} == {"head", "count", "recommendation", "overdue"}
    for row in rows:
        assert row["hash"] == hashes[int(row["seq"])], row
        if row["section"] in ("head", "count"):
            assert (int(row["seq"]), row["hash"]) == (top, top_hash), row


def test_an_axis_line_cites_the_entry_that_set_it_and_an_overdue_line_the_hand_over(
    cycle: Path,
) -> None:
    rows = report_rows(cycle)
    lines = {(row["ref"], row["axis"]): row for row in rows if row["section"] == "recommendation"}
    assert len(lines) == 4 * len(AXES)
    answered = lines[("1/2", "position")]
    assert answered["value"] == "accepted"
    assert trail_types(cycle, "1/2")[int(answered["seq"])] == "assembly.government.responded"
    waiting = lines[("1/1", "position")]
    assert waiting["value"] == "awaiting_response"
    assert trail_types(cycle, "1/1")[int(waiting["seq"])] == "assembly.recommendation.adopted"
    for row in rows:
        if row["section"] == "overdue":
            kind = trail_types(cycle, row["ref"])[int(row["seq"])]
            assert kind == "assembly.recommendation.handed_over", row


def test_the_overdue_lines_agree_with_the_overdue_command(cycle: Path) -> None:
    rows = report_rows(cycle, "--as-of", date.today().isoformat())
    late = json.loads(run(cycle, "overdue", "--format", "json"))
    expected = sorted((r["ref"], r["review"], r["days_late"], r["portfolio"]) for r in late)
    found = sorted(
        (row["ref"], int(row["review"]), int(row["days_late"]), row["portfolio"])
        for row in rows
        if row["section"] == "overdue"
    )
    assert found == expected
    # 1/2 was answered at review 1 only; 1/4 was never handed over, so nothing of it is due.
    assert {(ref, review) for ref, review, _, _ in found} == {
        ("1/1", 1), ("1/1", 2), ("1/2", 2), ("1/3", 1), ("1/3", 2),
    }  # fmt: skip


@pytest.mark.parametrize("output", ["md", "html", "csv"])
def test_out_writes_the_same_report_as_standard_output(cycle: Path, output: str) -> None:
    shown = run(cycle, "annex", "--panel", "1", "--format", output)
    said = run(cycle, "annex", "--panel", "1", "--format", output, "--out", "r")
    assert (cycle / "r").read_text(encoding="utf-8") == shown
    assert "Wrote the report on panel 1" in said


def test_every_markdown_table_line_ends_with_a_seq_and_its_hash(cycle: Path) -> None:
    text = run(cycle, "annex", "--panel", "1")
    top, top_hash = head(cycle)
    assert f"computed at ledger entry {top} (hash `{top_hash}`)" in text
    hashes = ledger_hashes(cycle)
    body = [
        line.strip("| ").split(" | ")
        for line in text.splitlines()
        if line.startswith("| ") and not line.startswith(("| group", "| ref", "| ---"))
    ]
    assert len(body) > 12
    for cells in body:
        assert hashes[int(cells[-2])] == cells[-1], cells


def test_a_panel_with_no_recommendations_is_a_usage_error(cycle: Path) -> None:
    one_sentence(
        assembly("annex", "--panel", "2", cwd=cycle),
        2,
        "Panel 2 has no recommendation in the ledger as of",
    )


# -- Time travel on an office whose clock the test moves (handed over on 2026-03-02) ----------


def where(office: Office) -> Path:
    engine = office.ledger.recorder.datastore.engine
    assert isinstance(engine, Engine)
    return Path(str(engine.url.database))


def office_report(office: Office, *args: str) -> list[dict[str, str]]:
    path = where(office)
    return report_rows(path.parent, "--ledger", str(path), *args)


def first_position(rows: list[dict[str, str]], ref: str) -> str:
    found = [
        r["value"]
        for r in rows
        if r["section"] == "recommendation" and r["ref"] == ref and r["axis"] == "position"
    ]
    assert len(found) == 1
    return found[0]


def awaiting(rows: list[dict[str, str]]) -> int:
    (row,) = [
        r
        for r in rows
        if r["section"] == "count" and r["group"] == "panel" and r["value"] == "awaiting_response"
    ]
    return int(row["count"])


def test_as_of_before_an_answer_the_report_counts_it_as_awaiting(
    recommended: Office,  # noqa: F811
) -> None:
    recommended.clock.now = datetime(2026, 6, 10, 9, tzinfo=UTC)
    answer = Responded(panel=1, number=1, review=1, position=Position.ACCEPTED, portfolio="climate")
    (seq,) = recommended.do("government", step(commands.respond, answer))
    before = office_report(recommended, "--as-of", "2026-06-09")
    after = office_report(recommended, "--as-of", "2026-06-10")
    assert (first_position(before, "1/1"), awaiting(before)) == ("awaiting_response", 5)
    assert (first_position(after, "1/1"), awaiting(after)) == ("accepted", 4)
    late = {(r["ref"], r["review"]) for r in before if r["section"] == "overdue"}
    assert ("1/1", "1") in late and ("1/1", "1") not in {
        (r["ref"], r["review"]) for r in after if r["section"] == "overdue"
    }
    at_seq = office_report(recommended, "--at-seq", str(seq - 1))
    assert first_position(at_seq, "1/1") == "awaiting_response"
    assert at_seq[0]["seq"] == str(seq - 1)  # the head line names the point asked for


def test_as_of_a_day_before_any_recommendation_is_a_usage_error(
    recommended: Office,  # noqa: F811
) -> None:
    path = where(recommended)
    result = assembly(
        *("annex", "--panel", "1", "--as-of", "2025-01-01", "--ledger", str(path)),
        cwd=path.parent,
    )
    one_sentence(result, 2, "Panel 1 has no recommendation in the ledger as of 2025-01-01")


class Page(HTMLParser):
    """The tags, attributes and table cells of a page, to check its shape."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.rows: list[list[str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


def test_the_html_page_is_self_contained_semantic_and_escapes_titles(
    recommended: Office,  # noqa: F811
) -> None:
    title = 'Des <script>alert("rues")</script> & des pistes'

    def adopt(session: Any, at: datetime) -> None:
        commands.record_vote(session, vote("V-7"), at=at)
        commands.adopt(
            session, adopted(6, vote="V-7", title={"fr": title, "nl": "Fietspaden"}), at=at
        )

    recommended.do("secretariat", adopt)
    path = where(recommended)
    text = run(path.parent, "annex", "--panel", "1", "--format", "html", "--ledger", str(path))
    page = Page()
    page.feed(text)
    tags = [tag for tag, _ in page.tags]
    assert "script" not in tags and "link" not in tags and "img" not in tags
    assert tags.count("table") == tags.count("caption") == 3
    assert tags.count("h1") == 1 and tags.count("h2") == 3
    assert all(attrs.get("scope") in ("col", "row") for tag, attrs in page.tags if tag == "th")
    assert ("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}) in (
        page.tags
    )
    assert title in page.text  # escaped in the page, read back as the text it was
    top = json.loads(run(path.parent, "verify", "--ledger", str(path), "--format", "json"))
    seq, digest = top["head"].split(":")
    cited = [row for row in page.rows if len(row) > 2 and row[-2].isdigit()]
    assert cited and all(len(row[-1]) == 64 for row in cited)
    assert [seq, digest] in [row[-2:] for row in cited]


# -- The dashboard ---------------------------------------------------------------------------


def test_the_dashboard_counts_agree_with_the_status_board(cycle: Path) -> None:
    shown = json.loads(run(cycle, "dashboard", "--format", "json"))
    status = board(cycle)
    expected: Counter[tuple[str, str, str, str]] = Counter()
    for row in status:
        for axis in AXES:
            expected[("total", "", axis, row[axis])] += 1
            expected[("panel", "1", axis, row[axis])] += 1
            expected[("portfolio", row["portfolio"], axis, row[axis])] += 1
    counted = {(c["group"], c["name"], c["axis"], c["value"]): c["count"] for c in shown["counts"]}
    assert counted == dict(expected)
    for count in shown["counts"]:
        assert len(count["recommendations"]) == len(count["seqs"]) == count["count"]
    assert (shown["seq"], shown["hash"]) == head(cycle)


def test_the_dashboards_overdue_list_agrees_with_the_overdue_command(cycle: Path) -> None:
    shown = json.loads(run(cycle, "dashboard", "--panel", "1", "--format", "json"))
    late = json.loads(run(cycle, "overdue", "--format", "json", "--as-of", shown["as_of"]))
    assert [(r["ref"], r["review"], r["days_late"]) for r in shown["overdue"]] == [
        (r["ref"], r["review"], r["days_late"]) for r in late
    ]
    assert json.loads(run(cycle, "dashboard", "--panel", "2", "--format", "json"))["counts"] == []


def test_the_dashboard_in_csv_is_one_table_with_a_section_column(cycle: Path) -> None:
    rows = rows_of(run(cycle, "dashboard", "--format", "csv"))
    assert {row["section"] for row in rows} == {"count", "overdue"}
    markdown = run(cycle, "dashboard", "--format", "md")
    assert markdown.count("## ") == 2 and "| group | name | axis |" in markdown
    assert "awaiting_response" in run(cycle, "dashboard")
