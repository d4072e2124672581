"""A new user's first hour (issue 18, part 6): `init` says what to do next, `keys enrol` finds
the charter key `init` made and lists its roles, the panel draw takes its seats from the
panel, panels and the commission list their members, and `status` and `show` fit 80 columns.

Each test starts from a fresh folder, or from a copy of the small assembly of
``tests.features.cycle`` (panel 1 convened with 12 seats)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from cli.board_table import EVERY
from domain.roles import ROLE_GRANTS, Role
from tests.features.cycle import (
    CHARTER,
    SEATS,
    Template,
    as_government,
    as_secretariat,
    close_pool,
    copy_of,
    entries,
    last_events,
    long_justification,
    ok,
    one_sentence,
    perform_panel,
)
from tests.features.forked import assembly

NARROW = {"COLUMNS": "80"}


@pytest.fixture
def fresh(tmp_path: Path) -> Path:
    """An empty folder with a new ledger and the charter key `init` made in it."""
    folder = tmp_path / "first"
    folder.mkdir()
    return folder


@pytest.fixture
def pooled(template: Template, tmp_path: Path) -> Path:
    """Panel 1 convened with 12 seats, its letters drawn and its pool closed."""
    folder = copy_of(template.invited, tmp_path / "assembly")
    ok(close_pool(folder))
    return folder


def announce(folder: Path, *seats: str) -> list[str]:
    return [
        *("draw", "announce", "panel", "--panel", "1", "--pool", "pool.csv"),
        *("--quotas", "quotas.csv", "--portfolio", "portfolio.json", *seats),
        *("--size", "20", "--algorithm", "legacy"),
        *("--randomness-source", "The Lotto draw after the announcement"),
    ]


def commands_printed(stdout: str) -> list[list[str]]:
    """The `assembly ...` command lines a command's output tells the user to run."""
    lines = (line.strip() for line in stdout.splitlines())
    return [shlex.split(line)[1:] for line in lines if line.startswith("assembly ")]


def json_of(folder: Path, *args: str) -> object:
    return json.loads(ok(assembly(*args, "--format", "json", cwd=folder)).stdout)


# -- init and keys -------------------------------------------------------------------------


def test_init_names_the_keys_to_make_and_enrol_and_the_readme_section(fresh: Path) -> None:
    shown = ok(assembly("init", cwd=fresh)).stdout
    assert "assembly keys new --key secretariat.key" in shown
    assert "assembly keys enrol secretariat.key.pub --role secretariat" in shown
    assert '"Your first hour"' in shown


def test_the_next_steps_init_prints_run_as_printed(fresh: Path) -> None:
    printed = commands_printed(ok(assembly("init", cwd=fresh)).stdout)
    keys = [args for args in printed if args[0] == "keys"]
    assert len(keys) == 6  # three keys made, three enrolled
    for args in keys:
        ok(assembly(*args, cwd=fresh))
    roles = {signer["role"] for signer in json_of(fresh, "keys", "list")}  # type: ignore[union-attr]
    assert roles == {"charter", "secretariat", "government", "commission"}


def test_init_with_another_ledger_and_key_prints_them_in_each_step(fresh: Path) -> None:
    shown = ok(assembly("init", "--ledger", "x.db", "--key", "my charter.key", cwd=fresh)).stdout
    enrol = next(args for args in commands_printed(shown) if args[:2] == ["keys", "enrol"])
    assert enrol[-4:] == ["--ledger", "x.db", "--key", "my charter.key"]


def test_keys_enrol_signs_with_the_charter_key_init_made_and_says_so(fresh: Path) -> None:
    ok(assembly("init", cwd=fresh))
    ok(assembly("keys", "new", "--key", "sec.key", cwd=fresh))
    enrolled = ok(
        assembly("keys", "enrol", "sec.key.pub", "--role", "secretariat", "--name", "S", cwd=fresh)
    )
    assert enrolled.stdout.startswith("Signing with the charter key charter.key (key id ")


def test_keys_enrol_without_a_charter_key_in_the_folder_asks_for_one(fresh: Path) -> None:
    ok(assembly("init", "--key", "vault.key", cwd=fresh))
    ok(assembly("keys", "new", "--key", "sec.key", cwd=fresh))
    refused = assembly(
        "keys", "enrol", "sec.key.pub", "--role", "secretariat", "--name", "S", cwd=fresh
    )
    one_sentence(refused, 2, "give its file with --key or ASSEMBLY_KEY")
    assert entries(fresh) == 1


def test_a_role_not_in_the_table_is_refused_with_the_choices(fresh: Path) -> None:
    ok(assembly("init", cwd=fresh))
    ok(assembly("keys", "new", "--key", "sec.key", cwd=fresh))
    refused = assembly(
        "keys", "enrol", "sec.key.pub", "--role", "secretary", "--name", "S", cwd=fresh
    )
    one_sentence(refused, 2, "'charter', 'secretariat', 'government', 'commission', 'log'")


def test_the_help_of_keys_enrol_lists_the_roles(fresh: Path) -> None:
    shown = ok(assembly("keys", "enrol", "--help", cwd=fresh, env={"COLUMNS": "200"})).stdout
    assert "charter|secretariat|government|commission|log" in shown


def test_the_roles_offered_are_those_of_the_role_table() -> None:
    assert {role.value for role in Role} == set(ROLE_GRANTS)


# -- the panel draw's seats ------------------------------------------------------------------


def test_the_panel_draw_takes_its_seats_from_the_convened_panel(pooled: Path) -> None:
    ok(as_secretariat(pooled, *announce(pooled)))
    assert last_events(pooled)[0]["panel_size"] == SEATS
    ok(perform_panel(pooled))
    ok(as_secretariat(pooled, "panel", "seat", "1"))
    assert len(json_of(pooled, "panel", "members", "1")) == SEATS  # type: ignore[arg-type]


def test_seats_other_than_the_convened_ones_are_refused_before_any_portfolio(pooled: Path) -> None:
    before = entries(pooled)
    refused = as_secretariat(pooled, *announce(pooled, "--seats", "100"))
    one_sentence(refused, 2, "Panel 1 was convened with 12 seats, not 100: leave --seats out")
    assert entries(pooled) == before
    assert not (pooled / "portfolio.json").exists()


# -- members ---------------------------------------------------------------------------------


def test_panel_members_lists_the_pseudonyms_the_draw_seated(
    folder: Path, template: Template
) -> None:
    rows = json_of(folder, "panel", "members", "--panel", "1")
    assert isinstance(rows, list)
    assert sorted(row["pseudonym"] for row in rows) == sorted(template.members)
    assert {row["status"] for row in rows} == {"seated"}


def test_panel_members_shows_who_withdrew_and_who_replaced_them(
    folder: Path, template: Template
) -> None:
    leaving = template.members[0]
    ok(as_secretariat(folder, "panel", "withdraw", "1", leaving, "--reason", "health"))
    ok(as_secretariat(folder, "panel", "replace", "1", leaving, template.reserve))
    rows = json_of(folder, "panel", "members", "1")
    assert isinstance(rows, list)
    found = {row["pseudonym"]: row for row in rows}
    assert (found[leaving]["status"], found[leaving]["withdrawal_reason"]) == ("withdrew", "health")
    assert found[leaving]["replaced_by"] == template.reserve
    assert (found[template.reserve]["status"], found[template.reserve]["replaces"]) == (
        "seated",
        leaving,
    )
    table = ok(assembly("panel", "members", "1", cwd=folder)).stdout
    assert f"Panel 1: {SEATS} of {SEATS} seats filled" in table


def test_members_of_a_panel_never_convened_are_refused_in_one_sentence(folder: Path) -> None:
    one_sentence(assembly("panel", "members", "7", cwd=folder), 2, "Panel 7 has not been convened.")


def test_commission_members_lists_each_member_with_role_and_panel(
    folder: Path, template: Template
) -> None:
    assert "no members yet" in ok(assembly("commission", "members", cwd=folder)).stdout
    chair, member = template.members[:2]
    chair_args = ("commission", "add", chair, "--panel", "1", "--role", "chair")
    ok(assembly(*chair_args, "--key", CHARTER, cwd=folder))
    ok(assembly("commission", "add", member, "--panel", "1", "--key", CHARTER, cwd=folder))
    rows = json_of(folder, "commission", "members")
    assert isinstance(rows, list)
    assert [(r["pseudonym"], r["role"], r["panel"]) for r in rows] == [
        (chair, "chair", 1),
        (member, "member", 1),
    ]


# -- 80 columns ------------------------------------------------------------------------------


def answered(folder: Path) -> Path:
    """Recommendation 1/1 answered at review 1 with a long justification."""
    ok(
        as_government(
            folder,
            *("respond", "1/1", "--position", "rejected", "--portfolio", "climate"),
            *("--justification", f"fr={long_justification()}"),
        )
    )
    return folder


def test_status_in_80_columns_cuts_no_reference_and_no_status(folder: Path) -> None:
    shown = ok(assembly("status", cwd=answered(folder), env=NARROW)).stdout
    assert "…" not in shown
    assert all(len(line) <= 80 for line in shown.splitlines()), shown
    for ref in ("1/1", "1/2", "1/3", "1/4"):
        assert f" {ref} " in shown
    assert " rejected " in shown  # the position, in words
    assert "--wide shows them" in shown


def test_status_wide_shows_every_column(folder: Path) -> None:
    shown = ok(assembly("status", "--wide", cwd=folder, env=NARROW)).stdout
    header = next(line for line in shown.splitlines() if "┃" in line)
    assert header.count("┃") == len(EVERY) - 1
    assert "--wide shows them" not in shown


def test_show_in_80_columns_wraps_every_line(folder: Path) -> None:
    shown = ok(assembly("show", "1/1", cwd=answered(folder), env=NARROW)).stdout
    assert all(len(line) <= 80 for line in shown.splitlines()), shown
    assert "Answers, 1 of 1" in shown
    axis = re.search(r"^implementation +(.+)$", shown, re.MULTILINE)
    assert axis is not None and " " in axis[1] and "_" not in axis[1], shown  # in words
    words = " ".join(shown.split())
    assert " ".join(long_justification().split()) in words
