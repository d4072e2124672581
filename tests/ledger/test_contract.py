"""The storage contract: every test here runs against a SQLite file and against PostgreSQL."""

from __future__ import annotations

import uuid
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from ledger import Ledger, SignedEvent, Signer, sign_events, verification_report
from ledger.errors import (
    AlreadyInitialised,
    BadSignature,
    InvalidEvent,
    RoleNotAllowed,
    StorageUnavailable,
    StreamVersionConflict,
)
from ledger.storage import database_url
from tests.conftest import World


def test_a_new_ledger_starts_with_the_charter_key_enrolling_itself(world: World) -> None:
    first = next(world.ledger.entries())
    assert first.seq == 0
    assert first.prev == bytes(32)
    assert first.event["type"] == "ledger.signer.enrolled"
    assert first.event["signer"] == world.charter.key_id
    assert first.event["payload"]["role"] == "charter"


def test_appends_get_gapless_seqs_chained_by_hash(world: World) -> None:
    stream = uuid.uuid4()
    world.append(world.secretariat, stream, 0, world.event(), world.event())
    world.append(world.secretariat, stream, 2, world.event())
    entries = list(world.ledger.entries())
    assert [entry.seq for entry in entries] == list(range(len(entries)))
    for before, after in pairwise(entries):
        assert after.prev == before.hash
    assert all(entry.computed_hash() == entry.hash for entry in entries)


def test_a_stream_reads_back_in_version_order(world: World) -> None:
    stream = uuid.uuid4()
    world.append(world.secretariat, stream, 0, world.event(number=1))
    world.append(world.government, uuid.uuid4(), 0, world.event("assembly.government.responded"))
    world.append(world.secretariat, stream, 1, world.event(number=2))
    versions = [entry.event["version"] for entry in world.ledger.stream(stream)]
    assert versions == [1, 2]
    assert [e.event["payload"]["number"] for e in world.ledger.stream(stream)] == [1, 2]


def test_many_events_in_one_append_share_one_recorded_at(world: World) -> None:
    written = world.append(world.secretariat, uuid.uuid4(), 0, *[world.event() for _ in range(5)])
    assert len({entry.recorded_at for entry in written}) == 1
    assert [entry.event["version"] for entry in written] == [1, 2, 3, 4, 5]


def test_a_stale_expected_version_is_a_version_conflict(world: World) -> None:
    stream = uuid.uuid4()
    world.append(world.secretariat, stream, 0, world.event())
    before = world.ledger.count()
    with pytest.raises(StreamVersionConflict, match="not at the expected version 0"):
        world.append(world.secretariat, stream, 0, world.event())
    with pytest.raises(StreamVersionConflict, match="expected version 3"):
        world.append(world.secretariat, stream, 3, world.event())
    assert world.ledger.count() == before


def test_one_append_can_write_several_streams_in_one_chain(world: World) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    world.append(world.secretariat, second, 0, world.event())
    written = world.ledger.append_new_batches(
        world.secretariat,
        [(first, 0, [world.event(), world.event()]), (second, 1, [world.event()])],
    )
    assert [entry.event["stream"] for entry in written] == [str(first)] * 2 + [str(second)]
    assert [entry.event["version"] for entry in written] == [1, 2, 2]
    assert len({entry.recorded_at for entry in written}) == 1


@pytest.mark.parametrize("stale", [0, 1], ids=["first stream stale", "later stream stale"])
def test_a_multi_stream_append_with_one_stale_stream_writes_nothing(
    world: World, stale: int
) -> None:
    streams = [uuid.uuid4(), uuid.uuid4()]
    world.append(world.secretariat, streams[stale], 0, world.event())
    before, head = world.ledger.count(), world.ledger.head()
    batches = [(stream, 0, [world.event()]) for stream in streams]
    with pytest.raises(StreamVersionConflict, match="not at the expected version 0"):
        world.ledger.append_new_batches(world.secretariat, batches)
    assert (world.ledger.count(), world.ledger.head()) == (before, head)


def test_a_dry_run_checks_everything_and_writes_nothing(world: World) -> None:
    stream = uuid.uuid4()
    before, head = world.ledger.count(), world.ledger.head()
    rehearsed = world.ledger.append_new_batches(
        world.secretariat, [(stream, 0, [world.event()])], dry_run=True
    )
    assert rehearsed == []
    assert (world.ledger.count(), world.ledger.head()) == (before, head)
    with pytest.raises(RoleNotAllowed, match=r"may not write assembly\.panel\.convened"):
        world.ledger.append_new_batches(
            world.government, [(stream, 0, [world.event()])], dry_run=True
        )
    assert (world.ledger.count(), world.ledger.head()) == (before, head)


def _two_streams(world: World, *, dry_run: bool = False) -> list[Any]:
    first, second = uuid.UUID(int=1), uuid.UUID(int=2)
    identity = world.ledger.identity()
    return [
        (
            stream,
            0,
            sign_events(world.secretariat, stream, 0, events, ledger=identity, dry_run=dry_run),
        )
        for stream, events in ((first, [world.event(), world.event()]), (second, [world.event()]))
    ]


def test_signed_events_for_several_streams_are_appended_in_one_transaction(
    world: World,
) -> None:
    assert world.ledger.append_batches(_two_streams(world, dry_run=True), dry_run=True) == []
    written = world.ledger.append_batches(_two_streams(world))
    assert [entry.event["stream"] for entry in written] == [str(uuid.UUID(int=1))] * 2 + [
        str(uuid.UUID(int=2))
    ]
    assert len({entry.recorded_at for entry in written}) == 1


def test_a_dry_runs_signatures_can_never_be_committed(world: World) -> None:
    rehearsed = _two_streams(world, dry_run=True)
    assert world.ledger.append_batches(rehearsed, dry_run=True) == []
    before = world.ledger.count()

    with pytest.raises(BadSignature, match="does not verify"):
        world.ledger.append_batches(rehearsed)
    assert world.ledger.count() == before


def test_a_dry_run_takes_no_signature_of_the_real_kind(world: World) -> None:
    with pytest.raises(BadSignature, match="does not verify"):
        world.ledger.append_batches(_two_streams(world), dry_run=True)


def test_a_bad_signature_in_a_later_stream_of_a_signed_append_writes_nothing(
    world: World,
) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    good = sign_events(world.secretariat, first, 0, [world.event()], ledger=world.ledger.identity())
    (forged,) = sign_events(
        world.secretariat, second, 0, [world.event()], ledger=world.ledger.identity()
    )
    forged = SignedEvent(body=forged.body, sig=bytes(64), fields=forged.fields)
    before, head = world.ledger.count(), world.ledger.head()
    with pytest.raises(BadSignature, match="does not verify"):
        world.ledger.append_batches([(first, 0, good), (second, 0, [forged])])
    assert (world.ledger.count(), world.ledger.head()) == (before, head)


def test_a_signed_append_across_streams_has_one_signer(world: World) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    batches = [
        (
            first,
            0,
            sign_events(
                world.secretariat, first, 0, [world.event()], ledger=world.ledger.identity()
            ),
        ),
        (
            second,
            0,
            sign_events(
                world.government, second, 0, [world.event()], ledger=world.ledger.identity()
            ),
        ),
    ]
    with pytest.raises(InvalidEvent, match="One append is signed by one signer"):
        world.ledger.append_batches(batches)


def test_a_multi_stream_append_names_each_stream_once(world: World) -> None:
    stream = uuid.uuid4()
    with pytest.raises(InvalidEvent, match="A stream appears twice in one append"):
        world.ledger.append_new_batches(
            world.secretariat, [(stream, 0, [world.event()]), (stream, 1, [world.event()])]
        )


def test_the_ledger_verifies_after_appends(world: World, policy) -> None:  # type: ignore[no-untyped-def]
    for n in range(3):
        world.append(world.secretariat, uuid.uuid4(), 0, world.event(number=n))
    report = verification_report(world.ledger.recorder, policy)
    assert report.entries == world.ledger.count() == 6
    assert report.head == world.ledger.head()


def test_the_same_ledger_cannot_be_created_twice(world: World, policy) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AlreadyInitialised, match="already holds a ledger"):
        Ledger.create(world.url, policy, world.charter, name="again")


@pytest.mark.parametrize("table", ["ledger_events", "ledger_entries"])
@pytest.mark.parametrize("statement", ["UPDATE {t} SET {c} = {c}", "DELETE FROM {t}"])
def test_the_database_refuses_to_change_stored_rows(
    world: World, table: str, statement: str
) -> None:
    column = "state" if table == "ledger_events" else "sig"
    engine = create_engine(database_url(world.url))
    try:
        with pytest.raises(SQLAlchemyError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement.format(t=table, c=column)))
    finally:
        engine.dispose()
    assert world.ledger.count() == 3


@pytest.mark.postgres
def test_a_database_that_fails_mid_append_is_a_storage_error(postgres_url: str, policy) -> None:  # type: ignore[no-untyped-def]
    import psycopg

    charter = Signer.generate()
    ledger = Ledger.create(postgres_url, policy, charter, name="Charter")
    base, _, options = postgres_url.partition("?")
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{options.rsplit("%3D", 1)[1]}" CASCADE')
    with pytest.raises(StorageUnavailable, match="Cannot reach the ledger database"):
        ledger.enrol(charter, Signer.generate().public_key, role="government", name="Minister")
    ledger.close()


def test_a_ledger_without_its_charter_entry_does_not_verify(ledger_url: str, policy) -> None:  # type: ignore[no-untyped-def]
    from ledger.errors import VerificationFailed
    from ledger.storage import open_recorder

    recorder = open_recorder(ledger_url, create=True)
    with pytest.raises(VerificationFailed, match="at seq 0: the ledger has no entries"):
        verification_report(recorder, policy)


def test_an_init_stopped_before_entry_0_can_be_finished(ledger_url: str, policy) -> None:  # type: ignore[no-untyped-def]
    from ledger.storage import open_recorder

    open_recorder(ledger_url, create=True).datastore.engine.dispose()  # type: ignore[union-attr]
    charter = Signer.generate()
    ledger = Ledger.create(ledger_url, policy, charter, name="Charter")
    assert verification_report(ledger.recorder, policy).entries == 1
    ledger.close()
