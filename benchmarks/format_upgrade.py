"""Pages served while the read models are rebuilt in a new format (issue 19, part 4).

Target: every request sent while a server builds a new read-model format is answered (200),
on the 1,000,000-entry ledger of ``benchmarks/projections.py`` by default. Exit status 1 when
one is not, 2 when the server cannot be measured.

A private copy of the cached ledger (SQLite's online backup) is caught up in the format in
force; then ``assembly serve``'s application is started under uvicorn in a subprocess whose
``projections.tables.FORMAT`` is one more, as a release with a new format would be: its own
thread (``web.keeper``) builds the new tables beside the old while ``--clients`` threads ask a
recommendation page, a panel's board and ``/api/status`` in turn, each on a keep-alive
connection, until the pointer names the new format. Reported: the build's seconds (from the
server's start to the switch), the requests sent and answered, and the latency (p50, p99, max)
of those sent during the build; the first requests wait while the server folds the ledger in
memory once.
"""

from __future__ import annotations

import argparse
import http.client
import math
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from common import load_builder, render_table

builder = load_builder()

from domain.roles import ROLE_GRANTS  # noqa: E402
from ledger import Ledger, RolePolicy  # noqa: E402
from projections import catch_up, tables  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NEXT = str(int(tables.FORMAT) + 1)
SERVE = (  # the application of ``assembly serve``, as a release whose format is one more
    "import logging, sys, uvicorn\n"
    "import projections.tables\n"
    "projections.tables.FORMAT = sys.argv[3]\n"
    "from web.app import create_app\n"
    "logging.basicConfig(level=logging.INFO, format='  server: %(message)s')\n"
    "app = create_app(sys.argv[1], public_url=f'http://127.0.0.1:{sys.argv[2]}')\n"
    "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')\n"
)


def private_copy(source: Path, folder: Path) -> Path:
    """A consistent copy of the cached ledger, which the switch will change."""
    target = folder / "upgrade.db"
    with sqlite3.connect(source) as found, sqlite3.connect(target) as copy:
        found.backup(copy)
    return target


def pointer(path: Path) -> str | None:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as conn:
        row = conn.execute("SELECT value FROM projection_settings WHERE name = 'format'").fetchone()
        return None if row is None else str(row[0])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: Sequence[float], share: float) -> float:
    if not values:
        return math.nan
    ranked = sorted(values)
    return ranked[max(0, math.ceil(share * len(ranked)) - 1)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000, help="ledger size")
    parser.add_argument("--clients", type=int, default=4, help="concurrent readers (4)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds one request may take")
    args = parser.parse_args(argv)
    source = builder.cached_ledger(args.entries, fresh=False)
    with tempfile.TemporaryDirectory(prefix="format-upgrade-") as folder:
        path = private_copy(source, Path(folder))
        book = Ledger.open(str(path), RolePolicy(ROLE_GRANTS))
        try:
            catch_up(book)
            count = book.count()
            panel = (count // 7) // 60 // 2 + 1
        finally:
            book.close()
        paths = [f"/recommendations/{panel}/7", f"/recommendations?panel={panel}", "/api/status"]
        port = free_port()
        began = time.monotonic()
        server = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(path), str(port), NEXT], cwd=ROOT
        )
        try:
            return measure(path, port, paths, count, began, args)
        finally:
            server.terminate()
            server.wait(timeout=60)


def measure(
    path: Path, port: int, paths: list[str], count: int, began: float, args: argparse.Namespace
) -> int:
    latencies: list[float] = []
    failures: list[str] = []
    done = threading.Event()
    lock = threading.Lock()

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=args.timeout)
        n = offset
        while not done.is_set():
            asked = paths[n % len(paths)]
            n += 1
            start = time.monotonic()
            try:
                conn.request("GET", asked, headers={"Host": f"127.0.0.1:{port}"})
                answer = conn.getresponse()
                answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException) as exc:
                status, conn = -1, http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                failures.append(f"{asked}: {exc!r}")
            with lock:
                if status == 200:
                    latencies.append(time.monotonic() - start)
                elif status != -1:
                    failures.append(f"{asked}: {status}")

    deadline = time.monotonic() + 60
    while True:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", "/healthz", headers={"Host": f"127.0.0.1:{port}"})
            if probe.getresponse().status == 200:
                break
        except OSError:
            if time.monotonic() > deadline:
                print("the server did not start", file=sys.stderr)
                return 2
            time.sleep(0.1)  # polling the port: the server says nothing when it listens
    threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    while pointer(path) != NEXT:
        time.sleep(0.5)  # polling the database: the switch is one row
    switched = time.monotonic() - began
    done.set()
    for thread in threads:
        thread.join()
    verdict = "pass" if not failures and latencies else "FAIL"
    headers = ("entries", "build s", "answered", "not answered", "p50 s", "p99 s", "max s")
    row = (
        f"{count:,}",
        f"{switched:.1f}",
        f"{len(latencies):,}",
        f"{len(failures):,}",
        f"{percentile(latencies, 0.5):.3f}",
        f"{percentile(latencies, 0.99):.3f}",
        f"{max(latencies, default=math.nan):.3f}",
    )
    table = [(*row, "every request", verdict)]
    print(render_table((*headers, "target", "result"), table, right=set(range(len(row)))))
    for failure in failures[:10]:
        print(f"  {failure}", file=sys.stderr)
    return 0 if verdict == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
