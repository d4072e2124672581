"""A past cycle, 2019 to 2020, recorded today through the CLI as it happened.

The ledger is opened with ``assembly init --valid-from 2019-09-01`` and every office's key is
valid from then; every step is given the day it happened (``--at``), so every entry is history
recorded after the fact. The draws use ``tests.features.cycle``'s generated files (400
addresses, 60 volunteers, a panel of 12). The folder is copied at a few points (``Past``), so
each test tries its step on the ledger as it stood just before.

All data is generated: pseudonyms ``P-000001``..., addresses ``A-0000001``..., no person.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.features.cycle import (
    CHARTER,
    COMMISSION,
    GOVERNMENT,
    LETTERS,
    LOG_ORIGIN,
    PANEL_FILES,
    PORTFOLIO_SIZE,
    SEATS,
    SECRETARIAT,
    STAGE_1_VALUE,
    STAGE_2_VALUE,
    copy_of,
    ok,
    write_pool,
    write_quotas,
    write_register,
)
from tests.features.forked import assembly
from tests.runner import Result

VALID_FROM = "2019-09-01"
# The days each step happened, as its authors dated it.
ON = {
    "charter": "2019-10-01",
    "convene": "2019-10-02",
    "announce invitations": "2019-10-03",
    "stage 1 value": "2019-10-05T20:00Z",
    "perform invitations": "2019-10-06",
    "close pool": "2019-10-20",
    "announce panel": "2019-10-21",
    "stage 2 value": "2019-10-25T20:00Z",
    "perform panel": "2019-10-26",
    "seat": "2019-10-28",
    "vote": "2020-06-20",
    "adopt": "2020-06-21",
    "hand over": "2020-06-22",
    "answer": "2020-06-29",
    "commission": "2020-07-01",
}
# The folder is copied just before these steps, for the tests that try them otherwise.
SNAPSHOTS = ("perform invitations", "seat", "vote", "adopt", "hand over")


@dataclass(frozen=True)
class Past:
    """The whole past cycle, and copies of it taken just before some of its steps."""

    done: Path
    before: dict[str, Path]

    def copy(self, step: str | None, target: Path) -> Path:
        """A private copy of the cycle as it stood before ``step`` (None: all done)."""
        return copy_of(self.done if step is None else self.before[step], target)


def run(folder: Path, key: str, *args: str) -> Result:
    return assembly(*args, "--key", key, cwd=folder)


def _steps(folder: Path) -> list[tuple[str, Callable[[], Result]]]:
    secretariat: Callable[..., Result] = lambda *args: run(folder, SECRETARIAT, *args)  # noqa: E731
    files = ("--register", "register.csv")
    return [
        (
            "charter",
            lambda: run(
                folder,
                CHARTER,
                *("charter", "--name", "Past Assembly on Climate", "--region", "Brussels-Capital"),
                *("--language", "fr", "--language", "nl", "--theme-group-size", "4"),
                *("--log-origin", LOG_ORIGIN, "--at", ON["charter"]),
            ),
        ),
        (
            "convene",
            lambda: secretariat(
                *("panel", "convene", "1", "--theme", "fr=Le climat", "--theme", "nl=Het klimaat"),
                *("--seats", str(SEATS), "--at", ON["convene"]),
            ),
        ),
        (
            "announce invitations",
            lambda: secretariat(
                *("draw", "announce", "invitations", "--panel", "1", *files),
                *("--letters", str(LETTERS), "--randomness-source", "The next Lotto draw"),
                *("--at", ON["announce invitations"]),
            ),
        ),
        (
            "perform invitations",
            lambda: secretariat(
                *("draw", "perform", "invitations", "--panel", "1", *files),
                *("--randomness-value", STAGE_1_VALUE, "--published-at", ON["stage 1 value"]),
                *("--out", "invitations.csv", "--at", ON["perform invitations"]),
            ),
        ),
        (
            "close pool",
            lambda: secretariat(
                *("pool", "close", "--panel", "1", "--pool", "pool.csv"),
                *("--quotas", "quotas.csv", "--at", ON["close pool"]),
            ),
        ),
        (
            "announce panel",
            lambda: secretariat(
                *("draw", "announce", "panel", "--panel", "1", "--pool", "pool.csv"),
                *("--quotas", "quotas.csv", "--portfolio", "portfolio.json"),
                *("--size", str(PORTFOLIO_SIZE), "--seats", str(SEATS), "--algorithm", "legacy"),
                *("--randomness-source", "The Lotto draw after the announcement"),
                *("--at", ON["announce panel"]),
            ),
        ),
        (
            "perform panel",
            lambda: secretariat(
                *("draw", "perform", "panel", "--panel", "1", *PANEL_FILES),
                *("--randomness-value", STAGE_2_VALUE, "--published-at", ON["stage 2 value"]),
                *("--at", ON["perform panel"]),
            ),
        ),
        ("seat", lambda: secretariat("panel", "seat", "1", "--at", ON["seat"])),
        (
            "vote",
            lambda: secretariat(
                *("vote", "record", "--panel", "1", "--vote", "V-1", "--subject", "Package 1"),
                *("--for", "9", "--against", "2", "--abstain", "1", "--at", ON["vote"]),
            ),
        ),
        *(
            (
                "adopt",
                lambda number=number: secretariat(
                    *("recommend", "adopt", "--panel", "1", "--number", str(number)),
                    *("--portfolio", "climate", "--vote", "V-1"),
                    *("--title", f"fr=Recommandation {number}"),
                    *("--title", f"nl=Aanbeveling {number}"),
                    *("--text", f"fr=Texte {number}", "--text", f"nl=Tekst {number}"),
                    *("--at", ON["adopt"]),
                ),
            )
            for number in (1, 2)
        ),
        (
            "hand over",
            lambda: secretariat(
                *("recommend", "hand-over", "--panel", "1", "--on", ON["hand over"]),
                *("--at", ON["hand over"]),
            ),
        ),
        (
            "answer",
            lambda: run(
                folder,
                GOVERNMENT,
                *("respond", "1/1", "--position", "accepted", "--portfolio", "climate"),
                *("--at", ON["answer"]),
            ),
        ),
    ]


def _build(folder: Path) -> Past:
    folder.mkdir(parents=True)
    ok(assembly("init", "--valid-from", VALID_FROM, cwd=folder))
    for office in ("secretariat", "government", "commission"):
        ok(assembly("keys", "new", "--key", f"{office}.key", cwd=folder))
        ok(
            assembly(
                *("keys", "enrol", f"{office}.key.pub", "--role", office),
                *("--name", f"The {office} (test)", "--valid-from", VALID_FROM),
                *("--key", CHARTER),
                cwd=folder,
            )
        )
    write_register(folder / "register.csv")
    write_quotas(folder / "quotas.csv", write_pool(folder / "pool.csv"))
    before: dict[str, Path] = {}
    for name, step in _steps(folder):
        if name in SNAPSHOTS and name not in before:
            before[name] = folder.with_name(f"{folder.name}-before-{name.replace(' ', '-')}")
            shutil.copytree(folder, before[name])
        ok(step())
    return Past(folder, before)


_BUILT: dict[str, Past] = {}


def shared_past(factory: pytest.TempPathFactory) -> Past:
    """The session's past cycle, built on first use."""
    if "past" not in _BUILT:
        _BUILT["past"] = _build(factory.mktemp("past") / "assembly")
    return _BUILT["past"]


__all__ = ["COMMISSION", "ON", "Past", "run", "shared_past"]
