"""The storage backends the contract suite runs on: a SQLite file, and PostgreSQL.

PostgreSQL tests run in a database made for this test run (dropped at its end), each test in a
schema of its own, so concurrent runs and tests cannot disturb each other. Without a server they
skip with the reason; under CI=true a missing server is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

PG_HOST = os.environ.get("ASSEMBLY_TEST_PG", "postgresql://postgres@127.0.0.1:5432")


def postgres_problem() -> str | None:
    """Return why PostgreSQL cannot be used here, or None when it can."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    try:
        with psycopg.connect(f"{PG_HOST}/postgres", connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL at {PG_HOST} is unreachable: {str(exc).strip().splitlines()[0]}"


@contextmanager
def scratch_database() -> Iterator[str]:
    """Create a database for this test run; yield its URL; drop it afterwards."""
    import psycopg

    name = f"assembly_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{PG_HOST}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_HOST}/{name}"
    finally:
        with psycopg.connect(f"{PG_HOST}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def schema_url(database_url: str) -> str:
    """Create a fresh schema in the database and return a URL whose search path is that schema."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{database_url}?options=-csearch_path%3D{schema}"
