"""The Merkle tree kept in the ledger's database, and the checkpoints issued over it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from ledger import tree
from tests.conftest import World
from tlog.checkpoint import open_checkpoint
from tlog.merkle import MemoryNodes, root, verify_consistency, verify_inclusion
from tlog.note import SignerKey, VerifierKey

ORIGIN = "assembly.example/ledger"


def fill(world: World, count: int) -> None:
    """Append ``count`` events, one stream each, as the secretariat."""
    for _ in range(count):
        world.append(world.secretariat, uuid.uuid4(), 0, world.event())


def leaves(world: World) -> list[bytes]:
    return [entry.hash for entry in world.ledger.entries()]


def test_the_integrated_tree_has_the_entries_as_leaves_and_proves_each(world: World) -> None:
    fill(world, 13)
    recorder = world.ledger.recorder
    size = tree.integrate(recorder)
    hashes = leaves(world)
    assert size == len(hashes) == world.ledger.count()
    head = tree.tree_root(recorder, size)
    assert head == root(size, MemoryNodes(hashes))
    for seq, leaf in enumerate(hashes):
        assert verify_inclusion(leaf, seq, size, tree.prove_inclusion(recorder, seq, size), head)
    for old in range(1, size):
        proof = tree.prove_consistency(recorder, old, size)
        old_root = root(old, MemoryNodes(hashes[:old]))
        assert verify_consistency(old, size, old_root, head, proof)


def test_integrating_again_adds_only_the_new_entries(world: World) -> None:
    fill(world, 5)
    recorder = world.ledger.recorder
    first = tree.integrate(recorder)
    assert tree.integrate(recorder) == first
    fill(world, 6)
    assert tree.integrate(recorder) == first + 6
    engine = recorder.datastore.engine
    with engine.connect() as conn:
        rows = conn.execute(select(func.count()).select_from(tree.tree_table)).scalar_one()
    size = first + 6
    assert rows == 2 * size - bin(size).count("1")  # every complete subtree, once
    assert tree.tree_root(recorder, size) == root(size, MemoryNodes(leaves(world)))


def test_an_integrator_that_loses_the_race_finds_the_winners_rows(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill(world, 9)
    recorder = world.ledger.recorder
    real = tree._grow
    raced: list[int] = []

    def overtaken(nodes: tree.StoredNodes, batch: list[tuple[int, bytes]]) -> object:
        if not raced:  # another integrator writes the same leaves meanwhile
            raced.append(batch[0][0])
            monkeypatch.setattr(tree, "_grow", real)
            tree.integrate(recorder)
        return real(nodes, batch)

    monkeypatch.setattr(tree, "_grow", overtaken)
    assert tree.integrate(recorder) == world.ledger.count()
    assert raced == [0]
    assert tree.tree_root(recorder, world.ledger.count()) == root(
        world.ledger.count(), MemoryNodes(leaves(world))
    )


def test_the_tree_and_the_checkpoints_refuse_changes(world: World) -> None:
    fill(world, 2)
    recorder = world.ledger.recorder
    tree.integrate(recorder)
    engine = recorder.datastore.engine
    for statement in (
        f"UPDATE {tree.TREE_TABLE} SET hash = hash",
        f"DELETE FROM {tree.TREE_TABLE}",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_a_checkpoint_is_a_signed_note_of_the_tree_head_and_is_kept(world: World) -> None:
    fill(world, 7)
    recorder = world.ledger.recorder
    key = SignerKey(ORIGIN, bytes([9]) * 32)
    issued = tree.issue_checkpoint(recorder, key, origin=ORIGIN)
    checkpoint, opened = open_checkpoint(issued.note, [key.verifier_key])
    assert (checkpoint.origin, checkpoint.size) == (ORIGIN, world.ledger.count())
    assert checkpoint.root_hash == root(checkpoint.size, MemoryNodes(leaves(world)))
    assert [s.name for s in opened.verified] == [ORIGIN]
    assert tree.issue_checkpoint(recorder, key, origin=ORIGIN).note == issued.note  # same size
    fill(world, 1)
    later = tree.issue_checkpoint(recorder, key, origin=ORIGIN)
    assert later.size == issued.size + 1
    assert tree.checkpoint_at(recorder, issued.size).note == issued.note
    assert tree.latest_checkpoint(recorder) == later


def test_asking_for_a_size_never_checkpointed_names_the_sizes_issued(world: World) -> None:
    recorder = world.ledger.recorder
    key = SignerKey(ORIGIN, bytes([9]) * 32)
    issued = tree.issue_checkpoint(recorder, key, origin=ORIGIN)
    with pytest.raises(tree.NoCheckpoint) as refused:
        tree.checkpoint_at(recorder, issued.size + 5)
    assert refused.value.sentence() == (
        f"No checkpoint was issued at size {issued.size + 5} (issued at sizes: {issued.size})."
    )


def test_a_checkpoint_does_not_open_with_another_key(world: World) -> None:
    recorder = world.ledger.recorder
    issued = tree.issue_checkpoint(recorder, SignerKey(ORIGIN, bytes([9]) * 32), origin=ORIGIN)
    stranger = VerifierKey(ORIGIN, SignerKey(ORIGIN, bytes([8]) * 32).verifier_key.public_key)
    with pytest.raises(Exception, match="signature"):
        open_checkpoint(issued.note, [stranger])
