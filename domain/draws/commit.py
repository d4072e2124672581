"""Every byte string the draws hash: commitments, seeds and selection keys (docs/design.md 5).

Merkle trees follow RFC 9162 section 2.1.1 (the RFC 6962 tree): for leaf data ``d``,
``leaf = SHA-256(0x00 || d)``; for ``n > 1`` leaves, with ``k`` the largest power of two
smaller than ``n``, ``MTH(D[0:n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``; the empty
tree's root is ``SHA-256("")``. Computed level by level, carrying an unpaired last node up
unchanged, which gives the same root as the recursive split.

Committed records (a line of the address register or of the pool file):

- canonical record bytes: the record's fields, UTF-8, joined by the unit separator 0x1F (a field
  never contains 0x1F; the readers refuse it). Register: ``address_id, municipality``. Pool:
  ``pseudonym`` then each feature value in the order of the sorted feature names.
- leaf data: ``salt || record bytes``, where ``salt`` is 16 random bytes of that record (from
  ``secrets``), kept in a salts file: CSV, header ``salt``, one salt per record in hex, in the
  same order as the records.
- commitment root: the Merkle tree hash over the leaf data of every record, in file order.

Lists of numbers or names (not salted: they are published or derived from published data):
selected register indices as 8-byte big-endian integers; pseudonyms as UTF-8.

Seed of a draw: ``SHA-256(UTF-8(public value) || root (32 bytes) || UTF-8(draw id))``.
Selection key of item ``i`` of stratum ``s``: ``SHA-256(seed || UTF-8(s) || i as 8 bytes
big-endian)``; a draw takes the items with the lowest keys (RFC 3797 in spirit: anyone can
recompute every key from the public value).
"""

from __future__ import annotations

import hashlib
import heapq
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path

from domain.draws.errors import BadDrawFile, DrawMismatch

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
SEPARATOR = "\x1f"
SALT_BYTES = 16
_SALT_HEX = 2 * SALT_BYTES
_CHUNK = 1 << 20


def record_bytes(fields: Sequence[str]) -> bytes:
    """The canonical bytes of one record: its fields, UTF-8, joined by 0x1F."""
    return SEPARATOR.join(fields).encode("utf-8")


def leaf_hash(data: bytes) -> bytes:
    """RFC 9162 leaf hash: SHA-256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def root_from_leaf_hashes(leaves: Sequence[bytes]) -> bytes:
    """The RFC 9162 Merkle tree hash of a tree whose leaf hashes are given, in order."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    sha = hashlib.sha256
    level = list(leaves)
    while len(level) > 1:
        paired = len(level) - len(level) % 2
        following = [
            sha(NODE_PREFIX + left + right).digest()
            for left, right in zip(level[0:paired:2], level[1:paired:2], strict=True)
        ]
        if paired < len(level):
            following.append(level[-1])
        level = following
    return level[0]


def merkle_root(data: Iterable[bytes]) -> bytes:
    """The RFC 9162 Merkle tree hash of a list of leaf data."""
    sha = hashlib.sha256
    return root_from_leaf_hashes([sha(LEAF_PREFIX + item).digest() for item in data])


def commitment_root(records: Iterable[Sequence[str]], salts: Sequence[bytes]) -> bytes:
    """The commitment to salted records: Merkle root over ``salt || record bytes``."""
    records = records if isinstance(records, Sequence) else list(records)
    if len(records) != len(salts):
        raise DrawMismatch("The number of salts", f"{len(records)} records", f"{len(salts)} salts")
    sha = hashlib.sha256
    return root_from_leaf_hashes(
        [
            sha(LEAF_PREFIX + salt + SEPARATOR.join(fields).encode("utf-8")).digest()
            for salt, fields in zip(salts, records, strict=True)
        ]
    )


def index_root(indices: Iterable[int]) -> bytes:
    """Merkle root over indices, each as 8 bytes big-endian."""
    return merkle_root(index.to_bytes(8, "big") for index in indices)


def names_root(names: Iterable[str]) -> bytes:
    """Merkle root over names (pseudonyms), each as UTF-8."""
    return merkle_root(name.encode("utf-8") for name in names)


def draw_seed(public_value: str, root: bytes, draw_id: str) -> bytes:
    """The seed of a draw: SHA-256(UTF-8(public value) || root || UTF-8(draw id))."""
    if len(root) != 32:
        raise AssertionError(f"a commitment root has 32 bytes, not {len(root)}")
    return hashlib.sha256(public_value.encode("utf-8") + root + draw_id.encode("utf-8")).digest()


def lowest_keys(seed: bytes, stratum: str, indices: Sequence[int], count: int) -> list[int]:
    """The ``count`` indices with the lowest keys SHA-256(seed || stratum || index), sorted."""
    if count > len(indices):
        raise AssertionError(f"cannot take {count} of {len(indices)} items")
    sha = hashlib.sha256
    prefix = seed + stratum.encode("utf-8")
    keys = [sha(prefix + i.to_bytes(8, "big")).digest() for i in indices]
    return sorted(i for _, i in heapq.nsmallest(count, zip(keys, indices, strict=True)))


def new_salts(count: int) -> list[bytes]:
    """``count`` fresh random salts of 16 bytes each."""
    return [secrets.token_bytes(SALT_BYTES) for _ in range(count)]


def write_salts(path: Path, salts: Sequence[bytes]) -> None:
    """Write a salts file: header ``salt``, then one salt per line in lowercase hex."""
    with path.open("w", encoding="ascii", newline="\n") as out:
        out.write("salt\n")
        for start in range(0, len(salts), 65536):
            out.write("".join(salt.hex() + "\n" for salt in salts[start : start + 65536]))


def read_salts(path: Path) -> list[bytes]:
    """Read a salts file back; a malformed line is a ``BadDrawFile`` naming it."""
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except UnicodeDecodeError:
        raise BadDrawFile(str(path), None, "the salts file is not plain ASCII hex") from None
    except OSError as exc:
        raise BadDrawFile(str(path), None, f"the file cannot be read ({exc.strerror})") from None
    if not lines or lines[0] != "salt":
        raise BadDrawFile(str(path), 1, "the header must be exactly 'salt'")
    salts: list[bytes] = []
    append = salts.append
    for number, line in enumerate(lines[1:], start=2):
        try:
            if len(line) != _SALT_HEX:
                raise ValueError
            append(bytes.fromhex(line))
        except ValueError:
            raise BadDrawFile(
                str(path), number, f"a salt is {_SALT_HEX} hexadecimal digits, not {line!r}"
            ) from None
    return salts


def digest_bytes(data: bytes) -> str:
    """``sha256:<hex>`` of some bytes."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def digest_file(path: Path) -> str:
    """``sha256:<hex>`` of a file's bytes, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()
