"""``tlog.atomic.replace_file``: a file replaced whole, given at once or in pieces; a piece that
fails leaves the old file and no temporary one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tlog.atomic import CHUNKED_BUFFER, replace_file


def test_a_file_given_in_pieces_is_their_bytes_in_order(tmp_path: Path) -> None:
    path = tmp_path / "walk.jsonl"
    pieces = [b"head\n", b"", b"x" * (CHUNKED_BUFFER + 3), b"last\n"]
    replace_file(path, iter(pieces))
    assert path.read_bytes() == b"".join(pieces)
    replace_file(path, b"whole")
    assert path.read_bytes() == b"whole"


def test_a_piece_that_fails_leaves_the_old_file_and_nothing_else(tmp_path: Path) -> None:
    path = tmp_path / "walk.jsonl"
    replace_file(path, b"old")

    def failing() -> Iterator[bytes]:
        yield b"new, half"
        raise ValueError("a row that cannot be made")

    with pytest.raises(ValueError):
        replace_file(path, failing())
    assert path.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["walk.jsonl"]
