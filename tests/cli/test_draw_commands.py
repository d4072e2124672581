"""The draws through ``assembly``: announced, performed and seated in order, and re-run by
``assembly draw verify`` from the published files, which names the first file that does not
match the ledger (docs/design.md 5).

Each test works on its own copy of a small assembly (``tests.features.cycle``): 40 letters
drawn from 400 addresses, then a panel of 12 drawn from 60 volunteers with a portfolio of 20.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import time
from pathlib import Path

import pytest

from tests.features.cycle import (
    CORRUPTIONS,
    GOVERNMENT,
    PANEL_FILES,
    PORTFOLIO_SIZE,
    SEATS,
    VOLUNTEERS,
    Template,
    announce_panel,
    as_secretariat,
    close_pool,
    copy_of,
    draw_panel,
    entries,
    last_events,
    one_sentence,
    perform_panel,
    verify_draw,
)
from tests.features.forked import assembly
from tests.runner import Result
from tests.tamper import Attacker


@pytest.fixture
def invited(template: Template, tmp_path: Path) -> Path:
    """Panel 1's letters drawn; the pool of volunteers not closed yet."""
    return copy_of(template.invited, tmp_path / "assembly")


def test_the_pool_closes_then_the_panel_is_announced_drawn_and_seated(invited: Path) -> None:
    closed = close_pool(invited)
    assert closed.code == 0, closed.stderr
    [pool] = last_events(invited)
    assert (pool["type"], pool["pool_size"]) == ("assembly.pool.closed", VOLUNTEERS)
    announced, performed = draw_panel(invited)
    assert announced.code == 0, announced.stderr
    assert performed.code == 0, performed.stderr
    announcement, draw = last_events(invited, 2)
    digest = hashlib.sha256((invited / "portfolio.json").read_bytes()).hexdigest()
    assert announcement["type"] == "assembly.draw.panel_announced"
    assert announcement["portfolio_digest"] == f"sha256:{digest}"
    assert (announcement["algorithm"], announcement["portfolio_size"]) == ("legacy", PORTFOLIO_SIZE)
    assert draw["type"] == "assembly.draw.panel_performed"
    assert len(draw["selected"]) == SEATS
    seated = as_secretariat(invited, "panel", "seat", "1")
    assert seated.code == 0, seated.stderr
    [seating] = last_events(invited)
    assert (seating["type"], seating["members"]) == ("assembly.panel.seated", draw["selected"])
    assert verify_draw(invited, "panel").code == 0


def test_a_refused_pool_close_leaves_no_salts_behind_and_can_be_run_again(invited: Path) -> None:
    before = entries(invited)
    wrong_key = assembly(
        *("pool", "close", "--panel", "1", "--pool", "pool.csv", "--quotas", "quotas.csv"),
        *("--key", GOVERNMENT),
        cwd=invited,
    )
    one_sentence(wrong_key, 3, "government")
    assert entries(invited) == before
    assert sorted(path.name for path in invited.glob("pool.csv.*")) == []
    assert close_pool(invited).code == 0
    assert sorted(path.name for path in invited.glob("pool.csv.*")) == ["pool.csv.salts"]
    announced, performed = draw_panel(invited)  # with the salts the ledger committed to
    assert (announced.code, performed.code) == (0, 0), performed.stderr


def test_an_interrupted_commitment_s_salts_are_never_overwritten(invited: Path) -> None:
    """A process stopped after the ledger recorded the commitment but before its salts were put
    in place leaves ``NAME.salts.new``: the retry says what to do instead of losing them."""
    stale = invited / "pool.csv.salts.new"
    stale.write_text("kept\n", encoding="ascii")
    again = close_pool(invited)
    one_sentence(again, 2, "pool.csv.salts.new exists: an earlier attempt stopped before")
    assert stale.read_text(encoding="ascii") == "kept\n"


def test_a_public_value_published_before_the_announcement_is_refused(invited: Path) -> None:
    assert close_pool(invited).code == 0
    announced = announce_panel(invited)
    assert announced.code == 0, announced.stderr
    before = entries(invited)
    early = perform_panel(invited, published_at="2025-01-01T20:00Z")
    one_sentence(early, 3, "The public value was published at 2025-01-01T20:00:00+00:00, not after")
    assert entries(invited) == before


def test_an_unknown_algorithm_is_a_usage_error(invited: Path) -> None:
    assert close_pool(invited).code == 0
    result = as_secretariat(
        invited,
        *("draw", "announce", "panel", "--panel", "1", "--pool", "pool.csv"),
        *("--quotas", "quotas.csv", "--algorithm", "astrology", "--randomness-source", "Lotto"),
    )
    one_sentence(result, 2, "--algorithm must be one of")


def test_both_stages_verify_from_the_published_files(folder: Path) -> None:
    letters = verify_draw(folder, "invitation")
    assert letters.code == 0, letters.stderr
    assert "Stage 1 of panel 1 verifies: 40 letters" in letters.stdout
    panel = verify_draw(folder, "panel")
    assert panel.code == 0, panel.stderr
    assert f"the {SEATS} members recorded" in panel.stdout
    assert "Selection probability per volunteer" in panel.stdout


def test_the_json_report_gives_every_volunteers_selection_probability(
    folder: Path, template: Template
) -> None:
    result = verify_draw(folder, "panel", "--format", "json")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["stage"], report["panel"], report["verified"]) == ("panel", 1, True)
    assert report["panel_index"] == template.panel_index
    assert tuple(report["selected"]) == template.members
    chances = report["probabilities_ppm"]
    assert sorted(chances) == [f"P-{n:06d}" for n in range(1, VOLUNTEERS + 1)]
    assert sum(chances.values()) == SEATS * 1_000_000  # each panel of m seats 12: 12 in all
    assert all(chances[member] > 0 for member in template.members)
    summary = report["probability_ppm"]
    assert (summary["min"], summary["max"]) == (min(chances.values()), max(chances.values()))
    assert summary["zero"] == sum(1 for chance in chances.values() if chance == 0)
    assert summary["mean"] == SEATS * 1_000_000 // VOLUNTEERS


def test_the_probabilities_are_written_to_a_csv_file(folder: Path) -> None:
    chances = json.loads(verify_draw(folder, "panel", "--format", "json").stdout)
    result = verify_draw(folder, "panel", "--probabilities", "chances.csv")
    assert result.code == 0, result.stderr
    with (folder / "chances.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["pseudonym"]: int(row["probability_ppm"]) for row in rows} == (
        chances["probabilities_ppm"]
    )


def test_the_json_report_of_stage_1_gives_the_seed_and_the_selection_root(folder: Path) -> None:
    result = verify_draw(folder, "invitation", "--format", "json")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["stage"], report["verified"], report["letters"]) == ("invitations", True, 40)
    assert len(report["seed"]) == 64 and len(report["selected_root"]) == 64


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_a_changed_file_does_not_verify_and_the_mismatch_is_named(
    folder: Path, template: Template, corruption: str
) -> None:
    change, stage, mismatch = CORRUPTIONS[corruption]
    change(folder, template)
    result = verify_draw(folder, stage)
    one_sentence(result, 1, f"error: The draw does not verify: {mismatch}")


def test_salts_other_than_the_committed_ones_do_not_verify(folder: Path) -> None:
    salts = folder / "pool.csv.salts"
    lines = salts.read_text(encoding="ascii").splitlines()
    lines[1], lines[2] = lines[2], lines[1]  # line 1 is the header
    salts.write_text("\n".join(lines) + "\n", encoding="ascii")
    one_sentence(
        verify_draw(folder, "panel"),
        1,
        "The commitment root of the pool file and its salts does not match",
    )


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (("--panel", "1"), "Give --pool, --quotas and --portfolio."),
        (("--panel", "1", "--stage", "invitations"), "Give the register file with --register."),
        (("--panel", "1", "--stage", "lottery", *PANEL_FILES), "--stage is invitations or panel."),
        (("--panel", "2", *PANEL_FILES), "Panel 2's panel draw is not on the ledger"),
    ],
    ids=["no-files", "no-register", "unknown-stage", "panel-not-drawn"],
)
def test_verify_called_wrongly_is_a_usage_error(
    folder: Path, args: tuple[str, ...], sentence: str
) -> None:
    one_sentence(assembly("draw", "verify", *args, cwd=folder), 2, sentence)


@pytest.mark.slow
def test_the_demo_cycle_verifies_with_its_own_files(tmp_path: Path) -> None:
    started = time.monotonic()
    demo = assembly(
        *("demo", "--ledger", "demo.db", "--out", "files", "--pool-size", "200"),
        *("--portfolio-size", "10", "--algorithm", "legacy"),
        cwd=tmp_path,
    )
    assert demo.code == 0, demo.stderr
    assert "Demo cycle written and verified" in demo.stdout
    stage_2 = assembly(
        *("draw", "verify", "--ledger", "demo.db", "--panel", "1", "--pool", "files/pool.csv"),
        *("--quotas", "files/quotas.csv", "--portfolio", "files/portfolio.json"),
        cwd=tmp_path,
    )
    assert stage_2.code == 0, stage_2.stderr
    assert "the 100 members recorded" in stage_2.stdout
    stage_1 = assembly(
        *("draw", "verify", "--ledger", "demo.db", "--panel", "1", "--stage", "invitations"),
        *("--register", "files/register.csv"),
        cwd=tmp_path,
    )
    assert stage_1.code == 0, stage_1.stderr
    assert "10000 letters" in stage_1.stdout
    verified = assembly("verify", "--ledger", "demo.db", cwd=tmp_path)
    assert verified.code == 0, verified.stderr
    print(f"demo and its verification took {time.monotonic() - started:.1f} s")


def _demo_verify(folder: Path, stage: str, files: Path) -> Result:
    if stage == "invitations":
        named = ("--register", str(files / "register.csv"))
    else:
        named = ("--pool", str(files / "pool.csv"), "--quotas", str(files / "quotas.csv"))
        named += ("--portfolio", str(files / "portfolio.json"))
    salts = "register.csv.salts" if stage == "invitations" else "pool.csv.salts"
    return assembly(
        *("draw", "verify", "--ledger", "demo.db", "--panel", "1", "--stage", stage),
        *named,
        *("--salts", str(folder / "files" / salts)),
        cwd=folder,
    )


def _edit_line(path: Path, number: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert old in lines[number - 1], lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_the_demo_draws_fail_to_verify_when_a_published_file_or_the_record_changes(
    tmp_path: Path,
) -> None:
    demo = assembly(
        *("demo", "--ledger", "demo.db", "--out", "files", "--pool-size", "200"),
        *("--portfolio-size", "10", "--algorithm", "legacy"),
        cwd=tmp_path,
    )
    assert demo.code == 0, demo.stderr
    original, changed = tmp_path / "files", tmp_path / "changed"

    def fresh() -> Path:
        if changed.exists():
            shutil.rmtree(changed)
        shutil.copytree(original, changed)
        return changed

    pool_row = (fresh() / "pool.csv").read_text(encoding="utf-8").splitlines()[4].split(",")
    _edit_line(
        changed / "pool.csv",
        5,
        f",{pool_row[4]},",
        ",lower," if pool_row[4] != "lower" else ",higher,",
    )
    failed = _demo_verify(tmp_path, "panel", changed)
    one_sentence(failed, 1, "The commitment root of the pool file and its salts does not match")

    quota_line = (fresh() / "quotas.csv").read_text(encoding="utf-8").splitlines()[1]
    low, top = quota_line.split(",")[2:4]  # the demo's quota file ends with population_ppm
    _edit_line(changed / "quotas.csv", 2, f",{low},{top},", f",{low},{int(top) + 1},")
    one_sentence(_demo_verify(tmp_path, "panel", changed), 1, "Line 2 of the quota file")

    register_line = (fresh() / "register.csv").read_text(encoding="utf-8").splitlines()[99]
    place = register_line.split(",")[1]
    other = "uccle" if place != "uccle" else "ixelles"
    _edit_line(changed / "register.csv", 100, f",{place}", f",{other}")
    one_sentence(_demo_verify(tmp_path, "invitations", changed), 1, "does not match")

    # The recorded selection: an attacker swaps one selected member for another volunteer.
    attacker = Attacker(str(tmp_path / "demo.db"))
    seq = next(int(row["seq"]) for row in _entries_of(tmp_path, "assembly.draw.panel_performed"))
    body = attacker.entry(seq)["state"]
    payload = json.loads(body)["payload"]
    outsider = next(
        line.split(",")[0]
        for line in (original / "pool.csv").read_text(encoding="utf-8").splitlines()[1:]
        if line.split(",")[0] not in payload["selected"]
    )
    attacker.set_body(seq, body.replace(payload["selected"][0].encode(), outsider.encode(), 1))
    attacker.close()
    one_sentence(_demo_verify(tmp_path, "panel", original), 1, "does not verify")
    assert assembly("verify", "--ledger", "demo.db", cwd=tmp_path).code == 1


def _entries_of(folder: Path, event_type: str) -> list[dict[str, object]]:
    listed = assembly("log", "--ledger", "demo.db", "--format", "json", cwd=folder)
    assert listed.code == 0, listed.stderr
    return [row for row in json.loads(listed.stdout) if row["type"] == event_type]
