"""Several writer processes at once, and a writer killed mid-run (SIGKILL)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections import Counter

import pytest

from ledger import Ledger, Signer, verification_report
from tests.conftest import World

WRITERS = 4
EACH = 250


def start_writer(url: str, mode: str, count: int, name: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.writer", url, mode, str(count), name],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def acknowledged(lines: list[str]) -> list[tuple[int, str, str, int]]:
    acks = []
    for line in lines:
        if line.startswith("ack "):
            _, seq, digest, stream, version = line.split()
            acks.append((int(seq), digest, stream, int(version)))
    return acks


def check_every_ack_is_in_the_ledger(ledger: Ledger, acks: list[tuple[int, str, str, int]]) -> None:
    stored = {entry.seq: entry for entry in ledger.entries()}
    for seq, digest, stream, version in acks:
        assert stored[seq].hash.hex() == digest
        assert (stored[seq].event["stream"], stored[seq].event["version"]) == (stream, version)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.parametrize("mode", ["own", "shared"])
def test_four_processes_appending_at_once_leave_a_gapless_verifying_chain(
    mode: str,
    postgres_url: str,
    policy,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    # The writers sign with the test world's secretariat key, made from a fixed seed.
    charter, secretariat = Signer.from_seed(bytes([1]) * 32), Signer.from_seed(bytes([2]) * 32)
    ledger = Ledger.create(postgres_url, policy, charter, name="Charter")
    ledger.enrol(charter, secretariat.public_key, role="secretariat", name="Secretariat")
    writers = [start_writer(postgres_url, mode, EACH, f"w{n}") for n in range(WRITERS)]
    outputs = [writer.communicate(timeout=600) for writer in writers]
    for writer, (_, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0, err
    lines = [line for out, _ in outputs for line in out.splitlines()]
    acks = acknowledged(lines)
    assert len(acks) == WRITERS * EACH
    assert set(Counter(line.split()[0] for line in lines)) <= {"ack", "conflict"}
    report = verification_report(ledger.recorder, policy)
    assert report.entries == 2 + WRITERS * EACH
    check_every_ack_is_in_the_ledger(ledger, acks)
    if mode == "shared":
        versions = sorted(version for *_, version in acks)
        assert versions == list(range(1, WRITERS * EACH + 1))
        assert any(line == "conflict" for line in lines), "no writer ever met a version conflict"
    ledger.close()


@pytest.mark.slow
def test_a_writer_killed_mid_run_loses_nothing_it_acknowledged(world: World, policy) -> None:  # type: ignore[no-untyped-def]
    world.ledger.close()
    writer = start_writer(world.url, "own", 100_000, "victim")
    assert writer.stdout is not None
    lines = []
    for line in writer.stdout:
        lines.append(line)
        if len(lines) == 150:
            writer.send_signal(signal.SIGKILL)
            break
    rest, _ = writer.communicate(timeout=60)
    lines.extend(rest.splitlines())
    assert writer.returncode == -signal.SIGKILL
    acks = acknowledged(lines)
    assert len(acks) >= 150
    reopened = Ledger.open(world.url, policy)
    report = verification_report(reopened.recorder, policy)
    assert report.entries >= 3 + len(acks)
    check_every_ack_is_in_the_ledger(reopened, acks)
    reopened.close()
