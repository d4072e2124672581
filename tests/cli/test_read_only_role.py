"""One writer, read-only readers (issue 18, part 2): on a PostgreSQL role that may only read,
with the read models behind the ledger, the read commands and the pages give what they give a
writer once it has caught up, and write nothing; a command that writes is refused in one
sentence, nothing written, and the next read succeeds."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy
from tests.cli.test_fault_sentences import one_sentence
from tests.projections.test_reads_never_write import READS, behind_at, table_state
from tests.runner import Result, assembly
from tests.web.conftest import serving

pytestmark = pytest.mark.postgres

COMMANDS = [
    ("status", "--format", "json"),
    ("status", "--wide"),
    ("status", "--portfolio", "energy", "--format", "json"),
    ("show", "1/3", "--format", "json"),
    ("show", "1/33", "--format", "json"),
    ("show", "1/20"),
    ("overdue", "--format", "json"),
]
PAGES = ["/", "/recommendations", "/recommendations/1/3", "/recommendations/1/33", "/portfolios"]
PAGES += ["/portfolios/energy", "/overdue", "/api/status", "/api/recommendations/1/33"]


@pytest.fixture
def reader(postgres_url: str) -> Iterator[str]:
    """A URL of a role that may only read the ledger's schema."""
    role = f"reader_{uuid.uuid4().hex[:8]}"
    schema = postgres_url.rsplit("search_path%3D", 1)[1]
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
        conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"')
        conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"')
    try:
        yield postgres_url.replace("postgres@", f"{role}@", 1)
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')


@pytest.fixture
def behind(postgres_url: str) -> Iterator[Ledger]:
    """The writer's ledger: 30 recommendations caught up, then entries the tables lack."""
    with behind_at(postgres_url) as book:
        yield book


def read(url: str, folder: Path) -> list[Result]:
    return [assembly(*command, "--ledger", url, cwd=folder) for command in COMMANDS]


def pages(url: str) -> dict[str, str]:
    with TestClient(serving(url)) as client:  # its own writer thread runs, and stops: read-only
        answers = {path: client.get(path) for path in PAGES}
    assert all(answer.status_code == 200 for answer in answers.values()), answers
    return {path: answer.text for path, answer in answers.items()}


def test_reads_on_a_read_only_role_with_the_read_models_behind_are_a_writers(
    behind: Ledger, reader: str, postgres_url: str, tmp_path: Path
) -> None:
    written = table_state(behind)
    assert isinstance(written[0], int) and written[0] < behind.count() - 1, "not behind"
    as_reader = read(reader, tmp_path)
    assert all(result.code == 0 for result in as_reader), as_reader
    seen = pages(reader)
    reader_book = Ledger.open(reader, RolePolicy(ROLE_GRANTS))
    try:
        stored = {name: each(reader_book) for name, each in READS.items()}
    finally:
        reader_book.close()
    assert table_state(behind) == written, "a reader wrote"
    assert assembly("projections", "update", "--ledger", postgres_url, cwd=tmp_path).code == 0
    assert table_state(behind)[0] == behind.count() - 1
    assert read(postgres_url, tmp_path) == as_reader
    assert pages(postgres_url) == seen
    assert {name: each(behind) for name, each in READS.items()} == stored
    assert '"1/33"' in as_reader[0].stdout and "completed" in as_reader[3].stdout


def test_a_write_on_a_read_only_role_is_one_sentence_and_the_next_read_succeeds(
    behind: Ledger, reader: str, tmp_path: Path
) -> None:
    written = table_state(behind)
    refused = assembly("projections", "update", "--ledger", reader, cwd=tmp_path)
    one_sentence(refused, "is read-only here")
    assert table_state(behind) == written
    assert assembly("status", "--ledger", reader, cwd=tmp_path).code == 0
    rebuilt = assembly("projections", "rebuild", "--ledger", reader, cwd=tmp_path)
    one_sentence(rebuilt, "is read-only here")
    assert table_state(behind) == written
    assert assembly("show", "1/33", "--ledger", reader, cwd=tmp_path).code == 0
