"""Files replaced whole: a reader sees the old file or the new one, never half of either."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

CHUNKED_BUFFER = 1 << 20  # bytes gathered before each write of a file given in pieces


def replace_file(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` to ``path`` atomically and durably: a temporary file in the same folder,
    synced, renamed over ``path``, then the folder synced. ``data`` may come in pieces, written
    as they come: a file of some 100 MB is then never whole in memory. Raises OSError; nothing
    is left behind on failure."""
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        pieces = [data] if isinstance(data, bytes) else data
        buffering = -1 if isinstance(data, bytes) else CHUNKED_BUFFER
        with os.fdopen(descriptor, "wb", buffering=buffering) as handle:
            handle.writelines(pieces)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)  # the rename itself survives a power cut only once the folder is synced
    finally:
        os.close(folder)
