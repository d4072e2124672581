"""The draws: building the stage-2 portfolio with each algorithm, against verifying it.

What it measures, in one run:

1. stage 1 on a synthetic address register (582,000 addresses over the 19 Brussels
   municipalities, 10,000 letters): committing (salts and Merkle root), drawing, and verifying
   from the files (reading the register and salts files included);
2. stage 2 on synthetic pools of 500, 1,000 and 2,000 volunteers (gender, age band,
   municipality, education, occupation; volunteers skewed towards the highly educated and the
   older, as real pools are), quotas from population shares around a panel of 100 (target +-
   2 + target / 10): for each algorithm ``sortition-algorithms`` offers, the time to build a
   portfolio of m = 1,000 panels (each case in a child process, stopped at ``--budget``
   seconds), the lowest selection probability any volunteer gets and how many get none, and
   the time to verify the draw from its files without any solver (reading the pool, salts,
   quota and portfolio files, then ``verify_panel_draw``).

Target: verify / build < 0.01 for every portfolio that was built. The script prints two
tables and exits with status 1 when a target fails, 2 when no portfolio could be built.

    python benchmarks/draw.py [--quick] [--pools 500,1000,2000] [--m 1000] [--budget 300]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

from common import render_table

from domain.draws import (
    InvitationDraw,
    PanelDraw,
    Pool,
    Quota,
    Register,
    VolunteerPool,
    build_portfolio,
    commitment_root,
    draw_invitations,
    draw_panel,
    make_pool,
    new_salts,
    offered_algorithms,
    portfolio_digest,
    quota_digest,
    read_pool,
    read_portfolio,
    read_quotas,
    read_register,
    read_salts,
    verify_invitation_draw,
    verify_panel_draw,
    write_pool,
    write_portfolio,
    write_quotas,
    write_register,
    write_salts,
)
from domain.draws.events import (
    InvitationAnnounced,
    InvitationPerformed,
    PanelAnnounced,
    PanelPerformed,
)
from domain.draws.stage2 import pool_counts

ALGORITHMS = ("maximin", "nash", "legacy", "diversimax")
TARGET = 0.01
PANEL = 100
T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)
PUBLIC_VALUE = "Lotto 2025-03-08: 4 11 23 31 38 42 (bonus 7)"
# Approximate populations (thousands), used only as weights for synthetic data.
MUNICIPALITIES = {
    "Anderlecht": 121,
    "Auderghem": 34,
    "Berchem-Sainte-Agathe": 25,
    "Bruxelles": 188,
    "Etterbeek": 48,
    "Evere": 43,
    "Forest": 56,
    "Ganshoren": 25,
    "Ixelles": 87,
    "Jette": 53,
    "Koekelberg": 22,
    "Molenbeek-Saint-Jean": 98,
    "Saint-Gilles": 50,
    "Saint-Josse-ten-Noode": 27,
    "Schaerbeek": 133,
    "Uccle": 85,
    "Watermael-Boitsfort": 25,
    "Woluwe-Saint-Lambert": 58,
    "Woluwe-Saint-Pierre": 42,
}
# feature -> value -> (population share, pool weight): volunteers are not the population.
FEATURES: dict[str, dict[str, tuple[int, int]]] = {
    "gender": {"female": (51, 50), "male": (49, 50)},
    "age_band": {
        "16-24": (13, 9),
        "25-34": (19, 15),
        "35-44": (18, 17),
        "45-54": (16, 18),
        "55-64": (14, 20),
        "65+": (20, 21),
    },
    "education": {"low": (30, 18), "middle": (35, 32), "high": (35, 50)},
    "occupation": {
        "employed": (52, 55),
        "unemployed": (11, 8),
        "student": (10, 9),
        "retired": (17, 20),
        "other": (10, 8),
    },
    "municipality": {name: (people, people) for name, people in MUNICIPALITIES.items()},
}


def synthetic_pool(size: int, seed: int = 2025) -> Pool:
    """Volunteers P-000001, ... with values drawn by the pool weights."""
    rng = random.Random(seed)
    rows = []
    for n in range(1, size + 1):
        row = {"pseudonym": f"P-{n:06d}"}
        for feature, values in FEATURES.items():
            row[feature] = rng.choices(list(values), [w for _, w in values.values()])[0]
        rows.append(row)
    return make_pool(rows)


def population_quotas(panel: int) -> list[Quota]:
    """Quotas at the population share of a panel, +- (2 + target / 10)."""
    quotas = []
    for feature, values in FEATURES.items():
        total = sum(share for share, _ in values.values())
        for value, (share, _) in values.items():
            target = round(panel * share / total)
            slack = 2 + target // 10
            quotas.append(Quota(feature, value, max(0, target - slack), target + slack))
    return quotas


def synthetic_register(size: int, seed: int = 9) -> Register:
    """Address ids A-0000001, ... spread over the municipalities by population."""
    rng = random.Random(seed)
    places = rng.choices(list(MUNICIPALITIES), list(MUNICIPALITIES.values()), k=size)
    return Register([f"A-{n:07d}" for n in range(1, size + 1)], places)


@dataclass
class Case:
    """One portfolio build and its verification."""

    pool: int
    algorithm: str
    status: str
    build: float = 0.0
    verify: float = 0.0
    distinct: int = 0
    min_ppm: int = 0
    zero: int = 0

    @property
    def ratio(self) -> float:
        return self.verify / self.build if self.build else float("nan")


def _build(folder: Path, algorithm: str, m: int, answer: Connection) -> None:
    """In a child process: build the portfolio from the files and write it."""
    quotas = read_quotas(folder / "quotas.csv")
    pool = read_pool(folder / "pool.csv", quotas=quotas)
    root = commitment_root(pool.records(), read_salts(folder / "salts.csv")).hex()
    try:
        started = time.perf_counter()
        portfolio = build_portfolio(
            pool,
            quotas,
            panel_size=PANEL,
            size=m,
            algorithm=algorithm,
            pool_root=root,
            quota_digest=quota_digest(quotas),
        )
        elapsed = time.perf_counter() - started
    except Exception as exc:  # reported as the case's status, whatever the library raised
        answer.send(("failed", f"{type(exc).__name__}: {exc}"[:70]))
        return
    write_portfolio(folder / f"portfolio-{algorithm}.json", portfolio)
    answer.send(("done", elapsed))


def build_case(folder: Path, pool_size: int, algorithm: str, m: int, budget: float) -> Case:
    """Build in a child process; stop it when it runs past the budget."""
    if algorithm not in offered_algorithms():
        return Case(pool_size, algorithm, "unavailable here")
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_build, args=(folder, algorithm, m, send))
    child.start()
    if not receive.poll(budget):
        child.kill()
        child.join()
        return Case(pool_size, algorithm, f"over the {budget:.0f} s budget")
    status, value = receive.recv()
    child.join()
    if status != "done":
        return Case(pool_size, algorithm, str(value))
    return Case(pool_size, algorithm, "done", build=float(value))


def verify_case(folder: Path, case: Case) -> None:
    """Announce and perform the draw (untimed), then time its verification from the files."""
    quotas = read_quotas(folder / "quotas.csv")
    pool = read_pool(folder / "pool.csv", quotas=quotas)
    salts = read_salts(folder / "salts.csv")
    portfolio = read_portfolio(folder / f"portfolio-{case.algorithm}.json")
    root = commitment_root(pool.records(), salts)
    closed = VolunteerPool.for_panel(1)
    closed.close(
        panel=1, pool_root=root.hex(), pool_size=len(pool), counts=pool_counts(pool), at=T0
    )
    draw = PanelDraw.for_panel(1)
    draw.announce(
        panel=1,
        pool=closed,
        pool_data=pool,
        quotas=quotas,
        portfolio=portfolio,
        draw_id="bench/panel-1",
        randomness_source="Lotto",
        at=T0 + timedelta(hours=1),
    )
    result = draw_panel(
        portfolio, pool, quotas, public_value=PUBLIC_VALUE, pool_root=root, draw_id="bench/panel-1"
    )
    draw.perform(
        result,
        panel=1,
        pool_root=root.hex(),
        quota_digest=quota_digest(quotas),
        portfolio_digest=portfolio_digest(portfolio),
        algorithm=portfolio.algorithm,
        randomness_value=PUBLIC_VALUE,
        randomness_published_at=T0 + timedelta(days=7),
        at=T0 + timedelta(days=7, hours=1),
    )
    announced, performed = (pending.event for pending in draw.collect())
    assert isinstance(announced, PanelAnnounced) and isinstance(performed, PanelPerformed)
    started = time.perf_counter()
    files = (
        read_pool(folder / "pool.csv", quotas=read_quotas(folder / "quotas.csv")),
        read_salts(folder / "salts.csv"),
        read_quotas(folder / "quotas.csv"),
        read_portfolio(folder / f"portfolio-{case.algorithm}.json"),
    )
    report = verify_panel_draw(announced, performed, *files)
    case.verify = time.perf_counter() - started
    case.distinct = len(set(portfolio.panels))
    case.min_ppm = report.summary.min_ppm
    case.zero = report.summary.zero_count


def stage_one(addresses: int, letters: int) -> list[tuple[str, float]]:
    """Commit, draw and verify the invitation draw; the seconds of each step."""
    register = synthetic_register(addresses)
    timings: list[tuple[str, float]] = []
    started = time.perf_counter()
    salts = new_salts(len(register))
    root = commitment_root(register.records(), salts)
    timings.append(("commit (salts + Merkle root)", time.perf_counter() - started))
    draw = InvitationDraw.for_panel(1)
    draw.announce(
        panel=1,
        draw_id="bench/stage-1",
        register_root=root.hex(),
        addresses_per_municipality=register.counts(),
        letters=letters,
        randomness_source="Lotto",
        at=T0,
    )
    assert draw.announced is not None
    started = time.perf_counter()
    result = draw_invitations(
        register,
        draw.announced.letters_per_municipality,
        public_value=PUBLIC_VALUE,
        register_root=root,
        draw_id="bench/stage-1",
    )
    timings.append(("draw (keys, lowest per municipality)", time.perf_counter() - started))
    draw.perform(
        result,
        panel=1,
        register_root=root.hex(),
        algorithm=draw.announced.algorithm,
        randomness_value=PUBLIC_VALUE,
        randomness_published_at=T0 + timedelta(days=7),
        at=T0 + timedelta(days=8),
    )
    announced, performed = (pending.event for pending in draw.collect())
    assert isinstance(announced, InvitationAnnounced)
    assert isinstance(performed, InvitationPerformed)
    with tempfile.TemporaryDirectory() as folder:
        write_register(Path(folder) / "register.csv", register)
        write_salts(Path(folder) / "salts.csv", salts)
        started = time.perf_counter()
        verify_invitation_draw(
            announced,
            performed,
            read_register(Path(folder) / "register.csv"),
            read_salts(Path(folder) / "salts.csv"),
        )
        timings.append(("verify (read both files, recompute)", time.perf_counter() - started))
    return timings


def table(cases: list[Case], m: int) -> str:
    header = (
        "pool",
        "algorithm",
        "build s",
        "distinct",
        "min prob",
        "zero",
        "verify s",
        "verify/build",
        "target",
        "result",
    )
    rows = []
    for case in cases:
        if case.status != "done":
            rows.append((str(case.pool), case.algorithm, *["-"] * 7, case.status))
            continue
        rows.append(
            (
                str(case.pool),
                case.algorithm,
                f"{case.build:.1f}",
                f"{case.distinct}/{m}",
                f"{case.min_ppm / 10_000:.2f}%",
                str(case.zero),
                f"{case.verify:.3f}",
                f"{case.ratio:.4f}",
                f"< {TARGET}",
                "PASS" if case.ratio < TARGET else "FAIL",
            )
        )
    return render_table(header, rows, right={0, 2, 3, 4, 5, 6, 7})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Portfolio build time against verification.")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one pool of 500, a 90 s budget, stage 1 included (about 4 minutes)",
    )
    parser.add_argument("--pools", default="500,1000,2000", help="pool sizes, comma-separated")
    parser.add_argument("--m", type=int, default=1000, help="panels in the portfolio")
    parser.add_argument("--budget", type=float, default=300.0, help="seconds per build")
    parser.add_argument("--addresses", type=int, default=582_000)
    parser.add_argument("--letters", type=int, default=10_000)
    args = parser.parse_args(argv)
    pools = [500] if args.quick else [int(size) for size in args.pools.split(",")]
    budget = 90.0 if args.quick else args.budget
    print(f"stage 1: {args.addresses:,} addresses, {args.letters:,} letters")
    steps = stage_one(args.addresses, args.letters)
    print(render_table(("step", "seconds"), [(name, f"{s:.2f}") for name, s in steps], right={1}))
    print(f"\nstage 2: panel of {PANEL}, portfolio of m = {args.m}, build budget {budget:.0f} s")
    cases: list[Case] = []
    for size in pools:
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            pool = synthetic_pool(size)
            write_pool(folder / "pool.csv", pool)
            write_quotas(folder / "quotas.csv", population_quotas(PANEL))
            write_salts(folder / "salts.csv", new_salts(len(pool)))
            for algorithm in ALGORITHMS:
                case = build_case(folder, size, algorithm, args.m, budget)
                if case.status == "done":
                    verify_case(folder, case)
                cases.append(case)
                print(f"  pool {size}, {algorithm}: {case.status}", file=sys.stderr, flush=True)
    print(table(cases, args.m))
    built = [case for case in cases if case.status == "done"]
    if not built:
        return 2
    return 0 if all(case.ratio < TARGET for case in built) else 1


if __name__ == "__main__":
    sys.exit(main())
