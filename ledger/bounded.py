"""Bounds on the ledger's bundles, read by the verifiers, checked before anything is parsed, so a
hostile file costs bounded memory and stack, and gets a sentence. The bounds on JSON depth and on
proof files are the log's (``tlog.bounded``); a bundle obeys them too.

- A bundle line is at most ``MAX_LINE_BYTES``: an entry's body stays under the 64 KiB cap
  (``ledger.canonical.MAX_ENTRY_BYTES``), and the longest line is an entry whose body is carried
  as base64 (a body an earlier release stored in a form that is not canonical), with its other
  fields. A line is read with this bound: a longer one is never held whole.
- A bundle's other JSON files and its checkpoint are at most ``MAX_DOCUMENT_BYTES``.
"""

from __future__ import annotations

from typing import BinaryIO

from ledger.canonical import MAX_ENTRY_BYTES
from tlog.bounded import MAX_DEPTH, MAX_PROOF_BYTES, deeper_than, read_bounded

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_LINE_BYTES",
    "MAX_PROOF_BYTES",
    "deeper_than",
    "read_bounded",
    "read_line",
]

MAX_LINE_BYTES = 4 * ((MAX_ENTRY_BYTES + 2) // 3) + 1024
MAX_DOCUMENT_BYTES = 16 * 1024 * 1024


def read_line(handle: BinaryIO, limit: int = MAX_LINE_BYTES) -> bytes:
    """The next line of ``handle`` (b"" at its end), or its first ``limit + 1`` bytes when it is
    longer than ``limit``: the caller refuses it without reading the rest."""
    return handle.readline(limit + 1)
