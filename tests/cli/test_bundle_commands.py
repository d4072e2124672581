"""``assembly export bundle`` and ``assembly verify-bundle``, run through typer's test runner.

The commands are registered on an app of their own here (``cli.main`` wires them in): errors
become exit codes as ``cli.main.run`` makes them, through ``cli.errors.exit_code_for``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from cli import bundle_commands, export_commands
from cli.errors import exit_code_for
from ledger.errors import LedgerError
from tests.features.cycle import CHARTER, LEDGER, LOG_ORIGIN, ok
from tests.features.forked import assembly
from tests.ledger.test_bundle import VKEY, bundle_of, history


def app() -> typer.Typer:
    made = typer.Typer()
    export_commands.register(made)
    bundle_commands.register(made)
    return made


def run(*args: str) -> tuple[int, str]:
    """Exit code and output (stdout, or the error's one sentence) of a command."""
    result = CliRunner().invoke(app(), list(args))
    if isinstance(result.exception, LedgerError):
        return int(exit_code_for(result.exception)), result.exception.sentence()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def export(logged: Path, folder: Path, key: str = "log.key") -> tuple[int, str]:
    """Export the bundle of the small assembly, signed with a key of its folder."""
    return run(
        *("export", "bundle", str(folder), "--ledger", str(logged / LEDGER)),
        *("--key", str(logged / key)),
    )


def test_a_bundle_needs_a_checkpoint(logged: Path) -> None:
    code, said = export(logged, logged / "b")
    assert code == 2
    assert said.endswith("run assembly checkpoint --key LOGKEY first.")
    assert not (logged / "b").exists()


def test_the_assemblys_bundle_verifies_without_its_database(logged: Path) -> None:
    ok(assembly("checkpoint", "--key", "log.key", cwd=logged))
    bundle, state = logged / "bundle", logged / "verifier.json"
    code, said = export(logged, bundle)
    assert code == 0, said
    assert {"manifest.txt", "policy.json"} <= {p.name for p in bundle.iterdir()}
    assert f"Wrote the bundle of {LOG_ORIGIN}" in said
    schemas = {p.name for p in (bundle / "schemas").iterdir()}
    assert {"assembly.government.responded.v2.json", "ledger.signer.enrolled.v1.json"} <= schemas
    schema = json.loads((bundle / "schemas" / "assembly.commission.assessed.v3.json").read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    readme = (bundle / "README.md").read_text()
    assert "assembly verify-bundle . --vkey log.vkey" in readme
    (logged / LEDGER).unlink()
    vkey = str(logged / "log.vkey")
    code, said = run("verify-bundle", str(bundle), "--vkey", vkey, "--state", str(state))
    assert code == 0, said
    assert "Verified the bundle of" in said and "First checkpoint of this log" in said
    assert "Every file is covered by the log's signature: manifest.txt lists" in said
    assert state.is_file()
    (bundle / "log.vkey").write_text((logged / "log.vkey").read_text())
    code, said = run("verify-bundle", str(bundle), "--vkey", vkey, "--state", str(state))
    assert (code, said) == (
        1,
        "The bundle does not verify: it holds log.vkey, a file its manifest.txt does not list.",
    )


def test_a_bundle_is_signed_with_the_log_key_only(logged: Path) -> None:
    ok(assembly("checkpoint", "--key", "log.key", cwd=logged))
    code, said = export(logged, logged / "bundle", key=CHARTER)
    assert (code, said) == (
        2,
        f"The key given did not sign the checkpoint of {LOG_ORIGIN}: give the log key "
        "(role log) that signs its checkpoints.",
    )
    assert not (logged / "bundle").exists()


def test_a_bundle_of_an_older_format_says_its_files_are_not_covered(tmp_path: Path) -> None:
    bundle = bundle_of(history(str(tmp_path / "a.db"), [1, 2]), tmp_path / "bundle")
    code, said = run(
        "verify-bundle", str(bundle), "--vkey", VKEY.text(), "--state", str(tmp_path / "s.json")
    )
    assert code == 0, said
    assert (
        "Older format (assembly-ledger/bundle@v1), files not covered: only the checkpoint, the "
        "entries and signers.json are checked; trust nothing else in the folder (its README, "
        "schemas or any other file)."
    ) in " ".join(said.split())


def test_a_changed_entry_fails_with_its_seq(tmp_path: Path) -> None:
    bundle = bundle_of(history(str(tmp_path / "a.db"), [1, 2]), tmp_path / "bundle")
    lines = (bundle / "entries.jsonl").read_text().split("\n")
    lines[3] = lines[3].replace('"number":1', '"number":7')
    (bundle / "entries.jsonl").write_text("\n".join(lines))
    code, said = run(
        "verify-bundle", str(bundle), "--vkey", VKEY.text(), "--state", str(tmp_path / "s.json")
    )
    assert (code, said) == (
        1,
        "Verification failed at seq 3: the stored hash does not match the entry's bytes.",
    )


def test_a_fork_is_refused_with_a_report_beside_the_state(tmp_path: Path) -> None:
    ours = bundle_of(history(str(tmp_path / "a.db"), [1, 2, 3]), tmp_path / "ours")
    fork = bundle_of(history(str(tmp_path / "b.db"), [1, 5, 5, 5]), tmp_path / "fork")
    state = tmp_path / "seen" / "verifier.json"
    for folder, expected in ((ours, 0), (fork, 1)):
        code, said = run("verify-bundle", str(folder), "--vkey", VKEY.text(), "--state", str(state))
        assert code == expected, said
    assert "histories first differ at seq 4; the proof of misbehaviour is in" in said
    reports = list(state.parent.glob("misbehaviour-*.json"))
    assert len(reports) == 1 and str(reports[0]) in said


def test_the_state_lives_in_the_users_data_folder_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("ASSEMBLY_VERIFIER_STATE", raising=False)
    bundle = bundle_of(history(str(tmp_path / "a.db"), [1]), tmp_path / "bundle")
    code, said = run("verify-bundle", str(bundle), "--vkey", VKEY.text())
    assert code == 0, said
    assert (tmp_path / "data" / "assembly" / "verifier.json").is_file()


def test_a_folder_that_is_not_a_bundle_is_a_usage_problem(tmp_path: Path) -> None:
    code, said = run(
        "verify-bundle", str(tmp_path), "--vkey", VKEY.text(), "--state", str(tmp_path / "s.json")
    )
    assert code == 2
    assert said == (
        f"{tmp_path} is not a bundle (it has no bundle.json): give a folder written by "
        "assembly export bundle."
    )
