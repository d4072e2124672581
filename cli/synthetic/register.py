"""A synthetic regional address register: ``address_id,municipality``, one row per address."""

from __future__ import annotations

import random
import sys
from array import array
from collections import Counter
from pathlib import Path

from cli.synthetic._common import apportion
from cli.synthetic.population import MUNICIPALITIES

BRUSSELS_ADDRESSES = 582_000
_RESOLUTION = 1 << 16
_BLOCK = 1000


def write_register(path: Path, *, addresses: int = BRUSSELS_ADDRESSES, seed: int) -> dict[str, int]:
    """Write an address register CSV and return how many addresses each municipality holds.

    Addresses are ``A-0000001``, ``A-0000002``, ...; each lies in a municipality (by code) drawn
    with probability equal to its population share, so counts follow the shares to within
    sampling noise.
    """
    assert 0 <= addresses < 10_000_000, "address ids have seven digits"
    rng = random.Random(seed)
    # One 16-bit draw per address, looked up in a table that gives each municipality as many
    # slots as its share: fast, and the same on every platform once the bytes are little-endian.
    slots = apportion(_RESOLUTION, [m.share_ppm for m in MUNICIPALITIES])
    table = [m.code for m, n in zip(MUNICIPALITIES, slots, strict=True) for _ in range(n)]
    draws = array("H")
    draws.frombytes(rng.randbytes(2 * addresses))
    if sys.byteorder == "big":
        draws.byteswap()
    labels = [table[d] for d in draws]

    suffixes = [f"{i:03d}," for i in range(_BLOCK)]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("address_id,municipality\n")
        for block in range(addresses // _BLOCK + 1):
            first = max(block * _BLOCK, 1)
            last = min(block * _BLOCK + _BLOCK - 1, addresses)
            if first > last:
                continue
            prefix = f"A-{block:04d}"
            out.write(
                "".join(
                    f"{prefix}{suffix}{label}\n"
                    for suffix, label in zip(
                        suffixes[first % _BLOCK : last % _BLOCK + 1],
                        labels[first - 1 : last],
                        strict=True,
                    )
                )
            )
    counted = Counter(labels)
    return {m.code: counted[m.code] for m in MUNICIPALITIES}
