"""``assembly composition``: counts checked against the published pool file and the members
drawn, time travel around the panel draw, every format, population shares, suppressed cells."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

from cli import synthetic
from cli.context import open_ledger
from domain.draws import PanelDraw, read_quotas
from domain.draws.events import PanelPerformed
from tests.features.cycle import (
    FEATURES,
    LEDGER,
    SEATS,
    VOLUNTEERS,
    Template,
    close_pool,
    copy_of,
    draw_panel,
    ok,
    one_sentence,
    verify_draw,
    write_pool,
)
from tests.features.forked import assembly
from tests.runner import Result

# Shares of a made-up population (ppm), one line of the quota file each; "none" is rare in
# the pool (two volunteers), so its cell is suppressed when the pool closes.
SHARES = {
    ("gender", "female"): 515_000,
    ("gender", "male"): 485_000,
    ("age_band", "16-34"): 300_000,
    ("age_band", "35-59"): 420_000,
    ("age_band", "60+"): 280_000,
    ("education", "low"): 300_000,
    ("education", "middle"): 330_000,
    ("education", "high"): 360_000,
    ("education", "none"): 10_000,
}


def composition(folder: Path, *args: str) -> Result:
    return assembly("composition", *args, cwd=folder)


def rows(folder: Path, *args: str) -> list[dict[str, Any]]:
    """The JSON rows of ``assembly composition ARGS``."""
    found: list[dict[str, Any]] = json.loads(
        ok(composition(folder, *args, "--format", "json")).stdout
    )
    return found


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as source:
        return list(csv.DictReader(source))


def counted(pool: list[dict[str, str]], pseudonyms: tuple[str, ...] | None = None) -> Counter[Any]:
    """Volunteers (or only ``pseudonyms``) per (feature, value), from the pool file's rows."""
    return Counter(
        (feature, row[feature])
        for row in pool
        if pseudonyms is None or row["pseudonym"] in pseudonyms
        for feature in FEATURES
    )


def panel_draw_seq(folder: Path) -> int:
    """The seq of panel 1's ``panel_performed`` entry."""
    book = open_ledger(str(folder / LEDGER))
    try:
        (found,) = [
            entry.seq
            for entry in book.stream(PanelDraw.stream_for(1))
            if entry.event["type"] == PanelPerformed.TYPE
        ]
    finally:
        book.close()
    return found


def drawn_with_shares(template: Template, folder: Path) -> Path:
    """Panel 1 drawn from a quota file with population shares, and a pool where two volunteers
    have the rare education 'none'."""
    copy_of(template.invited, folder)
    pool = write_pool(folder / "pool.csv")
    for row in pool[:2]:
        row["education"] = "none"
    with (folder / "pool.csv").open("w", encoding="utf-8", newline="") as out:
        volunteers = csv.DictWriter(out, ["pseudonym", *FEATURES], lineterminator="\n")
        volunteers.writeheader()
        volunteers.writerows(pool)
    counts = counted(pool)
    with (folder / "quotas.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("feature", "value", "min", "max", "population_ppm"))
        for (feature, value), ppm in SHARES.items():
            target = round(counts[feature, value] * SEATS / VOLUNTEERS)
            writer.writerow((feature, value, max(0, target - 2), target + 2, ppm))
    ok(close_pool(folder))
    for result in draw_panel(folder):
        ok(result)
    return folder


def test_drawn_counts_are_the_members_counted_in_the_pool_file(
    folder: Path, template: Template
) -> None:
    pool = read_csv(folder / "pool.csv")
    drawn, volunteers = counted(pool, template.members), counted(pool)
    quotas = read_csv(folder / "quotas.csv")
    found = rows(folder, "1")
    assert [(r["feature"], r["value"]) for r in found] == [
        (q["feature"], q["value"]) for q in quotas
    ]
    for row, quota in zip(found, quotas, strict=True):
        key = (row["feature"], row["value"])
        assert (row["min"], row["max"]) == (int(quota["min"]), int(quota["max"]))
        assert row["drawn"] == row["seated"] == drawn[key]
        assert row["drawn_ppm"] == round(drawn[key] * 1_000_000 / SEATS)
        assert row["pool"] in (volunteers[key], "suppressed")
        assert row["population_ppm"] == "unknown"  # the test's quota file gives no shares
    assert sum(row["drawn"] for row in found if row["feature"] == "gender") == SEATS


def test_before_the_panel_draw_nothing_is_drawn_and_from_it_on_the_members_are(
    folder: Path,
) -> None:
    performed = panel_draw_seq(folder)
    before = rows(folder, "1", "--at-seq", str(performed - 1))
    after = rows(folder, "1", "--at-seq", str(performed))
    assert before and {row["drawn"] for row in before} == {None}
    assert {row["min"] is not None for row in before} == {True}  # announced already
    assert all(isinstance(row["drawn"], int) for row in after)
    assert {row["seated"] for row in after} == {None}  # drawn, not seated yet
    now = rows(folder, "1", "--as-of", "2999-12-31")
    assert [row["drawn"] for row in now] == [row["seated"] for row in now]
    assert [row["drawn"] for row in now] == [row["drawn"] for row in after]


def test_a_panel_not_convened_as_of_the_point_asked_is_a_usage_error(folder: Path) -> None:
    one_sentence(composition(folder, "2"), 2, "Panel 2 has not been convened.")
    one_sentence(
        composition(folder, "1", "--at-seq", "0"), 2, "Panel 1 has not been convened as of entry 0."
    )
    one_sentence(
        composition(folder, "1", "--as-of", "2000-01-01"),
        2,
        "Panel 1 has not been convened as of the end of 2000-01-01 (UTC).",
    )
    one_sentence(composition(folder, "1", "--as-of", "31/12/2025"), 2, "is not a date")


def test_every_format_has_one_row_per_stratum(folder: Path) -> None:
    lines = len(read_csv(folder / "quotas.csv"))
    table = ok(composition(folder, "1")).stdout
    assert "Panel 1: composition, 12 seats" in table and "12 seated now" in table
    found = list(
        csv.DictReader(io.StringIO(ok(composition(folder, "1", "--format", "csv")).stdout))
    )
    assert len(found) == lines and "population_ppm" in found[0]
    markdown = ok(composition(folder, "1", "--format", "md")).stdout.splitlines()
    assert markdown[0].startswith("| feature | value | min | max | drawn | drawn_share |")
    assert len(markdown) == lines + 2 and "unknown" in markdown[2]


def test_population_shares_show_and_a_small_pool_cell_shows_as_suppressed(
    template: Template, tmp_path: Path
) -> None:
    folder = drawn_with_shares(template, tmp_path / "shares")
    found = {(row["feature"], row["value"]): row for row in rows(folder, "1")}
    assert {key: row["population_ppm"] for key, row in found.items()} == SHARES
    assert found["education", "none"]["pool"] == "suppressed"
    assert found["education", "none"]["pool_ppm"] == "suppressed"
    table = ok(composition(folder, "1", "--format", "md")).stdout
    assert "| gender | female |" in table and "| 51.5% |" in table and "| suppressed |" in table
    ok(verify_draw(folder, "panel"))  # the announcement's shares agree with the quota file


def test_the_synthetic_quota_file_carries_the_population_shares(tmp_path: Path) -> None:
    synthetic.write_quotas(tmp_path / "quotas.csv")
    shares = synthetic.population_shares()
    table = read_quotas(tmp_path / "quotas.csv")
    assert {(q.feature, q.value): q.population_ppm for q in table} == {
        (feature, value): ppm for feature, values in shares.items() for value, ppm in values.items()
    }
