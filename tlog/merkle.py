"""The RFC 9162 Merkle tree over a log's leaves: tree hashes, proofs and their verifiers.

RFC 9162 section 2.1 (the RFC 6962 tree), over the entries' leaf hashes ``D[0:n]``:

- leaf hash ``SHA-256(0x00 || entry bytes)``, made only by ``leaf_hash``;
- ``MTH({}) = SHA-256("")``; ``MTH({d}) =`` the leaf hash of ``d``; for ``n > 1``, with ``k``
  the largest power of two smaller than ``n``,
  ``MTH(D[0:n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))`` (``node_hash``).

Proofs read tree nodes through ``Nodes``: ``node(level, index)`` is the hash of the complete
subtree of ``2**level`` leaves that starts at leaf ``index * 2**level``, which a table of
(level, index, hash) can serve. Every range the RFC's algorithms hash starts at a multiple of the
smallest power of two at least as large as its length, so it is a run of complete subtrees, one
per set bit of its length, largest first; an inclusion or consistency proof over ``n`` leaves
therefore reads at most about ``2 * log2(n) + 1`` nodes, however many leaves it covers.

Consistency from the empty tree: following transparency-dev/merkle (``proof.Consistency`` and
``RootFromConsistencyProof`` reject ``size1 == 0`` before anything else), ``consistency_proof``
refuses an old size of 0 and ``verify_consistency`` returns False for it, even from 0 to 0. Every
tree extends the empty one, so such a proof would prove nothing; a verifier without an earlier
checkpoint should say so itself rather than accept a vacuous proof.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from tlog.errors import TlogError

__all__ = [
    "EMPTY_ROOT",
    "EmptyOldTree",
    "LeafNotInTree",
    "MemoryNodes",
    "MerkleError",
    "MissingNode",
    "NegativeSize",
    "Node",
    "Nodes",
    "NotASubtree",
    "SizesOutOfOrder",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root",
    "subtree_hash",
    "verify_consistency",
    "verify_inclusion",
]

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 6962 leaf hash SHA-256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


# --- errors --------------------------------------------------------------------------------------


class MerkleError(TlogError, ValueError):
    """A tree size, leaf index or range that the asked-for hash or proof cannot have."""


class NegativeSize(MerkleError):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size

    def sentence(self) -> str:
        return f"A tree size counts leaves, so it cannot be {self.size}."


class LeafNotInTree(MerkleError):
    def __init__(self, index: int, size: int) -> None:
        super().__init__(index, size)
        self.index = index
        self.size = size

    def sentence(self) -> str:
        return (
            f"Leaf {self.index} is not in a tree of {self.size} leaves; "
            "leaf indices run from 0 to the size minus 1."
        )


class SizesOutOfOrder(MerkleError):
    def __init__(self, old_size: int, new_size: int) -> None:
        super().__init__(old_size, new_size)
        self.old_size = old_size
        self.new_size = new_size

    def sentence(self) -> str:
        return (
            f"A consistency proof runs from a smaller tree to a larger one, "
            f"but the old size {self.old_size} is larger than the new size {self.new_size}."
        )


class EmptyOldTree(MerkleError):
    def __init__(self, new_size: int) -> None:
        super().__init__(new_size)
        self.new_size = new_size

    def sentence(self) -> str:
        return (
            f"A consistency proof from the empty tree to {self.new_size} leaves proves nothing; "
            "ask for one from a tree of at least 1 leaf."
        )


class NotASubtree(MerkleError):
    def __init__(self, start: int, end: int) -> None:
        super().__init__(start, end)
        self.start = start
        self.end = end

    def sentence(self) -> str:
        return (
            f"Leaves [{self.start}, {self.end}) are not a subtree of the log's tree; a subtree "
            "starts at a multiple of the smallest power of two at least as large as its length."
        )


class MissingNode(MerkleError):
    def __init__(self, level: int, index: int, size: int) -> None:
        super().__init__(level, index, size)
        self.level = level
        self.index = index
        self.size = size

    def sentence(self) -> str:
        return (
            f"A tree of {self.size} leaves has no complete subtree at level {self.level}, "
            f"index {self.index}; ask for a tree size it holds."
        )


# --- hashes and nodes ----------------------------------------------------------------------------


def node_hash(left: bytes, right: bytes) -> bytes:
    """Return the RFC 9162 interior node hash SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


class Nodes(Protocol):
    """Stored hashes of complete subtrees: what a storage layer gives the proof functions."""

    def node(self, level: int, index: int) -> bytes:
        """Return the hash of leaves [index * 2**level, (index + 1) * 2**level)."""
        ...


@dataclass(frozen=True, slots=True)
class Node:
    """One complete subtree: the row a store keeps for it."""

    level: int
    index: int
    hash: bytes


class MemoryNodes:
    """Every complete subtree of a tree held in memory, grown one leaf at a time.

    Appending leaf ``i`` closes one subtree per trailing 1 bit of ``i`` (plus the leaf itself),
    so a leaf costs amortised O(1) hashes; ``append`` returns those nodes so that a store can be
    filled from them.
    """

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        # Level by level rather than leaf by leaf: the same nodes, three times faster.
        level = list(leaf_hashes)
        if any(len(hashed) != HASH_SIZE for hashed in level):
            raise AssertionError(f"a leaf hash has {HASH_SIZE} bytes")
        self._levels: list[list[bytes]] = [level]
        sha256 = hashlib.sha256
        while len(level) > 1:
            level = [
                sha256(NODE_PREFIX + left + right).digest()
                for left, right in zip(level[0::2], level[1::2], strict=False)
            ]
            self._levels.append(level)

    @property
    def size(self) -> int:
        """The number of leaves."""
        return len(self._levels[0])

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Add leaf hashes: the nodes are those of the tree built of all of them at once, made
        level by level, as the constructor makes them (a tree grown a batch at a time, while
        the batches come, rather than all at the end)."""
        added = list(leaf_hashes)
        if any(len(hashed) != HASH_SIZE for hashed in added):
            raise AssertionError(f"a leaf hash has {HASH_SIZE} bytes")
        self._levels[0].extend(added)
        sha256 = hashlib.sha256
        level = 0
        while len(self._levels[level]) > 1:
            if level + 1 == len(self._levels):
                self._levels.append([])
            lower, upper = self._levels[level], self._levels[level + 1]
            start = 2 * len(upper)
            if start + 1 >= len(lower):
                return  # no new pair here, so none above
            upper.extend(
                sha256(NODE_PREFIX + lower[at] + lower[at + 1]).digest()
                for at in range(start, len(lower) - 1, 2)
            )
            level += 1

    def append(self, leaf_hash: bytes) -> list[Node]:
        """Add a leaf hash; return the complete subtrees it closes, smallest first."""
        if len(leaf_hash) != HASH_SIZE:
            raise AssertionError(f"a leaf hash has {HASH_SIZE} bytes, not {len(leaf_hash)}")
        closed: list[Node] = []
        level, index, hashed = 0, self.size, leaf_hash
        while True:
            if level == len(self._levels):
                self._levels.append([])
            self._levels[level].append(hashed)
            closed.append(Node(level, index, hashed))
            if index % 2 == 0:
                return closed
            hashed = node_hash(self._levels[level][index - 1], hashed)
            level, index = level + 1, index // 2

    def node(self, level: int, index: int) -> bytes:
        """Return a stored subtree hash; raise MissingNode for one the tree has not closed."""
        if 0 <= level < len(self._levels) and 0 <= index < len(self._levels[level]):
            return self._levels[level][index]
        raise MissingNode(level, index, self.size)


# --- tree hashes and proofs ----------------------------------------------------------------------


def subtree_hash(start: int, end: int, nodes: Nodes) -> bytes:
    """Return MTH(D[start:end]) from one node read per set bit of ``end - start``.

    Only ranges that are subtrees of the log's tree are accepted (``start`` a multiple of the
    smallest power of two at least ``end - start``, as in transparency-dev/merkle's subtree
    proofs): any other range would cost O(n) reads, and no RFC 9162 algorithm asks for one.
    """
    if not _is_subtree(start, end):
        raise NotASubtree(start, end)
    if start == end:
        return EMPTY_ROOT
    pieces = [nodes.node(level, first >> level) for level, first in _complete_pieces(start, end)]
    hashed = pieces.pop()
    for left in reversed(pieces):
        hashed = node_hash(left, hashed)
    return hashed


def root(size: int, nodes: Nodes) -> bytes:
    """Return the tree head MTH(D[0:size]); SHA-256("") for the empty tree."""
    _check_size(size)
    return subtree_hash(0, size, nodes)


def inclusion_proof(index: int, size: int, nodes: Nodes) -> list[bytes]:
    """Return PATH(index, D[0:size]) of RFC 9162 section 2.1.3.1, nearest the leaf first."""
    _check_size(size)
    if not 0 <= index < size:
        raise LeafNotInTree(index, size)
    outer_first: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        # PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k, else
        #                 PATH(m - k, D[k:n]) : MTH(D[0:k])
        split = start + _largest_power_below(end - start)
        if index < split:
            outer_first.append(subtree_hash(split, end, nodes))
            end = split
        else:
            outer_first.append(subtree_hash(start, split, nodes))
            start = split
    return outer_first[::-1]


def consistency_proof(old_size: int, new_size: int, nodes: Nodes) -> list[bytes]:
    """Return PROOF(old_size, D[0:new_size]) of RFC 9162 section 2.1.4.1 (empty if equal)."""
    _check_size(old_size)
    _check_size(new_size)
    if old_size > new_size:
        raise SizesOutOfOrder(old_size, new_size)
    if old_size == 0:
        raise EmptyOldTree(new_size)
    outer_first: list[bytes] = []
    # SUBPROOF(m, D[start:end], whole), m counted from start.
    start, end, m, whole = 0, new_size, old_size, True
    while m != end - start:
        k = _largest_power_below(end - start)
        if m <= k:  # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            outer_first.append(subtree_hash(start + k, end, nodes))
            end = start + k
        else:  # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            outer_first.append(subtree_hash(start, start + k, nodes))
            start, m, whole = start + k, m - k, False
    if not whole:  # SUBPROOF(m, D[m], false) = {MTH(D[m])}; with true it is {}
        outer_first.append(subtree_hash(start, end, nodes))
    return outer_first[::-1]


# --- verifiers -----------------------------------------------------------------------------------


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Tell whether ``proof`` shows leaf ``index`` of tree (``size``, ``root``) is ``leaf_hash``.

    RFC 9162 section 2.1.3.2, step by step; malformed input (a hash that is not 32 bytes, an
    index outside the tree) is a failed verification, never an exception.
    """
    # 1. leaf_index >= tree_size fails; so does a leaf hash that cannot be one.
    if not 0 <= index < size or len(leaf_hash) != HASH_SIZE or not _all_hashes(proof):
        return False
    # 2-3. fn = leaf_index, sn = tree_size - 1, r = hash.
    fn, sn, r = index, size - 1, leaf_hash
    # 4. For each p in the inclusion path:
    for p in proof:
        if sn == 0:  # a.
            return False
        if fn & 1 or fn == sn:  # b.
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1  # c.
    # 5. sn must be 0 and r must equal the root.
    return sn == 0 and r == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Tell whether ``proof`` shows the tree (``new_size``, ``new_root``) extends the old one.

    RFC 9162 section 2.1.4.2 for ``0 < old_size < new_size``; equal sizes need an empty proof and
    equal roots; an old size of 0 always fails (see the module docstring). Malformed input is a
    failed verification, never an exception.
    """
    if old_size <= 0 or new_size < old_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    # 1. An empty path fails; so does an element that cannot be a hash.
    if not proof or not _all_hashes(proof):
        return False
    path = list(proof)
    # 2. If first is an exact power of 2, prepend first_hash.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # 3. fn = first - 1, sn = second - 1.
    fn, sn = old_size - 1, new_size - 1
    # 4. While LSB(fn) is set, right-shift fn and sn.
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    # 5. fr = sr = the first value of the path.
    fr = sr = path[0]
    # 6. For each subsequent value c:
    for c in path[1:]:
        if sn == 0:  # a.
            return False
        if fn & 1 or fn == sn:  # b.
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1  # c.
    # 7. fr must equal first_hash, sr second_hash, and sn must be 0.
    return fr == old_root and sr == new_root and sn == 0


# --- helpers -------------------------------------------------------------------------------------


def _check_size(size: int) -> None:
    if size < 0:
        raise NegativeSize(size)


def _largest_power_below(n: int) -> int:
    """The k of RFC 9162's split: the largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_subtree(start: int, end: int) -> bool:
    if start < 0 or end < start:
        return False
    width = end - start
    return width <= 1 or start % (1 << (width - 1).bit_length()) == 0


def _complete_pieces(start: int, end: int) -> Iterator[tuple[int, int]]:
    """Yield (level, first leaf) of the complete subtrees making up [start, end), largest first."""
    width, first = end - start, start
    for level in reversed(range(width.bit_length())):
        if width >> level & 1:
            yield level, first
            first += 1 << level


def _all_hashes(proof: Sequence[bytes]) -> bool:
    return all(len(item) == HASH_SIZE for item in proof)
