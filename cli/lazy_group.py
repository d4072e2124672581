"""The root command group, which imports a command's module only when that command runs.

Every command module imports what its commands need (the ledger, the read models, the server,
the draws and their solver, spreadsheets): importing them all made ``assembly --help`` take
0.9 s. The root group lists every command from ``cli.command_index`` (name, help panel, first
paragraph of its help), generated from the modules themselves by ``python -m cli.index_writer``,
and imports the modules of one command when it is invoked or its own help is asked for.

``MODULES`` is the one place that says how each module joins the command line, in the order of
the help.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup
from typer.main import get_group

from cli import command_index
from cli.command_index import Entry

if TYPE_CHECKING:  # the types of the click typer carries (older typer uses click itself)
    from typer._click import Command, Context, HelpFormatter

SETUP = "Set up and verify"

Registrar = Callable[[ModuleType, typer.Typer], None]


def _register(module: ModuleType, app: typer.Typer) -> None:
    module.register(app)


def _sub_app(name: str, panel: str) -> Registrar:
    def register(module: ModuleType, app: typer.Typer) -> None:
        app.add_typer(module.app, name=name, rich_help_panel=panel)

    return register


def _extends_its_groups(module: ModuleType, app: typer.Typer) -> None:
    module.register()


def _demo(module: ModuleType, app: typer.Typer) -> None:
    app.command("demo", rich_help_panel=SETUP)(module.demo)


MODULES: tuple[tuple[str, Registrar], ...] = (
    ("cli.keys", _sub_app("keys", SETUP)),
    ("cli.identity_commands", _sub_app("ledger", SETUP)),
    ("cli.ledger_commands", _register),
    ("cli.assembly_commands", _register),
    ("cli.member_commands", _extends_its_groups),
    ("cli.answer_commands", _register),
    ("cli.statement_commands", _register),
    ("cli.label_commands", _register),
    ("cli.draw_commands", _register),
    ("cli.read_commands", _register),
    ("cli.projection_commands", _register),
    ("cli.proof_commands", _register),
    ("cli.witness_commands", _register),
    ("cli.tiles_commands", _register),
    ("cli.backup_commands", _register),
    ("cli.bundle_commands", _register),
    ("cli.monitor_commands", _register),
    ("cli.serve_commands", _register),
    ("cli.trail_commands", _register),
    ("cli.export_commands", _register),
    ("cli.composition_commands", _register),
    ("cli.report_commands", _register),
    ("cli.press_commands", _register),
    ("cli.template_commands", _register),
    ("cli.demo", _demo),
)

_everything = typer.Typer()  # what the modules registered so far, in this process
_registered: set[str] = set()  # a module registers once: some add to another module's group


def register_modules(names: tuple[str, ...]) -> None:
    """Import these modules and add their commands to this process's root app, in the order of
    ``MODULES``, each once."""
    for name, registrar in MODULES:
        if name in names and name not in _registered:
            registrar(importlib.import_module(name), _everything)
            _registered.add(name)


def register_every_module() -> None:
    """Import every command module now: for a process that forks a child per command, so the
    children do not each import them again."""
    register_modules(tuple(name for name, _ in MODULES))


def registered() -> typer.Typer:
    """The root app of the modules registered so far in this process, as ``assembly`` was
    built before its commands were loaded lazily: the tests compare the two."""
    return _everything


def built(name: str, rich_markup_mode: Any) -> typer.Typer:
    """A root app holding only the command or group ``name`` of the modules registered."""
    alone = typer.Typer(rich_markup_mode=rich_markup_mode)
    alone.registered_commands = [c for c in _everything.registered_commands if c.name == name]
    alone.registered_groups = [g for g in _everything.registered_groups if g.name == name]
    return alone


class LazyGroup(TyperGroup):
    """The root group: every command of the index is listed, and imported when it is used."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._index = {entry.name: entry for entry in command_index.ENTRIES}
        self._listing = False
        for entry in command_index.ENTRIES:
            self.commands.setdefault(entry.name, _stand_in(entry))

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        """List the commands from the index: their help is there, their modules stay unread."""
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = self.commands.get(cmd_name)
        entry = self._index.get(cmd_name)
        if self._listing or entry is None or not isinstance(command, _StandIn):
            return command
        register_modules(entry.modules)
        command = get_group(built(cmd_name, self.rich_markup_mode)).commands[cmd_name]
        self.commands[cmd_name] = command
        return command


class _StandIn(TyperCommand):
    """A command listed in the root group's help before its module is imported."""


def _stand_in(entry: Entry) -> _StandIn:
    return _StandIn(
        name=entry.name, help=entry.help, rich_help_panel=entry.panel, hidden=entry.hidden
    )
