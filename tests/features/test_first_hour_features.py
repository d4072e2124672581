"""Steps of features/administrator/first_hour.feature: the README's "Your first hour", block by
block, each command run as written (``tests.features.readme``) in a folder of its own.

Two things the README leaves to its reader are filled in here, as a reader would: the random
value is published after the draw's announcement (so `--published-at` is now), and the
commission member added is one the draw seated (the README says "one panel members listed").
"""

from __future__ import annotations

import json
import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pytest_bdd import given, parsers, scenarios, then, when

from tests.cli.test_first_hour import commands_printed
from tests.features.cycle import write_pool, write_quotas, write_register
from tests.features.forked import assembly
from tests.features.readme import Command, first_hour_blocks
from tests.runner import Result

scenarios("administrator/first_hour.feature")

BLOCKS = {"first": 0, "second": 1, "third": 2}


class Newcomer:
    """The folder a new user works in, and every command run there with its result."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ran: list[tuple[list[str], Result]] = []

    def run(self, command: Command) -> Result:
        env, args = command
        args = list(args)
        if "--published-at" in args:
            args[args.index("--published-at") + 1] = datetime.now(UTC).isoformat()
        if args[:2] == ["commission", "add"]:
            args[2] = self.json("panel", "members", "1")[0]["pseudonym"]
        done = assembly(*args, cwd=self.folder, env=env)
        assert done.code == 0, f"assembly {shlex.join(args)}: {done.stderr}"
        self.ran.append((args, done))
        return done

    def json(self, *args: str) -> Any:
        done = assembly(*args, "--format", "json", cwd=self.folder)
        assert done.code == 0, done.stderr
        return json.loads(done.stdout)


@given(
    "an empty folder with the register, the pool and the quotas the secretariat publishes",
    target_fixture="newcomer",
)
def empty_folder(tmp_path: Path) -> Newcomer:
    folder = tmp_path / "first-hour"
    folder.mkdir()
    write_register(folder / "register.csv")
    write_quotas(folder / "quotas.csv", write_pool(folder / "pool.csv"))
    return Newcomer(folder)


@when(
    parsers.re(
        r"(the charter holder runs|the secretariat runs|the offices run) "
        r"the README's (?P<which>first|second|third) block"
    )
)
def run_block(newcomer: Newcomer, which: str) -> None:
    block = first_hour_blocks()[BLOCKS[which]]
    assert block, f"the README's {which} block holds no command"
    for command in block:
        newcomer.run(command)


@then("init named the next commands as the README runs them")
def init_named_the_next_commands(newcomer: Newcomer) -> None:
    args, init = newcomer.ran[0]
    assert args == ["init"]
    printed = commands_printed(init.stdout)
    readme = [args for _, args in first_hour_blocks()[0]]
    assert len(printed) == 7
    for command in printed:  # "..." stands for the user's own words
        assert any(same_but_placeholders(command, run) for run in readme), (command, readme)


def same_but_placeholders(printed: list[str], run: list[str]) -> bool:
    """Tell whether the README runs ``printed``, word for word except where it says "..."."""
    return len(printed) == len(run) and all(
        p in ("...", r) for p, r in zip(printed, run, strict=True)
    )


@then("the secretariat, the government and the commission hold enrolled keys")
def offices_enrolled(newcomer: Newcomer) -> None:
    roles = sorted(key["role"] for key in newcomer.json("keys", "list"))
    assert roles == ["charter", "commission", "government", "secretariat"]


@then(parsers.parse("panel {panel:d} has its {seats:d} pseudonyms seated"))
def panel_seated(newcomer: Newcomer, panel: int, seats: int) -> None:
    members = newcomer.json("panel", "members", str(panel))
    assert len(members) == seats


@then(parsers.parse("the board shows recommendation {reference} accepted"))
def board_shows(newcomer: Newcomer, reference: str) -> None:
    rows = newcomer.json("status")
    assert [(row["ref"], row["position"]) for row in rows] == [(reference, "accepted")]


@then("every command of the section ran, the last one verifying the ledger")
def every_command_ran(newcomer: Newcomer) -> None:
    expected = [args[:1] for block in first_hour_blocks() for _, args in block]
    assert [args[:1] for args, _ in newcomer.ran] == expected
    assert len(expected) > 20
    last, verified = newcomer.ran[-1]
    assert last == ["verify"] and verified.code == 0
