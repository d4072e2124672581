"""The ``assembly`` command: one sub-app per group, thin commands, errors mapped in ``run``."""

from __future__ import annotations

import os
import sys
import traceback
from typing import Annotated

import typer
from eventsourcing.persistence import PersistenceError
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError

try:  # recent typer carries its own copy of click, and raises its exceptions
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer raises click's own
    from click import exceptions as click_errors  # type: ignore[no-redef]

from cli import (
    answer_commands,
    assembly_commands,
    backup_commands,
    bundle_commands,
    composition_commands,
    demo,
    draw_commands,
    export_commands,
    identity_commands,
    label_commands,
    ledger_commands,
    member_commands,
    press_commands,
    projection_commands,
    proof_commands,
    read_commands,
    report_commands,
    serve_commands,
    statement_commands,
    template_commands,
    tiles_commands,
    trail_commands,
    witness_commands,
)
from cli import keys as keys_commands
from cli.errors import Exit, exit_code_for
from cli.render import fit_to_terminal
from domain.errors import RuleBroken
from ledger.errors import LedgerError
from ledger.faults import storage_fault

app = typer.Typer(
    name="assembly",
    help="A signed, hash-chained ledger of a citizens' assembly's recommendations and the "
    "government's answers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(keys_commands.app, name="keys", rich_help_panel="Set up and verify")
app.add_typer(identity_commands.app, name="ledger", rich_help_panel="Set up and verify")
ledger_commands.register(app)
assembly_commands.register(app)
member_commands.register()
answer_commands.register(app)
statement_commands.register(app)
label_commands.register(app)
draw_commands.register(app)
read_commands.register(app)
projection_commands.register(app)
proof_commands.register(app)
witness_commands.register(app)
tiles_commands.register(app)
backup_commands.register(app)
bundle_commands.register(app)
serve_commands.register(app)
trail_commands.register(app)
export_commands.register(app)
composition_commands.register(app)
report_commands.register(app)
press_commands.register(app)
template_commands.register(app)
app.command("demo", rich_help_panel="Set up and verify")(demo.demo)

_state = {"debug": False}


@app.callback()
def main(
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")] = False,
) -> None:
    """Write, read and verify the assembly's ledger."""
    _state["debug"] = debug
    fit_to_terminal()


def run() -> None:
    """Entry point of the console command: every error ends as one sentence and an exit code."""
    stderr = Console(stderr=True, highlight=False)
    try:
        code = app(standalone_mode=False)
        sys.stdout.flush()  # a closed pipe shows here, not at exit where it cannot be caught
        if isinstance(code, int) and code:
            sys.exit(code)  # click's own exits (--help is 0)
    except BrokenPipeError:
        # The reader went away (`assembly status | head`): nothing more to say to anyone.
        # As Python's documentation advises, point stdout at devnull so the flush at exit
        # does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(int(Exit.OK))
    except SystemExit as done:
        # rich meets a closed pipe itself: it points stdout at devnull and exits with 1, which
        # would read as "verification failed". A closed pipe is no failure.
        if isinstance(done.__context__, BrokenPipeError):
            sys.exit(int(Exit.OK))
        raise
    except (
        click_errors.NoArgsIsHelpError
    ) as error:  # a group called without a command: show its help
        if error.ctx is not None:
            print(error.ctx.get_help())
        sys.exit(int(Exit.USAGE))
    except click_errors.UsageError as error:  # a missing option, an unknown choice, a bad value
        hint = f" See '{error.ctx.command_path} --help'." if error.ctx else ""
        stderr.print(f"[bold red]error:[/] {escape(error.format_message())}{hint}", soft_wrap=True)
        sys.exit(int(Exit.USAGE))
    except click_errors.ClickException as error:  # a file option that cannot be opened
        stderr.print(f"[bold red]error:[/] {escape(error.format_message())}", soft_wrap=True)
        sys.exit(int(Exit.USAGE))
    except typer.Abort:
        stderr.print("Interrupted; nothing half-written stays behind.")
        sys.exit(130)
    except LedgerError as error:
        if _state["debug"]:
            traceback.print_exc()
        stderr.print(f"[bold red]error:[/] {escape(error.sentence())}", soft_wrap=True)
        sys.exit(int(exit_code_for(error)))
    except RuleBroken as error:  # a rule of the assembly's process refused the step
        if _state["debug"]:
            traceback.print_exc()
        stderr.print(f"[bold red]refused:[/] {escape(error.sentence())}", soft_wrap=True)
        sys.exit(int(Exit.REFUSED))
    except (SQLAlchemyError, PersistenceError) as error:  # the database failed mid-command
        if _state["debug"]:
            traceback.print_exc()
        fault = storage_fault(error, None)
        stderr.print(f"[bold red]error:[/] {escape(fault.sentence())}", soft_wrap=True)
        sys.exit(int(Exit.STORAGE))
    except KeyboardInterrupt:
        stderr.print("Interrupted; nothing half-written stays behind.")
        sys.exit(130)
    except Exception as error:  # a bug of ours: say so, keep the traceback behind --debug
        if _state["debug"] or "--debug" in sys.argv:
            traceback.print_exc()
        stderr.print(
            f"[bold red]internal error:[/] {type(error).__name__}: {escape(str(error))} "
            "(run again with --debug for the traceback, and report it)",
            soft_wrap=True,
        )
        sys.exit(int(Exit.INTERNAL))
