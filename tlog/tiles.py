"""The log as static C2SP tlog-tiles, and a client that proves an entry from the tiles alone.

c2sp.org/tlog-tiles, for a tree of ``s`` leaves (the size of a signed checkpoint):

- ``checkpoint``: the signed note, as issued;
- ``tile/<L>/<N>[.p/<W>]``: ``W`` hashes of 32 bytes, concatenated; hash ``i`` is
  ``MTH(D[(N * 256 + i) * 256**L : (N * 256 + i + 1) * 256**L])``, the node at tree level ``8L``
  and index ``N * 256 + i``. Full tiles hold 256; the partial tile at level ``L`` holds
  ``floor(s / 256**L) mod 256`` (no ``.p/<W>`` when full, no file when 0);
- ``tile/entries/<N>[.p/<W>]``: the entry bundle of level 0 tile ``N``: each entry's bytes (the
  bytes whose leaf hash is the leaf) after its length as a big-endian uint16.

``<N>`` is written as 3-digit path elements, all but the last prefixed with ``x``
(1234067 -> ``x001/x234/067``).

The writer is the ledger's (``ledger.tiles``). The client reads
any node as Go's ``sumdb/tlog`` does: node (``l``, ``i``) lies in the tile at level ``l // 8``,
as the ``2**(l % 8)`` hashes from ``i * 2**(l % 8)``, hashed up inside the tile.
"""

from __future__ import annotations

import gzip
import http.client
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from tlog.checkpoint import Checkpoint, open_checkpoint
from tlog.errors import StorageError, TlogError
from tlog.merkle import (
    LeafNotInTree,
    MissingNode,
    inclusion_proof,
    leaf_hash,
    node_hash,
    verify_inclusion,
)
from tlog.note import NoteError, VerifierKey
from tlog.receipt import BadProof

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
HASH_SIZE = 32
MAX_ENTRY = 0xFFFF  # a uint16 length prefix
CHECKPOINT = "checkpoint"

Fetch = Callable[[str], bytes]


class TilesError(TlogError):
    """A tile export that cannot be written, or a tile log that cannot be read or does not hold."""


class TilesUnavailable(TilesError, StorageError):
    """A tile, bundle or checkpoint that cannot be fetched (a store that cannot be reached);
    ``status`` is the HTTP status of a server that answered with an error, else None."""

    def __init__(self, where: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(where, reason)
        self.where, self.reason, self.status = where, reason, status

    def sentence(self) -> str:
        return f"Cannot fetch {self.where}: {self.reason}."


class BadTiles(TilesError, BadProof):
    """The tiles, bundles or checkpoint do not prove what they claim: a failed proof."""

    def sentence(self) -> str:
        return f"The tiles do not hold: {self.reason}."


# --- layout --------------------------------------------------------------------------------------


def index_path(index: int) -> str:
    """Return a tile index as 3-digit path elements, all but the last prefixed with x."""
    if index < 0:
        raise AssertionError(f"a tile index is not negative, not {index}")
    elements = [f"{index % 1000:03d}"]
    while index >= 1000:
        index //= 1000
        elements.append(f"x{index % 1000:03d}")
    return "/".join(reversed(elements))


def tile_path(level: int, index: int, width: int = TILE_WIDTH) -> str:
    """Return ``tile/<L>/<N>[.p/<W>]``."""
    return f"tile/{level}/{index_path(index)}{_partial(width)}"


def bundle_path(index: int, width: int = TILE_WIDTH) -> str:
    """Return ``tile/entries/<N>[.p/<W>]``."""
    return f"tile/entries/{index_path(index)}{_partial(width)}"


def _partial(width: int) -> str:
    if not 1 <= width <= TILE_WIDTH:
        raise AssertionError(f"a tile holds 1 to {TILE_WIDTH} hashes, not {width}")
    return "" if width == TILE_WIDTH else f".p/{width}"


@dataclass(frozen=True)
class Tile:
    """One hash tile: its level, its index in the level and its width in hashes."""

    level: int
    index: int
    width: int

    @property
    def path(self) -> str:
        return tile_path(self.level, self.index, self.width)


def tile_widths(size: int, level: int) -> Iterator[tuple[int, int]]:
    """Yield (index, width) of each tile at ``level`` of the tree of ``size`` leaves."""
    count = size >> (TILE_HEIGHT * level)
    full, rest = divmod(count, TILE_WIDTH)
    yield from ((index, TILE_WIDTH) for index in range(full))
    if rest:
        yield full, rest


def tiles_of(size: int) -> Iterator[Tile]:
    """Yield every hash tile of the tree of ``size`` leaves, level by level."""
    level = 0
    while size >> (TILE_HEIGHT * level):
        yield from (Tile(level, index, width) for index, width in tile_widths(size, level))
        level += 1


def tile_width(size: int, level: int, index: int) -> int:
    """The width of tile ``index`` at ``level`` in the tree of ``size`` leaves (0: no such tile)."""
    full, rest = divmod(size >> (TILE_HEIGHT * level), TILE_WIDTH)
    return TILE_WIDTH if index < full else rest if index == full else 0


def encode_bundle(entries: Iterable[bytes]) -> bytes:
    """Return an entry bundle: each entry after its length as a big-endian uint16."""
    parts = []
    for entry in entries:
        # An entry's body stays 512 bytes under 64 KiB, so its bytes fit a uint16 length.
        if len(entry) > MAX_ENTRY:
            raise AssertionError(f"an entry of {len(entry)} bytes does not fit a tile bundle")
        parts += [len(entry).to_bytes(2, "big"), entry]
    return b"".join(parts)


def decode_bundle(data: bytes, *, what: str = "the entry bundle") -> list[bytes]:
    """Split an entry bundle into its entries; raise BadTiles if it is cut short."""
    entries, at = [], 0
    while at < len(data):
        end = at + 2 + int.from_bytes(data[at : at + 2], "big")
        if at + 2 > len(data) or end > len(data):
            raise _cut_short(what, at, data)
        entries.append(data[at + 2 : end])
        at = end
    return entries


class Bundle(NamedTuple):
    """An entry bundle's bytes, whole, and how many entries they hold: what a reader hands on
    (to a file, to another process) without cutting it into its entries until they are read."""

    data: bytes
    size: int


def bundle_of(entries: Sequence[bytes]) -> Bundle:
    """``entries`` as one ``Bundle``."""
    return Bundle(encode_bundle(entries), len(entries))


def read_bundle(data: bytes, *, what: str = "the entry bundle") -> Bundle:
    """The ``Bundle`` of an entry bundle's bytes, counted without cutting the entries out;
    raise BadTiles as ``decode_bundle`` does."""
    size, at = 0, 0
    while at < len(data):
        end = at + 2 + int.from_bytes(data[at : at + 2], "big")
        if at + 2 > len(data) or end > len(data):
            raise _cut_short(what, at, data)
        size += 1
        at = end
    return Bundle(data, size)


def _cut_short(what: str, at: int, data: bytes) -> BadTiles:
    return BadTiles(f"{what} ends inside an entry (byte {at} of {len(data)})")


# --- client --------------------------------------------------------------------------------------

# The spec asks clients to accept gzip: hosts may compress entry bundles unasked.
ACCEPT = {"Accept-Encoding": "gzip, identity"}


def fetcher(location: str, *, timeout: float = 30.0) -> Fetch:
    """Return what reads a tlog-tiles path below a base URL (http, https) or in a folder.

    Over HTTP each thread keeps its connection to the host open from one read to the next
    (``_Kept``): a monitor reads thousands of bundles, and a new connection for each cost the
    server a third and the monitor a fifth of the time they spent on them, and over HTTPS
    would cost a handshake each."""
    if location.startswith(("http://", "https://")):
        base = location.rstrip("/") + "/"
        kept = _Kept(urllib.parse.urlsplit(base), timeout)
        return lambda path: kept.get(base + path)
    root = Path(location)

    def read(path: str) -> bytes:
        try:
            return (root / path).read_bytes()
        except OSError as exc:
            raise TilesUnavailable(str(root / path), exc.strerror or "unreadable") from None

    return read


class _Kept:
    """GET over a connection kept open per thread. An answer other than 200 is said as
    ``_get`` says it, and a redirect, or any request through a proxy the environment names, is
    left to ``_get`` (urllib) whole; a kept connection the server has closed since is opened
    again once."""

    def __init__(self, base: urllib.parse.SplitResult, timeout: float) -> None:
        self.scheme, self.host, self.port = base.scheme, base.hostname or "", base.port
        self.timeout = timeout
        self.direct = not urllib.request.getproxies().get(self.scheme) or bool(
            urllib.request.proxy_bypass(base.netloc)
        )
        self.threads = threading.local()

    def get(self, url: str) -> bytes:
        if not self.direct:
            return _get(url, self.timeout)
        parts = urllib.parse.urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        while True:
            kept = getattr(self.threads, "open", None)
            opened = kept or _Open(self._connect())
            try:
                opened.connection.request("GET", target, headers=ACCEPT)
                response = opened.connection.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.threads.open = None
                opened.connection.close()
                if kept is not None:
                    continue  # closed by the server since the last read: open it again
                raise TilesUnavailable(url, str(exc)) from None
            self.threads.open = None if response.will_close else opened
            break
        if 300 <= response.status < 400:
            return _get(url, self.timeout)  # urllib follows it
        if response.status != 200:
            raise TilesUnavailable(url, f"HTTP {response.status} {response.reason}",
                                   status=response.status)  # fmt: skip
        if response.getheader("Content-Encoding", "").lower() != "gzip":
            return data
        try:
            return gzip.decompress(data)
        except (OSError, EOFError):
            raise BadTiles(f"{url} says it is gzip but is not") from None

    def _connect(self) -> http.client.HTTPConnection:
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=self.timeout)
        return http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)


class _Open:
    """A thread's kept connection, closed when the thread ends and lets go of it."""

    def __init__(self, connection: http.client.HTTPConnection) -> None:
        self.connection = connection

    def __del__(self) -> None:
        self.connection.close()


def _get(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(url, headers=ACCEPT)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read()
            gzipped = response.headers.get("Content-Encoding", "").lower() == "gzip"
    except urllib.error.HTTPError as exc:
        raise TilesUnavailable(url, f"HTTP {exc.code} {exc.reason}", status=exc.code) from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise TilesUnavailable(url, str(reason)) from None
    try:
        return gzip.decompress(data) if gzipped else data
    except (OSError, EOFError):
        raise BadTiles(f"{url} says it is gzip but is not") from None


@dataclass
class TileNodes:
    """The ``Nodes`` of ``tlog.merkle`` read from the tiles of a tree of ``size`` leaves.

    Each tile is fetched once, when a node first needs it, and its length checked against the
    width the size gives it; whether its hashes are right is for the proof against the signed
    root to tell.
    """

    fetch: Fetch
    size: int
    fetched: list[str] = field(default_factory=list)
    _tiles: dict[tuple[int, int], bytes] = field(default_factory=dict, repr=False)

    def node(self, level: int, index: int) -> bytes:
        tile_level, height = divmod(level, TILE_HEIGHT)
        tile, offset = divmod(index << height, TILE_WIDTH)
        data = self.tile(tile_level, tile)
        start, end = offset * HASH_SIZE, (offset + (1 << height)) * HASH_SIZE
        if end > len(data):
            raise MissingNode(level, index, self.size)
        hashes = [data[at : at + HASH_SIZE] for at in range(start, end, HASH_SIZE)]
        while len(hashes) > 1:
            hashes = [
                node_hash(left, right)
                for left, right in zip(hashes[::2], hashes[1::2], strict=True)
            ]
        return hashes[0]

    def tile(self, level: int, index: int) -> bytes:
        """Return the hashes of a tile of this tree, fetching it the first time."""
        found = self._tiles.get((level, index))
        if found is None:
            width = tile_width(self.size, level, index)
            if not width:
                raise MissingNode(TILE_HEIGHT * level, index << TILE_HEIGHT, self.size)
            path = tile_path(level, index, width)
            found = self.fetch(path)
            self.fetched.append(path)
            if len(found) != width * HASH_SIZE:
                raise BadTiles(f"{path} has {len(found)} bytes, not {width} hashes of 32 bytes")
            self._tiles[(level, index)] = found
        return found


@dataclass
class TileLog:
    """A tlog-tiles log opened at its signed checkpoint, which every tile must agree with."""

    checkpoint: Checkpoint
    nodes: TileNodes
    _bundles: dict[int, list[bytes]] = field(default_factory=dict, repr=False)

    @property
    def size(self) -> int:
        return self.checkpoint.size

    def entry(self, index: int) -> bytes:
        """Return entry ``index``'s bytes from its bundle, unverified."""
        if not 0 <= index < self.size:
            raise LeafNotInTree(index, self.size)
        bundle, offset = divmod(index, TILE_WIDTH)
        if bundle not in self._bundles:
            width = tile_width(self.size, 0, bundle)
            path = bundle_path(bundle, width)
            entries = decode_bundle(self.nodes.fetch(path), what=path)
            self.nodes.fetched.append(path)
            if len(entries) != width:
                raise BadTiles(f"{path} holds {len(entries)} entries, not {width}")
            self._bundles[bundle] = entries
        return self._bundles[bundle][offset]


def open_tile_log(location: str | Fetch, keys: Sequence[VerifierKey]) -> TileLog:
    """Fetch the checkpoint of the tile log at ``location`` and open it with the log's keys."""
    fetch = fetcher(location) if isinstance(location, str) else location
    try:
        checkpoint, _ = open_checkpoint(fetch(CHECKPOINT), keys)
    except NoteError as exc:
        reason = exc.sentence().rstrip(".")
        raise BadTiles(f"the checkpoint does not open with the verifier key: {reason}") from None
    names = sorted({key.name for key in keys})
    if checkpoint.origin not in names:  # a log's keys are named by its origin
        raise BadTiles(f"the checkpoint is of the log {checkpoint.origin}, not of {names[0]}")
    return TileLog(checkpoint, TileNodes(fetch, checkpoint.size))


def prove_from_tiles(log: TileLog, index: int) -> list[bytes]:
    """Return the RFC 9162 inclusion proof of entry ``index``, computed from the tiles alone."""
    return inclusion_proof(index, log.size, log.nodes)


def verify_entry(log: TileLog, index: int, entry: bytes) -> None:
    """Check that ``entry`` is leaf ``index`` of the tree the log's checkpoint signs."""
    if not 0 <= index < log.size:
        raise LeafNotInTree(index, log.size)
    leaf = leaf_hash(entry)
    if log.nodes.node(0, index) != leaf:
        raise BadTiles(f"entry {index} does not hash to leaf {index} of its level 0 tile")
    if not verify_inclusion(
        leaf, index, log.size, prove_from_tiles(log, index), log.checkpoint.root_hash
    ):
        raise BadTiles(
            f"entry {index} is not in the tree of size {log.size} the checkpoint signs "
            "(the inclusion proof from the tiles fails)"
        )


def included_entry(log: TileLog, index: int) -> bytes:
    """Return entry ``index``'s bytes from its bundle once its inclusion proof has held."""
    entry = log.entry(index)
    verify_entry(log, index, entry)
    return entry
