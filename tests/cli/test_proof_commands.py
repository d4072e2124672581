"""``assembly checkpoint``, ``prove``, ``verify-proof`` and ``vkey``: proofs checked from files."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

from tests.features.cycle import CHARTER, LEDGER, LOG_ORIGIN, ok, one_sentence
from tests.features.forked import assembly
from tlog.checkpoint import parse_checkpoint
from tlog.note import parse_note
from tlog.receipt import TLOG_PROOF


def checkpoint(folder: Path, out: str = "checkpoint.txt") -> tuple[int, str]:
    ok(assembly("checkpoint", "--key", "log.key", "--out", out, cwd=folder))
    text = parse_note((folder / out).read_bytes()).text
    head = parse_checkpoint(text)
    return head.size, text


def grow(folder: Path) -> None:
    """One more entry: a commission key enrolled."""
    ok(assembly("keys", "new", "--key", "late.key", cwd=folder))
    enrol = ("keys", "enrol", "late.key.pub", "--role", "commission", "--name", "Late (test)")
    ok(assembly(*enrol, "--key", CHARTER, cwd=folder))


def entries(folder: Path) -> int:
    with sqlite3.connect(folder / LEDGER) as db:
        return int(db.execute("SELECT count(*) FROM ledger_entries").fetchone()[0])


def test_the_verifier_key_is_named_by_the_log_origin(logged: Path) -> None:
    vkey = (logged / "log.vkey").read_text().strip()
    name, key_hash, key = vkey.split("+", 2)
    assert name == LOG_ORIGIN
    assert len(key_hash) == 8 and base64.b64decode(key)[0] == 1  # Ed25519, 32 bytes after
    assert len(base64.b64decode(key)) == 33


def test_a_checkpoint_signs_the_whole_ledger_and_names_its_origin(logged: Path) -> None:
    size, text = checkpoint(logged)
    assert size == entries(logged)
    assert text.splitlines()[0] == LOG_ORIGIN


def test_a_receipt_for_an_entry_verifies_without_the_database(logged: Path) -> None:
    checkpoint(logged)
    ok(assembly("prove", "3", "--out", "entry-3.tlog-proof", cwd=logged))
    receipt = (logged / "entry-3.tlog-proof").read_bytes()
    assert receipt.startswith(TLOG_PROOF.encode() + b"\nextra ")
    (logged / LEDGER).unlink()  # the check needs the file and the key alone
    checked = ok(assembly("verify-proof", "entry-3.tlog-proof", "--vkey", "log.vkey", cwd=logged))
    assert "Entry 3 (ledger.signer.enrolled" in checked.stdout
    assert "the inclusion proof holds" in checked.stdout


def test_a_receipt_whose_entry_was_changed_fails(logged: Path) -> None:
    checkpoint(logged)
    ok(assembly("prove", "4", "--out", "entry.tlog-proof", cwd=logged))
    lines = (logged / "entry.tlog-proof").read_text().split("\n")
    entry = base64.b64decode(lines[1][len("extra ") :])
    forged = entry.replace(b'"recorded_at":"20', b'"recorded_at":"19')  # moved back a century
    assert forged != entry
    lines[1] = "extra " + base64.b64encode(forged).decode()
    (logged / "forged.tlog-proof").write_text("\n".join(lines))
    refused = assembly("verify-proof", "forged.tlog-proof", "--vkey", "log.vkey", cwd=logged)
    one_sentence(refused, 1, "is not in the tree of size")


def test_a_receipt_checked_with_another_log_key_fails(logged: Path) -> None:
    checkpoint(logged)
    ok(assembly("prove", "2", "--out", "entry.tlog-proof", cwd=logged))
    other = (
        "test.assembly.example/ledger+00000000+" + base64.b64encode(b"\x01" + b"k" * 32).decode()
    )
    refused = assembly("verify-proof", "entry.tlog-proof", "--vkey", other, cwd=logged)
    assert refused.code in (1, 2)
    assert refused.stderr.strip() and "Traceback" not in refused.stderr


def test_every_entry_behind_a_recommendation_gets_a_receipt(logged: Path) -> None:
    checkpoint(logged)
    result = ok(assembly("prove", "1/1", "--out", "proofs", cwd=logged))
    receipts = sorted((logged / "proofs").iterdir())
    assert f"Wrote {len(receipts)} receipt(s)" in result.stdout
    trail = json.loads(ok(assembly("trail", "1/1", "--format", "json", cwd=logged)).stdout)
    assert {p.name for p in receipts} == {f"1-1-entry-{line['seq']}.tlog-proof" for line in trail}
    for receipt in receipts:
        ok(assembly("verify-proof", str(receipt), "--vkey", "log.vkey", cwd=logged))


def test_an_entry_after_the_latest_checkpoint_needs_a_new_one(logged: Path) -> None:
    size, _ = checkpoint(logged)
    grow(logged)
    refused = assembly("prove", str(size), cwd=logged)
    one_sentence(refused, 2, f"Entry {size} is not in the checkpoint of {size} entries")
    checkpoint(logged, "later.txt")
    ok(assembly("prove", str(size), "--out", "late.tlog-proof", cwd=logged))
    ok(assembly("verify-proof", "late.tlog-proof", "--vkey", "log.vkey", cwd=logged))


def test_a_consistency_proof_between_two_checkpoints_verifies(logged: Path) -> None:
    old, _ = checkpoint(logged)
    grow(logged)
    new, _ = checkpoint(logged, "later.txt")
    ok(assembly("prove", "--consistency", str(old), "--out", "c.json", cwd=logged))
    document = json.loads((logged / "c.json").read_text())
    assert parse_checkpoint(parse_note(document["new_checkpoint"].encode()).text).size == new
    checked = ok(assembly("verify-proof", "c.json", "--vkey", "log.vkey", cwd=logged))
    assert f"of {new} entries extends its checkpoint of {old}" in checked.stdout
    document["proof"][0] = base64.b64encode(b"\x00" * 32).decode()
    (logged / "bad.json").write_text(json.dumps(document))
    refused = assembly("verify-proof", "bad.json", "--vkey", "log.vkey", cwd=logged)
    one_sentence(refused, 1, f"does not extend the tree of size {old}")


def test_checkpoints_need_a_log_key_and_proofs_a_checkpoint(logged: Path) -> None:
    one_sentence(assembly("prove", "1", cwd=logged), 2, "No checkpoint was issued yet")
    refused = assembly("checkpoint", "--key", "government.key", cwd=logged)
    one_sentence(refused, 2, "cannot sign checkpoints: it is of role government")
    checkpoint(logged)
    one_sentence(
        assembly("prove", "--consistency", "5", cwd=logged), 2, "No checkpoint was issued at size 5"
    )


def witness(folder: Path, name: str) -> str:
    """A witness of the log in folder/name, trusting its verifier key; its own verifier key."""
    made = ok(
        assembly(
            *("witness", "init", name, "--name", f"{name}.example"),
            *("--origin", LOG_ORIGIN, "--log-vkey", "log.vkey"),
            cwd=folder,
        )
    )
    vkey = made.stdout.strip().splitlines()[-1]
    (folder / f"{name}.vkey").write_text(vkey + "\n")
    return vkey


def cosigned(folder: Path, name: str, old: int) -> None:
    """The witness ``name`` cosigns the latest checkpoint, coming from size ``old``; the log
    keeps its cosignature."""
    ok(assembly("prove", "--consistency", str(old), "--for-witness", "--out", "req", cwd=folder))
    ok(assembly("witness", "cosign", name, "req", "--out", f"{name}.cosig", cwd=folder))
    ok(assembly("cosignatures", f"{name}.cosig", "--witness", f"{name}.vkey", cwd=folder))


def test_witnesses_cosign_as_the_log_grows_and_a_quorum_is_checked(logged: Path) -> None:
    first, _ = checkpoint(logged)
    witness(logged, "w1")
    witness(logged, "w2")
    cosigned(logged, "w1", 0)
    ok(assembly("prove", "2", "--out", "entry.tlog-proof", cwd=logged))
    one = ("verify-proof", "entry.tlog-proof", "--vkey", "log.vkey", "--witness", "w1.vkey")
    checked = ok(assembly(*one, cwd=logged))
    assert "cosigned by 1 witness(es): w1.example" in checked.stdout
    both = (*one, "--witness", "w2.vkey")
    one_sentence(assembly(*both, cwd=logged), 1, "1 of the 2 witness cosignatures required hold")
    ok(assembly(*both, "--quorum", "1", cwd=logged))
    grow(logged)
    second, _ = checkpoint(logged, "later.txt")
    cosigned(logged, "w1", first)  # the witness checks the log grew consistently from `first`
    cosigned(logged, "w2", 0)
    ok(assembly("prove", str(second - 1), "--out", "late.tlog-proof", cwd=logged))
    late = ("verify-proof", "late.tlog-proof", "--vkey", "log.vkey")
    ok(assembly(*late, "--witness", "w1.vkey", "--witness", "w2.vkey", cwd=logged))


def test_a_witness_refuses_to_go_back_to_an_older_checkpoint(logged: Path) -> None:
    first, _ = checkpoint(logged)
    witness(logged, "w1")
    grow(logged)
    checkpoint(logged, "later.txt")
    cosigned(logged, "w1", 0)  # at the later size
    stale = ("prove", "--consistency", "0", "--to", str(first), "--for-witness", "--out", "old")
    ok(assembly(*stale, cwd=logged))
    refused = assembly("witness", "cosign", "w1", "old", cwd=logged)
    assert refused.code != 0 and "409" in refused.stderr


def test_verify_a_bundle_from_its_files_with_a_witness_quorum(logged: Path) -> None:
    checkpoint(logged)
    witness(logged, "w1")
    witness(logged, "w2")
    cosigned(logged, "w1", 0)
    ok(assembly("export", "bundle", "bundle", "--key", "log.key", cwd=logged))
    (logged / LEDGER).unlink()
    check = ("verify", "--bundle", "bundle", "--vkey", "log.vkey", "--state", "seen.json")
    done = ok(assembly(*check, "--witness", "w1.vkey", cwd=logged))
    assert "reproduce the signed checkpoint" in done.stdout
    refused = assembly(*check, "--witness", "w1.vkey", "--witness", "w2.vkey", cwd=logged)
    one_sentence(refused, 1, "1 of the 2 witness cosignatures required hold")
    one_sentence(assembly("verify", "--vkey", "log.vkey", cwd=logged), 2, "go with --bundle")
