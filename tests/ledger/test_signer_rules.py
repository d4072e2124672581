"""The signer rules of ``ledger.signers``, each caught on its own by ``verify``.

Entry 0, enrolments and revocations forged by the holder of the charter key, who may write the
ledger's own events: each body is signed, hashed and linked as the ledger would, and only the
rule under test is left to refuse it (see ``tests.forgery``).
"""

from __future__ import annotations

import base64
import re
import uuid
from typing import Any

import pytest

from ledger import Signer
from ledger.canonical import format_time
from ledger.errors import LedgerRuleBroken, VerificationFailed
from ledger.signers import ENROLLED, REVOKED, SignerBook, enrolment, signer_stream
from tests.forgery import (
    CHARTER,
    ENTRIES,
    POLICY,
    RETIRED,
    SECRETARIAT,
    Forgery,
    failure,
    minute,
)

NEWCOMER = Signer.from_seed(bytes([6]) * 32)
GENESIS = (
    "Entry 0 must be the charter key enrolling itself (ledger.signer.enrolled, role charter, "
    "signed by the key it enrols)"
)


def enrolment_of(key: Signer = NEWCOMER, **changes: Any) -> dict[str, Any]:
    payload = {
        "public_key": key.public_key.b64,
        "role": "secretariat",
        "name": "Newcomer",
        "valid_from": format_time(minute(14)),
        "valid_until": None,
    }
    payload.update(changes)
    return payload


def enrol(
    forged: Forgery, payload: dict[str, Any], *, stream: uuid.UUID | None = None, version: int = 1
) -> int:
    """Append the charter's enrolment with ``payload``; return its seq."""
    where = stream or signer_stream(NEWCOMER.key_id)
    return forged.append(
        forged.sign(CHARTER, where, version, ENROLLED, payload, occurred_at=minute(14))
    )


def revoke(forged: Forgery, payload: dict[str, Any], *, stream: uuid.UUID, version: int) -> int:
    return forged.append(
        forged.sign(CHARTER, stream, version, REVOKED, payload, occurred_at=minute(14))
    )


# --- entry 0 ---------------------------------------------------------------------------------


def replace_genesis(
    forged: Forgery, event_type: str, payload: dict[str, Any], stream: uuid.UUID
) -> None:
    """Put the charter's signature of another event in entry 0 and re-link the rest."""
    signed = forged.sign(CHARTER, stream, 1, event_type, payload, occurred_at=minute(0))
    forged.rows[0] = forged.row_of(0, signed, prev=bytes(32), recorded_at=forged[0].recorded_at)
    forged.relink(1)


def test_an_entry_zero_that_enrols_nobody_is_refused(forged: Forgery) -> None:
    replace_genesis(forged, "assembly.charter.adopted", {"number": 0}, uuid.uuid4())

    with pytest.raises(VerificationFailed, match=failure(0, GENESIS)):
        forged.verify()


def test_an_entry_zero_of_another_type_with_a_charters_payload_is_refused(
    forged: Forgery,
) -> None:
    payload = enrolment_of(CHARTER, role="charter", valid_from=format_time(minute(0)))
    replace_genesis(forged, "assembly.charter.adopted", payload, signer_stream(CHARTER.key_id))

    with pytest.raises(VerificationFailed, match=failure(0, GENESIS)):
        forged.verify()


def test_an_entry_zero_that_enrols_a_key_of_another_role_is_refused(forged: Forgery) -> None:
    payload = enrolment_of(CHARTER, role="secretariat", valid_from=format_time(minute(0)))
    replace_genesis(forged, ENROLLED, payload, signer_stream(CHARTER.key_id))

    with pytest.raises(VerificationFailed, match=failure(0, GENESIS)):
        forged.verify()


def test_an_entry_zero_that_enrols_another_key_than_its_signer_is_refused(
    forged: Forgery,
) -> None:
    payload = enrolment_of(SECRETARIAT, role="charter", valid_from=format_time(minute(0)))
    replace_genesis(forged, ENROLLED, payload, signer_stream(SECRETARIAT.key_id))

    with pytest.raises(VerificationFailed, match=failure(0, GENESIS)):
        forged.verify()


# --- enrolments --------------------------------------------------------------------------------


def test_a_well_formed_enrolment_with_a_validity_window_is_accepted(forged: Forgery) -> None:
    enrol(forged, enrolment_of(valid_until=format_time(minute(14.0001))))

    assert forged.verify().report.signers == 6


@pytest.mark.parametrize(
    "changes",
    [{"note": "extra"}, {"valid_until": ...}],
    ids=["a member too many", "a member missing"],
)
def test_an_enrolment_payload_without_exactly_its_members_is_refused(
    forged: Forgery, changes: dict[str, Any]
) -> None:
    payload = {k: v for k, v in enrolment_of(**changes).items() if v is not ...}
    seq = enrol(forged, payload)

    reason = (
        "A ledger.signer.enrolled payload holds exactly name, public_key, role, valid_from, "
        "valid_until"
    )
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


@pytest.mark.parametrize(
    "public_key",
    [
        base64.b64encode(bytes(31)).decode(),
        "not base64!",
        NEWCOMER.public_key.b64[:20] + "!" + NEWCOMER.public_key.b64[20:],
        7,
    ],
    ids=["31 bytes", "not base64", "a key with a stray character", "not text"],
)
def test_an_enrolment_without_an_ed25519_key_is_refused(forged: Forgery, public_key: Any) -> None:
    seq = enrol(forged, enrolment_of(public_key=public_key), stream=uuid.uuid4())

    reason = "The enrolment does not hold a 32-byte Ed25519 public key"
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


def test_an_enrolment_outside_its_keys_stream_is_refused(forged: Forgery) -> None:
    seq = enrol(forged, enrolment_of(), stream=uuid.uuid4())

    reason = f"An enrolment of {NEWCOMER.key_id} belongs at version 1 of its stream"
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


def test_a_second_enrolment_in_a_keys_stream_is_refused(forged: Forgery) -> None:
    enrol(forged, enrolment_of())
    seq = enrol(forged, enrolment_of(role="charter"), version=2)

    reason = f"An enrolment of {NEWCOMER.key_id} belongs at version 1 of its stream"
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


def test_a_key_enrolled_twice_is_refused_by_the_book(forged: Forgery) -> None:
    # In a ledger the second enrolment would need a second version 1 of the key's stream, which
    # the stream check refuses first; the book (which the append path and the bundle export
    # use too) refuses it on its own.
    book = SignerBook(POLICY)
    genesis = enrolment_of(CHARTER, role="charter", valid_from=format_time(minute(0)))
    stream = signer_stream(CHARTER.key_id)
    book.admit(0, forged.sign(CHARTER, stream, 1, ENROLLED, genesis, occurred_at=minute(0)).fields)
    again = forged.sign(CHARTER, stream, 1, ENROLLED, genesis, occurred_at=minute(1))

    with pytest.raises(LedgerRuleBroken, match=f"^Key {CHARTER.key_id} is already enrolled.$"):
        book.admit(1, again.fields)


def test_an_enrolment_with_a_role_the_policy_does_not_know_is_refused(forged: Forgery) -> None:
    seq = enrol(forged, enrolment_of(role="auditor"))

    reason = "Role 'auditor' is not one of charter, commission, government, log, secretariat"
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


@pytest.mark.parametrize("name", ["  ", "", 7])
def test_an_enrolment_without_a_holders_name_is_refused(forged: Forgery, name: Any) -> None:
    seq = enrol(forged, enrolment_of(name=name))

    reason = "An enrolment needs the display name of the key's holder"
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


@pytest.mark.parametrize(
    "changes",
    [
        {"valid_from": "2026-01-05"},
        {"valid_from": None},
        {"valid_until": "2026-01-05T09:14:00Z"},
        {"valid_until": 1},
    ],
)
def test_an_enrolment_whose_validity_is_not_utc_timestamps_is_refused(
    forged: Forgery, changes: dict[str, Any]
) -> None:
    seq = enrol(forged, enrolment_of(**changes))

    reason = "The validity of an enrolment must be UTC timestamps"
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


@pytest.mark.parametrize("until", [14, 13.5])
def test_an_enrolment_whose_validity_ends_before_it_starts_is_refused(
    forged: Forgery, until: float
) -> None:
    seq = enrol(forged, enrolment_of(valid_until=format_time(minute(until))))

    reason = "A key's validity must end after it starts"
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


# --- revocations -------------------------------------------------------------------------------


def test_a_revocation_payload_without_exactly_its_members_is_refused(forged: Forgery) -> None:
    payload = {"key_id": SECRETARIAT.key_id, "reason": "Lost", "by": "phone"}
    seq = revoke(forged, payload, stream=signer_stream(SECRETARIAT.key_id), version=2)

    reason = "A ledger.signer.revoked payload holds exactly key_id, reason"
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


@pytest.mark.parametrize("key_id", [NEWCOMER.key_id, 7, ["a", "list"]])
def test_a_revocation_of_a_key_never_enrolled_is_refused(forged: Forgery, key_id: Any) -> None:
    stream = signer_stream(NEWCOMER.key_id)
    seq = revoke(forged, {"key_id": key_id, "reason": "Lost"}, stream=stream, version=1)

    reason = f"Key {key_id} cannot be revoked: it was never enrolled"
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


def test_a_revocation_outside_its_keys_stream_is_refused(forged: Forgery) -> None:
    payload = {"key_id": SECRETARIAT.key_id, "reason": "Lost"}
    seq = revoke(forged, payload, stream=uuid.uuid4(), version=1)

    reason = f"A revocation of {SECRETARIAT.key_id} belongs at version 2 of its stream"
    with pytest.raises(VerificationFailed, match=failure(seq, reason)):
        forged.verify()


def test_a_second_revocation_of_a_key_is_refused(forged: Forgery) -> None:
    """Said as what it is, not as the stream version it would take: the desk and the command
    line refuse it in the same words before anything is signed."""
    payload = {"key_id": RETIRED.key_id, "reason": "Again"}
    seq = revoke(forged, payload, stream=signer_stream(RETIRED.key_id), version=3)

    said = failure(seq, f"Key {RETIRED.key_id} was revoked at entry 0: a key is revoked once")
    with pytest.raises(VerificationFailed, match=said.replace(re.escape("entry 0"), r"entry \d+")):
        forged.verify()


@pytest.mark.parametrize("why", ["   ", None])
def test_a_revocation_without_a_reason_is_refused(forged: Forgery, why: Any) -> None:
    payload = {"key_id": SECRETARIAT.key_id, "reason": why}
    seq = revoke(forged, payload, stream=signer_stream(SECRETARIAT.key_id), version=2)

    with pytest.raises(VerificationFailed, match=failure(seq, "A revocation needs a reason")):
        forged.verify()


def test_a_revoked_key_is_listed_with_where_and_why(forged: Forgery) -> None:
    book = forged.verify().book
    record = book.get(RETIRED.key_id)

    assert (record.revoked_seq, record.revoked_at, record.revocation_reason) == (
        7,
        format_time(minute(7)),
        "Left the secretariat",
    )
    assert (record.enrolled_seq, record.role, record.name) == (4, "secretariat", "Retired clerk")
    assert len(forged) == ENTRIES


def test_an_enrolment_event_carries_the_keys_validity_window() -> None:
    event = enrolment(
        NEWCOMER.public_key,
        role="secretariat",
        name="Newcomer",
        valid_from=minute(5),
        valid_until=minute(10),
        occurred_at=minute(4),
    )
    open_ended = enrolment(
        NEWCOMER.public_key,
        role="secretariat",
        name="Newcomer",
        valid_from=minute(5),
        occurred_at=minute(4),
    )

    assert event.payload == enrolment_of(
        valid_from=format_time(minute(5)), valid_until=format_time(minute(10))
    )
    assert open_ended.payload["valid_until"] is None
    assert (event.type, event.occurred_at) == (ENROLLED, minute(4))


@pytest.mark.parametrize(
    ("first", "said"), [(5, "was revoked at entry 5"), (-1, "is already revoked")]
)
def test_a_key_revoked_twice_is_refused_by_the_book(forged: Forgery, first: int, said: str) -> None:
    """The book says at which entry the key was revoked, or, where it learnt the revocation as
    earlier history without its seq (-1, as an append's check learns the entries before it),
    only that it is: never an entry -1."""
    book = SignerBook(POLICY)
    genesis = enrolment_of(CHARTER, role="charter", valid_from=format_time(minute(0)))
    book.admit(
        0,
        forged.sign(
            CHARTER, signer_stream(CHARTER.key_id), 1, ENROLLED, genesis, occurred_at=minute(0)
        ).fields,
    )
    book.admit(
        1,
        forged.sign(
            CHARTER,
            signer_stream(SECRETARIAT.key_id),
            1,
            ENROLLED,
            enrolment_of(SECRETARIAT),
            occurred_at=minute(1),
        ).fields,
    )
    stream = signer_stream(SECRETARIAT.key_id)
    payload = {"key_id": SECRETARIAT.key_id, "reason": "Lost"}
    book.learn(
        first, forged.sign(CHARTER, stream, 2, REVOKED, payload, occurred_at=minute(2)).fields
    )
    again = forged.sign(CHARTER, stream, 2, REVOKED, payload, occurred_at=minute(3))

    with pytest.raises(
        LedgerRuleBroken, match=f"^Key {SECRETARIAT.key_id} {said}: a key is revoked once.$"
    ):
        book.learn(6, again.fields)
