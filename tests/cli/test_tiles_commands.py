"""`assembly export tiles DIR` through typer's runner, on an app registering the export group."""

from __future__ import annotations

import uuid
from pathlib import Path

import typer
from typer.testing import CliRunner, Result

from cli import export_commands, tiles_commands
from cli.errors import Exit, UsageProblem, exit_code_for
from ledger.tree import issue_checkpoint
from tests.conftest import World
from tests.ledger.test_tiles import LOG_KEY, NOTE_KEY, ORIGIN, VKEY, canonical, files
from tlog.tiles import included_entry, open_tile_log


def make_app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False)

    @app.callback()
    def main() -> None:
        """The commands under test."""

    export_commands.register(app)
    tiles_commands.register(app)
    tiles_commands.register(app)  # twice, as two apps in one process would: still one command
    return app


APP = make_app()


def export(world: World, folder: Path) -> Result:
    return CliRunner().invoke(APP, ["export", "tiles", str(folder), "--ledger", world.url])


def refusal(result: Result) -> str:
    """The sentence of a refused command (``cli.main`` prints it; here it is the exception)."""
    assert isinstance(result.exception, UsageProblem), result.output
    assert exit_code_for(result.exception) == Exit.USAGE
    return result.exception.sentence()


def test_the_tiles_command_is_registered_once_in_the_export_group() -> None:
    names = [command.name for command in export_commands.export_app.registered_commands]
    assert names.count("tiles") == 1


def test_export_tiles_refuses_a_ledger_without_a_checkpoint(world: World, tmp_path: Path) -> None:
    result = export(world, tmp_path / "tiles")
    assert refusal(result) == (
        "No checkpoint was issued yet: run assembly checkpoint --key LOGKEY first."
    )
    assert not (tmp_path / "tiles").exists()


def test_export_tiles_writes_the_latest_checkpoint_and_says_what_it_wrote(
    world: World, tmp_path: Path
) -> None:
    world.ledger.enrol(world.charter, LOG_KEY.public_key, role="log", name="Log operator")
    issue_checkpoint(world.ledger.recorder, NOTE_KEY, origin=ORIGIN)
    world.append(world.secretariat, uuid.uuid4(), 0, world.event(), world.event())
    issued = issue_checkpoint(world.ledger.recorder, NOTE_KEY, origin=ORIGIN)
    world.append(world.secretariat, uuid.uuid4(), 0, world.event())  # unsigned yet
    folder = tmp_path / "public" / "log"
    result = export(world, folder)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == (
        f"Wrote 1 tile(s) and 1 entry bundle(s) of the checkpoint of {issued.size} entries "
        f"to {folder}."
    )
    assert sorted(files(folder)) == [
        "checkpoint", f"tile/0/000.p/{issued.size}", f"tile/entries/000.p/{issued.size}"
    ]  # fmt: skip
    log = open_tile_log(str(folder), [VKEY])
    assert log.size == issued.size
    assert included_entry(log, issued.size - 1) == canonical(world)[issued.size - 1]


def test_export_tiles_refuses_a_folder_of_other_files(world: World, tmp_path: Path) -> None:
    world.ledger.enrol(world.charter, LOG_KEY.public_key, role="log", name="Log operator")
    issue_checkpoint(world.ledger.recorder, NOTE_KEY, origin=ORIGIN)
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "index.html").write_text("<p>hello</p>")
    result = export(world, tmp_path / "site")
    assert refusal(result) == (
        f"{tmp_path / 'site'} holds files other than a tile export; give a new or empty folder, "
        "or one written by an earlier export."
    )
    assert files(tmp_path / "site") == {"index.html": b"<p>hello</p>"}
