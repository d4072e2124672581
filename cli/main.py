"""The ``assembly`` command: one sub-app per group, thin commands, errors mapped in ``run``."""

from __future__ import annotations

import os
import sys
import traceback
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

try:  # recent typer carries its own copy of click, and raises its exceptions
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer raises click's own
    from click import exceptions as click_errors  # type: ignore[no-redef]

from cli.lazy_group import LazyGroup
from cli.render import fit_to_terminal

USAGE = 2  # cli.errors.Exit.USAGE, which imports the ledger's errors: not for a mistyped option

app = typer.Typer(
    name="assembly",
    help="A signed, hash-chained ledger of a citizens' assembly's recommendations and the "
    "government's answers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,  # each command's module is imported when it runs (cli.lazy_group)
)

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
        sys.exit(0)
    except SystemExit as done:
        # rich meets a closed pipe itself: it points stdout at devnull and exits with 1, which
        # would read as "verification failed". A closed pipe is no failure.
        if isinstance(done.__context__, BrokenPipeError):
            sys.exit(0)
        raise
    except (
        click_errors.NoArgsIsHelpError
    ) as error:  # a group called without a command: show its help
        if error.ctx is not None:
            print(error.ctx.get_help())
        sys.exit(USAGE)
    except click_errors.UsageError as error:  # a missing option, an unknown choice, a bad value
        hint = f" See '{error.ctx.command_path} --help'." if error.ctx else ""
        stderr.print(f"[bold red]error:[/] {escape(error.format_message())}{hint}", soft_wrap=True)
        sys.exit(USAGE)
    except click_errors.ClickException as error:  # a file option that cannot be opened
        stderr.print(f"[bold red]error:[/] {escape(error.format_message())}", soft_wrap=True)
        sys.exit(USAGE)
    except typer.Abort:
        stderr.print("Interrupted; nothing half-written stays behind.")
        sys.exit(130)
    except KeyboardInterrupt:
        stderr.print("Interrupted; nothing half-written stays behind.")
        sys.exit(130)
    except Exception as error:
        sys.exit(_failed(error, stderr))


def _failed(error: Exception, stderr: Console) -> int:
    """Say why the command failed in one sentence on stderr, and return its exit code.

    The errors' classes are imported here rather than at start-up, where they would bring in
    the ledger, SQLAlchemy and the domain for ``--help``: a command that raised one of them has
    imported them already.
    """
    from eventsourcing.persistence import PersistenceError
    from sqlalchemy.exc import SQLAlchemyError

    from cli.errors import Exit, exit_code_for
    from domain.errors import RuleBroken
    from ledger.errors import LedgerError
    from ledger.faults import storage_fault

    storage = (SQLAlchemyError, PersistenceError)
    known = isinstance(error, (LedgerError, RuleBroken, *storage))
    if _state["debug"] or (not known and "--debug" in sys.argv):
        traceback.print_exc()
    if isinstance(error, LedgerError):
        stderr.print(f"[bold red]error:[/] {escape(error.sentence())}", soft_wrap=True)
        return int(exit_code_for(error))
    if isinstance(error, RuleBroken):  # a rule of the assembly's process refused the step
        stderr.print(f"[bold red]refused:[/] {escape(error.sentence())}", soft_wrap=True)
        return int(Exit.REFUSED)
    if isinstance(error, storage):  # the database failed mid-command
        fault = storage_fault(error, None)
        stderr.print(f"[bold red]error:[/] {escape(fault.sentence())}", soft_wrap=True)
        return int(Exit.STORAGE)
    # a bug of ours: say so, keep the traceback behind --debug
    stderr.print(
        f"[bold red]internal error:[/] {type(error).__name__}: {escape(str(error))} "
        "(run again with --debug for the traceback, and report it)",
        soft_wrap=True,
    )
    return int(Exit.INTERNAL)
