"""A small assembly, built once per test session through the CLI and copied for each test.

The secretariat draws 40 invitation letters from a register of 400 addresses, closes a pool of
60 volunteers, draws a panel of 12 from a portfolio of 20 panels (``legacy``: 0.7 s here,
where ``maximin`` and ``nash`` take 5 s) and seats it; the panel adopts recommendations 1/1
to 1/4 and the first three are handed over to the government. Every file a secretariat would
publish or keep lies beside the ledger, with one key file per office. A copy of the folder
taken once the letters were drawn, before the pool closed, lets a test draw the panel itself.

All data is generated: pseudonyms ``P-000001``..., addresses ``A-0000001``..., no person.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cli.bulk import ANSWER_COLUMNS
from cli.context import open_ledger
from domain.draws import build_portfolio, commitment_root, read_pool, read_quotas, read_salts
from domain.draws.files import quota_digest
from domain.draws.portfolio import read_portfolio, write_portfolio
from tests.features.forked import assembly
from tests.runner import Result

LEDGER = "assembly.db"
LOG_ORIGIN = "test.assembly.example/ledger"
CHARTER, SECRETARIAT, GOVERNMENT, COMMISSION = (
    "charter.key",
    "secretariat.key",
    "government.key",
    "commission.key",
)
FEATURES = {
    "gender": ("female", "male"),
    "age_band": ("16-34", "35-59", "60+"),
    "education": ("low", "middle", "high"),
}
MUNICIPALITIES = ("Anderlecht", "Ixelles", "Schaerbeek", "Uccle")
VOLUNTEERS, SEATS, PORTFOLIO_SIZE, ALGORITHM = 60, 12, 20, "legacy"
ADDRESSES, LETTERS = 400, 40
STAGE_1_VALUE = "Lotto: 4 11 23 31 38 42 (bonus 7)"
STAGE_2_VALUE = "Lotto: 7 12 19 28 33 41 (bonus 2)"
HANDED_OVER = ("1/1", "1/2", "1/3")  # and 1/4 adopted, not handed over
# The panel voted and adopted its recommendations, and they were handed over, on these days
# (recorded today): a hand-over is dated no earlier than the adoption, and answers come after.
ADOPTED_ON, HANDED_OVER_ON = "2025-04-24", "2025-05-01"
KEYS_VALID_FROM = "2025-01-01"  # the offices held their keys by then
MIN_JUSTIFICATION = 200  # the charter's default
PANEL_FILES = ("--pool", "pool.csv", "--quotas", "quotas.csv", "--portfolio", "portfolio.json")


@dataclass(frozen=True)
class Template:
    """The built folders and what a test needs to know about them."""

    seated: Path
    invited: Path
    members: tuple[str, ...]
    reserve: str
    panel_index: int


def ok(result: Result) -> Result:
    """The result of a command that must succeed."""
    assert result.code == 0, f"exit {result.code}: {result.stderr}"
    return result


def as_secretariat(folder: Path, *args: str) -> Result:
    return assembly(*args, "--key", SECRETARIAT, cwd=folder)


def as_government(folder: Path, *args: str) -> Result:
    return assembly(*args, "--key", GOVERNMENT, cwd=folder)


def as_commission(folder: Path, *args: str) -> Result:
    return assembly(*args, "--key", COMMISSION, cwd=folder)


def close_pool(folder: Path) -> Result:
    return as_secretariat(
        folder, "pool", "close", "--panel", "1", "--pool", "pool.csv", "--quotas", "quotas.csv"
    )


def entries(folder: Path) -> int:
    """How many entries the folder's ledger holds."""
    book = open_ledger(str(folder / LEDGER))
    try:
        return book.count()
    finally:
        book.close()


def last_events(folder: Path, count: int = 1) -> list[dict[str, Any]]:
    """The type and payload of the last ``count`` entries, oldest first."""
    book = open_ledger(str(folder / LEDGER))
    try:
        found = book.recorder.read_entries(start=max(0, book.count() - count))
    finally:
        book.close()
    return [{"type": e.event["type"], **e.event["payload"]} for e in found]


def write_pool(path: Path) -> list[dict[str, str]]:
    """60 volunteers with random (seeded) values of three features."""
    rng = random.Random(7)
    rows = [
        {"pseudonym": f"P-{n:06d}", **{f: rng.choice(values) for f, values in FEATURES.items()}}
        for n in range(1, VOLUNTEERS + 1)
    ]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, ["pseudonym", *FEATURES], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def write_quotas(path: Path, rows: list[dict[str, str]]) -> None:
    """Each value's share of the panel, plus or minus two seats."""
    counts = Counter((feature, row[feature]) for row in rows for feature in FEATURES)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("feature", "value", "min", "max"))
        for feature, values in FEATURES.items():
            for value in values:
                target = round(counts[(feature, value)] * SEATS / VOLUNTEERS)
                writer.writerow((feature, value, max(0, target - 2), target + 2))


def write_register(path: Path) -> None:
    """400 addresses, 100 in each of four municipalities."""
    lines = ["address_id,municipality"]
    lines += [f"A-{n:07d},{MUNICIPALITIES[n % 4]}" for n in range(1, ADDRESSES + 1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def long_justification() -> str:
    """A refusal explained at the charter's length (200 characters) and more."""
    text = (
        "The region's multiannual budget for 2025-2029 has no line for this measure, and the "
        "social and economic council advised against it in its opinion of 12 March 2025; the "
        "government prefers the renovation loans of recommendation 1/2, which reach the same "
        "households sooner."
    )
    assert len(text) >= MIN_JUSTIFICATION
    return text


def answers_csv(path: Path, rows: Iterable[Mapping[str, str]]) -> Path:
    """A bulk answers file: the header ``ANSWER_COLUMNS``, then ``rows`` (missing cells empty)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, ANSWER_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in ANSWER_COLUMNS})
    return path


def answer(recommendation: str, position: str = "accepted", **cells: str) -> dict[str, str]:
    """One row of a bulk answers file (first review, climate portfolio unless given)."""
    return {
        "recommendation": recommendation,
        "review": "1",
        "position": position,
        "portfolio": "climate",
        **cells,
    }


def one_sentence(result: Result, code: int, words: str) -> None:
    """The command failed with ``code`` and one sentence on stderr that contains ``words``."""
    assert result.code == code, result
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(("error: ", "refused: ")), result.stderr
    assert words in lines[0], result.stderr


def _build(folder: Path) -> Template:
    """Record the cycle through the CLI, as the charter holder and the secretariat would."""
    folder.mkdir(parents=True)
    ok(assembly("init", cwd=folder))
    for office in ("secretariat", "government", "commission"):
        ok(assembly("keys", "new", "--key", f"{office}.key", cwd=folder))
        ok(
            assembly(
                *("keys", "enrol", f"{office}.key.pub", "--role", office),
                *("--name", f"The {office} (test)", "--valid-from", KEYS_VALID_FROM),
                *("--key", CHARTER),
                cwd=folder,
            )
        )
    ok(
        assembly(
            *("charter", "--name", "Test Assembly on Climate", "--region", "Brussels-Capital"),
            *("--language", "fr", "--language", "nl", "--theme-group-size", "4"),
            *("--log-origin", LOG_ORIGIN),
            *("--key", CHARTER),
            cwd=folder,
        )
    )
    ok(
        as_secretariat(
            folder,
            *("panel", "convene", "1", "--theme", "fr=Le climat", "--theme", "nl=Het klimaat"),
            *("--seats", str(SEATS)),
        )
    )
    write_register(folder / "register.csv")
    ok(
        as_secretariat(
            folder,
            *("draw", "announce", "invitations", "--panel", "1", "--register", "register.csv"),
            *("--letters", str(LETTERS), "--randomness-source", "The next Lotto draw"),
        )
    )
    ok(
        as_secretariat(
            folder,
            *("draw", "perform", "invitations", "--panel", "1", "--register", "register.csv"),
            *("--randomness-value", STAGE_1_VALUE, "--published-at", published_now()),
            *("--out", "invitations.csv"),
        )
    )
    write_quotas(folder / "quotas.csv", write_pool(folder / "pool.csv"))
    invited = folder.with_name(folder.name + "-invited")
    shutil.copytree(folder, invited)
    ok(close_pool(folder))
    for step in draw_panel(folder):
        ok(step)
    ok(as_secretariat(folder, "panel", "seat", "1"))
    ok(
        as_secretariat(
            folder,
            *("vote", "record", "--panel", "1", "--vote", "V-1", "--subject", "Package 1"),
            *("--for", "9", "--against", "2", "--abstain", "1", "--at", ADOPTED_ON),
        )
    )
    for number in range(1, 5):
        adopt(folder, number, vote="V-1", at=ADOPTED_ON)
    handed = [f"--number={ref.split('/')[1]}" for ref in HANDED_OVER]
    ok(
        as_secretariat(
            folder,
            *("recommend", "hand-over", "--panel", "1", *handed),
            *("--on", HANDED_OVER_ON),
        )
    )
    verified = ok(
        assembly("draw", "verify", "--panel", "1", *PANEL_FILES, "--format", "json", cwd=folder)
    )
    report = json.loads(verified.stdout)
    members = tuple(report["selected"])
    reserve = next(f"P-{n:06d}" for n in range(1, VOLUNTEERS + 1) if f"P-{n:06d}" not in members)
    return Template(folder, invited, members, reserve, report["panel_index"])


def announce_panel(folder: Path) -> Result:
    """Compute and publish panel 1's portfolio, and announce the draw."""
    return as_secretariat(
        folder,
        *("draw", "announce", "panel", "--panel", "1", "--pool", "pool.csv"),
        *("--quotas", "quotas.csv", "--portfolio", "portfolio.json"),
        *("--size", str(PORTFOLIO_SIZE), "--seats", str(SEATS), "--algorithm", ALGORITHM),
        *("--randomness-source", "The Lotto draw after the announcement"),
    )


def perform_panel(folder: Path, published_at: str | None = None) -> Result:
    """Pick panel 1 from the portfolio with the public value, published now unless given."""
    return as_secretariat(
        folder,
        *("draw", "perform", "panel", "--panel", "1", *PANEL_FILES),
        *("--randomness-value", STAGE_2_VALUE),
        *("--published-at", published_at or published_now()),
    )


def draw_panel(folder: Path) -> tuple[Result, Result]:
    """Announce panel 1's draw with its portfolio, then perform it with the public value."""
    announced = announce_panel(folder)
    if announced.code != 0:
        return announced, announced
    return announced, perform_panel(folder)


def published_now() -> str:
    """The public value's publication time: now, after the announcement was recorded and before
    the draw is performed (the ledger orders them by when it recorded them, not by ``--at``)."""
    return datetime.now(UTC).isoformat()


def adopt(folder: Path, number: int, *, vote: str, at: str | None = None) -> Result:
    """Adopt recommendation 1/``number`` in French and Dutch, on the strength of ``vote``,
    dated ``at`` (default: now)."""
    return ok(
        as_secretariat(
            folder,
            *("recommend", "adopt", "--panel", "1", "--number", str(number)),
            *("--portfolio", "climate", "--vote", vote),
            *("--title", f"fr=Recommandation {number}", "--title", f"nl=Aanbeveling {number}"),
            *("--text", f"fr=Texte {number}", "--text", f"nl=Tekst {number}"),
            *(("--at", at) if at else ()),
        )
    )


def settle(path: Path) -> None:
    """Tell the ledger copied to ``path`` that it is the same ledger, now living there."""
    book = open_ledger(str(path))
    try:
        book.moved_here()
    finally:
        book.close()


_BUILT: dict[str, Template] = {}


def shared_template(factory: pytest.TempPathFactory) -> Template:
    """The session's template, built on first use (each test module asks for it)."""
    if "template" not in _BUILT:
        _BUILT["template"] = _build(factory.mktemp("template") / "assembly")
    return _BUILT["template"]


def copy_of(source: Path, target: Path) -> Path:
    """A private copy of a template folder (ledger, keys and files) in ``target``: the same
    ledger, moved (a copy of a database takes no writes until told which it is)."""
    shutil.copytree(source, target, dirs_exist_ok=True)
    settle(target / LEDGER)
    return target


# Named corruptions of the published files: what an operator who wanted another result, or a
# careless copy, would change. Each leaves the file well formed, so only the ledger can tell.


def _edit_line(path: Path, line: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1], f"line {line} of {path.name} has no {old!r}"
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    path.write_text("".join(lines), encoding="utf-8")


def pool_value_changed(folder: Path, template: Template) -> None:
    """One volunteer's gender changed (line 3 of the pool file)."""
    line = (folder / "pool.csv").read_text(encoding="utf-8").splitlines()[2]
    old, new = (",female,", ",male,") if ",female," in line else (",male,", ",female,")
    _edit_line(folder / "pool.csv", 3, old, new)


def pool_pseudonym_changed(folder: Path, template: Template) -> None:
    """A volunteer swapped for someone else (line 3 of the pool file)."""
    _edit_line(folder / "pool.csv", 3, "P-000002", "P-000902")


def quota_widened(folder: Path, template: Template) -> None:
    """One quota's maximum raised by one seat (line 2 of the quota file)."""
    path = folder / "quotas.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    feature, value, low, high = lines[1].split(",")
    lines[1] = f"{feature},{value},{low},{int(high) + 1}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def address_moved(folder: Path, template: Template) -> None:
    """One address put in another municipality (line 3 of the register)."""
    _edit_line(folder / "register.csv", 3, MUNICIPALITIES[2], MUNICIPALITIES[3])


def address_replaced(folder: Path, template: Template) -> None:
    """One address id changed, in the same municipality (line 3 of the register)."""
    _edit_line(folder / "register.csv", 3, "A-0000002", "A-0009002")


def picked_panel_replaced(folder: Path, template: Template) -> None:
    """The panel the public value points at replaced by another panel of the portfolio."""
    path = folder / "portfolio.json"
    portfolio = read_portfolio(path)
    panels = list(portfolio.panels)
    index = template.panel_index
    panels[index] = panels[(index + 1) % len(panels)]
    assert panels[index] != portfolio.panels[index]
    write_portfolio(path, replace(portfolio, panels=tuple(panels)))


def portfolio_reordered(folder: Path, template: Template) -> None:
    """The same panels in another order, so that the value picks another one."""
    path = folder / "portfolio.json"
    portfolio = read_portfolio(path)
    write_portfolio(path, replace(portfolio, panels=tuple(reversed(portfolio.panels))))


def another_portfolio(folder: Path, template: Template) -> None:
    """Another valid portfolio of the same pool and quotas, computed with another seed."""
    quotas = read_quotas(folder / "quotas.csv")
    pool = read_pool(folder / "pool.csv", quotas=quotas)
    root = commitment_root(pool.records(), read_salts(folder / "pool.csv.salts")).hex()
    original = read_portfolio(folder / "portfolio.json")
    other = build_portfolio(
        pool,
        quotas,
        panel_size=SEATS,
        size=PORTFOLIO_SIZE,
        algorithm=ALGORITHM,
        pool_root=root,
        quota_digest=quota_digest(quotas),
        seed=original.seed + 1,
    )
    assert other.panels != original.panels
    write_portfolio(folder / "portfolio.json", other)


Corruption = Callable[[Path, Template], None]
CORRUPTIONS: dict[str, tuple[Corruption, str, str]] = {
    # name: (corruption, stage, what `assembly draw verify` must name)
    "pool_value_changed": (
        pool_value_changed,
        "panel",
        "The commitment root of the pool file and its salts does not match",
    ),
    "pool_pseudonym_changed": (
        pool_pseudonym_changed,
        "panel",
        "The commitment root of the pool file and its salts does not match",
    ),
    "quota_widened": (quota_widened, "panel", "Line 2 of the quota file does not match"),
    "address_moved": (
        address_moved,
        "invitation",
        f"The number of addresses in {MUNICIPALITIES[2]} does not match",
    ),
    "address_replaced": (
        address_replaced,
        "invitation",
        "The commitment root of the register file and its salts does not match",
    ),
    "picked_panel_replaced": (
        picked_panel_replaced,
        "panel",
        "The portfolio file digest does not match",
    ),
    "portfolio_reordered": (
        portfolio_reordered,
        "panel",
        "The portfolio file digest does not match",
    ),
    "another_portfolio": (another_portfolio, "panel", "The portfolio file digest does not match"),
}


def verify_draw(folder: Path, stage: str, *extra: str) -> Result:
    """``assembly draw verify`` of panel 1's stage 1 (``invitation``) or stage 2 (``panel``)."""
    if stage == "invitation":
        files: tuple[str, ...] = ("--stage", "invitations", "--register", "register.csv")
    else:
        files = PANEL_FILES
    return assembly("draw", "verify", "--panel", "1", *files, *extra, cwd=folder)
