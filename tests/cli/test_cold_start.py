"""Cold start (issue 19, part 6): a command imports only what it runs, and the root's help,
listed from ``cli.command_index`` without importing the commands, reads as it did.

What a command imports is read from a fresh interpreter's ``sys.modules`` after it ran; how
long that takes is measured by ``benchmarks/startup.py``, not here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from cli import lazy_group
from cli.command_index import ENTRIES
from cli.errors import Exit
from cli.main import USAGE, app
from tests.features.cycle import GOVERNMENT

ROOT = Path(__file__).resolve().parents[2]

SERVER = ("web", "fastapi", "starlette", "uvicorn")
DOCUMENTS = ("openpyxl", "weasyprint")
SOLVER = ("sortition_algorithms",)
OTHER_DATABASES = tuple(f"sqlalchemy.dialects.{name}" for name in ("mssql", "oracle", "mysql"))
STORAGE = ("sqlalchemy", "eventsourcing", "eventsourcing_sqlalchemy", "ledger", "tlog")
MODEL = ("domain", "projections", "sheets")

PROBE = """
import json, sys
args, report = json.loads(sys.argv[1]), sys.argv[2]
sys.argv = ["assembly", *args]
from cli.main import run
code = 0
try:
    run()
except SystemExit as done:
    code = done.code or 0
with open(report, "w") as out:
    found = {"code": code, "modules": sorted(sys.modules)}
    json.dump({**found, "opened": len(opened), "pools": len(pools)} if COUNT else found, out)
"""

COUNT = """
from sqlalchemy import event
from sqlalchemy.pool import Pool
from ledger.ledger import Ledger
opened, pools = [], []
event.listen(Pool, "first_connect", lambda *_: pools.append(1))
plain_open = Ledger.open.__func__
def counted_open(cls, location, *args, **options):
    opened.append(location)
    return plain_open(cls, location, *args, **options)
Ledger.open = classmethod(counted_open)
"""


def probed(*args: str, cwd: Path, report: Path, count: bool = False) -> dict[str, Any]:
    """Run ``assembly ARGS`` in a fresh interpreter and say what it did: its exit code, every
    module it imported, and with ``count`` how many ledgers it opened and connection pools it
    connected."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    code = f"COUNT = {count}\n" + (COUNT if count else "") + PROBE
    probe = [sys.executable, "-c", code, json.dumps(args), str(report)]
    done = subprocess.run(probe, cwd=cwd, env=env, capture_output=True, check=False, timeout=120)
    found: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    return {**found, "stderr": done.stderr.decode(errors="replace")}


def imported_by(*args: str, cwd: Path, report: Path) -> tuple[int, set[str]]:
    """Run ``assembly ARGS`` in a fresh interpreter: its exit code and every module it imported."""
    found = probed(*args, cwd=cwd, report=report)
    return found["code"], set(found["modules"])


def among(modules: set[str], packages: tuple[str, ...]) -> list[str]:
    """The modules of ``modules`` that are, or are inside, one of ``packages``."""
    return sorted(m for m in modules if any(m == p or m.startswith(f"{p}.") for p in packages))


def test_help_imports_neither_the_storage_nor_the_server_nor_the_draws(tmp_path: Path) -> None:
    code, modules = imported_by("--help", cwd=tmp_path, report=tmp_path / "modules.json")
    assert code == 0
    assert "cli.main" in modules  # the probe ran the command
    forbidden = SERVER + DOCUMENTS + SOLVER + OTHER_DATABASES + STORAGE + MODEL
    assert among(modules, forbidden) == []
    listing = ["cli", "cli.command_index", "cli.lazy_group", "cli.main", "cli.render"]
    assert among(modules, ("cli",)) == listing  # no command's module


def test_show_and_verify_import_neither_the_server_nor_the_solver(
    folder: Path, tmp_path: Path
) -> None:
    for args in (("show", "--help"), ("show", "1/1"), ("verify",)):
        code, modules = imported_by(*args, cwd=folder, report=tmp_path / "modules.json")
        assert code == 0, args
        assert {"cli.read_commands", "cli.ledger_commands"} & modules  # the command ran
        assert among(modules, SERVER + DOCUMENTS + SOLVER) == [], args
        assert among(modules, ("cli.draw_commands", "cli.serve_commands", "cli.demo")) == []


def test_a_command_opens_one_ledger_with_one_connection_pool(folder: Path, tmp_path: Path) -> None:
    """Issue 19, part 1: one engine per command-line run, for a write and for reads."""
    justification = "Le budget pluriannuel 2025-2029 ne prévoit pas cette mesure. " * 4
    respond = ("respond", "1/1", "--position", "rejected", "--portfolio", "climate")
    signed = ("--justification", justification, "--key", GOVERNMENT)
    for args in ((*respond, *signed), ("show", "1/1"), ("status",), ("verify",)):
        found = probed(*args, cwd=folder, report=tmp_path / "run.json", count=True)
        assert (found["code"], found["opened"], found["pools"]) == (0, 1, 1), found["stderr"]


def test_a_mistyped_command_is_a_usage_error_without_importing_the_ledger(tmp_path: Path) -> None:
    code, modules = imported_by("shwo", "1/1", cwd=tmp_path, report=tmp_path / "modules.json")
    assert code == USAGE == Exit.USAGE
    assert among(modules, STORAGE) == []


def root_help(root: typer.Typer) -> str:
    done = CliRunner().invoke(root, ["--help"], env={"COLUMNS": "100"}, prog_name="assembly")
    assert done.exit_code == 0, done.output
    return done.output


def test_the_root_help_lists_every_command_as_the_commands_themselves_would() -> None:
    lazy_group.register_every_module()
    eager = typer.Typer(
        name=app.info.name, help=app.info.help, no_args_is_help=True, add_completion=False
    )
    eager.registered_callback = app.registered_callback
    eager.registered_commands = lazy_group.registered().registered_commands
    eager.registered_groups = lazy_group.registered().registered_groups
    listed = root_help(app)
    assert "respond-jointly" in listed and "verify-bundle" in listed
    assert listed == root_help(eager)


def test_the_command_index_is_generated_from_the_commands_as_they_are() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cli.index_writer", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


TREE = """
import importlib, json, os, pkgutil, sys
import typer
from typer.main import get_command
from cli.command_index import ENTRIES
from cli.main import app

def paths(command, prefix=()):
    found = [" ".join(prefix)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found += paths(sub, (*prefix, name))
    return found

def tree(names):
    group = get_command(app)
    return {name: paths(group.get_command(typer.Context(group), name)) for name in names}

trees = {}
if sys.argv[1] == "together":
    trees = tree([entry.name for entry in ENTRIES])
else:  # the commands of each set of modules loaded alone, in a child of its own
    for package in ("tlog", "ledger", "domain", "projections", "sheets", "web"):
        for found in pkgutil.walk_packages([package], f"{package}."):  # paid once, not per child
            importlib.import_module(found.name)
    for modules in dict.fromkeys(entry.modules for entry in ENTRIES):
        read, write = os.pipe()
        if os.fork() == 0:
            names = [entry.name for entry in ENTRIES if entry.modules == modules]
            os.write(write, json.dumps(tree(names)).encode())
            os._exit(0)
        os.close(write)
        with os.fdopen(read) as pipe:
            trees.update(json.loads(pipe.read()))
        os.wait()
print(json.dumps(trees, sort_keys=True))
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="each command is loaded in a forked child")
def test_a_command_loaded_alone_has_every_subcommand_it_has_among_all() -> None:
    def trees(how: str) -> dict[str, list[str]]:
        done = subprocess.run(
            [sys.executable, "-c", TREE, how],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            check=True,
            timeout=600,
        )
        found: dict[str, list[str]] = json.loads(done.stdout)
        return found

    together = trees("together")
    assert together["export"][:2] == ["", "answers"]  # the export group and its commands
    assert set(together) == {entry.name for entry in ENTRIES}
    assert trees("apart") == together


def test_checking_a_bundle_imports_neither_the_server_nor_the_spreadsheets(
    logged: Path, tmp_path: Path
) -> None:
    """``export bundle`` joins the export group without the board's export (``web.downloads``,
    openpyxl): a reader checking a bundle loads neither."""
    report = tmp_path / "modules.json"
    assert probed("checkpoint", "--key", "log.key", cwd=logged, report=report)["code"] == 0
    exported = probed("export", "bundle", "bundle", "--key", "log.key", cwd=logged, report=report)
    assert exported["code"] == 0, exported["stderr"]
    checked = ("bundle", "--vkey", "log.vkey", "--state", str(tmp_path / "verifier.json"))
    runs = [("verify-bundle", "--help"), ("verify-bundle", *checked)]
    for args in [*runs, ("verify", "--bundle", *checked)]:
        code, modules = imported_by(*args, cwd=logged, report=report)
        assert code == 0, args
        assert "cli.bundle_commands" in modules, args  # the bundle was checked
        assert among(modules, ("fastapi", "openpyxl", "web", "cli.export_commands")) == [], args
