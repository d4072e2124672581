"""The theme group: drawn from the previous panel by a public value, or volunteered."""

from __future__ import annotations

import pytest

from domain.draws import NotAPanelMember, WrongGroupSize, check_volunteers, draw_theme_group
from domain.draws.commit import draw_seed, lowest_keys, names_root

SEATED = [f"P-{n:06d}" for n in range(100, 0, -1)]


def test_the_group_is_drawn_from_the_sorted_seated_members_by_lowest_keys() -> None:
    drawn = draw_theme_group(SEATED, size=25, public_value="Euro Millions 12", draw_id="t")
    ordered = sorted(SEATED)
    seed = draw_seed("Euro Millions 12", names_root(ordered), "t")
    assert drawn.seed == seed
    assert drawn.members == tuple(
        sorted(ordered[i] for i in lowest_keys(seed, "theme", range(100), 25))
    )
    assert len(drawn.members) == 25
    again = draw_theme_group(
        list(reversed(SEATED)), size=25, public_value="Euro Millions 12", draw_id="t"
    )
    assert again == drawn


def test_a_group_larger_than_the_panel_cannot_be_drawn() -> None:
    with pytest.raises(WrongGroupSize, match=r"must have 120 distinct members .* not 100"):
        draw_theme_group(SEATED, size=120, public_value="1", draw_id="t")


def test_volunteers_must_be_seated_members_of_the_previous_panel() -> None:
    with pytest.raises(NotAPanelMember, match=r"P-777777 is not a seated member of panel 2"):
        check_volunteers([*SEATED[:24], "P-777777"], SEATED, size=25, panel=2)


def test_volunteers_must_be_as_many_as_the_charter_says_and_distinct() -> None:
    with pytest.raises(
        WrongGroupSize, match=r"must have 25 distinct members \(the charter's number\), not 24"
    ):
        check_volunteers(SEATED[:24], SEATED, size=25, panel=2)
    with pytest.raises(WrongGroupSize, match=r"not 24"):
        check_volunteers([*SEATED[:24], SEATED[0]], SEATED, size=25, panel=2)
    check_volunteers(SEATED[:25], SEATED, size=25, panel=2)
