"""The ledger's log written out as static C2SP tlog-tiles (the layout and the client that proves
an entry from the tiles alone are the log's: ``tlog.tiles``).

The writer reads the hashes from ``ledger_tree``, which keeps every complete subtree, so a tile
at level ``L`` is a run of stored rows at tree level ``8L``; nothing is rehashed. Each entry
bundle holds the entries' canonical bytes (``ledger.canonical.entry_bytes``), each checked
against its leaf before it is written.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from ledger.errors import VerificationFailed
from ledger.storage import LedgerRecorder
from ledger.tree import Issued, tree_table
from tlog.merkle import MissingNode, leaf_hash
from tlog.tiles import (
    CHECKPOINT,
    TILE_HEIGHT,
    TILE_WIDTH,
    Tile,
    TilesError,
    bundle_path,
    encode_bundle,
    tiles_of,
)


class FolderTaken(TilesError):
    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.folder = folder

    def sentence(self) -> str:
        return (
            f"{self.folder} holds files other than a tile export; "
            "give a new or empty folder, or one written by an earlier export."
        )


# --- writer --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Exported:
    """What an export wrote: the tree size, and how many hash tiles and entry bundles."""

    folder: Path
    size: int
    tiles: int
    bundles: int


def export_tiles(recorder: LedgerRecorder, issued: Issued, folder: Path) -> Exported:
    """Write the log at the size of ``issued`` as tlog-tiles into ``folder``, all at once.

    Everything is written into a new folder beside ``folder`` and renamed into place, so a web
    host serving ``folder`` never shows a checkpoint without its tiles. An earlier export there
    is replaced; a folder holding anything else is refused.
    """
    _check_free(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        scratch.chmod(0o755)  # mkdtemp's 0700 would hide the tiles from a web server's user
        (scratch / CHECKPOINT).write_bytes(issued.note)
        tiles = bundles = 0
        for tile in tiles_of(issued.size):
            hashes = stored_tile(recorder, tile, issued.size)
            _put(scratch / tile.path, b"".join(hashes))
            tiles += 1
            if tile.level == 0:
                entries = checked_entries(recorder, tile.index * TILE_WIDTH, hashes)
                _put(scratch / bundle_path(tile.index, tile.width), encode_bundle(entries))
                bundles += 1
        _install(scratch, folder)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return Exported(folder, issued.size, tiles, bundles)


def stored_tile(recorder: LedgerRecorder, tile: Tile, size: int) -> list[bytes]:
    """The tile's hashes: the stored nodes at tree level 8L from index 256N, one per row."""
    level, first = TILE_HEIGHT * tile.level, tile.index * TILE_WIDTH
    query = (
        select(tree_table.c.idx, tree_table.c.hash)
        .where(
            tree_table.c.level == level,
            tree_table.c.idx >= first,
            tree_table.c.idx < first + tile.width,
        )
        .order_by(tree_table.c.idx)
    )
    with _engine(recorder).connect() as conn:
        rows = conn.execute(query).all()
    for expected, row in zip(range(first, first + tile.width), [*rows, None], strict=False):
        if row is None or row.idx != expected:  # not integrated that far, or a row lost
            raise MissingNode(level, expected, size)
    return [bytes(row.hash) for row in rows]


def checked_entries(recorder: LedgerRecorder, first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """The canonical bytes of the entries from ``first``, each checked against its leaf."""
    found = recorder.read_entries(start=first, limit=len(leaves))
    if len(found) != len(leaves):
        raise VerificationFailed(first + len(found), "the tree has a leaf but the ledger no entry")
    entries = []
    for entry, leaf in zip(found, leaves, strict=True):
        data = entry.canonical_bytes()
        if leaf_hash(data) != leaf:
            raise VerificationFailed(
                entry.seq, "its bytes do not hash to its leaf in the tree (run assembly verify)"
            )
        entries.append(data)
    return entries


def _put(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _check_free(folder: Path) -> None:
    if not folder.exists():
        return
    if not folder.is_dir() or not (_is_export(folder) or not any(folder.iterdir())):
        raise FolderTaken(folder)


def _is_export(folder: Path) -> bool:
    if not folder.is_dir():
        return False
    names = {path.name for path in folder.iterdir()}
    return CHECKPOINT in names and names <= {CHECKPOINT, "tile"}


def _install(scratch: Path, folder: Path) -> None:
    """Rename the finished export to ``folder``, moving an earlier export out of the way."""
    _check_free(folder)
    if not folder.exists():
        os.replace(scratch, folder)
        return
    if not any(folder.iterdir()):
        folder.rmdir()
        os.replace(scratch, folder)
        return
    # Two renames: a reader may miss the folder between them, never see half an export.
    old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
    os.replace(folder, old / folder.name)
    try:
        os.replace(scratch, folder)
    except OSError:
        os.replace(old / folder.name, folder)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _engine(recorder: LedgerRecorder) -> Engine:
    engine = recorder.datastore.engine
    assert isinstance(engine, Engine)
    return engine
