"""Which checkpoints have cosignatures kept (``ledger.tree.cosigned_sizes``): what a server with
a witness policy looks through, newest first, for the latest its quorum cosigned."""

from __future__ import annotations

from ledger import tree
from tests.conftest import World
from tests.ledger.test_tree import ORIGIN, fill
from tlog.note import COSIGNATURE_V1, NoteSignature, SignerKey, parse_note

LOG = SignerKey(ORIGIN, bytes([9]) * 32)
WITNESS = SignerKey("witness.example/w1", bytes([1]) * 32, COSIGNATURE_V1)


def cosign(world: World, size: int) -> None:
    text = parse_note(tree.checkpoint_at(world.ledger.recorder, size).note).text.encode()
    line = NoteSignature(WITNESS.name, WITNESS.key_id, WITNESS.sign(text, timestamp=1))
    tree.add_cosignatures(world.ledger.recorder, size, [line], [WITNESS.verifier_key])


def test_the_sizes_cosigned_come_largest_first_and_at_most_as_many_as_asked(
    world: World,
) -> None:
    recorder = world.ledger.recorder
    sizes = []
    for _ in range(3):
        fill(world, 1)
        sizes.append(tree.issue_checkpoint(recorder, LOG, origin=ORIGIN).size)
    assert tree.cosigned_sizes(recorder, most=16) == []
    cosign(world, sizes[0])
    cosign(world, sizes[2])
    cosign(world, sizes[2])  # kept once
    assert tree.cosigned_sizes(recorder, most=16) == [sizes[2], sizes[0]]
    assert tree.cosigned_sizes(recorder, most=1) == [sizes[2]]
