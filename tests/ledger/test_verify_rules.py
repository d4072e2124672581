"""Every rule of ``verify``, each caught on its own: a forgery that only that rule can see.

Each test starts from the same honest ledger (``tests.forgery.history``) and forges as someone
with the database and some enrolled keys would: signing with those keys, recomputing hashes and
re-linking the chain after the change, so that the forgery passes every other check. The test
then asserts the whole sentence of the failure, seq included: if the rule is taken out of
``ledger.verify`` (or ``ledger.signers``), the test fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import astuple, replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger import Head, NewEvent, Signer, verification_report
from ledger.canonical import canonical_bytes, entry_hash, format_time
from ledger.entry import SignedEvent
from ledger.errors import HeadMismatch, VerificationFailed
from ledger.identity import IDENTITY_DECLARED, IDENTITY_STREAM, legacy_identity
from ledger.signers import enrolment, signer_stream
from ledger.storage import open_recorder
from ledger.verify import PARALLEL_FROM, default_workers, stream_text, verify_rows
from tests.forgery import (
    ANSWERS,
    CHARTER,
    CLERK,
    CLERKS,
    CONVENED,
    ENTRIES,
    GOVERNMENT,
    LONE_SEQ,
    PANELS,
    POLICY,
    RESPONDED,
    RETIRED,
    SECRETARIAT,
    STRANGER,
    Forgery,
    failure,
    history,
    minute,
    rows_of,
)
from tests.tamper import Attacker

PREV = (
    "prev is not the hash of the entry before: an entry was changed, removed, inserted or reordered"
)
OUT_OF_ORDER = "its event was stored before the previous entry's"


def test_the_honest_history_verifies_with_what_it_holds(forged: Forgery) -> None:
    report = forged.verify().report

    assert (report.entries, report.signers, report.streams) == (ENTRIES, 5, 10)
    assert report.head == forged.head


def test_the_honest_history_verifies_in_batches_of_any_size(forged: Forgery) -> None:
    for batch in (1, 2, 5):
        assert forged.verify(batch=batch).report.entries == ENTRIES


# --- the chain -----------------------------------------------------------------------------------


def test_an_entry_whose_prev_names_a_removed_entry_is_refused(forged: Forgery) -> None:
    # Entry 12 (its stream's only event) is taken out; the next entry is numbered down and hashed
    # again, so its stored hash is right for its bytes, but its prev still names entry 12.
    forged.remove(LONE_SEQ)
    forged.rehash(LONE_SEQ)

    with pytest.raises(VerificationFailed, match=failure(LONE_SEQ, PREV)):
        forged.verify()


def test_an_entry_zero_with_a_prev_is_refused(forged: Forgery) -> None:
    forged.rows[0] = replace(forged[0], prev=bytes([1]) * 32).rehashed()
    forged.relink(1)

    with pytest.raises(VerificationFailed, match=failure(0, PREV)):
        forged.verify()


def test_a_payload_rewritten_and_signed_again_by_its_author_keeps_a_stale_hash(
    forged: Forgery,
) -> None:
    # The secretariat re-signs entry 9 with another payload; its stored hash, which entry 10's
    # prev names, is left as it was.
    rewritten = forged.sign(SECRETARIAT, PANELS, 2, payload={"number": 7}, occurred_at=minute(9))
    forged.replace_event(9, rewritten)

    with pytest.raises(
        VerificationFailed, match=failure(9, "the stored hash does not match the entry's bytes")
    ):
        forged.verify()


def test_a_gap_in_the_seqs_is_refused_even_with_hashes_made_for_no_gap(forged: Forgery) -> None:
    # Entry 12 is gone; the entries after it keep their stored seq but are hashed (and linked)
    # as if they had been numbered down.
    forged.remove(LONE_SEQ)
    forged.rehash(LONE_SEQ)
    forged.rows[LONE_SEQ] = replace(forged[LONE_SEQ], prev=forged[LONE_SEQ - 1].hash).rehashed()
    forged.rows[LONE_SEQ] = replace(forged[LONE_SEQ], seq=LONE_SEQ + 1)

    reason = f"entry {LONE_SEQ} is missing (the next stored entry is {LONE_SEQ + 1})"
    with pytest.raises(VerificationFailed, match=failure(LONE_SEQ, reason)):
        forged.verify()


def test_an_entry_whose_event_row_is_gone_is_refused(forged: Forgery) -> None:
    forged.rows[5] = replace(forged[5], body=None)

    reason = "the entry's event is missing from the event table"
    with pytest.raises(VerificationFailed, match=failure(5, reason)):
        forged.verify()


def test_events_stored_in_another_order_than_their_entries_are_refused(forged: Forgery) -> None:
    first, second = forged[8].position, forged[9].position
    forged.rows[8] = replace(forged[8], position=second)
    forged.rows[9] = replace(forged[9], position=first)

    with pytest.raises(VerificationFailed, match=failure(9, OUT_OF_ORDER)):
        forged.verify()


def test_two_entries_at_one_event_position_are_refused(forged: Forgery) -> None:
    forged.rows[9] = replace(forged[9], position=forged[8].position)

    with pytest.raises(VerificationFailed, match=failure(9, OUT_OF_ORDER)):
        forged.verify()


def test_a_recorded_at_that_is_not_a_utc_timestamp_is_refused(forged: Forgery) -> None:
    forged.rows[11] = replace(forged[11], recorded_at="2026-01-05T10:00:00+00:00")
    forged.relink(11)

    reason = "recorded_at '2026-01-05T10:00:00+00:00' is not a UTC timestamp"
    with pytest.raises(VerificationFailed, match=failure(11, reason)):
        forged.verify()


# --- the signed body -------------------------------------------------------------------------


def test_a_signed_body_without_the_fields_of_the_format_is_refused(forged: Forgery) -> None:
    fields = forged.fields_of(forged.sign(SECRETARIAT, PANELS, 5, occurred_at=minute(14)))
    del fields["schema"]
    forged.append(forged.sign_fields(SECRETARIAT, fields))

    reason = "The event body does not have the fields of the entry format"
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify()


def test_a_signed_body_with_a_field_of_the_wrong_form_is_refused(forged: Forgery) -> None:
    fields = forged.fields_of(forged.sign(SECRETARIAT, PANELS, 5, occurred_at=minute(14)))
    fields["schema"] = 0
    forged.append(forged.sign_fields(SECRETARIAT, fields))

    reason = "The event body has a field of the wrong form"
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify()


@pytest.mark.parametrize(
    "column, value",
    [
        ("topic", "assembly.panel.dissolved"),
        ("stream", uuid.UUID("00000000-0000-4000-8000-0000000000ff").bytes),
        ("version", 4),
    ],
)
def test_an_event_table_that_disagrees_with_the_signed_body_is_refused(
    forged: Forgery, column: str, value: object
) -> None:
    # Entry 12 is version 1 of its own stream: the event table moves or renames it.
    forged.rows[LONE_SEQ] = replace(forged[LONE_SEQ], **{column: value})

    reason = "the event table disagrees with the signed event body"
    with pytest.raises(VerificationFailed, match=failure(LONE_SEQ, reason)):
        forged.verify()


def test_an_event_dated_after_its_recording_is_refused(forged: Forgery) -> None:
    dated = forged.sign(SECRETARIAT, PANELS, 5, occurred_at=minute(30))
    forged.append(dated, recorded_at=format_time(minute(29)))

    reason = "occurred_at is not a UTC timestamp at or before recorded_at"
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify()


def test_an_event_dated_at_its_recording_is_accepted(forged: Forgery) -> None:
    dated = forged.sign(SECRETARIAT, PANELS, 5, occurred_at=minute(30))
    forged.append(dated, recorded_at=format_time(minute(30)))

    assert forged.verify().report.entries == ENTRIES + 1


@pytest.mark.parametrize("version", [6, 4, 1])
def test_a_stream_version_out_of_order_is_refused(forged: Forgery, version: int) -> None:
    # PANELS is at version 4: 6 skips a version, 4 and 1 take a place already taken.
    forged.append(forged.sign(SECRETARIAT, PANELS, version, occurred_at=minute(14)))

    reason = f"version {version} of stream {PANELS} is out of order"
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify()


def test_a_body_signed_by_another_enrolled_key_is_refused(forged: Forgery) -> None:
    # The government signs a body that names the secretariat as its signer.
    honest = forged.sign(SECRETARIAT, PANELS, 3, occurred_at=minute(11))
    forged.rows[11] = replace(forged[11], sig=GOVERNMENT.sign(honest.body))
    forged.relink(11)

    reason = "the signature does not verify with the signer's enrolled key"
    with pytest.raises(VerificationFailed, match=failure(11, reason)):
        forged.verify()


@pytest.mark.parametrize("batch", [1, 4, 1000])
def test_a_bad_signature_is_reported_before_a_later_broken_rule(
    forged: Forgery, batch: int
) -> None:
    honest = forged.sign(SECRETARIAT, PANELS, 2, occurred_at=minute(9))
    forged.rows[9] = replace(forged[9], sig=GOVERNMENT.sign(honest.body))
    forged.relink(9)
    forged.append(forged.sign(SECRETARIAT, PANELS, 9, occurred_at=minute(14)))

    reason = "the signature does not verify with the signer's enrolled key"
    with pytest.raises(VerificationFailed, match=failure(9, reason)):
        forged.verify(batch=batch)


@pytest.mark.parametrize("batch", [1, 3, 1000])
def test_the_first_broken_rule_is_reported_whatever_the_batches(
    forged: Forgery, batch: int
) -> None:
    forged.rows[6] = replace(forged[6], position=forged[5].position)
    forged.rows[11] = replace(forged[11], sig=GOVERNMENT.sign(forged[11].body or b""))
    forged.relink(11)

    with pytest.raises(VerificationFailed, match=failure(6, OUT_OF_ORDER)):
        forged.verify(batch=batch)


# --- what needs the whole ledger -----------------------------------------------------------------


def test_an_event_without_an_entry_in_the_middle_is_refused_at_its_place(forged: Forgery) -> None:
    reason = "an event without a ledger entry was stored here"
    with pytest.raises(VerificationFailed, match=failure(4, reason)):
        forged.verify(orphan_seq=4)


def test_an_event_without_an_entry_after_the_last_is_refused(forged: Forgery) -> None:
    reason = "an event without a ledger entry was stored here"
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify(orphan_seq=ENTRIES)


def test_a_ledger_without_entries_is_refused() -> None:
    reason = "the ledger has no entries, not even the charter's entry 0"
    with pytest.raises(VerificationFailed, match=failure(0, reason)):
        Forgery([]).verify()


def test_heads_seen_before_that_the_ledger_still_holds_pass(forged: Forgery) -> None:
    heads = [Head(3, forged[3].hash), forged.head, Head(0, forged[0].hash)]

    assert forged.verify(expect=heads).report.entries == ENTRIES


def test_a_ledger_that_ends_before_a_head_seen_before_is_refused(forged: Forgery) -> None:
    seen = forged.head
    del forged.rows[-1]

    reason = (
        f"the ledger ends before seq {seen.seq}, which was seen before with hash "
        f"{seen.hash.hex()}: it was truncated or rolled back"
    )
    with pytest.raises(HeadMismatch, match=failure(ENTRIES - 1, reason)):
        forged.verify(expect=[Head(2, forged[2].hash), seen])


def test_a_ledger_rewritten_before_a_head_seen_before_is_refused(forged: Forgery) -> None:
    seen = Head(10, forged[10].hash)
    # The government rewrites its answer, hashes it and re-links everything after it.
    answer = forged.sign(GOVERNMENT, ANSWERS, 1, RESPONDED, {"number": 0}, occurred_at=minute(10))
    forged.replace_event(10, answer)
    forged.relink(10)

    reason = (
        f"the entry differs from the head seen before ({seen.hash.hex()}): the ledger was "
        "rewritten at or before this seq"
    )
    with pytest.raises(HeadMismatch, match=failure(10, reason)):
        forged.verify(expect=[Head(3, forged[3].hash), seen])


# --- the signer rules, with enrolled keys --------------------------------------------------------


def test_a_revoked_key_backdating_an_event_after_its_revocation_is_refused(
    forged: Forgery,
) -> None:
    # Revoked at entry 7 (minute 7); its event claims minute 6, while it was still valid.
    forged.append(forged.sign(RETIRED, uuid.uuid4(), 1, occurred_at=minute(6)))

    reason = f"Key {RETIRED.key_id} was revoked at {format_time(minute(7))} and may no longer sign"
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify()


def test_a_key_signing_after_its_validity_ended_is_refused(forged: Forgery) -> None:
    forged.append(forged.sign(CLERK, CLERKS, 2, occurred_at=minute(10)))

    reason = (
        f"Key {CLERK.key_id} is valid from {format_time(minute(5))} until "
        f"{format_time(minute(10))}, not at {format_time(minute(10))}"
    )
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify()


def test_a_key_signing_before_its_validity_began_is_refused(forged: Forgery) -> None:
    when = minute(4.99)
    forged.append(forged.sign(CLERK, CLERKS, 2, occurred_at=when))

    reason = (
        f"Key {CLERK.key_id} is valid from {format_time(minute(5))} until "
        f"{format_time(minute(10))}, not at {format_time(when)}"
    )
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify()


def test_a_key_signing_in_the_last_moment_of_its_validity_is_accepted(forged: Forgery) -> None:
    forged.append(forged.sign(CLERK, CLERKS, 2, occurred_at=minute(9.9999)))

    assert forged.verify().report.entries == ENTRIES + 1


def test_a_key_writing_a_type_its_role_may_not_write_is_refused(forged: Forgery) -> None:
    forged.append(forged.sign(GOVERNMENT, PANELS, 5, CONVENED, occurred_at=minute(14)))

    reason = f"Key {GOVERNMENT.key_id} has role 'government', which may not write {CONVENED}"
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify()


def test_a_key_never_enrolled_is_refused(forged: Forgery) -> None:
    forged.append(forged.sign(STRANGER, PANELS, 5, occurred_at=minute(14)))

    reason = (
        f"Key {STRANGER.key_id} is not enrolled in this ledger; ask the charter key to enrol it"
    )
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify()


def test_a_key_filling_its_own_revocation_slot_is_refused(forged: Forgery) -> None:
    stream = signer_stream(SECRETARIAT.key_id)
    forged.append(forged.sign(SECRETARIAT, stream, 2, occurred_at=minute(14)))

    reason = (
        f"Stream {stream} belongs to a signer's enrolment and revocation; {CONVENED} cannot be "
        "written there"
    )
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify()


def test_an_event_type_of_the_ledger_that_does_not_exist_is_refused(forged: Forgery) -> None:
    renamed = forged.sign(CHARTER, uuid.uuid4(), 1, "ledger.signer.renamed", occurred_at=minute(14))
    forged.append(renamed)

    reason = "ledger.signer.renamed is not an event type of the ledger"
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify()


# --- the same forgeries in the database, read by verify as `assembly verify` does ---------------


def verify_database(url: str) -> None:
    recorder = open_recorder(url)
    try:
        verification_report(recorder, POLICY)
    except VerificationFailed as failure:
        # Without its tracebacks, the failure no longer holds the database scan open.
        failure.__context__ = None
        raise failure.with_traceback(None) from None
    finally:
        recorder.datastore.engine.dispose()  # type: ignore[union-attr]


@pytest.fixture
def attacker(ledger_url: str) -> Iterator[tuple[Attacker, Forgery]]:
    ledger = history(ledger_url)
    forgery = Forgery(rows_of(ledger))
    ledger.close()
    attack = Attacker(ledger_url)
    yield attack, forgery
    attack.close()


def test_in_the_database_an_entry_whose_prev_names_a_removed_entry_is_refused(
    ledger_url: str, attacker: tuple[Attacker, Forgery]
) -> None:
    attack, _ = attacker
    attack.delete_entry(LONE_SEQ, with_event=True)
    moved = attack.entry(LONE_SEQ + 1)
    attack.run(
        "UPDATE ledger_entries SET seq = :seq WHERE seq = :old", seq=LONE_SEQ, old=LONE_SEQ + 1
    )
    digest = entry_hash(
        seq=LONE_SEQ,
        prev=moved["prev"],
        body=moved["state"],
        sig=moved["sig"],
        recorded_at=moved["recorded_at"],
    )
    attack.run("UPDATE ledger_entries SET hash = :hash WHERE seq = :seq", hash=digest, seq=LONE_SEQ)

    with pytest.raises(VerificationFailed, match=failure(LONE_SEQ, PREV)):
        verify_database(ledger_url)


def test_in_the_database_a_revoked_key_signing_after_its_revocation_is_refused(
    ledger_url: str, attacker: tuple[Attacker, Forgery]
) -> None:
    attack, forgery = attacker
    stream = uuid.uuid4()
    signed = forgery.sign(RETIRED, stream, 1, occurred_at=minute(6))
    seq = attack.append_forged(
        body=signed.body,
        sig=signed.sig,
        stream=stream,
        version=1,
        topic=signed.type,
        recorded_at=forgery.next_time(),
    )

    reason = f"Key {RETIRED.key_id} was revoked at {format_time(minute(7))} and may no longer sign"
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        verify_database(ledger_url)


def test_in_the_database_an_entry_removed_from_beside_its_event_is_refused(
    ledger_url: str, attacker: tuple[Attacker, Forgery]
) -> None:
    attack, _ = attacker
    attack.delete_entry(LONE_SEQ, with_event=False)

    reason = "an event without a ledger entry was stored here"
    with pytest.raises(VerificationFailed, match=failure(LONE_SEQ, reason)):
        verify_database(ledger_url)


def test_in_the_database_an_event_slipped_in_after_the_last_entry_is_refused(
    ledger_url: str, attacker: tuple[Attacker, Forgery]
) -> None:
    attack, forgery = attacker
    signed = forgery.sign(SECRETARIAT, PANELS, 5, occurred_at=minute(14))
    attack.insert_event(stream=PANELS, version=5, topic=signed.type, body=signed.body)

    reason = "an event without a ledger entry was stored here"
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        verify_database(ledger_url)


def test_in_the_database_the_honest_history_verifies(
    ledger_url: str, attacker: tuple[Attacker, Forgery]
) -> None:
    recorder = open_recorder(ledger_url)
    try:
        report = verification_report(recorder, POLICY, expect=[attacker[1].head])
    finally:
        recorder.datastore.engine.dispose()  # type: ignore[union-attr]

    assert (report.entries, report.signers, report.streams) == (ENTRIES, 5, 10)
    assert report.head == attacker[1].head


# --- the ledger every signature names, and canonical bodies --------------------------------------

OTHER_LEDGER = "0123456789abcdef0123456789abcdef"


def test_a_body_signed_for_another_ledger_is_refused(forged: Forgery) -> None:
    fields = forged.fields_of(forged.sign(SECRETARIAT, PANELS, 5, occurred_at=minute(14)))
    ours, fields["ledger"] = fields["ledger"], OTHER_LEDGER
    forged.append(forged.sign_fields(SECRETARIAT, fields))

    reason = (
        f"{CONVENED} was signed for ledger {OTHER_LEDGER}, and this is ledger {ours}: an event "
        "signed for one ledger, or for a copy of it, is never taken by another; sign it for "
        "this ledger"
    )
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify()


def test_a_body_of_the_earlier_format_after_the_ledger_moved_on_is_refused(
    forged: Forgery,
) -> None:
    fields = forged.fields_of(forged.sign(SECRETARIAT, PANELS, 5, occurred_at=minute(14)))
    del fields["ledger"]  # signed under the earlier release's context, which names no ledger
    forged.append(forged.sign_fields(SECRETARIAT, fields))

    reason = (
        f"{CONVENED} is signed under the signing context of an earlier release, which names no "
        "ledger; sign it again with this release"
    )
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify()


def declare(
    forged: Forgery,
    payload: dict[str, Any],
    *,
    stream: uuid.UUID = IDENTITY_STREAM,
    event_type: str = IDENTITY_DECLARED,
) -> int:
    """Append the charter's identity declaration (or ``event_type``) with ``payload``."""
    signed = forged.sign(CHARTER, stream, 1, event_type, payload, occurred_at=minute(14))
    return forged.append(signed)


def test_a_declared_identity_is_what_every_later_body_names(forged: Forgery) -> None:
    ours = forged[0].fields["ledger"]
    declare(forged, {"ledger": OTHER_LEDGER, "reason": "A staging copy"})
    assert forged.verify().report.identity == OTHER_LEDGER
    forged.append(forged.sign(SECRETARIAT, PANELS, 5, occurred_at=minute(15)))  # names `ours`

    reason = (
        f"{CONVENED} was signed for ledger {ours}, and this is ledger {OTHER_LEDGER}: an event "
        "signed for one ledger, or for a copy of it, is never taken by another; sign it for "
        "this ledger"
    )
    with pytest.raises(VerificationFailed, match=failure(ENTRIES + 1, reason)):
        forged.verify()


@pytest.mark.parametrize(
    "payload, reason",
    [
        ({"ledger": OTHER_LEDGER}, f"A {IDENTITY_DECLARED} payload holds exactly ledger, reason"),
        ({"ledger": "staging", "reason": "A copy"}, "A new identity is 32 hexadecimal digits"),
        ({"ledger": 7, "reason": "A copy"}, "A new identity is 32 hexadecimal digits"),
        ({"ledger": OTHER_LEDGER, "reason": " "}, "An identity declaration needs a reason"),
        ({"ledger": OTHER_LEDGER, "reason": None}, "An identity declaration needs a reason"),
    ],
)
def test_an_identity_declaration_of_the_wrong_shape_is_refused(
    forged: Forgery, payload: dict[str, Any], reason: str
) -> None:
    seq = declare(forged, payload)

    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


def test_an_identity_declaration_of_the_identity_it_has_is_refused(forged: Forgery) -> None:
    ours = forged[0].fields["ledger"]
    seq = declare(forged, {"ledger": ours, "reason": "Again"})

    reason = f"The ledger already has the identity {ours}"
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


def test_an_identity_declaration_outside_its_stream_is_refused(forged: Forgery) -> None:
    seq = declare(forged, {"ledger": OTHER_LEDGER, "reason": "A copy"}, stream=uuid.uuid4())

    reason = f"{IDENTITY_DECLARED} belongs in stream {IDENTITY_STREAM}"
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


def test_another_event_in_the_identity_stream_is_refused(forged: Forgery) -> None:
    seq = declare(forged, {"number": 1}, event_type="assembly.charter.adopted")

    reason = (
        f"Stream {IDENTITY_STREAM} holds the ledger's identity declarations and nothing else; "
        "assembly.charter.adopted cannot be written there"
    )
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


def test_a_signed_body_that_is_not_its_canonical_form_is_refused(forged: Forgery) -> None:
    honest = forged.sign(SECRETARIAT, PANELS, 5, occurred_at=minute(14))
    spaced = honest.body.replace(b'"payload":{', b'"payload": {')
    forged.append(SignedEvent(body=spaced, sig=SECRETARIAT.sign(spaced), fields=honest.fields))

    at = spaced.index(b" {")
    reason = (
        "the event body is not canonical: the bytes are not their RFC 8785 canonical form (they "
        f"differ from it at byte {at}: white space, key order, an escape or a number's "
        "spelling); send the canonical bytes"
    )
    with pytest.raises(VerificationFailed, match=failure(ENTRIES, reason)):
        forged.verify()


# --- a ledger of the earlier release ---------------------------------------------------------


def legacy_body(
    signer: Signer, event: NewEvent, *, stream: uuid.UUID, version: int
) -> dict[str, Any]:
    """The fields of a body as the earlier release signed them: no ledger named."""
    return {
        "type": event.type,
        "schema": 1,
        "stream": str(stream),
        "version": version,
        "occurred_at": format_time(event.occurred_at),
        "payload": dict(event.payload),
        "signer": signer.key_id,
    }


def legacy_genesis() -> Forgery:
    """A ledger as the earlier release began one: the charter key enrolling itself in a v1 body."""
    legacy = Forgery([])
    genesis = enrolment(
        CHARTER.public_key,
        role="charter",
        name="Charter",
        valid_from=minute(0),
        occurred_at=minute(0),
    )
    body = legacy_body(CHARTER, genesis, stream=signer_stream(CHARTER.key_id), version=1)
    legacy.append(legacy.sign_fields(CHARTER, body), recorded_at=format_time(minute(0)))
    return legacy


def test_an_earlier_releases_ledger_verifies_and_names_its_bodies_that_are_not_canonical() -> None:
    legacy = legacy_genesis()
    secretariat = enrolment(
        SECRETARIAT.public_key,
        role="secretariat",
        name="Secretariat",
        valid_from=minute(1),
        occurred_at=minute(1),
    )
    where = signer_stream(SECRETARIAT.key_id)
    fields = legacy_body(CHARTER, secretariat, stream=where, version=1)
    spaced = canonical_bytes(fields).replace(b'"payload":{', b'"payload": {')
    legacy.append(SignedEvent(body=spaced, sig=CHARTER.sign(spaced), fields=fields))

    report = legacy.verify().report

    assert (report.entries, report.signers, report.noncanonical) == (2, 2, (1,))
    assert report.identity == legacy_identity(legacy[0].hash)


# --- what verify reports, and how it spreads the work ------------------------------------------


def test_verify_counts_every_row_it_reads_in_its_progress(forged: Forgery) -> None:
    seen: list[int] = []
    values = [astuple(row) for row in forged.rows]

    verify_rows([values[:5], values[5:]], POLICY, progress=seen.append)

    assert seen == [5, ENTRIES - 5]


def test_short_ledgers_are_checked_in_this_process_and_long_ones_by_every_core() -> None:
    assert default_workers(PARALLEL_FROM - 1) == 0
    assert default_workers(PARALLEL_FROM) == (os.cpu_count() or 1)


@pytest.mark.parametrize("batch, bad", [(1, (3, 9)), (3, (3, 9)), (1, (ENTRIES - 1,))])
def test_signatures_checked_in_a_worker_process_report_the_first_bad_one(
    forged: Forgery, batch: int, bad: tuple[int, ...]
) -> None:
    # With one worker, at most two batches wait for it: the first bad signature is found whether
    # its batch was waited for while the walk went on or only at the end.
    for seq in bad:
        forged.rows[seq] = replace(forged[seq], sig=GOVERNMENT.sign(forged[seq].body or b""))
    forged.relink(bad[0])
    values = [astuple(row) for row in forged.rows]
    batches = [values[start : start + batch] for start in range(0, len(values), batch)]

    reason = "the signature does not verify with the signer's enrolled key"
    with pytest.raises(VerificationFailed, match=failure(bad[0], reason)):
        verify_rows(batches, POLICY, workers=1)


def test_in_the_database_a_head_seen_before_is_checked_and_progress_reported(
    ledger_url: str, attacker: tuple[Attacker, Forgery]
) -> None:
    attack, forgery = attacker
    attack.delete_entry(ENTRIES - 1, with_event=True)
    seen: list[int] = []
    recorder = open_recorder(ledger_url)
    try:
        with pytest.raises(HeadMismatch, match="it was truncated or rolled back") as failed:
            verification_report(recorder, POLICY, expect=[forgery.head], progress=seen.append)
        failed.value.__traceback__ = None
    finally:
        recorder.datastore.engine.dispose()  # type: ignore[union-attr]

    assert sum(seen) == ENTRIES - 1


def test_an_identity_declaration_of_the_earlier_format_is_refused() -> None:
    legacy = legacy_genesis()
    declared = NewEvent(IDENTITY_DECLARED, {"ledger": OTHER_LEDGER, "reason": "A copy"}, minute(1))
    body = legacy_body(CHARTER, declared, stream=IDENTITY_STREAM, version=1)
    legacy.append(legacy.sign_fields(CHARTER, body))

    reason = "An identity declaration must name the ledger it is for"
    with pytest.raises(VerificationFailed, match=failure(1, reason)):
        legacy.verify()


@given(st.uuids())
def test_a_stream_s_text_is_the_uuid_s_own_text_whatever_form_it_is_stored_in(
    stream: uuid.UUID,
) -> None:
    text = str(stream)
    forms = (stream, stream.bytes, text, text.upper(), f"{{{text}}}", f"urn:uuid:{text}")
    assert {stream_text(form) for form in (*forms, stream.hex)} == {text}
    for bad in (f"{text}0", f" {text}", text[:-1]):  # as uuid.UUID refuses them
        with pytest.raises(ValueError):
            stream_text(bad)
