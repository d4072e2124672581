"""``assembly monitor`` against a server on loopback: an honest log that grows passes; a fork, a
rollback, an entry changed behind the server and a read model edited to disagree with the
entries each end in exit 1 with an evidence file; a server that cannot be reached in exit 4."""

from __future__ import annotations

import json
import threading
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from cli import monitor_commands
from cli.errors import Exit, exit_code_for
from ledger.errors import LedgerError
from tests.e2e.conftest import ROOT, free_port
from tests.features.cycle import GOVERNMENT, LEDGER, copy_of, long_justification, ok
from tests.runner import assembly as spawned
from tests.served import Monitored, accept, checkpoint, refuse, served
from tests.tamper import Attacker
from tlog.merkle import leaf_hash
from tlog.note import COSIGNATURE_V1, SignerKey


def make_app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)

    @app.callback()
    def main() -> None:
        """The command under test."""

    monitor_commands.register(app)
    return app


APP = make_app()
CHECKOUT = {"PYTHONPATH": str(ROOT)}  # a child started by exec finds this checkout's packages


@dataclass(frozen=True)
class Ran:
    code: int
    output: str
    sentence: str


def monitor(url: str, state: Path, vkey: str | None = None) -> Ran:
    args = ["monitor", url, "--state", str(state), "--workers", "0"]
    if vkey is not None:
        args += ["--vkey", vkey]
    result = CliRunner().invoke(APP, args)
    if result.exception is None or isinstance(result.exception, SystemExit):
        return Ran(result.exit_code, result.output, "")
    error = result.exception
    assert isinstance(error, LedgerError), repr(error)
    return Ran(int(exit_code_for(error)), result.output, error.sentence())


def evidence(state: Path) -> dict[str, Any]:
    files = sorted((state / "evidence").glob("*.json"))
    assert len(files) == 1, files
    document: dict[str, Any] = json.loads(files[0].read_text())
    assert document["format"] == "assembly-ledger/monitor-evidence@v1"
    return document


def test_an_honest_log_that_grows_while_the_monitor_runs_passes(
    base: Monitored, copy: Path, tmp_path: Path
) -> None:
    state = tmp_path / "monitor"
    with served(copy) as url:
        first = monitor(url, state, base.vkey)
        assert first.code == 0, first.sentence
        assert "first run: remembered" in first.output

        def grow() -> None:
            for ref in ("1/2", "1/3"):
                why = ("--justification", long_justification(), "--key", GOVERNMENT)
                answer = ("respond", ref, "--position", "rejected", "--portfolio", "climate")
                ok(spawned(*answer, *why, cwd=copy, env=CHECKOUT))
                ok(spawned("checkpoint", "--key", "log.key", cwd=copy, env=CHECKOUT))

        writer = threading.Thread(target=grow)
        writer.start()
        runs = []
        while writer.is_alive():
            runs.append(monitor(url, state))  # the key is remembered
        writer.join()
        last = monitor(url, state)
        with urllib.request.urlopen(f"{url}/api/tiles/checkpoint") as answer:
            latest = answer.read().decode()
    assert runs, "the log grew before the monitor ran again"
    assert all(ran.code == 0 for ran in [*runs, last]), [ran.sentence for ran in runs]
    assert not (state / "evidence").exists()
    assert "it extends the checkpoint of" in last.output
    assert json.loads((state / "monitor.json").read_text())["checkpoint"] == latest
    assert latest.split("\n")[1] == str(int(first.output.split(": ")[1].split()[0]) + 2)


def test_a_fork_with_the_same_log_key_is_caught_with_both_checkpoints(
    base: Monitored, tmp_path: Path
) -> None:
    honest = copy_of(base.folder, tmp_path / "honest")
    forked = copy_of(base.folder, tmp_path / "forked")
    state = tmp_path / "monitor"
    refuse(honest, "1/2")
    checkpoint(honest)
    accept(forked, "1/2")
    refuse(forked, "1/3")
    checkpoint(forked)
    with served(honest) as url:
        assert monitor(url, state, base.vkey).code == 0
    with served(forked) as url:
        ran = monitor(url, state)
    assert ran.code == Exit.VERIFICATION_FAILED
    assert ran.sentence.startswith("Misbehaviour: the log forked: its checkpoint of ")
    found = evidence(state)
    assert found["kind"] == "fork"
    assert len(found["checkpoints"]) == 2 and found["checkpoints"][0] != found["checkpoints"][1]
    assert found["consistency_proof"]
    # The first entry of the forked history (1/2 accepted) is where the two part.
    assert '"position":"rejected"' in found["entry_seen"]
    assert found["first_differing_seq"] == int(found["checkpoints"][0].split("\n")[1]) - 1


def test_a_rollback_to_an_older_checkpoint_is_caught(base: Monitored, tmp_path: Path) -> None:
    older = copy_of(base.folder, tmp_path / "older")
    newer = copy_of(base.folder, tmp_path / "newer")
    refuse(newer, "1/2")
    checkpoint(newer)
    state = tmp_path / "monitor"
    with served(newer) as url:
        assert monitor(url, state, base.vkey).code == 0
    with served(older) as url:
        ran = monitor(url, state)
    assert ran.code == Exit.VERIFICATION_FAILED
    assert "the log was rolled back: its checkpoint of" in ran.sentence
    assert evidence(state)["kind"] == "rollback"


def answer_seq(folder: Path) -> int:
    """The seq of the last entry whose body names a rejected position."""
    attacker = Attacker(f"sqlite:///{folder / LEDGER}")
    try:
        with attacker.engine.connect() as conn:
            from sqlalchemy import text

            count = conn.execute(text("SELECT COUNT(*) FROM ledger_entries")).scalar_one()
        return next(
            seq
            for seq in reversed(range(count))
            if b'"position":"rejected"' in attacker.entry(seq)["state"]
        )
    finally:
        attacker.close()


def change_behind_the_server(folder: Path) -> int:
    """Turn 1/1's refusal into an acceptance in the database, the tree's leaf with it (so the
    server serves the changed entry as its own); return its seq."""
    seq = answer_seq(folder)
    attacker = Attacker(f"sqlite:///{folder / LEDGER}")
    try:
        body = attacker.entry(seq)["state"].replace(b'"rejected"', b'"accepted"')
        attacker.set_body(seq, body)
        from ledger.canonical import entry_bytes

        row = attacker.entry(seq)
        data = entry_bytes(seq=seq, prev=row["prev"], body=body, sig=row["sig"],
                           recorded_at=row["recorded_at"])  # fmt: skip
        attacker.run("DROP TRIGGER IF EXISTS ledger_tree_no_update")
        attacker.run("UPDATE ledger_tree SET hash = :h WHERE level = 0 AND idx = :seq",
                     h=leaf_hash(data), seq=seq)  # fmt: skip
    finally:
        attacker.close()
    return seq


def test_an_entry_changed_behind_the_server_is_caught_on_the_next_run(
    base: Monitored, copy: Path, tmp_path: Path
) -> None:
    state = tmp_path / "monitor"
    with served(copy) as url:
        assert monitor(url, state, base.vkey).code == 0
        seq = change_behind_the_server(copy)
        ran = monitor(url, state)
    assert ran.code == Exit.VERIFICATION_FAILED
    assert ran.sentence.startswith(f"Misbehaviour: entry {seq} changed: the server now serves")
    found = evidence(state)
    assert found["kind"] == "entry-changed" and found["seq"] == seq
    assert '"rejected"' in found["entry_seen"] and '"accepted"' in found["entry_served"]


def test_a_changed_entry_seen_on_a_first_run_does_not_give_the_signed_root(
    base: Monitored, copy: Path, tmp_path: Path
) -> None:
    change_behind_the_server(copy)
    state = tmp_path / "monitor"
    with served(copy) as url:
        ran = monitor(url, state, base.vkey)
    assert ran.code == Exit.VERIFICATION_FAILED
    assert ran.sentence.startswith(
        "Misbehaviour: the 22 entries served do not give the root the checkpoint signs"
    )
    found = evidence(state)
    assert found["kind"] == "entries-do-not-give-the-root"
    signed_root = found["checkpoints"][0].split("\n")[2]
    assert found["root_of_entries"] != signed_root
    assert not (state / "monitor.json").exists()  # nothing is remembered of a run that failed


def test_a_read_model_edited_to_disagree_with_the_entries_is_caught(
    base: Monitored, copy: Path, tmp_path: Path
) -> None:
    attacker = Attacker(f"sqlite:///{copy / LEDGER}")
    # The row's column and its detail, from which the board's row is read.
    attacker.run(
        "UPDATE projection_recommendations SET position = 'accepted', detail = "
        """replace(detail, '"position":"rejected"', '"position":"accepted"') """
        "WHERE panel = 1 AND number = 1"
    )
    attacker.close()
    state = tmp_path / "monitor"
    with served(copy) as url:
        ran = monitor(url, state, base.vkey)
    assert ran.code == Exit.VERIFICATION_FAILED
    assert ran.sentence.startswith(
        "Misbehaviour: the server's board says position 'accepted' for recommendation 1/1 "
        "where its entries give 'rejected'"
    )
    found = evidence(state)
    assert found["kind"] == "read-model-disagrees"
    assert found["server_answer"]["position"] == "accepted"
    assert found["from_entries"]["position"] == "rejected"
    assert any('"position":"rejected"' in entry["entry"] for entry in found["entries"])


def test_a_server_that_cannot_be_reached_exits_4(base: Monitored, tmp_path: Path) -> None:
    ran = monitor(f"http://127.0.0.1:{free_port()}", tmp_path / "monitor", base.vkey)
    assert ran.code == Exit.STORAGE == 4
    assert ran.sentence.startswith("Cannot fetch http://127.0.0.1:")


def test_the_assembly_command_exits_0_then_1_naming_the_evidence_then_4(
    base: Monitored, copy: Path, tmp_path: Path
) -> None:
    state = str(tmp_path / "monitor")
    with served(copy) as url:
        honest = spawned("monitor", url, "--state", state, "--vkey", base.vkey, env=CHECKOUT)
        assert honest.code == 0, honest.stderr
        assert honest.stdout.startswith(f"Monitored {base.vkey.split('+')[0]}: ")
    older = copy_of(base.folder, tmp_path / "older")
    refuse(copy, "1/2")
    checkpoint(copy)
    with served(copy) as url:
        assert spawned("monitor", url, "--state", state, env=CHECKOUT).code == 0
    with served(older) as url:
        rolled_back = spawned("monitor", url, "--state", state, env=CHECKOUT)
    assert rolled_back.code == 1
    assert rolled_back.stderr.startswith("error: Misbehaviour: the log was rolled back")
    assert str(tmp_path / "monitor" / "evidence") in rolled_back.stderr.replace("\n", "")
    unreachable = spawned("monitor", f"http://127.0.0.1:{free_port()}", "--state", state,
                          env=CHECKOUT)  # fmt: skip
    assert unreachable.code == 4
    assert unreachable.stderr.startswith("error: Cannot fetch http://127.0.0.1:")


def test_a_checkpoint_short_of_the_witness_quorum_is_caught(
    base: Monitored, copy: Path, tmp_path: Path
) -> None:
    witness = SignerKey("witness.example/w1", bytes([9]) * 32, COSIGNATURE_V1).verifier_key
    state = tmp_path / "monitor"
    with served(copy) as url:
        result = CliRunner().invoke(
            APP,
            ["monitor", url, "--state", str(state), "--vkey", base.vkey,
             "--witness", witness.text(), "--quorum", "1"],
        )  # fmt: skip
    assert isinstance(result.exception, LedgerError), result.output
    assert exit_code_for(result.exception) == Exit.VERIFICATION_FAILED
    assert result.exception.sentence().startswith(
        "Misbehaviour: the checkpoint of 22 entries carries 0 valid cosignatures of the "
        "witnesses given, not the 1 required"
    )
    assert evidence(state)["kind"] == "witness-quorum-missing"


def test_a_checkpoint_the_log_key_did_not_sign_is_caught(
    base: Monitored, copy: Path, tmp_path: Path
) -> None:
    other = SignerKey(base.vkey.split("+")[0], bytes([5]) * 32).verifier_key.text()
    state = tmp_path / "monitor"
    with served(copy) as url:
        ran = monitor(url, state, other)
    assert ran.code == Exit.VERIFICATION_FAILED
    assert ran.sentence.startswith(
        "Misbehaviour: the checkpoint served does not open with the log's key: "
    )
    assert evidence(state)["kind"] == "checkpoint-unsigned"
