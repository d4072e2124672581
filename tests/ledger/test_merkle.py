"""The RFC 9162 Merkle tree: conformance vectors, a slow reference, properties, node read counts.

The vectors are transparency-dev/merkle's test data in ``tests/vectors/rfc9162-merkle/`` (see its
SOURCE.md); every case is checked, and every corruption probe must fail verification. The
reference functions below follow RFC 9162 section 2.1 literally (recursion over leaf lists) and
cross-check the node-reading implementation.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import LedgerError
from tlog.merkle import (
    EMPTY_ROOT,
    EmptyOldTree,
    LeafNotInTree,
    MemoryNodes,
    MerkleError,
    MissingNode,
    NegativeSize,
    Node,
    NotASubtree,
    SizesOutOfOrder,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    subtree_hash,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "rfc9162-merkle"
VECTOR_FILES = 196  # as copied; a file lost in a move must not go unnoticed

TEST_TREE_LEAVES = [
    bytes.fromhex(data)
    for data in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
TEST_TREE_ROOT = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"


# --- the reference: RFC 9162 section 2.1, recursion over lists ----------------------------------


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _mth(leaves: Sequence[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return hashlib.sha256(b"\x01" + _mth(leaves[:k]) + _mth(leaves[k:])).digest()


def _path(m: int, leaves: Sequence[bytes]) -> list[bytes]:
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if m < k:
        return [*_path(m, leaves[:k]), _mth(leaves[k:])]
    return [*_path(m - k, leaves[k:]), _mth(leaves[:k])]


def _subproof(m: int, leaves: Sequence[bytes], whole: bool) -> list[bytes]:
    if m == len(leaves):
        return [] if whole else [_mth(leaves)]
    k = _split(len(leaves))
    if m <= k:
        return [*_subproof(m, leaves[:k], whole), _mth(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), _mth(leaves[:k])]


def _path_shape(m: int, n: int) -> tuple[str, ...]:
    """Which side each hash of PATH(m, D[n]) sits on: all a verifier learns from (m, n)."""
    if n == 1:
        return ()
    k = _split(n)
    return (*_path_shape(m, k), "right") if m < k else (*_path_shape(m - k, n - k), "left")


def _proof_shape(m: int, n: int, whole: bool = True) -> tuple[str, ...]:
    """The sides of PROOF(m, D[n]), and whether it starts with the old root's own hash."""
    if m == n:
        return () if whole else ("seed",)
    k = _split(n)
    if m <= k:
        return (*_proof_shape(m, k, whole), "right")
    return (*_proof_shape(m - k, n - k, False), "left")


def _leaves(size: int, salt: bytes = b"") -> list[bytes]:
    """Distinct leaf hashes, so that no two subtrees of a tree share a hash."""
    return [leaf_hash(salt + b"leaf %d" % i) for i in range(size)]


def _flip(data: bytes, bit: int) -> bytes:
    changed = bytearray(data)
    changed[bit // 8] ^= 1 << (bit % 8)
    return bytes(changed)


# --- conformance vectors ----------------------------------------------------------------------


def _vector_files(kind: str) -> list[Any]:
    files = sorted((VECTORS / kind).rglob("*.json"))
    return [pytest.param(path, id=str(path.relative_to(VECTORS).with_suffix(""))) for path in files]


def _load(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return case


def _b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def _proof(case: dict[str, Any]) -> list[bytes]:
    return [_b64(item) for item in case["proof"] or []]


def test_every_vector_file_is_there() -> None:
    found = sorted(VECTORS.rglob("*.json"))
    assert len(found) == VECTOR_FILES
    probes = [path for path in found if _load(path)["wantErr"]]
    assert len(probes) == 184


@pytest.mark.parametrize("path", _vector_files("inclusion"))
def test_inclusion_vector_verifies_exactly_when_it_should(path: Path) -> None:
    case = _load(path)
    verified = verify_inclusion(
        _b64(case["leafHash"]), case["leafIdx"], case["treeSize"], _proof(case), _b64(case["root"])
    )
    assert verified is not case["wantErr"], case["desc"]


@pytest.mark.parametrize("path", _vector_files("consistency"))
def test_consistency_vector_verifies_exactly_when_it_should(path: Path) -> None:
    case = _load(path)
    verified = verify_consistency(
        case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), _proof(case)
    )
    assert verified is not case["wantErr"], case["desc"]


def _test_tree() -> MemoryNodes:
    return MemoryNodes(leaf_hash(data) for data in TEST_TREE_LEAVES)


def _happy_paths(kind: str) -> list[Any]:
    return [
        pytest.param(path, id=str(path.relative_to(VECTORS).with_suffix("")))
        for path in sorted((VECTORS / kind).glob("[0-9]*/happy-path.json"))
    ]


def test_the_reference_tree_has_the_published_root() -> None:
    assert root(8, _test_tree()).hex() == TEST_TREE_ROOT
    assert _mth([leaf_hash(data) for data in TEST_TREE_LEAVES]).hex() == TEST_TREE_ROOT


@pytest.mark.parametrize("path", _happy_paths("inclusion"))
def test_inclusion_proof_of_the_reference_tree_is_the_vectors_proof(path: Path) -> None:
    case = _load(path)
    tree = _test_tree()
    assert root(case["treeSize"], tree) == _b64(case["root"])
    assert inclusion_proof(case["leafIdx"], case["treeSize"], tree) == _proof(case)


@pytest.mark.parametrize("path", _happy_paths("consistency"))
def test_consistency_proof_of_the_reference_tree_is_the_vectors_proof(path: Path) -> None:
    case = _load(path)
    tree = _test_tree()
    assert root(case["size1"], tree) == _b64(case["root1"])
    assert root(case["size2"], tree) == _b64(case["root2"])
    assert consistency_proof(case["size1"], case["size2"], tree) == _proof(case)


# --- properties against the reference ---------------------------------------------------------

sizes = st.integers(min_value=1, max_value=70)


@given(size=st.integers(min_value=0, max_value=70), salt=st.binary(max_size=4))
def test_root_equals_the_reference_tree_hash(size: int, salt: bytes) -> None:
    leaves = _leaves(size, salt)
    assert root(size, MemoryNodes(leaves)) == _mth(leaves)


@given(st.data())
def test_a_tree_grown_a_batch_at_a_time_is_the_tree_built_at_once(data: st.DataObject) -> None:
    """``extend`` (the monitor grows its tree batch by batch during its walk) makes every node
    the constructor makes: each proof and root of the tree is the same."""
    leaves = _leaves(data.draw(st.integers(min_value=0, max_value=300), label="size"))
    grown = MemoryNodes(leaves[: data.draw(st.integers(0, 5), label="first")])
    at = grown.size
    while at < len(leaves):
        batch = data.draw(st.integers(min_value=0, max_value=40), label="batch")
        grown.extend(leaves[at : at + batch])
        at += batch
    whole = MemoryNodes(leaves)
    assert grown.size == whole.size == len(leaves)
    for size in range(1, len(leaves) + 1):
        assert root(size, grown) == root(size, whole) == _mth(leaves[:size])
    for index in range(len(leaves)):
        assert inclusion_proof(index, len(leaves), grown) == inclusion_proof(
            index, len(leaves), whole
        )


@given(st.data())
def test_root_of_a_prefix_is_the_reference_hash_of_that_prefix(data: st.DataObject) -> None:
    size = data.draw(sizes, label="size")
    prefix = data.draw(st.integers(min_value=0, max_value=size), label="prefix")
    leaves = _leaves(size)
    assert root(prefix, MemoryNodes(leaves)) == _mth(leaves[:prefix])


@given(st.data())
def test_inclusion_proof_is_the_reference_path_and_verifies(data: st.DataObject) -> None:
    size = data.draw(sizes, label="size")
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    leaves = _leaves(size, data.draw(st.binary(max_size=4), label="salt"))
    proof = inclusion_proof(index, size, MemoryNodes(leaves))
    assert proof == _path(index, leaves)
    assert verify_inclusion(leaves[index], index, size, proof, _mth(leaves))


@given(st.data())
def test_consistency_proof_is_the_reference_proof_and_verifies(data: st.DataObject) -> None:
    new_size = data.draw(sizes, label="new_size")
    old_size = data.draw(st.integers(min_value=1, max_value=new_size), label="old_size")
    leaves = _leaves(new_size, data.draw(st.binary(max_size=4), label="salt"))
    proof = consistency_proof(old_size, new_size, MemoryNodes(leaves))
    assert proof == _subproof(old_size, leaves, True)
    assert verify_consistency(old_size, new_size, _mth(leaves[:old_size]), _mth(leaves), proof)


@given(st.data())
def test_flipping_any_bit_of_an_inclusion_proof_or_root_or_index_fails(
    data: st.DataObject,
) -> None:
    size = data.draw(sizes, label="size")
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    leaves = _leaves(size)
    proof, head = _path(index, leaves), _mth(leaves)
    if proof:
        at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1), label="proof item")
        bit = data.draw(st.integers(min_value=0, max_value=255), label="bit")
        bad = [*proof[:at], _flip(proof[at], bit), *proof[at + 1 :]]
        assert not verify_inclusion(leaves[index], index, size, bad, head)
    bit = data.draw(st.integers(min_value=0, max_value=255), label="root bit")
    assert not verify_inclusion(leaves[index], index, size, proof, _flip(head, bit))
    assert not verify_inclusion(_flip(leaves[index], bit), index, size, proof, head)
    bit = data.draw(st.integers(min_value=0, max_value=63), label="index bit")
    assert not verify_inclusion(leaves[index], index ^ (1 << bit), size, proof, head)


@given(st.data())
def test_flipping_a_bit_of_the_size_fails_unless_the_proof_has_the_same_shape(
    data: st.DataObject,
) -> None:
    """RFC 9162's procedure learns from the size only where each hash goes; the root binds it.

    For example leaf 0's proof in a tree of 5 leaves has the same shape as in a tree of 7, so it
    also verifies with size 7 against the root of size 5: a checkpoint signs size and root
    together, which is what makes the pair trustworthy.
    """
    size = data.draw(sizes, label="size")
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    leaves = _leaves(size)
    proof, head = _path(index, leaves), _mth(leaves)
    flipped = size ^ (1 << data.draw(st.integers(min_value=0, max_value=63), label="size bit"))
    same_shape = index < flipped and _path_shape(index, flipped) == _path_shape(index, size)
    assert verify_inclusion(leaves[index], index, flipped, proof, head) is same_shape


@given(st.data())
def test_flipping_any_bit_of_a_consistency_proof_or_roots_fails(data: st.DataObject) -> None:
    new_size = data.draw(sizes, label="new_size")
    old_size = data.draw(st.integers(min_value=1, max_value=new_size), label="old_size")
    leaves = _leaves(new_size)
    old_root, new_root = _mth(leaves[:old_size]), _mth(leaves)
    proof = _subproof(old_size, leaves, True)
    if proof:
        at = data.draw(st.integers(min_value=0, max_value=len(proof) - 1), label="proof item")
        bit = data.draw(st.integers(min_value=0, max_value=255), label="bit")
        bad = [*proof[:at], _flip(proof[at], bit), *proof[at + 1 :]]
        assert not verify_consistency(old_size, new_size, old_root, new_root, bad)
    bit = data.draw(st.integers(min_value=0, max_value=255), label="root bit")
    assert not verify_consistency(old_size, new_size, _flip(old_root, bit), new_root, proof)
    assert not verify_consistency(old_size, new_size, old_root, _flip(new_root, bit), proof)


@given(st.data())
def test_flipping_a_bit_of_either_size_fails_unless_the_proof_has_the_same_shape(
    data: st.DataObject,
) -> None:
    new_size = data.draw(sizes, label="new_size")
    old_size = data.draw(st.integers(min_value=1, max_value=new_size), label="old_size")
    leaves = _leaves(new_size)
    old_root, new_root = _mth(leaves[:old_size]), _mth(leaves)
    proof = _subproof(old_size, leaves, True)
    shape = _proof_shape(old_size, new_size)
    bit = 1 << data.draw(st.integers(min_value=0, max_value=63), label="size bit")
    for old, new in ((old_size ^ bit, new_size), (old_size, new_size ^ bit)):
        same_shape = 0 < old <= new and _proof_shape(old, new) == shape
        assert verify_consistency(old, new, old_root, new_root, proof) is same_shape, (old, new)


@settings(max_examples=50)
@given(st.data())
def test_a_proof_item_of_the_wrong_length_fails_without_raising(data: st.DataObject) -> None:
    size = data.draw(st.integers(min_value=2, max_value=40), label="size")
    leaves = _leaves(size)
    proof = _path(size - 1, leaves)
    junk = data.draw(st.binary(max_size=64).filter(lambda item: len(item) != 32), label="junk")
    at = data.draw(st.integers(min_value=0, max_value=len(proof)), label="at")
    for bad in ([*proof[:at], junk, *proof[at:]], [*proof[:-1], junk]):
        assert not verify_inclusion(leaves[-1], size - 1, size, bad, _mth(leaves))
        assert not verify_consistency(1, size, leaves[0], _mth(leaves), [junk, *bad])
    assert not verify_inclusion(junk, size - 1, size, proof, _mth(leaves))


# --- sizes 0, 1, equal sizes, powers of two (RFC 9162 section 2.1) ------------------------------


def test_the_empty_tree_hashes_to_sha256_of_nothing() -> None:
    assert root(0, MemoryNodes()) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_the_empty_tree_has_no_leaf_to_prove() -> None:
    with pytest.raises(LeafNotInTree, match=r"^Leaf 0 is not in a tree of 0 leaves; leaf ind"):
        inclusion_proof(0, 0, MemoryNodes())
    assert not verify_inclusion(leaf_hash(b""), 0, 0, [], EMPTY_ROOT)


def test_a_one_leaf_tree_has_the_leaf_as_root_and_an_empty_path() -> None:
    only = leaf_hash(b"only")
    tree = MemoryNodes([only])
    assert root(1, tree) == only
    assert inclusion_proof(0, 1, tree) == []
    assert verify_inclusion(only, 0, 1, [], only)
    assert not verify_inclusion(only, 0, 1, [only], only)


@pytest.mark.parametrize("size", [1, 2, 3, 8, 13])
def test_equal_sizes_need_an_empty_proof_and_equal_roots(size: int) -> None:
    leaves = _leaves(size)
    head = _mth(leaves)
    assert consistency_proof(size, size, MemoryNodes(leaves)) == []
    assert verify_consistency(size, size, head, head, [])
    assert not verify_consistency(size, size, head, _mth(leaves[:-1]), [])
    assert not verify_consistency(size, size, head, head, [head])


@pytest.mark.parametrize("new_size", [0, 1, 5])
def test_consistency_from_the_empty_tree_is_refused_and_never_verifies(new_size: int) -> None:
    with pytest.raises(EmptyOldTree, match=r"^A consistency proof from the empty tree to \d+ le"):
        consistency_proof(0, new_size, MemoryNodes(_leaves(new_size)))
    new_root = _mth(_leaves(new_size))
    assert not verify_consistency(0, new_size, EMPTY_ROOT, new_root, [])
    assert not verify_consistency(0, new_size, EMPTY_ROOT, new_root, [EMPTY_ROOT])


@pytest.mark.parametrize("level", range(7))
def test_every_path_in_a_perfect_tree_has_one_hash_per_level(level: int) -> None:
    size = 1 << level
    tree = MemoryNodes(_leaves(size))
    assert {len(inclusion_proof(index, size, tree)) for index in range(size)} == {level}


@pytest.mark.parametrize(("old", "new"), [(1, 2), (2, 8), (4, 8), (8, 64), (16, 64)])
def test_a_proof_from_a_power_of_two_leaves_out_the_old_root(old: int, new: int) -> None:
    leaves = _leaves(new)
    proof = consistency_proof(old, new, MemoryNodes(leaves))
    assert len(proof) == new.bit_length() - old.bit_length()
    assert _mth(leaves[:old]) not in proof
    assert verify_consistency(old, new, _mth(leaves[:old]), _mth(leaves), proof)


# --- errors -----------------------------------------------------------------------------------


def test_an_index_outside_the_tree_is_refused() -> None:
    tree = MemoryNodes(_leaves(4))
    with pytest.raises(LeafNotInTree, match=r"^Leaf 4 is not in a tree of 4 leaves; leaf indices"):
        inclusion_proof(4, 4, tree)
    with pytest.raises(LeafNotInTree, match=r"^Leaf -1 is not in a tree of 4 leaves"):
        inclusion_proof(-1, 4, tree)


def test_an_old_size_above_the_new_one_is_refused() -> None:
    with pytest.raises(SizesOutOfOrder, match=r"^A consistency proof runs from a smaller tree to"):
        consistency_proof(5, 4, MemoryNodes(_leaves(5)))
    assert not verify_consistency(5, 4, EMPTY_ROOT, EMPTY_ROOT, [])


def test_a_negative_size_is_refused() -> None:
    with pytest.raises(NegativeSize, match=r"^A tree size counts leaves, so it cannot be -1\.$"):
        root(-1, MemoryNodes())
    with pytest.raises(NegativeSize, match="cannot be -2"):
        consistency_proof(1, -2, MemoryNodes())


def test_a_range_that_is_not_a_subtree_is_refused() -> None:
    tree = MemoryNodes(_leaves(8))
    with pytest.raises(NotASubtree, match=r"^Leaves \[1, 3\) are not a subtree of the log's tree"):
        subtree_hash(1, 3, tree)
    with pytest.raises(NotASubtree, match=r"^Leaves \[4, 3\)"):
        subtree_hash(4, 3, tree)
    assert subtree_hash(4, 7, tree) == _mth(_leaves(8)[4:7])


def test_a_tree_larger_than_the_store_is_a_missing_node() -> None:
    with pytest.raises(MissingNode, match=r"^A tree of 3 leaves has no complete subtree at level"):
        root(4, MemoryNodes(_leaves(3)))


def test_merkle_errors_are_value_errors_of_the_ledger() -> None:
    assert issubclass(MerkleError, ValueError)
    assert issubclass(MerkleError, LedgerError)
    for error in (NegativeSize, LeafNotInTree, SizesOutOfOrder, EmptyOldTree, NotASubtree):
        assert issubclass(error, MerkleError)
    assert issubclass(MissingNode, MerkleError)


# --- the in-memory store -----------------------------------------------------------------------


def test_appending_a_leaf_returns_the_subtrees_it_closes() -> None:
    tree = MemoryNodes(_leaves(3))
    fourth = leaf_hash(b"fourth")
    closed = tree.append(fourth)
    assert [(node.level, node.index) for node in closed] == [(0, 3), (1, 1), (2, 0)]
    assert closed[0] == Node(0, 3, fourth)
    assert closed[-1].hash == _mth([*_leaves(3), fourth])
    assert [(node.level, node.index) for node in tree.append(leaf_hash(b"fifth"))] == [(0, 4)]


@given(size=st.integers(min_value=0, max_value=300))
def test_a_store_fed_with_the_appended_nodes_holds_the_tree(size: int) -> None:
    store: dict[tuple[int, int], bytes] = {}
    tree = MemoryNodes()
    for hashed in _leaves(size):
        store.update(((node.level, node.index), node.hash) for node in tree.append(hashed))
    assert len(store) == 2 * size - bin(size).count("1")  # amortised: under two nodes a leaf
    built_at_once = MemoryNodes(_leaves(size))
    assert all(built_at_once.node(*where) == hashed for where, hashed in store.items())

    class Table:
        def node(self, level: int, index: int) -> bytes:
            return store[(level, index)]

    assert root(size, Table()) == root(size, tree) == _mth(_leaves(size))


def test_a_leaf_hash_of_the_wrong_length_is_a_bug_of_the_caller() -> None:
    with pytest.raises(AssertionError, match="a leaf hash has 32 bytes"):
        MemoryNodes([b"short"])
    with pytest.raises(AssertionError, match="a leaf hash has 32 bytes, not 5"):
        MemoryNodes().append(b"short")


# --- node reads are O(log n) ------------------------------------------------------------------


class CountingNodes:
    """A huge tree computed on demand: every leaf is the same except a few marked ones.

    A subtree without a marked leaf has a hash that depends on its level only, so any node costs
    O(log n) hashes; ``reads`` counts what the proof functions ask for, as a table would see it.
    """

    def __init__(self, marked: Sequence[int]) -> None:
        self.reads = 0
        self._marked = sorted(set(marked))
        self._plain = [leaf_hash(b"plain")]
        self._memo: dict[tuple[int, int], bytes] = {}

    def node(self, level: int, index: int) -> bytes:
        self.reads += 1
        return self.hash(level, index)

    def leaf(self, index: int) -> bytes:
        return self.hash(0, index)

    def hash(self, level: int, index: int) -> bytes:
        first = index << level
        at = bisect.bisect_left(self._marked, first)
        if at == len(self._marked) or self._marked[at] >= first + (1 << level):
            while len(self._plain) <= level:
                self._plain.append(node_hash(self._plain[-1], self._plain[-1]))
            return self._plain[level]
        if level == 0:
            return leaf_hash(b"marked %d" % index)
        if (level, index) not in self._memo:
            left, right = self.hash(level - 1, 2 * index), self.hash(level - 1, 2 * index + 1)
            self._memo[(level, index)] = node_hash(left, right)
        return self._memo[(level, index)]


def _bound(size: int) -> float:
    return 4 * math.log2(size)


@pytest.mark.parametrize(
    ("index", "size"),
    [(777_777, 1_000_000), (999_999, 1_000_000), (0, 1_000_000), (0, 2**20 - 1), (524_287, 2**20)],
)
def test_an_inclusion_proof_reads_logarithmically_many_nodes(index: int, size: int) -> None:
    nodes = CountingNodes([0, index, size // 3, size - 1])
    head = root(size, nodes)
    assert nodes.reads <= size.bit_length()
    nodes.reads = 0
    proof = inclusion_proof(index, size, nodes)
    assert nodes.reads <= _bound(size)
    assert nodes.reads <= 2 * size.bit_length()
    assert verify_inclusion(nodes.leaf(index), index, size, proof, head)


@pytest.mark.parametrize(
    ("old", "new"),
    [(1, 1_000_000), (500_001, 1_000_000), (999_999, 1_000_000), (2**19, 2**20 - 1), (3, 2**20)],
)
def test_a_consistency_proof_reads_logarithmically_many_nodes(old: int, new: int) -> None:
    nodes = CountingNodes([0, old - 1, old, new // 3, new - 1])
    old_root, new_root = root(old, nodes), root(new, nodes)
    nodes.reads = 0
    proof = consistency_proof(old, new, nodes)
    assert nodes.reads <= _bound(new)
    assert nodes.reads <= 2 * new.bit_length() + 1
    assert verify_consistency(old, new, old_root, new_root, proof)


@settings(max_examples=200)
@given(st.data())
def test_proofs_read_at_most_two_nodes_per_level(data: st.DataObject) -> None:
    size = data.draw(st.integers(min_value=1, max_value=2**40), label="size")
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    old = data.draw(st.integers(min_value=1, max_value=size), label="old")
    nodes = CountingNodes([0, index, old - 1, size - 1])
    inclusion_proof(index, size, nodes)
    assert nodes.reads <= 2 * size.bit_length()
    nodes.reads = 0
    consistency_proof(old, size, nodes)
    assert nodes.reads <= 2 * size.bit_length() + 1
