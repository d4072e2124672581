"""Commitments: RFC 9162 Merkle roots of salted records, salts files, digests, seeds."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.draws import BadDrawFile, DrawMismatch, commitment_root, digest_file, merkle_root
from domain.draws.commit import (
    draw_seed,
    index_root,
    leaf_hash,
    lowest_keys,
    new_salts,
    node_hash,
    read_salts,
    record_bytes,
    write_salts,
)

VECTORS = json.loads((Path(__file__).parent / "data" / "rfc6962-tree-roots.json").read_text())


def reference_root(data: list[bytes]) -> bytes:
    """RFC 9162 section 2.1.1 as written: the recursive split at the largest power of two."""
    if not data:
        return hashlib.sha256(b"").digest()
    if len(data) == 1:
        return leaf_hash(data[0])
    split = 1
    while split * 2 < len(data):
        split *= 2
    return node_hash(reference_root(data[:split]), reference_root(data[split:]))


@pytest.mark.parametrize("size", range(len(VECTORS["roots"])))
def test_the_merkle_root_matches_the_rfc6962_reference_tree(size: int) -> None:
    leaves = [bytes.fromhex(leaf) for leaf in VECTORS["leaves"][:size]]
    assert merkle_root(leaves).hex() == VECTORS["roots"][size]


def test_the_empty_tree_root_is_the_hash_of_nothing() -> None:
    expected = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle_root([]).hex() == expected


@pytest.mark.parametrize("size", [*range(1, 40), 63, 64, 65, 100, 127, 129])
def test_the_level_by_level_root_equals_the_recursive_definition(size: int) -> None:
    data = [n.to_bytes(4, "big") for n in range(size)]
    assert merkle_root(data) == reference_root(data)


def test_a_record_is_its_fields_joined_by_the_unit_separator() -> None:
    assert record_bytes(["P-000001", "female", "60+"]) == b"P-000001\x1ffemale\x1f60+"
    assert record_bytes(["Ixelles", "é"]) == "Ixelles\x1fé".encode()


def test_a_commitment_hashes_each_salt_before_its_record() -> None:
    salts = [bytes(range(16)), bytes(range(16, 32))]
    records = [("A-1", "Evere"), ("A-2", "Jette")]
    leaves = [salt + record_bytes(record) for salt, record in zip(salts, records, strict=True)]
    assert commitment_root(records, salts) == reference_root(leaves)


def test_a_commitment_needs_one_salt_per_record() -> None:
    with pytest.raises(
        DrawMismatch, match=r"The number of salts does not match.*2 records.*1 salts"
    ):
        commitment_root([("A-1", "Evere"), ("A-2", "Jette")], [bytes(16)])


def test_selected_indices_are_committed_as_eight_byte_big_endian_leaves() -> None:
    expected = reference_root([(3).to_bytes(8, "big"), (70000).to_bytes(8, "big")])
    assert index_root([3, 70000]) == expected


@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12)), min_size=1, max_size=30))
def test_the_same_records_and_salts_give_the_same_root_twice(
    records: list[tuple[str, str]],
) -> None:
    salts = [bytes([n % 256]) * 16 for n in range(len(records))]
    assert commitment_root(records, salts) == commitment_root(list(records), list(salts))


@given(
    st.lists(st.tuples(st.text(max_size=12), st.text(max_size=12)), min_size=1, max_size=30),
    st.data(),
)
def test_changing_any_record_changes_the_root(
    records: list[tuple[str, str]], data: st.DataObject
) -> None:
    salts = [bytes([n % 256]) * 16 for n in range(len(records))]
    position = data.draw(st.integers(0, len(records) - 1))
    changed = data.draw(
        st.tuples(st.text(max_size=12), st.text(max_size=12)).filter(
            lambda record: record_bytes(record) != record_bytes(records[position])
        )
    )
    edited = [*records[:position], changed, *records[position + 1 :]]
    assert commitment_root(edited, salts) != commitment_root(records, salts)


def test_salts_are_sixteen_fresh_random_bytes_each() -> None:
    salts = new_salts(1000)
    assert {len(salt) for salt in salts} == {16}
    assert len(set(salts)) == 1000


def test_a_salts_file_reads_back_what_was_written(tmp_path: Path) -> None:
    salts = new_salts(70)
    path = tmp_path / "salts.csv"
    write_salts(path, salts)
    assert path.read_text().splitlines()[0] == "salt"
    assert read_salts(path) == salts


def test_a_salts_file_names_its_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "salts.csv"
    path.write_text("salt\n" + "ab" * 16 + "\n" + "zz" * 16 + "\n")
    with pytest.raises(BadDrawFile, match=r"salts.csv, line 3: a salt is 32 hexadecimal digits"):
        read_salts(path)
    path.write_text("salts\n")
    with pytest.raises(BadDrawFile, match=r"line 1: the header must be exactly 'salt'"):
        read_salts(path)


def test_a_file_digest_is_the_sha256_of_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "quotas.csv"
    path.write_bytes(b"feature,value,min,max\n")
    assert digest_file(path) == "sha256:" + hashlib.sha256(b"feature,value,min,max\n").hexdigest()


def test_the_seed_hashes_the_public_value_the_root_and_the_draw_id() -> None:
    root = bytes(range(32))
    expected = hashlib.sha256(b"4 11 23" + root + b"panel-1").digest()
    assert draw_seed("4 11 23", root, "panel-1") == expected
    assert draw_seed("4 11 24", root, "panel-1") != expected


def test_the_lowest_keys_are_taken_and_returned_in_index_order() -> None:
    seed = bytes(32)
    keys = {i: hashlib.sha256(seed + b"Evere" + i.to_bytes(8, "big")).digest() for i in range(10)}
    expected = sorted(sorted(keys, key=keys.__getitem__)[:3])
    assert lowest_keys(seed, "Evere", list(range(10)), 3) == expected
