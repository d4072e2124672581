"""One writer, readers on a streaming replica (issue 18, part 2): a hot standby of the ledger's
PostgreSQL server refuses every write, so the read models there are whatever the writer left;
with them behind the ledger, the read commands and the pages on the replica give what they
give on the writer once it has caught up. Skipped when no replica answers (where it is:
ASSEMBLY_TEST_PG_REPLICA, the same server's data streamed to another port; README, "One writer,
read-only readers", says how to make one)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from ledger import Ledger
from tests.backends import PG_HOST
from tests.cli.test_fault_sentences import one_sentence
from tests.cli.test_read_only_role import behind, pages, read  # noqa: F401  (a fixture)
from tests.projections.test_reads_never_write import table_state
from tests.runner import assembly

pytestmark = pytest.mark.postgres

REPLICA = os.environ.get("ASSEMBLY_TEST_PG_REPLICA", "postgresql://postgres@127.0.0.1:5433")


def replica_problem() -> str | None:
    try:
        with psycopg.connect(f"{REPLICA}/postgres", connect_timeout=3) as conn:
            if not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:  # type: ignore[index]
                return f"{REPLICA} is not a replica"
    except psycopg.Error as exc:
        return f"no PostgreSQL replica at {REPLICA}: {str(exc).strip().splitlines()[0]}"
    return None


@pytest.fixture
def replica(postgres_url: str) -> Iterator[str]:
    """The URL of the writer's schema on the replica."""
    if problem := replica_problem():
        pytest.skip(problem)
    assert postgres_url.startswith(PG_HOST)
    yield REPLICA + postgres_url.removeprefix(PG_HOST)


def replayed(writer: str, replica: str) -> None:
    """Wait until the replica has replayed everything the writer's server wrote so far."""
    with psycopg.connect(writer.split("?")[0], autocommit=True) as conn:
        target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]  # type: ignore[index]
    deadline = time.monotonic() + 60
    with psycopg.connect(replica.split("?")[0], autocommit=True) as conn:
        query = "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0"
        while not conn.execute(query, (target,)).fetchone()[0]:  # type: ignore[index]
            assert time.monotonic() < deadline, "the replica did not catch up in a minute"
            time.sleep(0.05)  # polling the standby: there is nothing to await


def test_reads_on_a_streaming_replica_with_the_read_models_behind_are_a_writers(
    behind: Ledger,  # noqa: F811  (the fixture)
    replica: str,
    postgres_url: str,
    tmp_path: Path,
) -> None:
    written = table_state(behind)
    replayed(postgres_url, replica)
    on_replica = read(replica, tmp_path)
    assert all(result.code == 0 for result in on_replica), on_replica
    seen = pages(replica)
    refused = assembly("projections", "update", "--ledger", replica, cwd=tmp_path)
    one_sentence(refused, "is read-only here")
    assert table_state(behind) == written
    assert assembly("projections", "update", "--ledger", postgres_url, cwd=tmp_path).code == 0
    assert read(postgres_url, tmp_path) == on_replica
    assert pages(postgres_url) == seen
    replayed(postgres_url, replica)
    assert read(replica, tmp_path) == on_replica  # now from the tables the writer wrote
