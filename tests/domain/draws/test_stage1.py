"""Stage 1: letters per municipality by largest remainder, addresses drawn from the seed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.draws import Register, TooManyLetters, allocate_letters, draw_invitations
from domain.draws.commit import draw_seed, index_root, lowest_keys
from tests.domain.draws.conftest import PUBLIC_VALUE, InvitationCase

ROOT = bytes(range(32))


def test_letters_are_proportional_and_the_remainders_go_to_the_largest() -> None:
    # 10 letters over 3 + 3 + 4 addresses: 3, 3, 4 exactly
    assert allocate_letters({"Evere": 3, "Jette": 3, "Uccle": 4}, 10) == {
        "Evere": 3,
        "Jette": 3,
        "Uccle": 4,
    }
    # 2 letters over 1 + 1 + 1: the tie goes to the first municipalities in alphabetical order
    assert allocate_letters({"Uccle": 1, "Jette": 1, "Evere": 1}, 2) == {
        "Evere": 1,
        "Jette": 1,
        "Uccle": 0,
    }
    # 10,000 letters over 582,000 addresses in unequal municipalities
    shares = allocate_letters({"A": 100_000, "B": 250_001, "C": 231_999}, 10_000)
    assert shares == {"A": 1718, "B": 4296, "C": 3986}


@given(
    st.dictionaries(st.sampled_from("ABCDEFGHIJKLMNOPQRS"), st.integers(1, 50_000), min_size=1),
    st.data(),
)
def test_the_letters_always_sum_to_the_total_and_never_exceed_the_addresses(
    addresses: dict[str, int], data: st.DataObject
) -> None:
    letters = data.draw(st.integers(0, sum(addresses.values())))
    shares = allocate_letters(addresses, letters)
    assert sum(shares.values()) == letters
    assert all(shares[place] <= addresses[place] for place in addresses)
    total = sum(addresses.values())
    assert all(abs(shares[p] - letters * addresses[p] / total) < 1 for p in addresses)


def test_more_letters_than_addresses_are_refused() -> None:
    with pytest.raises(TooManyLetters, match=r"11 letters cannot be drawn from 10 addresses"):
        allocate_letters({"Evere": 4, "Jette": 6}, 11)


def test_the_addresses_drawn_are_the_lowest_keys_of_each_municipality() -> None:
    register = Register([f"A-{n}" for n in range(12)], ["Evere", "Jette"] * 6)
    result = draw_invitations(
        register, {"Evere": 2, "Jette": 3}, public_value="7", register_root=ROOT, draw_id="d"
    )
    seed = draw_seed("7", ROOT, "d")
    assert result.seed == seed
    expected = lowest_keys(seed, "Evere", range(0, 12, 2), 2)
    expected += lowest_keys(seed, "Jette", range(1, 12, 2), 3)
    assert result.indices == tuple(sorted(expected))
    assert result.selected_root == index_root(sorted(expected))


def test_another_public_value_draws_other_addresses(invitation_case: InvitationCase) -> None:
    case = invitation_case
    letters = case.announced.letters_per_municipality
    root = bytes.fromhex(case.announced.register_root)
    first = draw_invitations(
        case.register, letters, public_value=PUBLIC_VALUE, register_root=root, draw_id="x"
    )
    again = draw_invitations(
        case.register, letters, public_value=PUBLIC_VALUE, register_root=root, draw_id="x"
    )
    other = draw_invitations(
        case.register, letters, public_value=PUBLIC_VALUE + ".", register_root=root, draw_id="x"
    )
    assert first == again
    assert first.indices != other.indices
    assert len(first.indices) == sum(letters.values()) == 200


def test_each_municipality_receives_its_letters(invitation_case: InvitationCase) -> None:
    performed = invitation_case.performed
    assert performed.selected_per_municipality == invitation_case.announced.letters_per_municipality
    assert performed.selected_count == 200
