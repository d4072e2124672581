"""A past cycle recorded today, dated as it happened: every rule of order is judged on the
dates its authors gave, each refusal is one sentence that names both dates and writes nothing,
and the cycle recorded in the right order verifies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.features.cycle import (
    CHARTER,
    GOVERNMENT,
    PANEL_FILES,
    SECRETARIAT,
    entries,
    ok,
    one_sentence,
)
from tests.features.forked import assembly
from tests.features.past import ON, Past, run, shared_past


@pytest.fixture(scope="module")
def past(tmp_path_factory: pytest.TempPathFactory) -> Past:
    return shared_past(tmp_path_factory)


def refused(folder: Path, key: str, *args: str, words: str) -> None:
    """``assembly ARGS`` signed with ``key`` is refused (exit 3) in one sentence with ``words``,
    and the ledger is left as it was."""
    before = entries(folder)
    one_sentence(run(folder, key, *args), 3, words)
    assert entries(folder) == before


def test_the_past_cycle_recorded_in_order_is_accepted_and_verifies(past: Past) -> None:
    verified = json.loads(ok(assembly("verify", "--format", "json", cwd=past.done)).stdout)
    assert verified["verified"] is True, verified
    drawn = ok(assembly("draw", "verify", "--panel", "1", *PANEL_FILES, cwd=past.done))
    assert drawn.code == 0


def test_a_public_value_published_before_its_announcement_is_refused_on_claimed_dates(
    past: Past, tmp_path: Path
) -> None:
    folder = past.copy("perform invitations", tmp_path)
    refused(
        folder,
        SECRETARIAT,
        *("draw", "perform", "invitations", "--panel", "1", "--register", "register.csv"),
        *("--randomness-value", "Lotto: 1 2 3 4 5 6", "--published-at", "2019-10-02T20:00Z"),
        *("--at", ON["perform invitations"]),
        words="The public value was published at 2019-10-02T20:00:00+00:00, not after the "
        "announcement at 2019-10-03T00:00:00+00:00",
    )


def test_a_seat_dated_before_its_panel_draw_is_refused(past: Past, tmp_path: Path) -> None:
    folder = past.copy("seat", tmp_path)
    refused(
        folder,
        SECRETARIAT,
        *("panel", "seat", "1", "--at", "2019-10-25"),
        words="The seating of panel 1 is dated 2019-10-25, before its panel draw on 2019-10-26: "
        "date it on or after 2019-10-26.",
    )


def test_a_commission_member_dated_before_the_seating_is_refused(
    past: Past, tmp_path: Path
) -> None:
    folder = past.copy(None, tmp_path)
    drawn = assembly("draw", "verify", "--panel", "1", *PANEL_FILES, "--format", "json", cwd=folder)
    pseudonym = json.loads(ok(drawn).stdout)["selected"][0]
    refused(
        folder,
        CHARTER,
        *("commission", "add", pseudonym, "--panel", "1", "--at", "2019-10-27"),
        words=f"The naming of {pseudonym} to the commission is dated 2019-10-27, before the "
        "seating of panel 1 on 2019-10-28: date it on or after 2019-10-28.",
    )
    ok(
        run(
            folder,
            CHARTER,
            "commission",
            "add",
            pseudonym,
            "--panel",
            "1",
            "--at",
            ON["commission"],
        )
    )


def test_an_answer_dated_before_its_hand_over_is_refused(past: Past, tmp_path: Path) -> None:
    folder = past.copy(None, tmp_path)
    refused(
        folder,
        GOVERNMENT,
        *("respond", "1/2", "--position", "accepted", "--portfolio", "climate"),
        *("--at", "2020-06-21"),
        words="The answer to recommendation 1/2 at review 1 is dated 2020-06-21, before its "
        "hand-over on 2020-06-22: date it on or after 2020-06-22.",
    )


def test_a_hand_over_dated_before_the_adoption_is_refused(past: Past, tmp_path: Path) -> None:
    folder = past.copy("hand over", tmp_path)
    refused(
        folder,
        SECRETARIAT,
        *("recommend", "hand-over", "--panel", "1", "--number", "1", "--on", "2020-06-20"),
        *("--at", ON["hand over"]),
        words="The hand-over of recommendation 1/1 is dated 2020-06-20, before its adoption on "
        "2020-06-21: date it on or after 2020-06-21.",
    )


def test_an_event_dated_before_its_stream_s_latest_history_is_refused(
    past: Past, tmp_path: Path
) -> None:
    """The second review's answer comes after the hand-over (its own rule), but before the
    first review's answer in the same stream: history keeps the order of its dates."""
    folder = past.copy(None, tmp_path)
    refused(
        folder,
        GOVERNMENT,
        *("respond", "1/1", "--review", "2", "--position", "accepted", "--portfolio", "climate"),
        *("--at", "2020-06-25"),
        words="assembly.government.responded is dated 2020-06-25, before the latest entry of "
        "its stream (assembly.government.responded, seq",
    )
    ok(
        run(
            folder,
            GOVERNMENT,
            *("respond", "1/1", "--review", "2", "--position", "accepted"),
            *("--portfolio", "climate", "--at", "2020-07-02"),
        )
    )
