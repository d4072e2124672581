"""Bundles: exported, checked from their files alone, and remembered against rollbacks and forks.

The helpers build small ledgers that are byte for byte reproducible (fixed keys, a hand-moved
clock, fixed streams), so two ledgers built from the same numbers share their entries, and two
built from numbers that part ways are a forked log: same log key, same origin, two histories.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain.roles import ROLE_GRANTS
from ledger import Ledger, NewEvent, RolePolicy, Signer
from ledger.bundle import (
    BadBundle,
    BundleSetupError,
    Examined,
    check_bundle,
    export_bundle,
    tree_head,
)
from ledger.errors import VerificationFailed
from ledger.tree import issue_checkpoint
from ledger.verifier_state import Misbehaviour, accept_bundle, remembered_checkpoint
from tests.conftest import Clock
from tlog.checkpoint import Checkpoint
from tlog.merkle import MemoryNodes, root, verify_consistency, verify_inclusion
from tlog.note import SignerKey

ORIGIN = "test.assembly.example/ledger"
CHARTER, SECRETARIAT, LOG = (Signer.from_seed(bytes([n]) * 32) for n in (1, 2, 9))
LOG_KEY = SignerKey(ORIGIN, LOG.seed)
VKEY = LOG_KEY.verifier_key
POLICY = RolePolicy(ROLE_GRANTS)
PANELS = uuid.UUID("00000000-0000-4000-8000-0000000000a1")
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SIGNERS = 3  # entries 0 to 2 enrol the charter, the secretariat and the log key


def history(url: str, numbers: Sequence[int]) -> Ledger:
    """A ledger of the three enrolments, then one panel event per number, a minute apart."""
    clock = Clock(START)
    ledger = Ledger.create(url, POLICY, CHARTER, name="Charter", clock=clock, identity="f0" * 16)
    clock.advance(minutes=1)
    ledger.enrol(CHARTER, SECRETARIAT.public_key, role="secretariat", name="Secretariat")
    ledger.enrol(CHARTER, LOG.public_key, role="log", name="Log operator")
    for version, number in enumerate(numbers):
        clock.advance(minutes=1)
        event = NewEvent("assembly.panel.convened", {"number": number}, clock())
        ledger.append_new(SECRETARIAT, PANELS, version, [event])
    return ledger


def grow(ledger: Ledger, numbers: Sequence[int]) -> None:
    """More panel events after the ones ``history`` wrote."""
    clock = ledger.clock
    assert isinstance(clock, Clock)
    version = ledger.count() - SIGNERS
    for offset, number in enumerate(numbers):
        clock.advance(minutes=1)
        event = NewEvent("assembly.panel.convened", {"number": number}, clock())
        ledger.append_new(SECRETARIAT, PANELS, version + offset, [event])


def bundle_of(ledger: Ledger, folder: Path) -> Path:
    """Sign a checkpoint of the whole ledger with the log key and export its bundle."""
    issued = issue_checkpoint(ledger.recorder, LOG_KEY, origin=ORIGIN)
    export_bundle(ledger, issued, folder, files={"README.md": b"# test\n"})
    return folder


def examine(folder: Path) -> Examined:
    return check_bundle(folder, [VKEY], POLICY)


def accept(folder: Path, state: Path) -> Checkpoint | None:
    return accept_bundle(examine(folder), state)


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """A bundle of 7 entries whose ledger is gone."""
    ledger = history(str(tmp_path / "a.db"), [1, 2, 3, 4])
    folder = bundle_of(ledger, tmp_path / "bundle")
    ledger.close()
    (tmp_path / "a.db").unlink()
    return folder


def test_an_exported_bundle_verifies_from_its_files_alone(bundle: Path) -> None:
    examined = examine(bundle)
    assert (examined.checkpoint.origin, examined.checkpoint.size) == (ORIGIN, 7)
    assert examined.signers == 3
    assert (bundle / "checkpoint.txt").read_bytes() == examined.note
    assert (bundle / "README.md").read_bytes() == b"# test\n"
    schemas = sorted(p.name for p in (bundle / "schemas").iterdir())
    assert schemas == ["ledger.signer.enrolled.v1.json", "ledger.signer.revoked.v1.json"]
    signers = json.loads((bundle / "signers.json").read_text())
    assert [(s["role"], s["enrolled_seq"]) for s in signers] == [
        ("charter", 0),
        ("secretariat", 1),
        ("log", 2),
    ]


def test_each_line_without_its_hash_is_the_entry_whose_leaf_hash_it_names(bundle: Path) -> None:
    for line in (bundle / "entries.jsonl").read_bytes().splitlines():
        entry = json.loads(line)
        claimed = entry.pop("hash")
        rebuilt = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
        assert hashlib.sha256(b"\x00" + rebuilt).hexdigest() == claimed


def test_a_bundle_covers_exactly_its_checkpoint_though_the_ledger_grew(tmp_path: Path) -> None:
    ledger = history(str(tmp_path / "a.db"), [1, 2])
    issued = issue_checkpoint(ledger.recorder, LOG_KEY, origin=ORIGIN)
    grow(ledger, [3, 4])
    export_bundle(ledger, issued, tmp_path / "bundle", files={})
    ledger.close()
    assert len((tmp_path / "bundle" / "entries.jsonl").read_bytes().splitlines()) == 5
    assert examine(tmp_path / "bundle").checkpoint.size == 5


def test_export_refuses_a_folder_that_holds_something(tmp_path: Path) -> None:
    ledger = history(str(tmp_path / "a.db"), [1])
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    with pytest.raises(BundleSetupError, match="taken already exists; export into a new folder"):
        bundle_of(ledger, tmp_path / "taken")
    ledger.close()


def test_a_failed_export_leaves_no_folder_behind(tmp_path: Path) -> None:
    ledger = history(str(tmp_path / "a.db"), [1])
    issued = issue_checkpoint(ledger.recorder, LOG_KEY, origin=ORIGIN)
    with pytest.raises(IsADirectoryError):  # a file named like a folder the bundle makes
        export_bundle(ledger, issued, tmp_path / "bundle", files={"schemas": b"x"})
    ledger.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.db"]


def changed(bundle: Path, seq: int, offset: int) -> None:
    """Flip the lowest bit of one byte of the line of entry ``seq`` (its newline included)."""
    data = bytearray((bundle / "entries.jsonl").read_bytes())
    start = sum(len(line) + 1 for line in data.split(b"\n")[:seq])
    data[start + offset] ^= 1
    (bundle / "entries.jsonl").write_bytes(bytes(data))


def line_length(bundle: Path, seq: int) -> int:
    return len((bundle / "entries.jsonl").read_bytes().split(b"\n")[seq])


def test_changing_any_byte_of_an_entry_fails_naming_its_seq(bundle: Path) -> None:
    original = (bundle / "entries.jsonl").read_bytes()
    for offset in range(line_length(bundle, 4) + 1):  # the newline too
        changed(bundle, 4, offset)
        with pytest.raises(VerificationFailed, match="Verification failed at seq 4: ") as failed:
            examine(bundle)
        assert failed.value.seq == 4, (offset, failed.value)
        (bundle / "entries.jsonl").write_bytes(original)


@pytest.mark.parametrize("seq", [0, 2, 6])
def test_a_changed_byte_anywhere_in_the_chain_names_its_seq(bundle: Path, seq: int) -> None:
    for offset in (1, line_length(bundle, seq) // 2, line_length(bundle, seq) - 2):
        original = (bundle / "entries.jsonl").read_bytes()
        changed(bundle, seq, offset)
        with pytest.raises(VerificationFailed, match=f"Verification failed at seq {seq}: "):
            examine(bundle)
        (bundle / "entries.jsonl").write_bytes(original)


def test_a_bundle_cut_short_says_entries_are_missing(bundle: Path) -> None:
    lines = (bundle / "entries.jsonl").read_bytes().splitlines(keepends=True)
    (bundle / "entries.jsonl").write_bytes(b"".join(lines[:-1]))
    with pytest.raises(
        VerificationFailed, match="seq 6: the bundle holds 6 entries, the checkpoint"
    ):
        examine(bundle)


def test_a_checkpoint_from_another_key_does_not_open(bundle: Path) -> None:
    stranger = SignerKey(ORIGIN, bytes([7]) * 32).verifier_key
    with pytest.raises(BadBundle, match="its checkpoint does not open with the verifier key"):
        check_bundle(bundle, [stranger], POLICY)


def test_a_signers_file_that_disagrees_with_the_entries_fails(bundle: Path) -> None:
    signers = json.loads((bundle / "signers.json").read_text())
    signers[1]["role"] = "government"
    (bundle / "signers.json").write_text(json.dumps(signers))
    with pytest.raises(BadBundle, match=r"signers\.json does not list the signers"):
        examine(bundle)


def test_entries_of_another_tree_than_the_checkpoint_signs_fail(tmp_path: Path) -> None:
    first = bundle_of(history(str(tmp_path / "a.db"), [1, 2]), tmp_path / "first")
    other = bundle_of(history(str(tmp_path / "b.db"), [1, 9]), tmp_path / "other")
    (first / "entries.jsonl").write_bytes((other / "entries.jsonl").read_bytes())
    with pytest.raises(BadBundle, match=r"tree head at size 5 is .*, not the root the checkpoint"):
        examine(first)


@pytest.mark.parametrize("size", range(0, 70))
def test_the_streaming_tree_head_agrees_with_the_stored_tree(size: int) -> None:
    leaves = [hashlib.sha256(bytes([n])).digest() for n in range(size)]
    assert tree_head(b"".join(leaves), size) == root(size, MemoryNodes(leaves))


# --- the verifier's memory -----------------------------------------------------------------------


def test_the_state_advances_on_success(tmp_path: Path) -> None:
    ledger = history(str(tmp_path / "a.db"), [1, 2, 3])
    earlier = bundle_of(ledger, tmp_path / "earlier")
    grow(ledger, [4, 5])
    later = bundle_of(ledger, tmp_path / "later")
    state = tmp_path / "state" / "verifier.json"
    assert accept(earlier, state) is None
    assert remembered_checkpoint(state, ORIGIN) == (earlier / "checkpoint.txt").read_bytes()
    previous = accept(later, state)
    assert previous is not None and previous.size == 6
    assert remembered_checkpoint(state, ORIGIN) == (later / "checkpoint.txt").read_bytes()
    again = accept(later, state)  # the same checkpoint twice is no misbehaviour
    assert again is not None and again.size == 8


def test_an_older_bundle_of_the_same_history_is_older_not_misbehaviour(tmp_path: Path) -> None:
    ledger = history(str(tmp_path / "a.db"), [1, 2, 3])
    older = bundle_of(ledger, tmp_path / "older")
    grow(ledger, [4])
    newer = bundle_of(ledger, tmp_path / "newer")
    state = tmp_path / "verifier.json"
    accept(newer, state)
    previous = accept(older, state)
    assert previous is not None and previous.size == 7
    assert remembered_checkpoint(state, ORIGIN) == (newer / "checkpoint.txt").read_bytes()
    assert not list(tmp_path.glob("misbehaviour-*.json"))


def test_a_smaller_checkpoint_whose_leaves_are_gone_may_be_a_rollback(tmp_path: Path) -> None:
    ledger = history(str(tmp_path / "a.db"), [1, 2, 3])
    older = bundle_of(ledger, tmp_path / "older")
    grow(ledger, [4])
    newer = bundle_of(ledger, tmp_path / "newer")
    state = tmp_path / "verifier.json"
    accept(newer, state)
    for leaves in tmp_path.glob("verifier-*.leaves"):
        leaves.unlink()
    with pytest.raises(
        Misbehaviour, match="may have been rolled back: its checkpoint of 6 entries is smaller"
    ) as refused:
        accept(older, state)
    assert refused.value.report.parent == tmp_path
    assert str(refused.value.report) in refused.value.sentence()
    report = json.loads(refused.value.report.read_text())
    assert report["kind"] == "rollback"
    assert report["remembered_checkpoint"] == (newer / "checkpoint.txt").read_text()
    assert report["new_checkpoint"] == (older / "checkpoint.txt").read_text()
    assert (report["first_differing_seq"], report["first_missing_seq"]) == (None, 6)
    assert remembered_checkpoint(state, ORIGIN) == (newer / "checkpoint.txt").read_bytes()


def test_a_smaller_checkpoint_of_another_history_is_a_fork_not_a_rollback(
    tmp_path: Path,
) -> None:
    refused = forked(tmp_path, tmp_path / "verifier.json", [1, 9])
    assert refused.sentence().startswith(
        f"Refused: the log {ORIGIN} forked: its checkpoint of 5 entries is not the start of the "
        "checkpoint of 7 accepted before, and the histories first differ at seq 4; the proof "
        "of misbehaviour is in "
    )
    report = json.loads(refused.report.read_text())
    assert (report["kind"], report["first_differing_seq"]) == ("fork", 4)
    difference = report["difference"]
    new_root = base64.b64decode(report["new_root"])
    path = [base64.b64decode(h) for h in difference["new_inclusion_proof"]]
    assert verify_inclusion(bytes.fromhex(difference["new_leaf"]), 4, 5, path, new_root)


def forked(tmp_path: Path, state: Path, theirs: Sequence[int]) -> Misbehaviour:
    """Accept the log of panels 1-4, then show a bundle of a log that wrote ``theirs``."""
    ours = bundle_of(history(str(tmp_path / "a.db"), [1, 2, 3, 4]), tmp_path / "ours")
    fork = bundle_of(history(str(tmp_path / "b.db"), theirs), tmp_path / "fork")
    accept(ours, state)
    with pytest.raises(Misbehaviour) as refused:
        accept(fork, state)
    assert remembered_checkpoint(state, ORIGIN) == (ours / "checkpoint.txt").read_bytes()
    return refused.value


def test_a_forked_log_yields_a_report_that_proves_it(tmp_path: Path) -> None:
    state = tmp_path / "verifier.json"
    refused = forked(tmp_path, state, [1, 2, 9, 9, 9])
    assert refused.sentence().startswith(
        f"Refused: the log {ORIGIN} forked: its checkpoint of 8 entries does not extend the "
        "checkpoint of 7 accepted before, and the histories first differ at seq 5; the proof "
        f"of misbehaviour is in {tmp_path}/misbehaviour-"
    )
    report = json.loads(refused.report.read_text())
    assert report["kind"] == "fork"
    assert report["remembered_checkpoint"] == (tmp_path / "ours" / "checkpoint.txt").read_text()
    assert report["new_checkpoint"] == (tmp_path / "fork" / "checkpoint.txt").read_text()
    assert report["first_differing_seq"] == 5
    old_root, new_root, at_old_size = (
        base64.b64decode(report[k])
        for k in ("remembered_root", "new_root", "root_at_remembered_size")
    )
    proof = [base64.b64decode(h) for h in report["consistency_proof"]]
    assert verify_consistency(7, 8, at_old_size, new_root, proof)
    assert not verify_consistency(7, 8, old_root, new_root, proof)
    difference = report["difference"]
    assert json.loads(difference["new_entry"])["event"]["payload"] == {"number": 9}
    for leaf, proof_key, size, tree_root in (
        ("remembered_leaf", "remembered_inclusion_proof", 7, old_root),
        ("new_leaf", "new_inclusion_proof", 8, new_root),
    ):
        path = [base64.b64decode(h) for h in difference[proof_key]]
        assert verify_inclusion(bytes.fromhex(difference[leaf]), 5, size, path, tree_root)
    assert difference["remembered_leaf"] != difference["new_leaf"]


def test_two_trees_signed_at_one_size_are_a_fork(tmp_path: Path) -> None:
    refused = forked(tmp_path, tmp_path / "verifier.json", [1, 2, 3, 9])
    assert "its checkpoint of 7 entries does not extend the checkpoint of 7" in refused.sentence()
    report = json.loads(refused.report.read_text())
    assert (report["first_differing_seq"], report["consistency_proof"]) == (6, [])


def test_without_the_remembered_leaves_the_fork_is_still_refused(tmp_path: Path) -> None:
    state = tmp_path / "verifier.json"
    ours = bundle_of(history(str(tmp_path / "a.db"), [1, 2, 3, 4]), tmp_path / "ours")
    fork = bundle_of(history(str(tmp_path / "b.db"), [1, 2, 9, 9, 9]), tmp_path / "fork")
    accept(ours, state)
    for leaves in tmp_path.glob("verifier-*.leaves"):
        leaves.unlink()
    with pytest.raises(Misbehaviour, match="does not extend the checkpoint of 7 accepted before;"):
        accept(fork, state)


def test_a_state_file_of_another_format_is_a_setup_problem(bundle: Path, tmp_path: Path) -> None:
    state = tmp_path / "verifier.json"
    state.write_text('{"logs": []}')
    with pytest.raises(BundleSetupError, match="cannot be read as assembly-ledger/verifier-state"):
        accept(bundle, state)


def test_signatures_checked_in_a_worker_process_name_the_bad_seq(bundle: Path) -> None:
    assert examine(bundle).checkpoint.size == 7
    lines = (bundle / "entries.jsonl").read_bytes().split(b"\n")
    entry = json.loads(lines[5])
    entry["sig"] = json.loads(lines[4])["sig"]  # entry 4's signature, entry 5's bytes
    del entry["hash"]
    rebuilt = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
    entry["hash"] = hashlib.sha256(b"\x00" + rebuilt).hexdigest()
    lines[5] = json.dumps(entry, sort_keys=True, separators=(",", ":")).encode()
    (bundle / "entries.jsonl").write_bytes(b"\n".join(lines))
    with pytest.raises(
        VerificationFailed, match="seq 5: the signature does not verify with the signer"
    ):
        check_bundle(bundle, [VKEY], POLICY, workers=1)
