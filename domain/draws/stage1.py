"""Stage 1: which addresses receive an invitation letter (docs/design.md 5).

Letters per municipality are proportional to its number of addresses, by the largest remainder
method: each municipality gets ``floor(letters x addresses / total)``, and the letters left
over go one each to the municipalities with the largest remainders (ties: alphabetical order of
the municipality). The allocation sums exactly to the number of letters.

Selection, once the public value is known: ``seed = SHA-256(UTF-8(public value) || register
root || UTF-8(draw id))``; in each municipality, every address (by its 0-based line index in the
register file, header excluded) gets the key ``SHA-256(seed || UTF-8(municipality) || index as
8 bytes big-endian)``, and the addresses with the lowest keys receive the letters. The result is
recorded as the Merkle root of the selected indices (sorted, 8 bytes big-endian each) and the
count per municipality: 10,000 indices would not fit in one ledger entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.draws.commit import draw_seed, index_root, lowest_keys
from domain.draws.errors import TooManyLetters
from domain.draws.files import Register

ALGORITHM = "sha256-lowest-keys-per-municipality/1"


@dataclass(frozen=True)
class InvitationResult:
    """The addresses drawn: their indices in the register file, and what the ledger keeps."""

    seed: bytes
    indices: tuple[int, ...]
    letters_per_municipality: dict[str, int]

    @property
    def selected_root(self) -> bytes:
        """Merkle root of the selected indices (sorted, 8 bytes big-endian each)."""
        return index_root(self.indices)

    @property
    def selected_count(self) -> int:
        """How many addresses were drawn."""
        return len(self.indices)


@dataclass(frozen=True)
class InvitationOutcome:
    """What the ledger keeps of the addresses drawn, without the register: the seed, the root
    of the selected indices, their number and the letters per municipality."""

    seed: bytes
    selected_root: bytes
    selected_count: int
    letters_per_municipality: dict[str, int]


def allocate_letters(addresses: Mapping[str, int], letters: int) -> dict[str, int]:
    """Letters per municipality, proportional to its addresses (largest remainder)."""
    total = sum(addresses.values())
    if letters < 0 or letters > total:
        raise TooManyLetters(letters, total)
    shares = {place: letters * count // total for place, count in addresses.items()}
    left = letters - sum(shares.values())
    by_remainder = sorted(
        addresses, key=lambda place: (-(letters * addresses[place] % total), place)
    )
    for place in by_remainder[:left]:
        shares[place] += 1
    return dict(sorted(shares.items()))


def draw_invitations(
    register: Register,
    letters_per_municipality: Mapping[str, int],
    *,
    public_value: str,
    register_root: bytes,
    draw_id: str,
) -> InvitationResult:
    """Select the addresses that receive a letter, from the public value."""
    seed = draw_seed(public_value, register_root, draw_id)
    by_place: dict[str, list[int]] = {}
    for index, place in enumerate(register.municipalities):
        by_place.setdefault(place, []).append(index)
    selected: list[int] = []
    for place, count in sorted(letters_per_municipality.items()):
        candidates = by_place.get(place, [])
        if count > len(candidates):
            raise TooManyLetters(count, len(candidates))
        selected.extend(lowest_keys(seed, place, candidates, count))
    return InvitationResult(
        seed, tuple(sorted(selected)), dict(sorted(letters_per_municipality.items()))
    )
