"""Bounds on untrusted proofs and receipts, checked before anything is parsed, so a hostile file
costs bounded memory and stack, and gets a sentence.

- JSON nests at most ``MAX_DEPTH`` levels: no receipt or proof file comes near it, and Python's
  parser recurses once per level.
- A receipt or proof file is at most ``MAX_PROOF_BYTES``.
"""

from __future__ import annotations

import re
from pathlib import Path

MAX_DEPTH = 64
MAX_PROOF_BYTES = 1024 * 1024

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def deeper_than(data: bytes, limit: int = MAX_DEPTH) -> bool:
    """Tell whether the JSON text ``data`` nests arrays and objects more than ``limit`` deep
    (brackets inside strings do not count), without parsing it."""
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _STRING.sub(b"", data).translate(None, _NOT_BRACKETS):
        depth += 1 if byte in b"[{" else -1
        if depth > limit:
            return True
    return False


def read_bounded(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path``, or None when it holds more than ``limit`` (read no further).
    Raises OSError as ``open`` does."""
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data
