"""What `assembly init` tells a new user to do next: the keys to make and enrol, with the exact
commands, and where the README walks through a whole cycle."""

from __future__ import annotations

import shlex
from pathlib import Path

from cli.context import CHARTER_KEY, DEFAULT_LEDGER

OFFICES = ("secretariat", "government", "commission")
WALK_THROUGH = 'the README, "Your first hour"'


def next_steps(ledger: str, charter_key: Path) -> list[str]:
    """The lines that follow a new ledger: one key per office that writes, made, enrolled with
    its role by the charter key, then the charter; ``--ledger`` and ``--key`` appear only when
    the defaults would not find this ledger and this charter key."""
    where = "" if ledger == DEFAULT_LEDGER else f" --ledger {shlex.quote(ledger)}"
    signed = "" if charter_key == CHARTER_KEY else f" --key {shlex.quote(str(charter_key))}"
    lines = ["", "Next steps:", "  1. Make a key for each office that writes (each keeps its own):"]
    lines += [f"       assembly keys new --key {office}.key" for office in OFFICES]
    lines += ["  2. Enrol each with its role, signed by the charter key:"]
    lines += [
        f"       assembly keys enrol {office}.key.pub --role {office} "
        f"--name {shlex.quote('The ' + office)}{where}{signed}"
        for office in OFFICES
    ]
    lines += [
        "  3. Write the assembly's charter:",
        '       assembly charter --name "..." --region "..." --language fr --language nl'
        f"{where} --key {shlex.quote(str(charter_key))}",
        f"Then convene panel 1 and draw it: {WALK_THROUGH} shows every command of a first "
        "cycle, and `assembly demo` runs one on synthetic data.",
    ]
    return lines
