"""Write ``cli/command_index.py`` from the command modules themselves.

Run ``python -m cli.index_writer`` after adding a command or changing the first paragraph of a
command's help; ``--check`` exits 1 when the index is out of date (a test runs it). It imports
every module of ``cli.lazy_group.MODULES`` in order, as ``assembly`` did before its commands
were loaded lazily, and notes for each top-level command the modules it needs: the one that adds
it, and any that adds a command to one of its groups (``member_commands`` adds ``panel members``,
``bundle_commands`` adds ``export bundle``), since loading one command imports only those.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import inspect
import json
import sys
from collections import defaultdict
from pathlib import Path

import typer
from typer.main import get_group

from cli import lazy_group
from cli.command_index import Entry

INDEX = Path(__file__).with_name("command_index.py")

ENTRIES_START = "ENTRIES: tuple[Entry, ...] = (\n"  # what comes before it is kept as it is


def _contents(app: typer.Typer) -> frozenset[str]:
    names = [c.name or c.callback.__name__ for c in app.registered_commands if c.callback]
    return frozenset(names + [g.name or "" for g in app.registered_groups])


def _apps_under(app: typer.Typer) -> list[typer.Typer]:
    found = [app]
    for group in app.registered_groups:
        if group.typer_instance is not None:
            found += _apps_under(group.typer_instance)
    return found


def entries() -> list[Entry]:
    """Import and register every module (once per process) and describe the root's commands."""
    root = typer.Typer()
    touched: dict[int, set[str]] = defaultdict(set)  # id of an app -> modules that added to it
    added_by: dict[str, str] = {}
    for name, registrar in lazy_group.MODULES:
        module = importlib.import_module(name)
        apps = [o for o in gc.get_objects() if isinstance(o, typer.Typer) and o is not root]
        before = {id(app): _contents(app) for app in apps}
        roots = _contents(root)
        registrar(module, root)
        touched_now = [app for app in apps if _contents(app) != before[id(app)]]
        for app in touched_now:
            touched[id(app)].add(name)
        for new in _contents(root) - roots:
            added_by[new] = name
    order = [name for name, _ in lazy_group.MODULES]
    group = get_group(root)
    found = []
    for command_name, command in group.commands.items():
        needs = {added_by[command_name]}
        for info in root.registered_groups:
            if info.name == command_name and info.typer_instance is not None:
                for app in _apps_under(info.typer_instance):
                    needs |= touched[id(app)]
        paragraph = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0]
        found.append(
            Entry(
                name=command_name,
                modules=tuple(sorted(needs, key=order.index)),
                panel=getattr(command, "rich_help_panel", None),
                help=paragraph,
                hidden=command.hidden,
            )
        )
    return found


def _literal(text: str, indent: str) -> str:
    """``text`` as a string literal that ruff's formatter leaves as it is: in pieces of up to
    about 80 characters cut at spaces, one a line, when it does not fit on one."""
    whole = json.dumps(text, ensure_ascii=False)
    if len(indent) + len(whole) < 100:
        return f"{indent}{whole},\n"
    width = 100 - len(indent) - 4
    pieces = [""]
    for word in text.split(" "):
        joined = f"{pieces[-1]} {word}" if pieces[-1] else word
        if len(json.dumps(f"{joined} ", ensure_ascii=False)) > width and pieces[-1]:
            pieces[-1] += " "
            pieces.append(word)
        else:
            pieces[-1] = joined
    quoted = [json.dumps(piece, ensure_ascii=False) for piece in pieces]
    inner = "".join(f"{indent}    {piece}\n" for piece in quoted)
    return f"{indent}(\n{inner}{indent}),\n"


def source(found: list[Entry]) -> str:
    """The text of ``cli/command_index.py`` for these entries, below its present header."""
    header = INDEX.read_text(encoding="utf-8").split(ENTRIES_START)[0]
    lines = [header, ENTRIES_START]
    for entry in found:
        modules = "".join(f"{json.dumps(m)}, " for m in entry.modules).rstrip(" ")
        if len(entry.modules) > 1:
            modules = modules.rstrip(",")
        lines.append("    Entry(\n")
        lines.append(f"        {json.dumps(entry.name)},\n")
        lines.append(f"        ({modules}),\n")
        lines.append(f"        {json.dumps(entry.panel)},\n".replace("null", "None"))
        lines.append(_literal(entry.help, " " * 8))
        if entry.hidden:
            lines.append("        hidden=True,\n")
        lines.append("    ),\n")
    lines.append(")\n")
    return "".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="Exit 1 if the index is stale.")
    options = parser.parse_args()
    text = source(entries())
    if options.check:
        if INDEX.read_text(encoding="utf-8") != text:
            print(f"{INDEX} is out of date: run python -m cli.index_writer.", file=sys.stderr)
            return 1
        return 0
    INDEX.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
