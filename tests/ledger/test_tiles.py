"""The log as C2SP tlog-tiles: the export, checked against an independent tree, and the client
that proves entries from the tiles alone, served over HTTP by ``python -m http.server``."""

from __future__ import annotations

import gzip
import http.server
import re
import select
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import Signer
from ledger.canonical import entry_bytes
from ledger.tiles import FolderTaken, export_tiles
from ledger.tree import Issued, issue_checkpoint, latest_checkpoint
from tests.conftest import World
from tlog.checkpoint import Checkpoint, format_checkpoint, parse_checkpoint
from tlog.merkle import LeafNotInTree, MemoryNodes, inclusion_proof, leaf_hash, root
from tlog.note import SignerKey, parse_note, sign_note
from tlog.tiles import (
    BadTiles,
    Tile,
    TileNodes,
    TilesUnavailable,
    bundle_of,
    bundle_path,
    decode_bundle,
    encode_bundle,
    fetcher,
    included_entry,
    index_path,
    open_tile_log,
    prove_from_tiles,
    read_bundle,
    tile_path,
    tiles_of,
)

ORIGIN = "assembly.example/ledger"
LOG_KEY = Signer.from_seed(bytes([9]) * 32)
NOTE_KEY = SignerKey(ORIGIN, LOG_KEY.seed)
VKEY = NOTE_KEY.verifier_key
EVENTS = 300  # with the 4 key enrolments: one full tile of 256 and a partial one of 48


@dataclass
class Exported:
    """A ledger exported as tiles, with what an independent reader expects to find."""

    folder: Path
    size: int
    entries: list[bytes]  # canonical bytes, in seq order
    note: bytes


def canonical(world: World) -> list[bytes]:
    return [
        entry_bytes(seq=e.seq, prev=e.prev, body=e.body, sig=e.sig, recorded_at=e.recorded_at)
        for e in world.ledger.entries()
    ]


def grow_and_checkpoint(world: World, events: int) -> bytes:
    """Append ``events`` small events in one stream and issue a checkpoint; return its note."""
    world.append(world.secretariat, uuid.uuid4(), 0, *(world.event() for _ in range(events)))
    return issue_checkpoint(world.ledger.recorder, NOTE_KEY, origin=ORIGIN).note


@pytest.fixture
def exported(world: World, tmp_path: Path) -> Exported:
    world.ledger.enrol(world.charter, LOG_KEY.public_key, role="log", name="Log operator")
    note = grow_and_checkpoint(world, EVENTS)
    entries = canonical(world)
    folder = tmp_path / "public" / "tiles"
    written = export_tiles(world.ledger.recorder, _latest(world), folder)
    assert (written.size, written.tiles, written.bundles) == (len(entries), 3, 2)
    return Exported(folder, len(entries), entries, note)


def _latest(world: World) -> Issued:
    issued = latest_checkpoint(world.ledger.recorder)
    assert issued is not None
    return issued


@pytest.fixture
def served(exported: Exported) -> Iterator[str]:
    """The export served by ``python -m http.server`` on a free port of 127.0.0.1."""
    command = [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--directory", str(exported.folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], 20)
        assert ready, "http.server did not start"
        line = server.stdout.readline()  # "Serving HTTP on 127.0.0.1 port N ...", once bound
        port = re.search(r"port (\d+)", line)
        assert port, line
        yield f"http://127.0.0.1:{port.group(1)}/"
    finally:
        server.kill()
        server.wait()


# --- layout --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "path"),
    [
        (0, "000"),
        (5, "005"),
        (999, "999"),
        (1000, "x001/000"),
        (1234067, "x001/x234/067"),
        (1_000_000_000, "x001/x000/x000/000"),
    ],
)
def test_a_tile_index_is_written_in_three_digit_path_elements(index: int, path: str) -> None:
    assert index_path(index) == path


def test_tile_and_bundle_paths_mark_partial_tiles_with_their_width() -> None:
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"
    assert tile_path(1, 2, 44) == "tile/1/002.p/44"
    assert bundle_path(1234067, 8) == "tile/entries/x001/x234/067.p/8"  # tessera's example
    assert bundle_path(3) == "tile/entries/003"


def test_the_tiles_of_a_tree_are_those_the_spec_lists_for_its_size() -> None:
    # c2sp.org/tlog-tiles: 70,000 leaves are 273 full level 0 tiles, one partial of width 112,
    # one full level 1 tile, one partial of width 17, and one partial level 2 tile of width 1.
    tiles = list(tiles_of(70_000))
    assert [t for t in tiles if t.level == 0] == [Tile(0, n, 256) for n in range(273)] + [
        Tile(0, 273, 112)
    ]
    assert [t for t in tiles if t.level > 0] == [Tile(1, 0, 256), Tile(1, 1, 17), Tile(2, 0, 1)]
    # "a tree of size 256 will be represented by a full level 0 tile and a partial level 1 tile"
    assert list(tiles_of(256)) == [Tile(0, 0, 256), Tile(1, 0, 1)]
    assert list(tiles_of(0)) == []


def test_an_entry_bundle_prefixes_each_entry_with_its_length_as_a_big_endian_uint16() -> None:
    assert encode_bundle([b"ab", b"", b"x" * 258]) == b"\x00\x02ab\x00\x00\x01\x02" + b"x" * 258


@given(st.lists(st.binary(max_size=600), max_size=20))
def test_an_entry_bundle_reads_back_as_its_entries(entries: list[bytes]) -> None:
    assert decode_bundle(encode_bundle(entries)) == entries
    # and is counted, whole, without being cut into them
    assert read_bundle(encode_bundle(entries)) == bundle_of(entries)
    assert bundle_of(entries) == (encode_bundle(entries), len(entries))


@pytest.mark.parametrize("read", [decode_bundle, read_bundle])
def test_a_bundle_cut_inside_an_entry_is_refused(read: Callable[[bytes], object]) -> None:
    with pytest.raises(BadTiles, match="the entry bundle ends inside an entry"):
        read(b"\x00\x02ab\x00\x05abc")
    with pytest.raises(BadTiles, match=r"ends inside an entry \(byte 4 of 5\)"):
        read(b"\x00\x02ab\x00")


# --- the export ----------------------------------------------------------------------------------


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_the_export_is_the_checkpoint_tiles_and_bundles_an_independent_tree_gives(
    exported: Exported,
) -> None:
    size, entries = exported.size, exported.entries
    assert size == 4 + EVENTS and size % 256 == 48
    tree = MemoryNodes(leaf_hash(entry) for entry in entries)

    def hashes(level: int, first: int, end: int) -> bytes:
        return b"".join(tree.node(level, i) for i in range(first, end))

    def bundle(first: int, end: int) -> bytes:
        return b"".join(len(e).to_bytes(2, "big") + e for e in entries[first:end])

    assert files(exported.folder) == {
        "checkpoint": exported.note,
        "tile/0/000": hashes(0, 0, 256),
        "tile/0/001.p/48": hashes(0, 256, size),
        "tile/1/000.p/1": hashes(8, 0, 1),
        "tile/entries/000": bundle(0, 256),
        "tile/entries/001.p/48": bundle(256, size),
    }


def test_an_export_replaces_an_earlier_one_and_refuses_a_folder_of_other_files(
    world: World, exported: Exported
) -> None:
    public = exported.folder.parent
    grow_and_checkpoint(world, 3)
    export_tiles(world.ledger.recorder, _latest(world), exported.folder)
    assert sorted(files(exported.folder)) == [
        "checkpoint", "tile/0/000", "tile/0/001.p/51", "tile/1/000.p/1",
        "tile/entries/000", "tile/entries/001.p/51",
    ]  # fmt: skip
    assert sorted(p.name for p in public.iterdir()) == ["tiles"]  # no scratch folder left
    (public / "mine").mkdir()
    (public / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(FolderTaken, match="mine holds files other than a tile export"):
        export_tiles(world.ledger.recorder, _latest(world), public / "mine")
    assert files(public / "mine") == {"notes.txt": b"keep me"}
    assert sorted(p.name for p in public.iterdir()) == ["mine", "tiles"]


# --- the client ----------------------------------------------------------------------------------


def test_entries_are_proved_from_tiles_served_over_http(exported: Exported, served: str) -> None:
    log = open_tile_log(served, [VKEY])
    assert log.size == exported.size
    for index in (0, 1, 255, 256, 300, exported.size - 1):  # first, a full tile's, partial, last
        assert included_entry(log, index) == exported.entries[index]
    expected = MemoryNodes(leaf_hash(entry) for entry in exported.entries)
    assert prove_from_tiles(log, 300) == inclusion_proof(300, log.size, expected)
    with pytest.raises(LeafNotInTree, match=f"Leaf {exported.size} is not in a tree"):
        included_entry(log, exported.size)


def test_a_proof_fetches_only_the_tiles_it_needs(exported: Exported) -> None:
    log = open_tile_log(str(exported.folder), [VKEY])
    included_entry(log, 3)
    assert sorted(log.nodes.fetched) == ["tile/0/000", "tile/0/001.p/48", "tile/entries/000"]


def test_nodes_read_from_tiles_are_the_nodes_of_the_tree() -> None:
    size = 70_000  # three tile levels, full and partial tiles at each of the first two
    tree = MemoryNodes(leaf_hash(n.to_bytes(4, "big")) for n in range(size))
    served: dict[str, bytes] = {}
    for level in range(3):
        count = size >> (8 * level)
        for first in range(0, count, 256):
            width = min(256, count - first)
            path = f"tile/{level}/{index_path(first // 256)}" + (
                "" if width == 256 else f".p/{width}"
            )
            served[path] = b"".join(tree.node(8 * level, i) for i in range(first, first + width))
    tiled = TileNodes(served.__getitem__, size)
    for level in range(17):  # 2**16 < 70,000 < 2**17
        count = size >> level
        for index in {0, 1, count // 2, count - 1} & set(range(count)):
            assert tiled.node(level, index) == tree.node(level, index), (level, index)
    assert root(size, tiled) == root(size, tree)
    for index in (0, 255, 256, 65_535, 65_536, 69_999):
        assert inclusion_proof(index, size, tiled) == inclusion_proof(index, size, tree)


def test_a_tampered_tile_makes_verification_fail(exported: Exported) -> None:
    tile = exported.folder / "tile/0/000"
    data = bytearray(tile.read_bytes())
    data[32] ^= 1  # leaf 1: a sibling on entry 0's path
    tile.write_bytes(bytes(data))
    log = open_tile_log(str(exported.folder), [VKEY])
    with pytest.raises(BadTiles, match=f"entry 0 is not in the tree of size {exported.size}"):
        included_entry(log, 0)
    with pytest.raises(BadTiles, match="entry 1 does not hash to leaf 1 of its level 0 tile"):
        included_entry(log, 1)
    assert included_entry(log, 256) == exported.entries[256]  # that tile's hash is not on its path


def test_a_tampered_bundle_or_a_cut_tile_or_another_key_makes_verification_fail(
    exported: Exported,
) -> None:
    bundle = exported.folder / "tile/entries/001.p/48"
    bundle.write_bytes(bundle.read_bytes().replace(b'"recorded_at":"20', b'"recorded_at":"19', 1))
    log = open_tile_log(str(exported.folder), [VKEY])
    with pytest.raises(BadTiles, match="entry 256 does not hash to leaf 256"):
        included_entry(log, 256)
    partial = exported.folder / "tile/0/001.p/48"
    partial.write_bytes(partial.read_bytes()[:-32])
    log = open_tile_log(str(exported.folder), [VKEY])
    with pytest.raises(BadTiles, match=r"tile/0/001.p/48 has 1504 bytes, not 48 hashes"):
        included_entry(log, 0)
    other = SignerKey(ORIGIN, bytes([8]) * 32).verifier_key
    with pytest.raises(
        BadTiles, match=r"does not open with the verifier key: The note .*keys\)\.$"
    ):
        open_tile_log(str(exported.folder), [other])


def test_a_checkpoint_of_another_origin_is_refused(exported: Exported) -> None:
    head = parse_checkpoint(parse_note(exported.note).text)
    elsewhere = Checkpoint("other.example/log", head.size, head.root_hash)
    (exported.folder / "checkpoint").write_bytes(
        sign_note(format_checkpoint(elsewhere), [NOTE_KEY])
    )
    with pytest.raises(BadTiles, match=f"is of the log other.example/log, not of {ORIGIN}"):
        open_tile_log(str(exported.folder), [VKEY])


def test_a_gzip_encoded_tile_is_read_as_its_bytes() -> None:
    class Gzipping(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = gzip.compress(b"tile bytes")
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Gzipping) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            fetch = fetcher(f"http://127.0.0.1:{server.server_address[1]}")
            assert fetch("tile/0/000") == b"tile bytes"
        finally:
            server.shutdown()
            thread.join()


def test_a_missing_tile_log_says_what_it_could_not_fetch(exported: Exported, served: str) -> None:
    with pytest.raises(TilesUnavailable, match=r"Cannot fetch http://127.0.0.1:\d+/nowhere/"):
        open_tile_log(served + "nowhere/", [VKEY])
    (exported.folder / "tile/entries/000").unlink()
    log = open_tile_log(served, [VKEY])
    with pytest.raises(TilesUnavailable, match="tile/entries/000: HTTP 404"):
        included_entry(log, 0)


class Counted(http.server.BaseHTTPRequestHandler):
    """Answers each path with its own bytes over HTTP/1.1, counting the connections made;
    ``/old/...`` redirects to ``/...``, ``/gone`` is 404, and with ``closing`` every answer
    closes its connection."""

    protocol_version = "HTTP/1.1"
    connections: ClassVar[list[int]] = []
    closing = False

    def setup(self) -> None:
        super().setup()
        self.connections.append(1)

    def do_GET(self) -> None:
        if self.path.startswith("/old/"):
            self.send_response(301)
            self.send_header("Location", self.path[len("/old") :])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = self.path.encode()
        self.send_response(404 if self.path == "/gone" else 200)
        self.send_header("Content-Length", str(len(body)))
        if self.closing:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.parametrize("closing", [False, True])
def test_a_fetcher_keeps_its_connection_from_one_read_to_the_next(closing: bool) -> None:
    """Thousands of bundles are read over one connection per thread, not one each; a server
    that closes each connection, a redirect and an error are answered as before."""
    handler = type("Handler", (Counted,), {"connections": [], "closing": closing})
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            fetch = fetcher(f"http://127.0.0.1:{server.server_address[1]}")
            assert [fetch(f"tile/entries/{n:03d}") for n in range(5)] == [
                f"/tile/entries/{n:03d}".encode() for n in range(5)
            ]
            assert len(handler.connections) == (5 if closing else 1)
            assert fetch("old/checkpoint") == b"/checkpoint"  # followed, by urllib
            with pytest.raises(TilesUnavailable, match=r"/gone: HTTP 404 Not Found") as gone:
                fetch("gone")
            assert gone.value.status == 404
            assert fetch("tile/0/000") == b"/tile/0/000"
        finally:
            server.shutdown()
            thread.join()
