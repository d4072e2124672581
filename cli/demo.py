"""``assembly demo``: one realistic cycle of the assembly, from synthetic data, in a fresh ledger.

The ledger's clock is simulated: every step is recorded on the day it would have happened
(October 2022 to autumn 2024), so deadlines, the 3- and 12-month reviews and the election
suspension read as they would in a real ledger. All data is synthetic (see ``cli.synthetic``);
the files a secretariat would keep or publish are written to ``--out``.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.context import role_policy
from cli.demo_cycle import CYCLE, Cycle
from cli.demo_office import Office, SimulatedClock
from cli.errors import UsageProblem
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.proof_commands import log_origin
from cli.render import print_fields, stdout
from ledger import Ledger, Report, Signer, verification_report
from ledger.storage import database_url
from ledger.tree import issue_checkpoint
from projections import catch_up
from tlog.note import SignerKey, VerifierKey

ROLES = {
    "secretariat": "Secretariat of the Citizens' Assembly (demo)",
    "government": "Minister of Climate (demo)",
    "commission": "Follow-up commission (demo)",
    "log": "Log operator (demo)",
}


def demo(
    ledger: LedgerOption = DEFAULT_LEDGER,
    out: Annotated[Path, typer.Option(help="Where to write the keys and the draws' files.")] = Path(
        "demo-files"
    ),
    pool_size: Annotated[
        int, typer.Option(min=200, help="Volunteers in the pool (1000: about 4 minutes more).")
    ] = CYCLE.pool_size,
    portfolio_size: Annotated[int, typer.Option(min=1, help="Panels in the portfolio (m).")] = (
        CYCLE.portfolio_size
    ),
    algorithm: Annotated[str, typer.Option(help="The portfolio's algorithm.")] = CYCLE.algorithm,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic data.")] = 2022,
) -> None:
    """Run one realistic cycle of the assembly on synthetic data, then verify the ledger.

    Writes a fresh ledger (it must not exist yet): charter and one key per role; 10,000
    invitations drawn from 582,000 synthetic addresses in the 19 municipalities; a pool of
    volunteers; a stratified panel of 100; evidence, votes and 60 recommendations in French and
    Dutch; the government's answers at 3 and 12 months; implementation reports; the commission's
    verdicts; and the next theme chosen by a group drawn from the panel.

    Example: assembly demo --ledger demo.db --out demo-files
    """
    started = time.monotonic()
    keys_dir = out / "keys"
    if database_url(ledger).startswith("sqlite") and Path(ledger).exists():
        raise UsageProblem(
            f"{ledger} exists; the demo writes a fresh ledger. Remove it or give another --ledger."
        )
    if keys_dir.exists() and any(keys_dir.iterdir()):
        raise UsageProblem(f"{out} holds an earlier demo's keys; remove it or give another --out.")
    keys_dir.mkdir(parents=True, exist_ok=True)
    keys = {"charter": Signer.generate(), **{role: Signer.generate() for role in ROLES}}
    for role, signer in keys.items():
        signer.save(keys_dir / f"{role}.key")
    clock = SimulatedClock(datetime(2022, 10, 3, 9, 0, tzinfo=UTC))
    book = Ledger.create(
        ledger, role_policy(), keys["charter"], name="Charter of the assembly (demo)", clock=clock
    )
    try:
        office = Office(book, clock, keys, out, seed)
        for role, name in ROLES.items():
            clock.to(clock.now)
            book.enrol(keys["charter"], keys[role].public_key, role=role, name=name)
        cycle = Cycle(
            office, pool_size=pool_size, portfolio_size=portfolio_size, algorithm=algorithm
        )
        with Progress(
            TextColumn("{task.description:<44}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task("Starting", total=len(cycle.steps) + 1)
            for description, step in cycle.steps:
                bar.update(task, description=description)
                step()
                bar.advance(task)
            bar.update(task, description="Verifying, checkpointing, updating the read models")
            report = verification_report(book.recorder, role_policy())
            origin = log_origin(book)
            issued = issue_checkpoint(
                book.recorder, SignerKey(origin, keys["log"].seed), origin=origin
            )
            (out / "checkpoint.txt").write_bytes(issued.note)
            (out / "log.vkey").write_text(
                VerifierKey(origin, keys["log"].public_key.raw).text() + "\n"
            )
            catch_up(book)  # the read models, ready for the status board
            bar.advance(task)
        _summary(book, cycle, report, out, ledger, time.monotonic() - started)
    finally:
        book.close()


def _checkpoint(book: Ledger, log_key: Signer, out: Path) -> None:
    """Sign the demo ledger's checkpoint; write it and the log's verifier key beside the keys."""
    origin = log_origin(book)
    issued = issue_checkpoint(book.recorder, SignerKey(origin, log_key.seed), origin=origin)
    (out / "checkpoint.txt").write_bytes(issued.note)
    vkey = VerifierKey(origin, log_key.public_key.raw)
    (out / "log.vkey").write_text(vkey.text() + "\n", encoding="utf-8")


def _summary(
    book: Ledger, cycle: Cycle, report: Report, out: Path, ledger: str, took: float
) -> None:
    positions = Counter(cycle.positions.values())
    stdout.print(
        f"[bold]Demo cycle written and verified[/] in {took:.0f} s: {report.entries} entries "
        f"from {report.signers} signers, head {report.head}."
    )
    print_fields(
        [
            ("invitation letters", f"{cycle.letters:,} from {cycle.addresses:,} addresses"),
            ("volunteers in the pool", f"{cycle.pool_size:,}"),
            (
                "panel seated",
                f"{cycle.seated} members (portfolio of {cycle.portfolio_size}, {cycle.algorithm})",
            ),
            ("lowest selection chance", f"{cycle.min_ppm / 10_000:.2f}%"),
            ("recommendations", f"{cycle.adopted} adopted and handed over"),
            ("answers at 3 months", ", ".join(f"{p} {n}" for p, n in positions.most_common())),
            ("left unanswered", str(cycle.unanswered)),
            ("implementation reports", str(cycle.reports)),
            ("commission verdicts", str(cycle.verdicts)),
            ("next theme", cycle.next_theme),
        ]
    )
    stdout.print(f"Keys and files in {out}/. Check it yourself:")
    stdout.print(f"  assembly verify --ledger {ledger}")
    stdout.print(
        f"  assembly draw verify --ledger {ledger} --panel 1 --pool {out}/pool.csv "
        f"--quotas {out}/quotas.csv --portfolio {out}/portfolio.json"
    )
    stdout.print(
        f"  assembly draw verify --ledger {ledger} --panel 1 --stage invitations "
        f"--register {out}/register.csv"
    )
    stdout.print(
        f"  assembly prove 1/1 --ledger {ledger} --out {out}/proofs && "
        f"assembly verify-proof {out}/proofs/<file> --vkey {out}/log.vkey"
    )


__all__ = ["demo"]
