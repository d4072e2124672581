"""Refused appends: each is a typed error, and the ledger is left exactly as it was."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest

from ledger import NewEvent, SignedEvent, Signer, sign_events, verification_report
from ledger.entry import body_of
from ledger.errors import (
    AppendRefused,
    BadSignature,
    InvalidEvent,
    LedgerRuleBroken,
    RoleNotAllowed,
    SignerNotValid,
    SignerRevoked,
    StreamVersionConflict,
    UnknownRole,
    UnknownSigner,
)
from ledger.signers import signer_stream
from tests.conftest import World


def refused(
    world: World, error: type[AppendRefused], match: str, attempt: Callable[[], object]
) -> None:
    before = (world.ledger.count(), world.ledger.head())
    with pytest.raises(error, match=match):
        attempt()
    assert (world.ledger.count(), world.ledger.head()) == before


def test_a_role_may_not_write_another_roles_events(world: World) -> None:
    refused(
        world,
        RoleNotAllowed,
        "has role 'secretariat', which may not write assembly.government",
        lambda: world.append(
            world.secretariat, uuid.uuid4(), 0, world.event("assembly.government.responded")
        ),
    )


def test_only_the_charter_role_enrols_keys(world: World) -> None:
    newcomer = Signer.generate()
    refused(
        world,
        RoleNotAllowed,
        "may not write ledger.signer.enrolled",
        lambda: world.ledger.enrol(
            world.government, newcomer.public_key, role="government", name="Self-appointed"
        ),
    )


def test_a_revoked_key_may_not_sign_after_its_revocation(world: World) -> None:
    stream = uuid.uuid4()
    world.append(world.secretariat, stream, 0, world.event())
    world.clock.advance(days=1)
    world.ledger.revoke(world.charter, world.secretariat.key_id, reason="key lost")
    refused(
        world,
        SignerRevoked,
        f"Key {world.secretariat.key_id} was revoked at",
        lambda: world.append(world.secretariat, stream, 1, world.event()),
    )


def test_a_revoked_key_cannot_backdate_its_way_past_the_revocation(world: World) -> None:
    stream = uuid.uuid4()
    earlier = world.clock()
    world.clock.advance(days=1)
    world.ledger.revoke(world.charter, world.secretariat.key_id, reason="key stolen")
    backdated = NewEvent("assembly.panel.convened", {"number": 1}, occurred_at=earlier)
    refused(
        world,
        SignerRevoked,
        "may no longer sign",
        lambda: world.append(world.secretariat, stream, 0, backdated),
    )


def test_an_unknown_key_is_refused(world: World) -> None:
    stranger = Signer.generate()
    refused(
        world,
        UnknownSigner,
        f"Key {stranger.key_id} is not enrolled",
        lambda: world.append(stranger, uuid.uuid4(), 0, world.event()),
    )


def test_a_bad_signature_is_refused(world: World) -> None:
    stream = uuid.uuid4()
    [good] = sign_events(
        world.secretariat, stream, 0, [world.event()], ledger=world.ledger.identity()
    )
    forged = replace(good, sig=bytes(64))
    refused(
        world,
        BadSignature,
        "does not verify with key",
        lambda: world.ledger.append(stream, 0, [forged]),
    )


def test_a_signature_over_other_bytes_is_refused(world: World) -> None:
    stream = uuid.uuid4()
    [good] = sign_events(
        world.secretariat, stream, 0, [world.event(number=1)], ledger=world.ledger.identity()
    )
    [other] = sign_events(
        world.secretariat, stream, 0, [world.event(number=2)], ledger=world.ledger.identity()
    )
    swapped = replace(good, sig=other.sig)
    refused(
        world, BadSignature, "does not verify", lambda: world.ledger.append(stream, 0, [swapped])
    )


def test_a_stale_stream_version_is_refused(world: World) -> None:
    stream = uuid.uuid4()
    world.append(world.secretariat, stream, 0, world.event(), world.event())
    refused(
        world,
        StreamVersionConflict,
        "expected version 1",
        lambda: world.append(world.secretariat, stream, 1, world.event()),
    )


def test_a_key_outside_its_validity_is_refused(world: World) -> None:
    holder = Signer.generate()
    start = world.clock() + timedelta(days=10)
    world.ledger.enrol(
        world.charter,
        holder.public_key,
        role="commission",
        name="Commission",
        valid_from=start,
        valid_until=start + timedelta(days=365),
    )
    refused(
        world,
        SignerNotValid,
        "is valid from 2026-01-15",
        lambda: world.append(holder, uuid.uuid4(), 0, world.event("assembly.commission.assessed")),
    )


def test_an_event_dated_after_the_ledgers_clock_is_refused(world: World) -> None:
    future = NewEvent(
        "assembly.panel.convened", {"n": 1}, occurred_at=world.clock() + timedelta(hours=1)
    )
    refused(
        world,
        InvalidEvent,
        "after the ledger's clock",
        lambda: world.append(world.secretariat, uuid.uuid4(), 0, future),
    )


def test_an_unknown_role_cannot_be_enrolled(world: World) -> None:
    refused(
        world,
        UnknownRole,
        "Role 'mayor' is not one of",
        lambda: world.ledger.enrol(
            world.charter, Signer.generate().public_key, role="mayor", name="Mayor"
        ),
    )


def test_a_key_is_enrolled_once_and_revoked_once(world: World) -> None:
    refused(
        world,
        StreamVersionConflict,
        "expected version 0",
        lambda: world.ledger.enrol(
            world.charter, world.government.public_key, role="government", name="Again"
        ),
    )
    world.ledger.revoke(world.charter, world.government.key_id, reason="left office")
    refused(
        world,
        LedgerRuleBroken,
        "a key is revoked once",
        lambda: world.ledger.revoke(world.charter, world.government.key_id, reason="twice"),
    )
    refused(
        world,
        LedgerRuleBroken,
        "never enrolled",
        lambda: world.ledger.revoke(world.charter, "0" * 32, reason="nobody"),
    )


def test_the_ledger_still_verifies_after_refusals(world: World, policy) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownSigner):
        world.append(Signer.generate(), uuid.uuid4(), 0, world.event())
    with pytest.raises(RoleNotAllowed):
        world.append(world.government, uuid.uuid4(), 0, world.event())
    world.append(world.secretariat, uuid.uuid4(), 0, world.event())
    assert verification_report(world.ledger.recorder, policy).entries == 4


def test_no_other_event_may_take_a_place_in_a_signers_stream(world: World) -> None:
    # Otherwise a key could fill its own revocation slot (version 2) and never be revoked.
    own = signer_stream(world.secretariat.key_id)
    refused(
        world,
        LedgerRuleBroken,
        "belongs to a signer's enrolment and revocation",
        lambda: world.append(world.secretariat, own, 1, world.event()),
    )
    newcomer = signer_stream(Signer.generate().key_id)
    refused(
        world,
        LedgerRuleBroken,
        "cannot be written there",
        lambda: world.append(world.secretariat, newcomer, 0, world.event()),
    )


def test_a_revocation_names_a_key_id(world: World) -> None:
    refused(
        world,
        LedgerRuleBroken,
        "is not a key id",
        lambda: world.ledger.revoke(world.charter, "abc", reason="typo"),
    )


def test_an_event_signed_elsewhere_whose_entry_would_pass_64_kib_is_refused(world: World) -> None:
    """A client's own signing code may skip the size check this project's makes: the append
    makes it again (a tile holds an entry of at most 65,535 bytes)."""
    stream = uuid.uuid4()
    event = world.event(number=1, theme={"fr": "x" * 70_000})
    body = body_of(
        event,
        ledger=world.ledger.identity(),
        stream=stream,
        version=1,
        signer=world.secretariat.key_id,
    )
    huge = SignedEvent.from_parts(body, world.secretariat.sign(body))
    refused(
        world,
        InvalidEvent,
        "an entry stays under 64 KiB",
        lambda: world.ledger.append(stream, 0, [huge]),
    )
