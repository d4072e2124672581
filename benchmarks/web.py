"""The web pages under 16 concurrent readers, against a trivial endpoint of the same server.

Reported: requests per second and p50/p99 latency of a recommendation page
(``/recommendations/PANEL/NUMBER``), of the status board filtered to one panel
(``/recommendations?panel=PANEL``), of the unfiltered board's first page and of a page from
the middle of it (100 rows each), of the board filtered to the overdue and searched for a word
and one recommendation's reference, of the overview, a panel's page, the scoreboard per
portfolio, the overdue list and the Atom feed, each also as a ratio to ``/healthz``, a trivial
endpoint of the same server measured in the same run: the ceiling. The pages that open with a
scoreboard (the overview, a panel's page, the scoreboard per portfolio) have a target: a ratio
of at least ``TARGET``, the overview's before it had one. The recommendation page is also
asked again with the ETag of its first answer (If-None-Match), as a reader who holds it would:
each answer must be a 304; and with a query no other request has (``&fresh=N``), so that every
answer is read and rendered, none sent from what the process kept (``web.caching.Kept``); the
board's first page, the scoreboard per portfolio and the Atom feed are asked so too (their
``rendered`` phases). Also
reported: the server's CPU time per answer (user and system, all its processes and threads,
from /proc) and ``/healthz``'s over it, which moves less than the rates when other work shares
the cores.
Exit status 1 when a request went unanswered within the budget or a target is missed, 2 when
the server cannot be measured (it does not start, or answers a request with anything but 200
and the expected page).

The server is the application of ``assembly serve`` (``web.create_app``) under uvicorn, in
``--workers`` processes (1 by default) as ``assembly serve --workers`` starts them, in a
subprocess listening on 127.0.0.1 only, on the 1,000,000-entry ledger of
``benchmarks/projections.py`` (its ``cached_ledger``), whose status projection is caught up once
before any timing. Each phase sends ``--requests`` (the board: ``--board-requests``) requests from
each of ``--clients`` threads, one keep-alive ``http.client`` connection each; no request starts
after ``--budget`` seconds, and one still unanswered then is counted as unanswered, so a run is
bounded in requests and in time.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import math
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from common import load_builder, render_table

builder = load_builder()

from domain.panel import Convened, panel_stream  # noqa: E402
from domain.roles import ROLE_GRANTS  # noqa: E402
from ledger import Ledger, RolePolicy  # noqa: E402
from projections import catch_up  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ENROLMENTS = 4  # the charter's own entry and three enrolments come before the recommendations
PER_RECOMMENDATION = 7
STARTUP_SECONDS = 60
FRESH = itertools.count()  # the numbers of fresh queries, unique across the clients' threads
TARGET = 0.0145  # the overview's ratio before it opened with a scoreboard
SERVE = (  # what ``assembly serve --workers N`` runs: each worker makes the application
    "import os, sys, uvicorn\n"
    "from web.serving import FACTORY, SETTINGS, settings_json\n"
    "os.environ[SETTINGS] = settings_json(sys.argv[1])\n"
    "uvicorn.run(FACTORY, factory=True, workers=int(sys.argv[3]), host='127.0.0.1',"
    " port=int(sys.argv[2]), log_level='warning')\n"
)


class CannotMeasure(Exception):
    """The server did not start, or answered something other than the page asked for."""


@dataclass(frozen=True)
class Phase:
    """One endpoint's load: its path, what its page must contain, how many requests per client."""

    name: str
    path: str
    marker: bytes
    requests: int  # per client; none when the phase is timed (``--seconds``)
    judged: bool = False  # whether its ratio must reach ``TARGET``
    revalidated: bool = False  # sent with the ETag of its untimed answer: expects 304
    fresh: bool = False  # each request's query unique: its tag new, the page read and rendered


@dataclass
class Outcome:
    """What a phase measured: each answered request's seconds, the unanswered, the wall time."""

    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0
    seconds: float = 0.0
    cpu: float = math.nan  # the server's CPU seconds meanwhile, all its processes and threads
    problems: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    @property
    def cpu_each(self) -> float:
        """The server's CPU seconds per answered request."""
        return self.cpu / len(self.latencies) if self.latencies else math.nan


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (``share`` in 0..1) of ``values``; nan when there are none."""
    if not values:
        return math.nan
    ranked = sorted(values)
    return ranked[max(0, math.ceil(share * len(ranked)) - 1)]


def prepared(entries: int) -> tuple[Path, int]:
    """The cached ledger of about ``entries`` entries, the middle recommendation's panel
    convened (``convened``), its projection current; its entry count."""
    path = builder.cached_ledger(entries, fresh=False)
    book = Ledger.open(str(path), RolePolicy(ROLE_GRANTS))
    try:
        convened(book, middle_recommendation(book.count())[0])
        began = time.perf_counter()
        if applied := catch_up(book):
            seconds = time.perf_counter() - began
            print(f"caught up {applied:,} entries in {seconds:.0f} s: {path}", file=sys.stderr)
        return path, book.count()
    finally:
        book.close()


def convened(book: Ledger, panel: int) -> None:
    """Record that ``panel`` was convened (what its page needs to exist), unless it was: the
    builder writes recommendations only, and this one entry more moves no recommendation."""
    stream = panel_stream(panel)
    if book.stream(stream):
        return
    secretariat = builder.Signer.from_seed(bytes([2]) * 32)  # as the builder enrols it
    theme = {"en": "Renovating homes", "fr": "Rénover les logements", "nl": "Woningen renoveren"}
    event = Convened(number=panel, theme=theme, seats=100, theme_chosen_by="government")
    book.append_new(secretariat, stream, 0, [builder.new(event, book.clock())])


def middle_recommendation(entries: int) -> tuple[int, int]:
    """The panel and number of the middle recommendation the builder wrote."""
    n = (entries - ENROLMENTS) // PER_RECOMMENDATION // 2
    return n // builder.PER_PANEL + 1, n % builder.PER_PANEL + 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(port: int, path: str, timeout: float) -> tuple[int, bytes, str]:
    """One request on a connection of its own (start-up and warm-up); status, body, ETag."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.read(), answer.getheader("ETag") or ""
    finally:
        connection.close()


def start_server(ledger: Path, port: int, log: Path, *, workers: int) -> subprocess.Popen[bytes]:
    """uvicorn serving ``web.create_app(ledger)`` in ``workers`` processes on
    127.0.0.1:``port``, once it answers."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH")))),
    }
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(ledger), str(port), str(workers)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise CannotMeasure(f"the server exited with {server.returncode}: {log.read_text()}")
        try:
            if get(port, "/healthz", 5)[0] == 200:
                return server
        except OSError:
            time.sleep(0.1)  # not listening yet
    server.kill()
    raise CannotMeasure(f"the server did not answer /healthz in {STARTUP_SECONDS} s")


def client(
    port: int,
    phase: Phase,
    deadline: float,
    outcome: Outcome,
    lock: threading.Lock,
    tag: str,
    timed: Timed | None,
) -> None:
    """Send the phase's requests one after the other on one keep-alive connection (with
    If-None-Match: ``tag`` when the phase is revalidated); when ``timed``, as many as its
    seconds allow, counting those answered within them."""
    connection: http.client.HTTPConnection | None = None
    headers = {"If-None-Match": tag} if phase.revalidated else {}
    expected = 304 if phase.revalidated else 200
    if timed is not None:
        timed.start.wait()  # every client sends its first request at once
    for _ in range(phase.requests) if timed is None else itertools.count():
        if timed is not None and time.monotonic() >= timed.until:
            break
        left = deadline - time.monotonic()
        if left <= 0:
            with lock:
                outcome.unanswered += 1
            continue
        connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=left)
        connection.timeout = left
        if connection.sock is not None:
            connection.sock.settimeout(left)
        began = time.perf_counter()
        try:
            path = f"{phase.path}&fresh={next(FRESH)}" if phase.fresh else phase.path
            connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            body = answer.read()
        except TimeoutError:
            with lock:
                outcome.unanswered += 1
            connection.close()
            connection = None
            continue
        except (OSError, http.client.HTTPException) as error:
            with lock:
                outcome.problems.append(f"{phase.path}: {error!r}")
            connection.close()
            connection = None
            continue
        elapsed = time.perf_counter() - began
        if timed is not None and time.monotonic() > timed.until:
            break  # answered after the phase's time: not counted
        with lock:
            if answer.status != expected or phase.marker not in body:
                outcome.problems.append(f"{phase.path}: {answer.status} {body[:200]!r}")
            outcome.latencies.append(elapsed)
    if connection is not None:
        connection.close()


@dataclass
class Timed:
    """A phase run for a time rather than a number of requests: its clients start together
    and send until ``until`` (``time.monotonic``)."""

    start: threading.Barrier
    until: float = math.inf


def run_phase(
    port: int, phase: Phase, *, clients: int, budget: float, tag: str, seconds: float = 0
) -> Outcome:
    """``clients`` threads sending the phase's requests at once; bounded by ``budget`` seconds.
    With ``seconds``, they send for that long instead, all the time: a phase bounded in
    requests ends with fewer clients than it began with, and with several workers the
    connections left may all be one worker's while the others idle (the kernel gives each
    connection to one worker), so its rate says how the connections fell as much as what the
    server answers; a timed phase keeps every connection busy to its end, as wrk does."""
    outcome, lock = Outcome(), threading.Lock()
    began = time.perf_counter()
    deadline = time.monotonic() + budget
    timed = Timed(threading.Barrier(clients)) if seconds else None
    if timed is not None:

        def go() -> None:
            nonlocal began
            began = time.perf_counter()
            timed.until = time.monotonic() + seconds

        timed.start = threading.Barrier(clients, action=go)
    threads = [
        threading.Thread(target=client, args=(port, phase, deadline, outcome, lock, tag, timed))
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.seconds = seconds or time.perf_counter() - began
    if outcome.problems:
        raise CannotMeasure(f"{len(outcome.problems)} wrong answer(s), e.g. {outcome.problems[0]}")
    return outcome


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server; kill it if requests still running keep it from stopping."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def peak_rss_mb(pid: int) -> float:
    """The peak resident memory (VmHWM) of the process and its children (workers), in MB."""
    total = 0.0
    for each in (pid, *children(pid)):
        try:
            lines = Path(f"/proc/{each}/status").read_text().splitlines()
        except FileNotFoundError:  # ended meanwhile
            continue
        total += sum(int(line.split()[1]) / 1024 for line in lines if line.startswith("VmHWM:"))
    return total or math.nan


def cpu_seconds(pid: int) -> float:
    """The CPU time, user and system, the process and its children (workers) have used."""
    total = 0.0
    for each in (pid, *children(pid)):
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # ended meanwhile
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children(pid: int) -> list[int]:
    """The process's children, and theirs."""
    try:
        found = [
            int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        ]
    except FileNotFoundError:
        return []
    return [*found, *(grandchild for child in found for grandchild in children(child))]


def ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="ledger size (1,000,000)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument(
        "--requests", type=int, default=50, help="per client, /healthz and the page (50)"
    )
    parser.add_argument("--board-requests", type=int, default=1, help="per client, the board (1)")
    parser.add_argument("--budget", type=float, default=900, help="seconds per phase at most (900)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (1)")
    parser.add_argument(
        "--seconds",
        type=float,
        default=0,
        help="run each phase for this long, every client sending all the time, instead of "
        "--requests per client (what comparing --workers needs: see run_phase)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="PHASE",
        help="run only this phase (repeatable; /healthz always runs): e.g. --only recommendation",
    )
    args = parser.parse_args(argv)

    ledger, entries = prepared(args.entries)
    panel, number = middle_recommendation(entries)
    phases = [
        Phase("healthz", "/healthz", b'"ok"', args.requests),
        Phase(
            "recommendation",
            f"/recommendations/{panel}/{number}?lang=en",
            f"Recommendation {panel}/{number}".encode(),
            args.requests,
        ),
        # The same page, every request with a query of its own: read and rendered each time.
        Phase(
            "recommendation, rendered",
            f"/recommendations/{panel}/{number}?lang=en",
            f"Recommendation {panel}/{number}".encode(),
            args.requests,
            fresh=True,
        ),
        # The same page again from a reader who holds it: its ETag, answered 304.
        Phase(
            "recommendation, 304",
            f"/recommendations/{panel}/{number}?lang=en",
            b"",
            args.requests,
            revalidated=True,
        ),
        Phase(
            "board",
            f"/recommendations?panel={panel}&lang=en",
            f"{builder.PER_PANEL} recommendations".encode(),
            args.board_requests,
        ),
        Phase("board, first page", "/recommendations?lang=en", b'rel="next"', args.requests),
        Phase(
            "board, first page, rendered",
            "/recommendations?lang=en",
            b'rel="next"',
            args.requests,
            fresh=True,
        ),
        Phase(
            "board, a middle page",
            f"/recommendations?lang=en&after={panel}/{number}",
            b'rel="next"',
            args.requests,
        ),
        # Filters that are not plain columns, narrowed in SQL: overdue on today's date, and a
        # search whose few hits lie across the whole table (every row's words are looked at).
        Phase("board, overdue", "/recommendations?overdue=1&lang=en", b"<caption>", args.requests),
        Phase(
            "board, a search",
            f"/recommendations?q=renoveren+{panel}/{number}&lang=en",
            f"{panel}/{number}".encode(),
            args.requests,
        ),
        # The other pages a reader opens, and the feed a reader's program polls.
        Phase("overview", "/?lang=en", b"<svg", args.requests, judged=True),
        Phase("panel page", f"/panels/{panel}?lang=en", b"<svg", args.requests, judged=True),
        Phase("portfolios", "/portfolios?lang=en", b"<svg", args.requests, judged=True),
        # The scoreboard per portfolio (issue 19 names it with the board and the feed).
        Phase("portfolios, rendered", "/portfolios?lang=en", b"<svg", args.requests, fresh=True),
        Phase("overdue list", "/overdue?lang=en", b"<h1", args.requests),
        Phase("Atom feed", "/api/feed.atom", b"<feed", args.requests),
        Phase("Atom feed, rendered", "/api/feed.atom?lang=en", b"<feed", args.requests, fresh=True),
    ]
    if args.only:
        phases = [phase for phase in phases if phase.name == "healthz" or phase.name in args.only]
    port = free_port()
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"bench-web-{os.getpid()}.log"
    outcomes: dict[str, Outcome] = {}
    try:
        server = start_server(ledger, port, log, workers=args.workers)
    except CannotMeasure as problem:
        print(f"cannot measure: {problem}", file=sys.stderr)
        return 2
    try:
        tags = {}
        for phase in phases:  # one untimed request each: imports, caches, the check of the page
            status, body, tags[phase.name] = get(port, phase.path, args.budget)
            if status != 200 or phase.marker not in body:
                raise CannotMeasure(f"{phase.path}: {status} {body[:200]!r}")
            if phase.revalidated and not tags[phase.name]:
                raise CannotMeasure(f"{phase.path}: answered without an ETag")
        for phase in phases:
            each = f"{args.seconds:g} s" if args.seconds else str(phase.requests)
            print(f"{phase.name}: {args.clients} x {each} ...", file=sys.stderr)
            tag = tags[phase.name]
            cpu = cpu_seconds(server.pid)
            done = run_phase(
                port,
                phase,
                clients=args.clients,
                budget=args.budget,
                tag=tag,
                seconds=args.seconds,
            )
            done.cpu = cpu_seconds(server.pid) - cpu
            outcomes[phase.name] = done
            print(
                f"  {len(done.latencies)} answered, {done.unanswered} unanswered, "
                f"{done.rate:.2f} req/s, p50 {ms(percentile(done.latencies, 0.5))} ms",
                file=sys.stderr,
            )
        memory = peak_rss_mb(server.pid)
    except (CannotMeasure, OSError) as problem:
        print(f"cannot measure: {problem}", file=sys.stderr)
        return 2
    finally:
        stop(server)
        log.unlink(missing_ok=True)

    ceiling = outcomes["healthz"].rate
    cheapest = outcomes["healthz"].cpu_each
    rows, failed = [], False
    for phase in phases:
        done = outcomes[phase.name]
        ratio = done.rate / ceiling if ceiling else math.nan
        missed = phase.judged and not ratio >= TARGET
        failed = failed or done.unanswered > 0 or missed
        rows.append(
            (
                phase.name,
                phase.path,
                f"{len(done.latencies)}"
                + ("" if args.seconds else f"/{args.clients * phase.requests}"),
                str(done.unanswered),
                f"{done.rate:.2f}",
                ms(percentile(done.latencies, 0.50)),
                ms(percentile(done.latencies, 0.99)),
                "(ceiling)" if phase.name == "healthz" else f"{ratio:.4f}",
                "-" if math.isnan(done.cpu_each) else f"{done.cpu_each * 1000:.2f}",
                "" if phase.name == "healthz" else f"{cheapest / done.cpu_each:.4f}",
                (">= " + f"{TARGET}" + (" MISSED" if missed else " met")) if phase.judged else "",
            )
        )
    print(
        f"{entries:,} entries; {args.clients} concurrent clients on 127.0.0.1; "
        f"uvicorn, {args.workers} worker(s); budget {args.budget:.0f} s per phase"
    )
    print(
        render_table(
            (
                "endpoint",
                "path",
                "answered",
                "unanswered",
                "req/s",
                "p50 ms",
                "p99 ms",
                "ratio to /healthz",
                "server CPU ms",
                "CPU ratio",
                "target",
            ),
            rows,
            right={2, 3, 4, 5, 6, 7, 8, 9},
        )
    )
    print(f"\nserver's peak RSS: {memory:,.0f} MB")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
