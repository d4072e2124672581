"""Bounds on untrusted input read by the verifiers (bundles, receipts, proofs), checked before
anything is parsed, so a hostile file costs bounded memory and stack, and gets a sentence.

- A bundle line is at most ``MAX_LINE_BYTES``: an entry's body stays under the 64 KiB cap
  (``ledger.canonical.MAX_ENTRY_BYTES``), and the longest line is an entry whose body is carried
  as base64 (a body an earlier release stored in a form that is not canonical), with its other
  fields. A line is read with this bound: a longer one is never held whole.
- JSON nests at most ``MAX_DEPTH`` levels: no entry, receipt or bundle file of the ledger comes
  near it, and Python's parser and canonicalizer recurse once per level.
- A receipt or proof file is at most ``MAX_PROOF_BYTES``; a bundle's other JSON files and its
  checkpoint at most ``MAX_DOCUMENT_BYTES``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import BinaryIO

from ledger.canonical import MAX_ENTRY_BYTES

MAX_DEPTH = 64
MAX_LINE_BYTES = 4 * ((MAX_ENTRY_BYTES + 2) // 3) + 1024
MAX_PROOF_BYTES = 1024 * 1024
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024

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


def read_line(handle: BinaryIO, limit: int = MAX_LINE_BYTES) -> bytes:
    """The next line of ``handle`` (b"" at its end), or its first ``limit + 1`` bytes when it is
    longer than ``limit``: the caller refuses it without reading the rest."""
    return handle.readline(limit + 1)


def read_bounded(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path``, or None when it holds more than ``limit`` (read no further).
    Raises OSError as ``open`` does."""
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data
