"""A signature is for one ledger: copies, replays, dry runs and ledgers of the earlier release."""

from __future__ import annotations

import base64
import json
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.roles import ROLE_GRANTS
from ledger import Ledger, NewEvent, RolePolicy, SignedEvent, Signer, sign_events
from ledger.canonical import LEGACY_CONTEXT, canonical_bytes, entry_hash, format_time, is_bound
from ledger.errors import BadSignature, LedgerIsACopy, VerificationFailed, WrongLedger
from ledger.identity import IDENTITY_STREAM, legacy_identity
from ledger.storage import open_recorder
from ledger.verify import verification_report
from tests.conftest import World
from tests.tamper import Attacker

POLICY = RolePolicy(ROLE_GRANTS)
# Written by release 0.1 (before signing context v2) with keys from fixed seeds: the charter
# (seed 1) and the secretariat (seed 2); entries 2-4 are panel notes, and entry 5 a note whose
# body that release let through its submissions pretty-printed, not canonical.
RELEASE_0_1 = Path(__file__).parents[1] / "fixtures" / "release-0.1.db"
CHARTER, SECRETARIAT = Signer.from_seed(bytes([1]) * 32), Signer.from_seed(bytes([2]) * 32)
NOTES = uuid.UUID("00000000-0000-4000-8000-00000000f1a7")


def _note(n: int, at: datetime) -> NewEvent:
    return NewEvent("assembly.panel.noted", {"n": n}, occurred_at=at)


def _verify(url: str):  # type: ignore[no-untyped-def]
    recorder = open_recorder(url)
    try:
        return verification_report(recorder, POLICY, workers=0)
    finally:
        recorder.datastore.engine.dispose()  # type: ignore[union-attr]


@pytest.fixture
def release_0_1(tmp_path: Path) -> str:
    target = tmp_path / "old.db"
    shutil.copyfile(RELEASE_0_1, target)
    return str(target)


# --- upgrade -----------------------------------------------------------------------------------


def test_a_ledger_of_the_earlier_release_verifies_and_names_its_non_canonical_entry(
    release_0_1: str,
) -> None:
    report = _verify(release_0_1)

    assert report.entries == 6
    assert report.noncanonical == (5,)
    genesis_hash = open_recorder(release_0_1).read_entries(limit=1)[0].hash
    assert report.identity == legacy_identity(genesis_hash)


def test_a_ledger_of_the_earlier_release_takes_new_appends_under_the_new_context(
    release_0_1: str,
) -> None:
    book = Ledger.open(release_0_1, POLICY)
    identity = book.identity()
    [entry] = book.append_new(SECRETARIAT, NOTES, 4, [_note(5, datetime.now(UTC))])

    assert is_bound(entry.body)
    assert entry.event["ledger"] == identity
    report = _verify(release_0_1)
    assert (report.entries, report.identity, report.noncanonical) == (7, identity, (5,))


def test_a_ledger_of_the_earlier_release_refuses_new_appends_under_the_old_context(
    release_0_1: str,
) -> None:
    book = Ledger.open(release_0_1, POLICY)
    old = _legacy_signed(SECRETARIAT, NOTES, 5, _note(5, datetime.now(UTC)))

    with pytest.raises(WrongLedger, match="signing context of an earlier release"):
        book.append(NOTES, 4, [old])
    assert book.count() == 6


def _legacy_signed(signer: Signer, stream: uuid.UUID, version: int, event: NewEvent) -> SignedEvent:
    """An event as release 0.1 signed it: no ledger named, under the v1 context."""
    [bound] = sign_events(signer, stream, version - 1, [event], ledger="00" * 16)
    fields = {name: value for name, value in bound.fields.items() if name != "ledger"}
    body = canonical_bytes(fields)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    sig = Ed25519PrivateKey.from_private_bytes(signer.seed).sign(LEGACY_CONTEXT + body)
    return SignedEvent(body=body, sig=sig, fields=fields)


def test_a_v1_entry_after_the_ledgers_first_v2_entry_fails_verification(
    release_0_1: str,
) -> None:
    book = Ledger.open(release_0_1, POLICY)
    now = datetime.now(UTC)
    book.append_new(SECRETARIAT, NOTES, 4, [_note(5, now)])
    old = _legacy_signed(SECRETARIAT, NOTES, 6, _note(6, now))
    attacker = Attacker(release_0_1)
    recorded_at = attacker.entry(6)["recorded_at"]
    seq = attacker.append_forged(
        body=old.body, sig=old.sig, stream=NOTES, version=6, topic=old.type, recorded_at=recorded_at
    )
    attacker.close()

    with pytest.raises(VerificationFailed, match=f"seq {seq}: .*context of an earlier release"):
        _verify(release_0_1)


def test_a_v2_entry_stored_in_a_form_that_is_not_canonical_fails_verification(
    world: World,
) -> None:
    [signed] = sign_events(
        world.secretariat, NOTES, 0, [world.event()], ledger=world.ledger.identity()
    )
    spaced = json.dumps(json.loads(signed.body), indent=1).encode()
    # Signed as spaced and chained as spaced: only the canonical-bytes rule can refuse it.
    sig = world.secretariat.sign(spaced)
    assert spaced.startswith(b'{\n "ledger"')
    attacker = Attacker(world.url)
    seq = attacker.append_forged(
        body=b'{"ledger":"' + spaced[len(b'{\n "ledger": "') :],
        sig=sig,
        stream=NOTES,
        version=1,
        topic=signed.type,
        recorded_at=format_time(world.clock()),
    )
    attacker.close()

    with pytest.raises(VerificationFailed, match=f"seq {seq}: the event body is not canonical"):
        _verify(world.url)


# --- copies ------------------------------------------------------------------------------------


@pytest.fixture
def original(tmp_path: Path) -> Ledger:
    book = Ledger.create(str(tmp_path / "production.db"), POLICY, CHARTER, name="Charter")
    book.enrol(CHARTER, SECRETARIAT.public_key, role="secretariat", name="Secretariat")
    book.close()
    return Ledger.open(str(tmp_path / "production.db"), POLICY)


def _copy(original: Ledger, tmp_path: Path) -> Ledger:
    target = tmp_path / "staging.db"
    shutil.copyfile(Path(original.recorder.place().removeprefix("sqlite:")), target)
    return Ledger.open(str(target), POLICY)


def test_a_copy_of_a_ledgers_database_takes_no_writes_until_told_what_it_is(
    original: Ledger, tmp_path: Path
) -> None:
    copy = _copy(original, tmp_path)

    with pytest.raises(LedgerIsACopy, match=r"production\.db and is now opened at .*staging\.db"):
        copy.append_new(SECRETARIAT, NOTES, 0, [_note(1, datetime.now(UTC))])
    assert copy.count() == original.count()


def test_an_event_written_to_a_copy_is_refused_by_the_original(
    original: Ledger, tmp_path: Path
) -> None:
    copy = _copy(original, tmp_path)
    copy.declare_identity(CHARTER, reason="staging copy for the new desk")
    assert copy.identity() != original.identity()
    [written] = copy.append_new(SECRETARIAT, NOTES, 0, [_note(1, datetime.now(UTC))])
    replayed = SignedEvent.from_parts(written.body, written.sig)
    before = original.count()

    with pytest.raises(WrongLedger, match=f"signed for ledger {copy.identity()}"):
        original.append(NOTES, 0, [replayed])
    assert original.count() == before


def test_an_event_written_to_the_original_is_refused_by_the_copy(
    original: Ledger, tmp_path: Path
) -> None:
    copy = _copy(original, tmp_path)
    copy.declare_identity(CHARTER, reason="staging copy for the new desk")
    [written] = original.append_new(SECRETARIAT, NOTES, 0, [_note(1, datetime.now(UTC))])

    with pytest.raises(WrongLedger, match=f"this is ledger {copy.identity()}"):
        copy.append(NOTES, 0, [SignedEvent.from_parts(written.body, written.sig)])
    assert _verify(copy.recorder.location.removeprefix("sqlite:///")).entries == copy.count()


def test_a_dry_runs_bytes_from_a_copy_are_refused_by_the_original(
    original: Ledger, tmp_path: Path
) -> None:
    [rehearsed] = sign_events(
        SECRETARIAT,
        NOTES,
        0,
        [_note(1, datetime.now(UTC))],
        ledger=original.identity(),
        dry_run=True,
    )
    before = original.count()

    with pytest.raises(BadSignature, match="does not verify"):
        original.append(NOTES, 0, [rehearsed])
    assert original.count() == before


def test_a_copy_with_its_own_identity_verifies_and_names_it(
    original: Ledger, tmp_path: Path
) -> None:
    copy = _copy(original, tmp_path)
    entry = copy.declare_identity(CHARTER, reason="staging")

    assert entry.event["stream"] == str(IDENTITY_STREAM)
    assert _verify(copy.recorder.location.removeprefix("sqlite:///")).identity == copy.identity()


def test_a_moved_ledger_takes_writes_under_the_same_identity(
    original: Ledger, tmp_path: Path
) -> None:
    copy = _copy(original, tmp_path)
    copy.moved_here()
    [entry] = copy.append_new(SECRETARIAT, NOTES, 0, [_note(1, datetime.now(UTC))])

    assert entry.event["ledger"] == original.identity()


def test_only_a_charter_key_declares_an_identity(original: Ledger, tmp_path: Path) -> None:
    copy = _copy(original, tmp_path)

    with pytest.raises(Exception, match=r"may not write ledger\.identity\.declared"):
        copy.declare_identity(SECRETARIAT, reason="staging")


def test_an_entry_hash_covers_the_ledger_it_names(world: World) -> None:
    [entry] = world.append(world.secretariat, NOTES, 0, world.event())
    assert entry.hash == entry_hash(
        seq=entry.seq,
        prev=entry.prev,
        body=entry.body,
        sig=entry.sig,
        recorded_at=entry.recorded_at,
    )
    assert world.ledger.identity().encode() in entry.body


# --- bundles of a ledger that holds a body stored in a form that is not canonical ---------------


def test_a_bundle_of_the_earlier_release_carries_its_stored_bytes_and_verifies(
    release_0_1: str, tmp_path: Path
) -> None:
    from ledger.bundle import BUNDLE_FORMAT_STORED_BODIES, check_bundle, export_bundle
    from ledger.tree import issue_checkpoint
    from tests.ledger.test_bundle import LOG_KEY, ORIGIN, VKEY

    book = Ledger.open(release_0_1, POLICY)
    book.append_new(SECRETARIAT, NOTES, 4, [_note(5, datetime.now(UTC))])
    issued = issue_checkpoint(book.recorder, LOG_KEY, origin=ORIGIN)
    folder = tmp_path / "bundle"
    export_bundle(book, issued, folder, files={})

    lines = (folder / "entries.jsonl").read_bytes().splitlines()
    assert [line[:8] for line in lines] == [b'{"event"'] * 5 + [b'{"body":'] + [b'{"event"']
    stored = book.recorder.read_entries(start=5, limit=1)[0].body
    assert json.loads(lines[5])["body"] == base64.b64encode(stored).decode()
    assert json.loads((folder / "bundle.json").read_bytes())["format"] == (
        BUNDLE_FORMAT_STORED_BODIES
    )
    assert check_bundle(folder, [VKEY], POLICY).checkpoint.size == 7
    assert _verify(release_0_1).noncanonical == (5,)


def test_a_canonical_body_smuggled_as_stored_bytes_is_refused_by_the_bundle_verifier(
    release_0_1: str, tmp_path: Path
) -> None:
    from ledger.bundle import check_bundle, export_bundle
    from ledger.tree import issue_checkpoint
    from tests.ledger.test_bundle import LOG_KEY, ORIGIN, VKEY

    book = Ledger.open(release_0_1, POLICY)
    issued = issue_checkpoint(book.recorder, LOG_KEY, origin=ORIGIN)
    folder = tmp_path / "bundle"
    export_bundle(book, issued, folder, files={})
    lines = (folder / "entries.jsonl").read_bytes().splitlines()
    entry = json.loads(lines[4])
    body = canonical_bytes(entry.pop("event"))
    lines[4] = canonical_bytes({"body": base64.b64encode(body).decode(), **entry})
    (folder / "entries.jsonl").write_bytes(b"\n".join(lines) + b"\n")

    with pytest.raises(VerificationFailed, match="seq 4: a canonical body travels as an object"):
        check_bundle(folder, [VKEY], POLICY)
