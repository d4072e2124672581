"""``assembly export implementation|recommendations|verdicts|board FILE``, and the import of
a new kind through ``--server``: the command line end to end, on a copy of the small assembly
of ``tests.features.cycle`` (1/1 to 1/3 handed over, 1/4 adopted only) with 1/1 accepted,
reported on and assessed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.cli.test_import_kinds import recommendations, reports, sheet
from tests.cli.test_server_option import serving
from tests.features.cycle import (
    GOVERNMENT,
    SECRETARIAT,
    as_commission,
    as_government,
    as_secretariat,
    entries,
    last_events,
    ok,
)
from tests.features.forked import assembly


@pytest.fixture
def followed(folder: Path) -> Path:
    """1/1 accepted, reported on in Dutch words and assessed with a formula-like reason."""
    ok(
        as_government(
            folder,
            *("respond", "1/1", "--position", "accepted", "--portfolio", "climate"),
            *("--at", "2025-06-01"),
        )
    )
    ok(
        as_government(
            folder,
            *("implement", "1/1", "--status", "in_progress", "--progress", "40"),
            *("--milestone=Werken gestart;\nfase 1", "--at", "2025-07-01"),
        )
    )
    ok(
        as_commission(
            folder,
            *("assess", "1/1", "--verdict", "agrees", "--reasons=fr=@Budget prévu"),
            *("--at", "2025-08-01"),
        )
    )
    return folder


EXPORTS = {
    "implementation": (as_government, 1, "implementation report(s)", "implementation report(s)"),
    "recommendations": (as_secretariat, 4, "adoption(s) and hand-over(s)", "recommendation(s)"),
    "verdicts": (as_commission, 1, "verdict(s)", "verdict(s)"),
    "answers": (as_government, 1, "answer(s)", "answer(s)"),
}


@pytest.mark.parametrize("kind", list(EXPORTS))
@pytest.mark.parametrize("name", ["rows.csv", "rows.xlsx", "excel.csv"])
def test_an_exported_kind_imports_back_with_every_row_unchanged(
    followed: Path, kind: str, name: str
) -> None:
    office, rows, noun, item = EXPORTS[kind]
    excel = ("--excel",) if name == "excel.csv" else ()
    written = ok(assembly("export", kind, name, *excel, cwd=followed))
    assert f"Wrote {rows} {item} to {name}." in written.stdout
    before = entries(followed)
    again = ok(office(followed, "import", kind, name))
    assert f"Wrote 0 {noun}; {rows} row(s) unchanged." in again.stdout, again.stdout
    assert entries(followed) == before


def test_the_export_guards_formulas_and_keeps_line_breaks(followed: Path) -> None:
    ok(assembly("export", "verdicts", "verdicts.csv", cwd=followed))
    ok(assembly("export", "implementation", "reports.csv", cwd=followed))
    with (followed / "verdicts.csv").open(encoding="utf-8", newline="") as handle:
        (verdict,) = csv.DictReader(handle)
    with (followed / "reports.csv").open(encoding="utf-8", newline="") as handle:
        (report,) = csv.DictReader(handle)
    assert (verdict["reasons"], verdict["language"], verdict["date"]) == (
        "'@Budget prévu",
        "fr",
        "2025-08-01",
    )
    assert (report["milestone"], report["progress"]) == ("Werken gestart;\nfase 1", "40")


def test_the_recommendations_export_has_a_column_per_language_and_the_hand_over(
    followed: Path,
) -> None:
    ok(assembly("export", "recommendations", "recs.xlsx", "--panel", "1", cwd=followed))
    sheet_read = load_workbook(followed / "recs.xlsx").active
    assert sheet_read is not None
    header, first, *_, last = [list(row) for row in sheet_read.iter_rows(values_only=True)]
    row = dict(zip(header, first, strict=True))
    assert (row["title_fr"], row["text_nl"], row["vote"]) == (
        "Recommandation 1",
        "Tekst 1",
        "V-1",
    )
    assert str(row["handed_over"])[:10] == "2025-05-01"
    assert dict(zip(header, last, strict=True))["handed_over"] is None


def test_the_board_export_holds_the_boards_rows_by_label_and_code(followed: Path) -> None:
    written = ok(assembly("export", "board", "board.csv", "--lang", "fr", cwd=followed))
    assert "Wrote 4 row(s) of the board to board.csv." in written.stdout
    with (followed / "board.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 5
    codes = {row[0]: row for row in rows[1:]}
    assert "accepted" in codes["1/1"] and "agrees" in codes["1/1"]
    ok(assembly("export", "board", "board.xlsx", "--panel", "1", cwd=followed))
    assert load_workbook(followed / "board.xlsx").active.max_row == 5


@pytest.mark.slow
def test_implementation_reports_are_submitted_to_a_server_whole_or_not_at_all(
    followed: Path,
) -> None:
    with serving(followed) as url:
        signed_here = ("--key", GOVERNMENT, "--server", url)
        bad = {"recommendation": "1/9", "status": "in_progress"}
        sheet(followed / "bad.csv", [*reports()[:1], bad])
        before = entries(followed)
        refused = assembly("import", "implementation", "bad.csv", *signed_here, cwd=followed)
        assert refused.code == 3, refused
        assert "row 3: 1/9: Panel 1 has no recommendation 9." in refused.stderr
        first = {**reports()[0], "date": "2025-07-02"}
        sheet(followed / "good.csv", [first])
        dry = ok(
            assembly(
                "import", "implementation", "good.csv", "--dry-run", *signed_here, cwd=followed
            )
        )
        assert "1 implementation report(s) would be written, 0 unchanged" in dry.stdout
        assert entries(followed) == before
        done = ok(assembly("import", "implementation", "good.csv", *signed_here, cwd=followed))
        assert "Wrote 1 implementation report(s); 0 row(s) unchanged." in done.stdout
        again = ok(assembly("import", "implementation", "good.csv", *signed_here, cwd=followed))
        assert "Wrote 0 implementation report(s); 1 row(s) unchanged." in again.stdout
    assert entries(followed) == before + 1
    (report,) = last_events(followed)
    assert report["milestone"] == "Appel à projets publié"


def test_an_export_at_an_entry_holds_what_the_ledger_held_then(folder: Path) -> None:
    ok(
        as_government(
            folder,
            *("respond", "1/1", "--position", "accepted", "--portfolio", "climate"),
            *("--at", "2025-06-01"),
        )
    )
    then = entries(folder) - 1  # the answer's entry, before any report
    ok(as_government(folder, "implement", "1/1", "--status", "stalled", "--at", "2025-07-01"))
    past = ok(assembly("export", "implementation", "then.csv", "--at-seq", str(then), cwd=folder))
    assert "Wrote 0 implementation report(s) to then.csv." in past.stdout
    now = ok(assembly("export", "implementation", "now.csv", cwd=folder))
    assert "Wrote 1 implementation report(s) to now.csv." in now.stdout


@pytest.mark.slow
def test_adoptions_and_their_hand_over_go_to_a_server_as_one_submission(folder: Path) -> None:
    sheet(folder / "recs.csv", recommendations())
    before = entries(folder)
    with serving(folder) as url:
        signed_here = ("--key", SECRETARIAT, "--server", url)
        done = ok(assembly("import", "recommendations", "recs.csv", *signed_here, cwd=folder))
        assert "Wrote 3 adoption(s) and hand-over(s); 0 row(s) unchanged." in done.stdout
        again = ok(assembly("import", "recommendations", "recs.csv", *signed_here, cwd=folder))
        assert "Wrote 0 adoption(s) and hand-over(s); 2 row(s) unchanged." in again.stdout
    assert entries(folder) == before + 3
