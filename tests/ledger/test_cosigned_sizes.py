"""Which checkpoints have cosignatures kept (``ledger.tree.cosigned_sizes``): what a server with
a witness policy looks through, newest first, for the latest its quorum cosigned."""

from __future__ import annotations

from ledger import tree
from tests.conftest import World
from tests.ledger.test_tree import ORIGIN, fill
from tlog.note import COSIGNATURE_V1, NoteSignature, SignerKey, parse_note

LOG = SignerKey(ORIGIN, bytes([9]) * 32)
WITNESS = SignerKey("witness.example/w1", bytes([1]) * 32, COSIGNATURE_V1)
SECOND = SignerKey("witness.example/w2", bytes([2]) * 32, COSIGNATURE_V1)


def cosign(world: World, size: int, witness: SignerKey = WITNESS) -> None:
    text = parse_note(tree.checkpoint_at(world.ledger.recorder, size).note).text.encode()
    line = NoteSignature(witness.name, witness.key_id, witness.sign(text, timestamp=1))
    tree.add_cosignatures(world.ledger.recorder, size, [line], [witness.verifier_key])


def test_the_sizes_cosigned_come_largest_first_each_once(world: World) -> None:
    recorder = world.ledger.recorder
    sizes = []
    for _ in range(3):
        fill(world, 1)
        sizes.append(tree.issue_checkpoint(recorder, LOG, origin=ORIGIN).size)
    assert tree.cosigned_sizes(recorder) == []
    cosign(world, sizes[0])
    cosign(world, sizes[2])
    cosign(world, sizes[2])  # kept once
    assert tree.cosigned_sizes(recorder) == [sizes[2], sizes[0]]
    assert tree.cosigned_sizes(recorder, at_least=2) == []


def test_many_checkpoints_cosigned_by_fewer_witnesses_do_not_hide_an_older_one_cosigned_by_more(
    world: World,
) -> None:
    """With two witnesses required and one of them away, the log goes on issuing checkpoints
    that one witness cosigns: the last one both cosigned stays found, however many came after."""
    recorder = world.ledger.recorder
    fill(world, 1)
    both = tree.issue_checkpoint(recorder, LOG, origin=ORIGIN).size
    cosign(world, both)
    cosign(world, both, SECOND)
    later = []
    for _ in range(20):
        fill(world, 1)
        later.append(tree.issue_checkpoint(recorder, LOG, origin=ORIGIN).size)
        cosign(world, later[-1])
    assert tree.cosigned_sizes(recorder, at_least=2) == [both]
    assert tree.cosigned_sizes(recorder) == [*reversed(later), both]
