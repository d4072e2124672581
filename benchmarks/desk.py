"""One answer through the offices' desk against the command line's ``--server`` path, on the
same ledger in the same run (issue 17, Speed).

Reported: the server's time per answer (the time spent inside the application, summed over
the requests one answer makes) and the wall time per answer, for

- **desk**: ``POST /api/desk/prepare`` (the server runs the step and returns the bytes), then
  ``POST /api/submissions`` with the body signed here, as the page does;
- **cli**: ``cli.remote.act`` (``assembly respond ... --server``): the client reads what the
  step loads through the submission routes, runs the step, signs, and posts the submission;

and the desk's time as a ratio to the command line's (the judged figure is the median of the
rounds' ratios; each round times one answer by each path, back to back, alternating which goes
first). Both go through the same in-process ASGI client (``TestClient``), so no network is
timed; signing happens outside the server either way.

The ledger is ``benchmarks/projections.py``'s build of ``--entries`` entries, then a charter and
``2 x --answers`` recommendations handed over and not yet answered. There is no target: the
figures are reported (exit status 2 when an answer is refused).
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from common import load_builder, render_table

builder = load_builder()

from fastapi.testclient import TestClient  # noqa: E402

from cli.remote import act  # noqa: E402
from domain import commands  # noqa: E402
from domain.charter import ASSEMBLY, Chartered  # noqa: E402
from domain.responses import Responded  # noqa: E402
from domain.roles import ROLE_GRANTS  # noqa: E402
from ledger import Ledger, RolePolicy, Signer  # noqa: E402
from web import create_app  # noqa: E402

CHARTER, SECRETARIAT, GOVERNMENT = (Signer.from_seed(bytes([n]) * 32) for n in (1, 2, 3))
WHY = "The regional budget of this term cannot fund the measure; existing grants come first. " * 3


class Timed:
    """ASGI middleware summing the seconds spent inside the application."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seconds = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        began = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.seconds += time.perf_counter() - began


def prepared_ledger(folder: Path, entries: int, answers: int) -> tuple[Path, list[str]]:
    """A built ledger with a charter and ``2 * answers`` recommendations awaiting an answer."""
    path = folder / "desk.db"
    builder.build(path, entries)
    book = Ledger.open(str(path), RolePolicy(ROLE_GRANTS))
    try:
        at = datetime.now(UTC)
        charter = Chartered(
            name="Bench assembly", region="Brussels-Capital", languages=("fr", "nl")
        )
        book.append_new_batches(CHARTER, [(ASSEMBLY, 0, [builder.new(charter, at)])])
        first = (entries - 4) // 7 + 1
        numbers = range(first, first + 2 * answers)
        batches = [
            (
                builder.recommendation_stream(
                    n // builder.PER_PANEL + 1, n % builder.PER_PANEL + 1
                ),
                0,
                builder.secretariat_events(n, at),
            )
            for n in numbers
        ]
        book.append_new_batches(SECRETARIAT, batches)
    finally:
        book.close()
    refs = [f"{n // builder.PER_PANEL + 1}/{n % builder.PER_PANEL + 1}" for n in numbers]
    return path, refs


def portfolio_of(n: int) -> str:
    return str(builder.PORTFOLIO_IDS[n % len(builder.PORTFOLIO_IDS)])


def by_desk(client: TestClient, ref: str, portfolio: str) -> None:
    fields = {"recommendation": ref, "position": "rejected", "portfolio": portfolio}
    document = {
        "step": "respond",
        "fields": {**fields, "justification": WHY, "review": "1"},
        "key": GOVERNMENT.public_key.b64,
    }
    reply = client.post("/api/desk/prepare", json=document)
    if reply.status_code != 200:
        raise SystemExit(f"desk refused: {reply.text}")
    batches = []
    for event in reply.json()["events"]:
        sig = GOVERNMENT.sign(base64.b64decode(event["body"]))
        signed = {"body": event["body"], "sig": base64.b64encode(sig).decode()}
        batches.append(
            {
                "stream": event["stream"],
                "expected_version": event["expected_version"],
                "events": [signed],
            }
        )
    written = client.post("/api/submissions", json={"batches": batches})
    if written.status_code != 201:
        raise SystemExit(f"submission refused: {written.text}")


def by_cli(client: TestClient, ref: str, portfolio: str) -> None:
    panel, number = (int(part) for part in ref.split("/"))
    answer = Responded(
        panel=panel,
        number=number,
        review=1,
        position="rejected",  # type: ignore[arg-type]
        portfolio=portfolio,
        justification=WHY.strip(),
    )
    act(client, GOVERNMENT, lambda session, when: commands.respond(session, answer, at=when))


def measure(timed: Timed, work: Callable[[], None]) -> tuple[float, float]:
    """The server's seconds and the wall seconds of ``work``."""
    before = timed.seconds
    began = time.perf_counter()
    work()
    return timed.seconds - before, time.perf_counter() - began


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--answers", type=int, default=30, help="answers timed per path")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        path, refs = prepared_ledger(Path(scratch), args.entries, args.answers)
        first = (args.entries - 4) // 7 + 1
        timed = Timed(create_app(str(path), public_url="http://testserver"))
        desk: list[tuple[float, float]] = []
        cli: list[tuple[float, float]] = []
        with TestClient(timed) as client:
            by_desk(client, refs[-1], portfolio_of(first + len(refs) - 1))  # warm-up, each path
            by_cli(client, refs[-2], portfolio_of(first + len(refs) - 2))
            for i in range(args.answers - 1):
                pair = [
                    (desk, by_desk, refs[2 * i], first + 2 * i),
                    (cli, by_cli, refs[2 * i + 1], first + 2 * i + 1),
                ]
                for found, path_of, ref, n in pair if i % 2 == 0 else reversed(pair):
                    found.append(
                        measure(timed, lambda p=path_of, r=ref, m=n: p(client, r, portfolio_of(m)))
                    )
    ratios = [d[0] / c[0] for d, c in zip(desk, cli, strict=True)]
    rows = [
        [
            name,
            f"{statistics.median(s for s, _ in found) * 1000:.1f}",
            f"{statistics.median(w for _, w in found) * 1000:.1f}",
        ]
        for name, found in (("desk (prepare + submit)", desk), ("cli --server", cli))
    ]
    print(f"ledger: {args.entries:,} entries; {len(desk)} answers per path, interleaved")
    print(render_table(["path", "server ms / answer", "wall ms / answer"], rows, right={1, 2}))
    print(
        f"desk / cli server time: median {statistics.median(ratios):.2f} "
        f"(min {min(ratios):.2f}, max {max(ratios):.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
