"""Tampering behind the ledger's back: `assembly verify` fails and names the first bad seq.

The attacker has the database (guards dropped first) but no private key. Each case builds the
same ledger: entries 0-2 enrol the keys, entries 3-8 are six events on two streams.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from ledger import NewEvent, Signer, sign_events
from tests.conftest import World
from tests.runner import assembly
from tests.tamper import Attacker


@pytest.fixture
def attacker(world: World) -> Iterator[Attacker]:
    first, second = uuid.uuid4(), uuid.uuid4()
    for version in range(3):
        world.append(world.secretariat, first, version, world.event(number=version))
        world.append(world.secretariat, second, version, world.event(number=version))
    world.ledger.close()
    attack = Attacker(world.url)
    yield attack
    attack.close()


def verify_fails_at(world: World, seq: int, *extra: str) -> str:
    result = assembly("verify", "--ledger", world.url, *extra)
    assert result.code == 1, result
    assert f"Verification failed at seq {seq}:" in result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr


def test_the_untouched_ledger_verifies(world: World, attacker: Attacker) -> None:
    result = assembly("verify", "--ledger", world.url, "--format", "json")
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout)["entries"] == 9


def test_one_changed_byte_in_a_payload(world: World, attacker: Attacker) -> None:
    body = attacker.entry(5)["state"]
    attacker.set_body(5, body.replace(b'"number":1', b'"number":7'))
    assert "stored hash does not match" in verify_fails_at(world, 5)


def test_one_changed_byte_in_a_payload_with_the_chain_recomputed(
    world: World, attacker: Attacker
) -> None:
    body = attacker.entry(5)["state"]
    attacker.set_body(5, body.replace(b'"number":1', b'"number":7'), rehash=True)
    assert "signature does not verify" in verify_fails_at(world, 5)


def test_a_changed_signature(world: World, attacker: Attacker) -> None:
    sig = bytearray(attacker.entry(4)["sig"])
    sig[0] ^= 1
    attacker.set_sig(4, bytes(sig))
    verify_fails_at(world, 4)


def test_a_changed_signature_with_the_chain_recomputed(world: World, attacker: Attacker) -> None:
    sig = bytearray(attacker.entry(4)["sig"])
    sig[10] ^= 0x80
    attacker.set_sig(4, bytes(sig), rehash=True)
    assert "signature does not verify" in verify_fails_at(world, 4)


def test_an_entry_deleted_in_the_middle(world: World, attacker: Attacker) -> None:
    attacker.delete_entry(6, with_event=True)
    assert "entry 6 is missing" in verify_fails_at(world, 6)


def test_two_entries_swapped(world: World, attacker: Attacker) -> None:
    attacker.swap(4, 7)
    verify_fails_at(world, 4)


def test_a_forged_entry_signed_by_a_key_never_enrolled(world: World, attacker: Attacker) -> None:
    stranger = Signer.generate()
    stream = uuid.uuid4()
    [forged] = sign_events(
        stranger,
        stream,
        0,
        [NewEvent("assembly.panel.convened", {"n": 1}, occurred_at=world.clock())],
        ledger=world.ledger.identity(),
    )
    seq = attacker.append_forged(
        body=forged.body,
        sig=forged.sig,
        stream=stream,
        version=1,
        topic=forged.type,
        recorded_at=attacker.entry(8)["recorded_at"],
    )
    assert seq == 9
    assert f"Key {stranger.key_id} is not enrolled" in verify_fails_at(world, 9)


def test_an_event_without_its_entry(world: World, attacker: Attacker) -> None:
    attacker.delete_entry(5, with_event=False)
    assert "an event without a ledger entry" in verify_fails_at(world, 5)


def test_an_event_slipped_in_at_the_end_without_an_entry(world: World, attacker: Attacker) -> None:
    attacker.insert_event(
        stream=uuid.uuid4(), version=1, topic="assembly.panel.convened", body=b'{"forged":true}'
    )
    assert "an event without a ledger entry" in verify_fails_at(world, 9)


def test_an_entry_without_its_event(world: World, attacker: Attacker) -> None:
    attacker.delete_event(7)
    assert "event is missing" in verify_fails_at(world, 7)


def test_a_truncated_ledger_fails_against_a_head_seen_before(
    world: World, attacker: Attacker
) -> None:
    seen = assembly("verify", "--ledger", world.url, "--format", "json")
    head = json.loads(seen.stdout)["head"]
    assert head.startswith("8:")
    attacker.delete_entry(8, with_event=True)
    attacker.delete_entry(7, with_event=True)
    assert assembly("verify", "--ledger", world.url).code == 0
    assert "truncated or rolled back" in verify_fails_at(world, 7, "--expect-head", head)


def test_a_rolled_back_and_rewritten_ledger_fails_against_a_saved_head_file(
    world: World, attacker: Attacker, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    head_file = tmp_path / "head"
    assert assembly("verify", "--ledger", world.url, "--head-file", str(head_file)).code == 0
    assert head_file.read_text().startswith("8:")
    attacker.delete_entry(8, with_event=True)
    attacker.close()
    from ledger import Ledger

    reopened = Ledger.open(world.url, world.ledger.policy, clock=world.clock)
    stream = uuid.uuid4()
    reopened.append_new(world.secretariat, stream, 0, [world.event(number=99)])
    reopened.close()
    assert "rewritten" in verify_fails_at(world, 8, "--head-file", str(head_file))
    assert head_file.read_text().startswith("8:")


def test_a_head_file_moves_forward_with_the_ledger(
    world: World, attacker: Attacker, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    head_file = tmp_path / "head"
    assert assembly("verify", "--ledger", world.url, "--head-file", str(head_file)).code == 0
    from ledger import Ledger

    reopened = Ledger.open(world.url, world.ledger.policy, clock=world.clock)
    reopened.append_new(world.secretariat, uuid.uuid4(), 0, [world.event(number=1)])
    reopened.close()
    assert assembly("verify", "--ledger", world.url, "--head-file", str(head_file)).code == 0
    assert head_file.read_text().startswith("9:")
