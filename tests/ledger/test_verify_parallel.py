"""Verification with signature checks in worker processes, over several batches.

The ledger has 2,502 entries, so signature checks go to the workers in two batches of 2,048
and a remainder; whichever batch a failure lands in, the first bad seq is the one reported.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.roles import ROLE_GRANTS
from ledger import Head, Ledger, NewEvent, RolePolicy, Signer, verification_report
from ledger.errors import HeadMismatch, VerificationFailed
from ledger.storage import open_recorder
from tests.tamper import Attacker

POLICY = RolePolicy(ROLE_GRANTS)
ENTRIES = 2502


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("parallel") / "ledger.db"
    charter, secretariat = Signer.generate(), Signer.generate()
    ledger = Ledger.create(str(path), POLICY, charter, name="Charter")
    ledger.enrol(charter, secretariat.public_key, role="secretariat", name="Secretariat")
    now = datetime.now(UTC)
    for _ in range(25):
        events = [
            NewEvent("assembly.panel.convened", {"n": n}, occurred_at=now) for n in range(100)
        ]
        ledger.append_new(secretariat, uuid.uuid4(), 0, events)
    ledger.close()
    return path


@pytest.fixture
def copy(built: Path, tmp_path: Path) -> str:
    target = tmp_path / "ledger.db"
    shutil.copy(built, target)
    return str(target)


def flip_signature(url: str, seq: int, *, rehash: bool) -> None:
    attacker = Attacker(url)
    sig = bytearray(attacker.entry(seq)["sig"])
    sig[7] ^= 0x01
    attacker.set_sig(seq, bytes(sig), rehash=rehash)
    attacker.close()


def verify(url: str, **options: object):  # type: ignore[no-untyped-def]
    recorder = open_recorder(url)
    try:
        return verification_report(recorder, POLICY, workers=2, **options)  # type: ignore[arg-type]
    finally:
        recorder.datastore.engine.dispose()  # type: ignore[union-attr]


def test_an_untouched_ledger_verifies_with_workers(copy: str) -> None:
    report = verify(copy)
    assert report.entries == ENTRIES
    assert report.signers == 2


def test_a_bad_signature_in_a_later_batch_is_found(copy: str) -> None:
    flip_signature(copy, 2300, rehash=True)
    with pytest.raises(VerificationFailed, match="at seq 2300: the signature does not verify"):
        verify(copy)


def test_the_first_bad_signature_is_reported_whichever_batch_finishes_first(copy: str) -> None:
    flip_signature(copy, 2300, rehash=True)
    flip_signature(copy, 100, rehash=True)
    with pytest.raises(VerificationFailed, match="at seq 100: the signature"):
        verify(copy)


def test_a_bad_signature_before_a_broken_chain_is_the_first_failure(copy: str) -> None:
    flip_signature(copy, 150, rehash=True)
    flip_signature(copy, 2200, rehash=False)
    with pytest.raises(VerificationFailed, match="at seq 150: the signature"):
        verify(copy)


def test_a_broken_chain_before_a_bad_signature_is_the_first_failure(copy: str) -> None:
    flip_signature(copy, 2200, rehash=True)
    flip_signature(copy, 150, rehash=False)
    with pytest.raises(VerificationFailed, match="at seq 150: the stored hash does not match"):
        verify(copy)


def test_every_head_seen_before_is_checked_in_one_pass(copy: str) -> None:
    report = verify(copy)
    assert report.head is not None
    ledger = Ledger.open(copy, POLICY)
    early = next(entry for entry in ledger.entries() if entry.seq == 1000)
    ledger.close()
    good = [Head(1000, early.hash), report.head]
    assert verify(copy, expect=good).entries == ENTRIES
    forged = Head(1000, bytes(32))
    with pytest.raises(HeadMismatch, match="at seq 1000: the entry differs"):
        verify(copy, expect=[report.head, forged])
    beyond = Head(ENTRIES + 5, bytes(32))
    with pytest.raises(HeadMismatch, match=f"at seq {ENTRIES}: the ledger ends before"):
        verify(copy, expect=[beyond, Head(1000, early.hash)])
    with pytest.raises(HeadMismatch, match="at seq 1000: the entry differs"):
        verify(copy, expect=[beyond, forged])  # the earlier of the two is named
