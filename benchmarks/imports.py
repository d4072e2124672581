"""Bulk imports: 5,000 answers from a CSV file and from an .xlsx workbook, by dry run and for
real, against the ledger's own bulk append rate measured in the same run (issue 16, "Speed").

- **baseline**: ``benchmarks/append.py``'s ``100/save`` shape (``LedgerWriter.per_save``: 100
  signed events of one new stream per ``append_new``), on a fresh SQLite file, best of
  ``--repeats``, in events per second;
- **import**: ``cli.bulk.write_answers`` (what ``assembly respond --csv`` and ``assembly import
  answers`` run: read the file, resolve every reference, check every answer against the rules
  in one session, then rehearse the append and roll it back (dry run), or append the 5,000
  answers in one transaction and bring the read models up to date (real)), on a ledger of
  5,000 recommendations handed over and awaiting their first answer, in rows per second; the
  command's printed lines go to a buffer;
- **reading**: ``sheets.read.read_sheet`` alone on the same file: its share of the import.

The ledger (a charter, three keys, then each recommendation adopted and handed over, appended
with ``Ledger.append_new_batches`` 500 recommendations per transaction, read models built) is
cached in the temporary folder (``--rebuild`` builds it again); every real import runs on a
fresh copy of it. The files are written with ``sheets.write.write_sheet``: a third of the
answers accepted with planned measures, a third rejected with a 200-character justification, a
third under study with a decision date (a date cell in the workbook). No target is set: the
script prints the figures.

    python benchmarks/imports.py [--rows N] [--repeats R] [--rebuild]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import io
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from append import BATCH, LedgerWriter
from common import PORTFOLIOS, cached, render_table

from domain.charter import ASSEMBLY, Chartered
from domain.events import Event
from domain.recommendation import Adopted, HandedOver, recommendation_stream
from domain.responses import Responded
from domain.roles import ROLE_GRANTS
from ledger import Ledger, NewEvent, RolePolicy, Signer

# This folder holds a script named after the package ``projections``: find the package.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).parent]
sys.modules.pop("projections", None)
from cli.bulk import write_answers  # noqa: E402
from cli.store import LedgerStore  # noqa: E402
from projections import catch_up  # noqa: E402
from sheets.answer_file import ANSWER_ALIASES, EXPORT_COLUMNS, answer_row  # noqa: E402
from sheets.read import read_sheet  # noqa: E402
from sheets.write import Dialect, write_sheet  # noqa: E402

PER_TRANSACTION = 500  # recommendations appended per transaction while building
PER_PANEL = 60
PORTFOLIO_IDS = tuple(name.split(",")[0].lower().replace(" ", "-") for name in PORTFOLIOS)
CHARTER, SECRETARIAT, GOVERNMENT = (Signer.from_seed(bytes([n]) * 32) for n in (1, 2, 3))
JUSTIFICATION = (
    "The region's multiannual budget for 2025-2029 has no line for this measure, and the social "
    "and economic council advised against it in its opinion of 12 March 2025; the government "
    "prefers the renovation loans, which reach the same households sooner ({n})."
)


class Clock:
    """The ledger's clock while building: moved on by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def new(event: Event, at: datetime) -> NewEvent:
    return NewEvent(
        type=event.TYPE, payload=event.to_payload(), occurred_at=at, schema=event.SCHEMA
    )


def key(n: int) -> tuple[int, int]:
    """Recommendation ``n``'s (panel, number)."""
    return n // PER_PANEL + 1, n % PER_PANEL + 1


def build(path: Path, entries: int) -> None:
    """A charter, the secretariat's and the government's keys, then each recommendation
    adopted and handed over until about ``entries`` entries; the read models built."""
    clock = Clock(datetime(2024, 1, 8, 9, 0, tzinfo=UTC))
    book = Ledger.create(str(path), RolePolicy(ROLE_GRANTS), CHARTER, name="Charter", clock=clock)
    try:
        for role, signer in (("secretariat", SECRETARIAT), ("government", GOVERNMENT)):
            book.enrol(CHARTER, signer.public_key, role=role, name=role.title())
        charter = Chartered(name="Benchmark Assembly", region="Brussels", languages=("fr", "nl"))
        book.append_new(CHARTER, ASSEMBLY, 0, [new(charter, clock.now)])
        recommendations = (entries - 4) // 2
        for first in range(0, recommendations, PER_TRANSACTION):
            clock.now += timedelta(minutes=1)
            batches = []
            for n in range(first, min(first + PER_TRANSACTION, recommendations)):
                panel, number = key(n)
                adopted = Adopted(
                    panel=panel,
                    number=number,
                    title={"fr": f"Rénover les logements ({n})", "nl": f"Woningen renoveren ({n})"},
                    text={"fr": f"Le gouvernement rénove ({n}).", "nl": f"De regering ({n})."},
                    portfolio=PORTFOLIO_IDS[n % len(PORTFOLIO_IDS)],
                    vote=f"V-{n}",
                )
                handed = HandedOver(panel=panel, number=number, on=clock.now.date())
                events = [new(adopted, clock.now), new(handed, clock.now)]
                batches.append((recommendation_stream(panel, number), 0, events))
            book.append_new_batches(SECRETARIAT, batches)
        catch_up(book)
    finally:
        book.close()


def answers(rows: int) -> list[Responded]:
    """One first-review answer per recommendation, three positions in turn."""
    found = []
    for n in range(rows):
        panel, number = key(n)
        shape = n % 3
        found.append(
            Responded(
                panel=panel,
                number=number,
                review=1,
                position=("accepted", "rejected", "under_study")[shape],
                portfolio=PORTFOLIO_IDS[n % len(PORTFOLIO_IDS)],
                justification=JUSTIFICATION.format(n=n) if shape == 1 else "",
                planned_measures=f"Une prime à la rénovation dès 2027 ({n})." if shape == 0 else "",
                decision_date=date(2027, 6, 30) if shape == 2 else None,
            )
        )
    return found


def write_file(path: Path, found: list[Responded]) -> None:
    """The answers as the export writes them; in a workbook, days as date cells."""
    dialect = Dialect.XLSX if path.suffix == ".xlsx" else Dialect.CSV
    rows = []
    for answer in found:
        row = answer_row(answer)
        rows.append(
            [
                date.fromisoformat(value)
                if dialect is Dialect.XLSX and column == "decision_date" and value
                else value
                for column, value in row.items()
            ]
        )
    write_sheet(path, EXPORT_COLUMNS, rows, dialect=dialect, title="answers")


def seconds(work: Callable[[], object]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def append_rate(events: int, repeats: int) -> float:
    """``append.py``'s 100/save rate: events per second, best of ``repeats``."""
    best = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as folder:
        writer = LedgerWriter(str(Path(folder) / "append.db"))
        try:
            writer.per_save(BATCH, 0)  # warm-up
            start = BATCH
            for _ in range(repeats):
                run = functools.partial(writer.per_save, events, start)
                best = max(best, events / seconds(run))
                start += events
        finally:
            writer.close()
    return best


def import_seconds(ledger: Path, path: Path, *, dry_run: bool, rows: int) -> float:
    """One import of ``path`` into ``ledger`` as the command runs it, its output buffered;
    raise unless it wrote ``rows`` entries (none in a dry run)."""
    book = Ledger.open(str(ledger), RolePolicy(ROLE_GRANTS))
    try:
        store = LedgerStore(book, GOVERNMENT)
        before = book.count()

        def work() -> None:
            with contextlib.redirect_stdout(io.StringIO()):
                if write_answers(store, path, dry_run=dry_run, at=datetime.now(UTC)):
                    catch_up(book)

        taken = seconds(work)
        written = book.count() - before
        if written != (0 if dry_run else rows):
            raise AssertionError(f"the import of {path.name} wrote {written} entries")
        return taken
    finally:
        book.close()


def fresh_copy(source: Path, folder: Path) -> Path:
    """A copy of the built ledger that knows it lives there (as ``tests.features.cycle``)."""
    target = folder / "ledger.db"
    for leftover in (target, Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(source, target)
    book = Ledger.open(str(target), RolePolicy(ROLE_GRANTS))
    try:
        book.moved_here()
    finally:
        book.close()
    return target


@dataclass
class Measured:
    form: str
    mode: str
    rows: int
    total: float
    reading: float


def measure(source: Path, rows: int, repeats: int, folder: Path) -> list[Measured]:
    """Each form by dry run, then for real on fresh copies: the best of ``repeats``."""
    found = answers(rows)
    results = []
    for form, name in (("csv", "answers.csv"), ("xlsx", "answers.xlsx")):
        path = folder / name
        write_file(path, found)
        read = functools.partial(read_sheet, path, ANSWER_ALIASES)
        reading = min(seconds(read) for _ in range(repeats))
        dry = min(import_seconds(source, path, dry_run=True, rows=rows) for _ in range(repeats))
        real = min(
            import_seconds(fresh_copy(source, folder), path, dry_run=False, rows=rows)
            for _ in range(repeats)
        )
        results.append(Measured(form, "dry run", rows, dry, reading))
        results.append(Measured(form, "real", rows, real, reading))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000, help="answers per file (5,000)")
    parser.add_argument("--repeats", type=int, default=2, help="timed runs of each (best kept)")
    parser.add_argument("--rebuild", action="store_true", help="build the cached ledger again")
    args = parser.parse_args(argv)
    if args.rows < BATCH or args.rows % BATCH or args.repeats < 1:
        parser.error(f"--rows must be a multiple of {BATCH}, and --repeats at least 1")
    source = cached(f"imports-{args.rows}", 4 + 2 * args.rows, build, fresh=args.rebuild)
    baseline = append_rate(args.rows, args.repeats)
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as folder:
        results = measure(source, args.rows, args.repeats, Path(folder))
    print(
        f"bulk imports of {args.rows:,} answers against append.py's 100/save rate "
        f"({baseline:,.0f} ev/s, same run), best of {args.repeats}"
    )
    cells = [
        (
            result.form,
            result.mode,
            f"{result.rows / result.total:,.0f}",
            f"{result.rows / result.total / baseline:.2f}",
            f"{result.total:.1f} s",
            f"{100 * result.reading / result.total:.0f}%",
        )
        for result in results
    ]
    header = ("format", "mode", "rows/s", "ratio to append 100/save", "time", "reading the file")
    print(render_table(header, cells, right={2, 3, 4, 5}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
