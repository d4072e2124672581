"""Run ``assembly`` as a user would, in a forked child of the test process.

Each command still runs in a process of its own, through the console entry point
(``cli.main.run``), with its own working folder, environment, exit code and streams; only the
interpreter's start-up and imports, about 1.8 s a command on the 2-core CI machine, are paid once
instead of every time. Set ``ASSEMBLY_TEST_SPAWN=1`` to run every command in a fresh interpreter
with ``tests.runner.assembly`` instead (same results, many times slower).

``draw`` commands always run in a fresh interpreter: the draws' solver (HiGHS) keeps a pool of
threads, and a child forked from a test process where the solver already ran (the draws' own
tests run it in process) inherits that pool without its threads and waits on it for ever.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import NoReturn

from tests import runner
from tests.runner import Result

SPAWN = os.environ.get("ASSEMBLY_TEST_SPAWN", "") not in ("", "0") or not hasattr(os, "fork")


def assembly(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
    """Run ``assembly ARGS`` in a child process without a terminal; return its code and streams."""
    if SPAWN or args[:1] == ("draw",):
        return runner.assembly(*args, cwd=cwd, env=env)
    from cli.lazy_group import register_every_module
    from cli.main import run  # imported once, here, so the children inherit it

    register_every_module()  # and every command's module, which run would import per command

    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSEMBLY_")}
    full_env.update(env or {})
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(run, args, cwd, full_env, out.fileno(), err.fileno())
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        return Result(
            os.waitstatus_to_exitcode(status),
            out.read().decode("utf-8"),
            err.read().decode("utf-8"),
        )


def _child(
    run: object, args: tuple[str, ...], cwd: Path | None, env: dict[str, str], out: int, err: int
) -> NoReturn:
    """Become the command: its folder, environment and streams; exit with its code."""
    code = 70
    try:
        if cwd is not None:
            os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.argv = ["assembly", *args]
        try:
            run()  # type: ignore[operator]
            code = 0
        except SystemExit as done:
            code = _exit_code(done.code)
    except BaseException:  # a failure of this harness, not of the command: show it
        traceback.print_exc()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # the child exits either way
                stream.flush()
        os._exit(code)


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1
