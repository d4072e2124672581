"""Run the ``assembly`` command as a user would: a separate process, its exit code and streams."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str


def assembly(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, stdin: str | None = None
) -> Result:
    """Run ``assembly ARGS`` in a subprocess without a terminal."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ASSEMBLY_")}
    full_env.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=cwd,
        env=full_env,
        input=stdin or "",
        capture_output=True,
        text=True,
        timeout=300,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def enrol(
    folder: Path,
    *,
    public: str = "gov.key.pub",
    role: str = "government",
    name: str = "Minister of Climate",
    key: str = "charter.key",
    env: dict[str, str] | None = None,
) -> Result:
    """Enrol a key in the ledger of ``folder`` with the charter key, as the charter holder does."""
    return assembly(
        "keys", "enrol", public, "--role", role, "--name", name, "--key", key, cwd=folder, env=env
    )
