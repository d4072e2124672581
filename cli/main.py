"""The ``assembly`` command: one sub-app per group, thin commands, errors mapped in ``run``."""

from __future__ import annotations

import sys
import traceback
from typing import Annotated

import typer
from eventsourcing.persistence import PersistenceError
from rich.console import Console
from sqlalchemy.exc import SQLAlchemyError

from cli import answer_commands, assembly_commands, demo, draw_commands, ledger_commands
from cli import keys as keys_commands
from cli.errors import Exit, exit_code_for
from domain.errors import RuleBroken
from ledger.errors import LedgerError

app = typer.Typer(
    name="assembly",
    help="A signed, hash-chained ledger of a citizens' assembly's recommendations and the "
    "government's answers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(keys_commands.app, name="keys", rich_help_panel="Set up and verify")
ledger_commands.register(app)
assembly_commands.register(app)
answer_commands.register(app)
draw_commands.register(app)
app.command("demo", rich_help_panel="Set up and verify")(demo.demo)

_state = {"debug": False}


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")] = False,
) -> None:
    """Write, read and verify the assembly's ledger."""
    _state["debug"] = debug


def run() -> None:
    """Entry point of the console command: every error ends as one sentence and an exit code."""
    stderr = Console(stderr=True, highlight=False)
    try:
        app()
    except LedgerError as error:
        if _state["debug"]:
            traceback.print_exc()
        stderr.print(f"[bold red]error:[/] {error.sentence()}", soft_wrap=True)
        sys.exit(int(exit_code_for(error)))
    except RuleBroken as error:  # a rule of the assembly's process refused the step
        if _state["debug"]:
            traceback.print_exc()
        stderr.print(f"[bold red]refused:[/] {error.sentence()}", soft_wrap=True)
        sys.exit(int(Exit.REFUSED))
    except (SQLAlchemyError, PersistenceError) as error:  # the database failed mid-command
        if _state["debug"]:
            traceback.print_exc()
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        stderr.print(
            f"[bold red]error:[/] The ledger database failed: {reason[0] if reason else error}.",
            soft_wrap=True,
        )
        sys.exit(int(Exit.STORAGE))
    except KeyboardInterrupt:
        stderr.print("Interrupted; nothing half-written stays behind.")
        sys.exit(130)
    except Exception as error:  # a bug of ours: say so, keep the traceback behind --debug
        if _state["debug"] or "--debug" in sys.argv:
            traceback.print_exc()
        stderr.print(
            f"[bold red]internal error:[/] {type(error).__name__}: {error} "
            "(run again with --debug for the traceback, and report it)",
            soft_wrap=True,
        )
        sys.exit(int(Exit.INTERNAL))
