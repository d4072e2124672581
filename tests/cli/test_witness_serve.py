"""Three witnesses as separate ``assembly witness serve`` processes on loopback, quorum 2: a
checkpoint cosigned by two; a forked log refused by each with 409 or 422, the evidence kept and
shown by ``witness show``; and ``assembly checkpoint --witnesses`` on a real ledger."""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from pathlib import Path

from tests.cli.test_proof_commands import grow
from tests.features.cycle import ok
from tests.features.forked import assembly
from tests.ledger.test_witness import LOG, LOG_KEY, ORIGIN, Log
from tests.witnesses import following, init_witness, serving
from tlog.checkpoint import cosigned_by, parse_checkpoint
from tlog.merkle import consistency_proof
from tlog.note import parse_note, parse_verifier_key
from tlog.witnessing import Gathered, Policy, gather_cosignatures, parse_policy, quorum_met

NAMES = ("witness.example/w1", "witness.example/w2", "witness.example/w3")
FORKED = Log(16, fork=" (rewritten)", fork_at=4)
WITNESSED = ("checkpoint", "--key", "log.key", "--witnesses", "witnesses.policy")


def policy_of(keys: dict[str, str], urls: dict[str, str], quorum: int = 2) -> str:
    lines = [
        f"witness {name} {keys[name]} {urls[name].removesuffix('/add-checkpoint')}" for name in urls
    ]
    return "\n".join([*lines, f"quorum {quorum}", ""])


def witnesses(tmp_path: Path, origin: str, log_vkey: str) -> dict[str, tuple[Path, str]]:
    """Three witness directories trusting the log: name -> (directory, verifier key)."""
    made = {}
    for number, name in enumerate(NAMES, start=1):
        directory = tmp_path / f"w{number}"
        made[name] = (directory, init_witness(directory, name, origin, log_vkey))
    return made


def log_witnesses(
    logged: Path, tmp_path: Path
) -> tuple[dict[str, tuple[Path, str]], dict[str, str]]:
    """Three witnesses of the ledger's log, their keys also saved as w1.vkey... beside it."""
    vkey = (logged / "log.vkey").read_text().strip()
    made = witnesses(tmp_path, parse_verifier_key(vkey).name, vkey)
    keys = {name: key for name, (_, key) in made.items()}
    for name, key in keys.items():
        (logged / f"{name.rsplit('/', 1)[1]}.vkey").write_text(key + "\n")
    return made, keys


def test_three_witness_processes_cosign_to_a_quorum_of_two_and_each_refuses_a_fork(
    tmp_path: Path,
) -> None:
    made = witnesses(tmp_path, ORIGIN, LOG_KEY.verifier_key.text())
    keys = {name: key for name, (_, key) in made.items()}
    sizes: dict[str, int] = {}

    def send(log: Log, size: int, urls: dict[str, str]) -> tuple[Policy, Gathered]:
        policy = parse_policy(policy_of(keys, urls))
        checkpoint = log.checkpoint(size)

        def prove(old: int, new: int) -> list[bytes]:
            return consistency_proof(old, new, log.nodes)

        return policy, gather_cosignatures(policy, log.signed(size), checkpoint, prove, sizes=sizes)

    with ExitStack() as running:
        urls = {name: running.enter_context(serving(made[name][0])) for name in NAMES[:2]}
        with serving(made[NAMES[2]][0]) as urls[NAMES[2]]:
            policy, first = send(LOG, 6, urls)
        assert sorted(first.cosigned_by) == sorted(NAMES)
        # w3 has stopped: the next checkpoint is cosigned by two, which meets the quorum.
        policy, second = send(LOG, 10, urls)
        assert sorted(second.cosigned_by) == sorted(NAMES[:2])
        assert "cannot reach" in second.refusals[NAMES[2]]
        assert quorum_met(policy, second.cosigned_by)
        note = parse_note(LOG.signed(10) + b"".join(s.line().encode() for s in second.cosignatures))
        checkpoint = parse_checkpoint(note.text)
        assert len(cosigned_by(checkpoint, note.signatures, policy.keys)) == 2

        # A fork that rewrites entry 4 onwards, signed by the same log key: w1 and w2 cosigned
        # 10 (the fork at 10 has another root: 409), w3 cosigned 6 (no proof from 6 holds: 422);
        # grown to 12, the fork fails every proof (422). Each refusal leaves its evidence.
        assert sizes == {NAMES[0]: 10, NAMES[1]: 10, NAMES[2]: 6}
        urls[NAMES[2]] = running.enter_context(serving(made[NAMES[2]][0]))  # w3 is back
        forked_policy, forked = send(FORKED, 10, urls)
        assert forked.cosigned_by == []
        assert forked.refusals[NAMES[0]].startswith("HTTP 409")
        assert forked.refusals[NAMES[2]].startswith("HTTP 422")
        _, grown = send(FORKED, 12, urls)
        assert grown.cosigned_by == []
        assert all(why.startswith("HTTP 422") for why in grown.refusals.values())
        assert not quorum_met(forked_policy, grown.cosigned_by)

    for name, (directory, _) in made.items():
        shown = json.loads(
            ok(assembly("witness", "show", str(directory), "--format", "json")).stdout
        )
        statuses = sorted(kept["status"] for kept in shown["evidence"])
        assert statuses == ([422, 422] if name == NAMES[2] else [409, 422]), name
        assert all(kept["origin"] == ORIGIN for kept in shown["evidence"])
        table = ok(assembly("witness", "show", str(directory), env={"COLUMNS": "200"})).stdout
        assert "Forks refused (evidence kept)" in table


def test_checkpoint_with_witnesses_keeps_the_cosignatures_of_a_quorum(
    logged: Path, tmp_path: Path
) -> None:
    made, keys = log_witnesses(logged, tmp_path)
    with ExitStack() as running:
        urls = {name: running.enter_context(serving(made[name][0])) for name in NAMES[:2]}
        urls[NAMES[2]] = "http://127.0.0.1:9/add-checkpoint"  # w3 is down
        (logged / "witnesses.policy").write_text(policy_of(keys, urls))
        done = ok(assembly(*WITNESSED, "--out", "checkpoint.txt", cwd=logged))
        assert "cosigned by 2 of 3 witnesses" in done.stderr
        assert "quorum met" in done.stderr
        # The receipt carries the cosignatures; a verifier requiring both gets them.
        ok(assembly("prove", "3", "--out", "entry-3.tlog-proof", cwd=logged))
        ok(
            assembly(
                "verify-proof",
                "entry-3.tlog-proof",
                "--vkey",
                "log.vkey",
                "--witness",
                "w1.vkey",
                "--witness",
                "w2.vkey",
                "--quorum",
                "2",
                cwd=logged,
            )
        )

        # With only one witness up, the quorum of 2 is not met: exit 1, one sentence.
        (logged / "witnesses.policy").write_text(
            policy_of(keys, dict(urls, **{NAMES[1]: "http://127.0.0.1:9/add-checkpoint"}))
        )
        grow(logged)
        failed = assembly(*WITNESSED, "--out", "checkpoint.txt", cwd=logged)
        assert failed.code == 1, failed
        error = failed.stderr.strip().splitlines()[-1]  # after the line saying what was signed
        assert error.startswith("error: Checkpoint of "), failed.stderr
        assert "cosigned by 1 of 3 witnesses" in error and "quorum NOT met" in error
        assert "Traceback" not in failed.stderr


def test_checkpoint_every_issues_a_checkpoint_within_seconds_of_a_write_and_has_it_witnessed(
    logged: Path, tmp_path: Path
) -> None:
    made, keys = log_witnesses(logged, tmp_path)
    with ExitStack() as running:
        urls = {name: running.enter_context(serving(made[name][0])) for name in NAMES}
        (logged / "witnesses.policy").write_text(policy_of(keys, urls))
        with following(logged, *WITNESSED, "--every", "0.5") as lines:
            first = next(line for line in lines if "cosigned by" in line)
            assert "cosigned by 3 of 3 witnesses" in first and "quorum met" in first
            size = int(first.split("Checkpoint of ")[1].split()[0])
            started = time.monotonic()
            grow(logged)
            grown = next(line for line in lines if f"Checkpoint of {size + 1} entries" in line)
            assert time.monotonic() - started < 10
            assert "cosigned by 3 of 3 witnesses" in grown
    served = ok(assembly("prove", str(size), "--out", "late.tlog-proof", cwd=logged))
    assert served.code == 0
    assert (logged / "late.tlog-proof").read_text().count("\u2014 witness.example/") == 3
