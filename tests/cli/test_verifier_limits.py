"""``verify --bundle`` and ``verify-proof`` on hostile input: any depth of nesting, any length of
line or file, exit 1 with a sentence, in bounded memory; an older bundle is reported as older."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.bounded import MAX_DEPTH, MAX_LINE_BYTES, deeper_than
from tests.ledger.test_bundle import VKEY, bundle_of, grow, history
from tests.runner import Result, assembly
from tlog.receipt import Inclusion, format_inclusion

HUGE = 200 * 1024 * 1024  # the 200 MB line that once took 1.1 GB before it was refused
MEMORY_BOUND = 200 * 1024 * 1024  # well under what reading the huge line whole would take


def verify_bundle(folder: Path, state: Path) -> Result:
    return assembly("verify", "--bundle", str(folder), "--vkey", VKEY.text(), "--state", str(state))


def fails_with(result: Result, words: str) -> None:
    assert result.code == 1, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert words in lines[0], lines[0]


# The command, run so that it writes its own peak resident memory (``VmHWM``) on its way out,
# whatever way it leaves: ``ru_maxrss`` would not do, since on Linux a child started by fork and
# exec inherits its parent's peak there, and pytest's own may pass the bound in a long run.
MEASURED = """
import runpy, sys
peak_file = sys.argv.pop(1)
try:
    runpy.run_module("cli", run_name="__main__", alter_sys=True)
finally:
    with open("/proc/self/status") as status, open(peak_file, "w") as peak:
        peak.write(next(line for line in status if line.startswith("VmHWM:")).split()[1])
"""


def run_measured(*args: str, cwd: Path) -> tuple[Result, int]:
    """Run ``assembly ARGS``; return its result and its own peak memory (resident, bytes)."""
    out, err, peak = cwd / "stdout.txt", cwd / "stderr.txt", cwd / "peak.txt"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSEMBLY_")}
    with out.open("w") as stdout, err.open("w") as stderr:
        child = subprocess.run(
            [sys.executable, "-c", MEASURED, str(peak), *args],
            cwd=cwd,
            env=env,
            stdout=stdout,
            stderr=stderr,
            check=False,
        )
    kilobytes = int(peak.read_text())
    return Result(child.returncode, out.read_text(), err.read_text()), kilobytes * 1024


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    return bundle_of(history(str(tmp_path / "a.db"), [1, 2]), tmp_path / "bundle")


def replace_line(bundle: Path, seq: int, line: bytes) -> None:
    lines = (bundle / "entries.jsonl").read_bytes().split(b"\n")
    lines[seq] = line
    (bundle / "entries.jsonl").write_bytes(b"\n".join(lines))


# -- nesting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 30_000])
def test_a_deeply_nested_bundle_line_is_refused_with_its_seq(
    bundle: Path, tmp_path: Path, depth: int
) -> None:
    replace_line(bundle, 3, b"[" * depth + b"]" * depth)
    fails_with(
        verify_bundle(bundle, tmp_path / "s.json"),
        f"at seq 3: the line nests deeper than {MAX_DEPTH} levels, deeper than any entry",
    )


def test_a_deeply_nested_bundle_file_is_refused(bundle: Path, tmp_path: Path) -> None:
    (bundle / "signers.json").write_bytes(b'{"a":' * 100_000 + b"1" + b"}" * 100_000)
    fails_with(
        verify_bundle(bundle, tmp_path / "s.json"),
        f"The bundle does not verify: its signers.json nests deeper than {MAX_DEPTH} levels.",
    )


def test_a_deeply_nested_consistency_proof_is_refused(tmp_path: Path) -> None:
    (tmp_path / "proof.json").write_bytes(b"[" * 500_000 + b"]" * 500_000)
    result = assembly("verify-proof", "proof.json", "--vkey", VKEY.text(), cwd=tmp_path)
    fails_with(
        result, f"The proof does not hold: the document nests deeper than {MAX_DEPTH} levels"
    )


def test_a_receipt_whose_entry_is_deeply_nested_is_refused(bundle: Path, tmp_path: Path) -> None:
    checkpoint = (bundle / "checkpoint.txt").read_bytes()
    entry = b'{"event":' * 40_000 + b"{}" + b"}" * 40_000
    receipt = format_inclusion(Inclusion(0, entry, [], checkpoint))
    (tmp_path / "entry.tlog-proof").write_bytes(receipt)
    result = assembly("verify-proof", "entry.tlog-proof", "--vkey", VKEY.text(), cwd=tmp_path)
    fails_with(result, f"the entry bytes nest deeper than {MAX_DEPTH} levels; no entry does")


def test_brackets_inside_strings_are_not_nesting() -> None:
    assert not deeper_than(b'{"a": "' + b"[{" * 1000 + b'"}')
    assert not deeper_than(b'["\\"' + b"[" * 100 + b'"]')
    assert deeper_than(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))
    assert not deeper_than(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH)
    assert not deeper_than(b"[" + b"[]," * 1000 + b"[]]")  # many brackets, shallow


# -- length ----------------------------------------------------------------------------------


def test_a_huge_bundle_line_is_refused_before_it_is_read_whole(
    bundle: Path, tmp_path: Path
) -> None:
    with (bundle / "entries.jsonl").open("r+b") as entries:
        first = entries.readline()
        rest = entries.read()
        entries.seek(len(first))
        entries.write(b'{"seq":1,"x":"')
        for _ in range(HUGE // (1 << 20)):
            entries.write(b"x" * (1 << 20))
        entries.write(b'"}\n' + rest)
    result, peak = run_measured(
        "verify", "--bundle", str(bundle), "--vkey", VKEY.text(), "--state", "s.json", cwd=tmp_path
    )
    fails_with(result, f"at seq 1: the line is longer than {MAX_LINE_BYTES} bytes")
    assert peak < MEMORY_BOUND, f"{peak // (1 << 20)} MiB"


def test_a_line_as_long_as_an_entry_may_be_is_read(bundle: Path, tmp_path: Path) -> None:
    # Just under the bound, the line is parsed: its fault is its content, not its length.
    line = b'{"x":"' + b"x" * (MAX_LINE_BYTES - 10) + b'"}'
    assert len(line) + 1 <= MAX_LINE_BYTES
    replace_line(bundle, 2, line)
    fails_with(verify_bundle(bundle, tmp_path / "s.json"), "at seq 2: the line does not hold")


def test_a_huge_proof_file_is_refused_before_it_is_read_whole(tmp_path: Path) -> None:
    with (tmp_path / "proof.json").open("wb") as proof:
        for _ in range(HUGE // (1 << 20)):
            proof.write(b"[" * (1 << 20))
    result, peak = run_measured("verify-proof", "proof.json", "--vkey", VKEY.text(), cwd=tmp_path)
    fails_with(result, "proof.json is larger than 1024 KiB, far larger than any receipt or proof")
    assert peak < MEMORY_BOUND, f"{peak // (1 << 20)} MiB"


# -- an older bundle -------------------------------------------------------------------------


def test_an_older_bundle_after_a_newer_one_is_reported_as_older(tmp_path: Path) -> None:
    ledger = history(str(tmp_path / "a.db"), [1, 2, 3])
    older = bundle_of(ledger, tmp_path / "older")
    grow(ledger, [4])
    newer = bundle_of(ledger, tmp_path / "newer")
    state = tmp_path / "verifier.json"
    assert verify_bundle(newer, state).code == 0
    result = verify_bundle(older, state)
    assert result.code == 0, result
    assert (
        "It is older than the checkpoint of 7 entries accepted before, and the same history up "
        f"to its 6 entries: no misbehaviour; {state} still remembers 7." in result.stdout
    )
    assert not list(tmp_path.glob("misbehaviour-*"))
