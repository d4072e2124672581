"""`assembly witness init | cosign | show` through typer's runner, on an app registering them."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from cli import witness_commands
from cli.errors import Exit, UsageProblem, exit_code_for
from tests.ledger.test_witness import LOG, LOG_KEY, ORIGIN, OTHER_KEY, Log
from tlog.checkpoint import (
    Checkpoint,
    format_checkpoint,
    parse_cosignature,
    verify_cosignature,
)
from tlog.note import COSIGNATURE_V1, SignerKey, parse_note, parse_verifier_key, sign_note
from tlog.witness import AddCheckpoint, NoWitness, format_add_checkpoint

W1 = "witness.example/w1"


def make_app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)

    @app.callback()
    def main() -> None:
        """The commands under test."""

    witness_commands.register(app)
    return app


APP = make_app()


def run(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(APP, ["witness", *args], input=stdin)


def init(directory: Path, *keys: str, origin: str = ORIGIN, name: str = W1) -> Result:
    flags = [flag for key in keys for flag in ("--log-vkey", key)]
    return run("init", str(directory), "--name", name, "--origin", origin, *flags)


@pytest.fixture
def witness(tmp_path: Path) -> Path:
    directory = tmp_path / "witness"
    result = init(directory, LOG_KEY.verifier_key.text())
    assert result.exit_code == 0, result.output
    return directory


def request_file(tmp_path: Path, request: AddCheckpoint, name: str = "request.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(format_add_checkpoint(request))
    return path


def cosign(witness: Path, request: AddCheckpoint, tmp_path: Path) -> Result:
    return run("cosign", str(witness), str(request_file(tmp_path, request)))


def test_the_witness_group_is_listed_under_set_up_and_verify() -> None:
    result = CliRunner().invoke(APP, ["--help"])
    assert "Set up and verify" in result.output and "witness" in result.output
    for command in ("init", "cosign", "show"):
        assert "Example: assembly witness" in run(command, "--help").output


def test_init_prints_the_witness_verifier_key_and_keeps_its_private_key_private(
    tmp_path: Path,
) -> None:
    directory = tmp_path / "w"
    result = init(directory, LOG_KEY.verifier_key.text(), OTHER_KEY.verifier_key.text())
    assert result.exit_code == 0, result.output
    key = parse_verifier_key(result.stdout.strip())
    assert (key.name, key.signature_type) == (W1, COSIGNATURE_V1)
    assert stat.S_IMODE(os.stat(directory / "cosigner.key").st_mode) == 0o600
    state = json.loads((directory / "state.json").read_text())
    assert len(state["logs"][ORIGIN]["keys"]) == 2


def test_init_again_adds_an_origin_under_the_same_key(witness: Path) -> None:
    before = run("show", str(witness), "--format", "json")
    other = SignerKey("example.org/other-log", bytes([3]) * 32)
    result = init(witness, other.verifier_key.text(), origin=other.name)
    assert result.exit_code == 0, result.output
    after = json.loads(run("show", str(witness), "--format", "json").stdout)
    assert result.stdout.strip() == after["witness"] == json.loads(before.stdout)["witness"]
    assert [log["origin"] for log in after["logs"]] == ["example.com/assembly-log", other.name]


def test_init_refuses_to_replace_an_origins_keys(witness: Path) -> None:
    result = init(witness, OTHER_KEY.verifier_key.text())
    assert isinstance(result.exception, UsageProblem)
    assert exit_code_for(result.exception) is Exit.USAGE
    assert result.exception.sentence() == (
        f"The witness is not changed: it already trusts other keys for {ORIGIN}."
    )


def test_init_refuses_a_malformed_log_key(tmp_path: Path) -> None:
    result = init(tmp_path, "example.com/log+00000000+AAAA")
    assert isinstance(result.exception, UsageProblem)
    assert str(result.exception).startswith("--log-vkey: The verifier key")


def test_cosign_writes_a_cosignature_line_that_verifies(witness: Path, tmp_path: Path) -> None:
    vkey = json.loads(run("show", str(witness), "--format", "json").stdout)["witness"]
    result = cosign(witness, LOG.request(0, 5), tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"\u2014 {W1} ") and result.stdout.count("\n") == 1
    note = parse_note(LOG.signed(5) + result.stdout.encode())
    cosignature = parse_cosignature(note.signatures[-1])
    verify_cosignature(LOG.checkpoint(5), cosignature, parse_verifier_key(vkey))


def test_cosign_reads_stdin_and_writes_out(witness: Path, tmp_path: Path) -> None:
    out = tmp_path / "cosignature.txt"
    body = format_add_checkpoint(LOG.request(0, 3))
    result = run("cosign", str(witness), "-", "--out", str(out), stdin=body)
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith(f"\u2014 {W1} ")


def test_show_lists_the_size_and_root_last_cosigned(witness: Path, tmp_path: Path) -> None:
    assert cosign(witness, LOG.request(0, 5), tmp_path).exit_code == 0
    assert cosign(witness, LOG.request(5, 7), tmp_path).exit_code == 0
    table = run("show", str(witness))
    assert table.exit_code == 0
    root = LOG.checkpoint(7).root_hash
    assert ORIGIN in table.stdout and base64.b64encode(root).decode() in table.stdout
    (log,) = json.loads(run("show", str(witness), "--format", "json").stdout)["logs"]
    assert (log["size"], log["keys"]) == (7, [LOG_KEY.verifier_key.text()])


def test_show_of_a_directory_without_a_witness_is_a_storage_error(tmp_path: Path) -> None:
    result = run("show", str(tmp_path))
    assert isinstance(result.exception, NoWitness)
    assert exit_code_for(result.exception) is Exit.STORAGE


def _unknown_origin() -> AddCheckpoint:
    stranger = SignerKey("example.org/other-log", bytes(32))
    text = format_checkpoint(Checkpoint(stranger.name, 1, LOG.checkpoint(1).root_hash))
    return AddCheckpoint(0, (), sign_note(text, [stranger]))


def _bad_proof() -> AddCheckpoint:
    request = LOG.request(5, 8)
    return AddCheckpoint(5, (bytes(32), *request.proof[1:]), request.checkpoint)


@pytest.mark.parametrize(
    ("request_", "code", "sentence"),
    [
        (_unknown_origin(), 14, "does not know the log 'example.org/other-log'"),
        (Log(16, key=OTHER_KEY).request(5, 8), 13, "(403 Forbidden)."),
        (AddCheckpoint(9, (), LOG.signed(8)), 10, "old size 9 is larger than the checkpoint's"),
        (LOG.request(3, 8), 19, "at size 5, not 3; send the request again with old 5 (409"),
        (_bad_proof(), 32, "at size 8 extends the checkpoint the witness cosigned at size 5"),
        (Log(16, fork="!", fork_at=2).request(5, 8), 32, "(422 Unprocessable Entity)."),
        (LOG.request(0, 3), 19, "at size 5, not 0"),  # a rollback
    ],
)
def test_each_refusal_exits_with_its_code_and_one_sentence(
    witness: Path, tmp_path: Path, request_: AddCheckpoint, code: int, sentence: str
) -> None:
    assert cosign(witness, LOG.request(0, 5), tmp_path).exit_code == 0
    before = (witness / "state.json").read_bytes()
    result = cosign(witness, request_, tmp_path)
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr.startswith("refused: ") and sentence in result.stderr
    assert (witness / "state.json").read_bytes() == before


def test_a_malformed_request_file_is_a_bad_request(witness: Path, tmp_path: Path) -> None:
    path = tmp_path / "request.txt"
    path.write_bytes(b"old 01\n\n")
    result = run("cosign", str(witness), str(path))
    assert result.exit_code == 10
    assert "is not 'old' and a decimal size (400 Bad Request)." in result.stderr
