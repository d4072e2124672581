"""Database failures named by their cause (``ledger.faults``), the timeouts and the pooled
connections' check before use (``ledger.connections``)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError as SQLAlchemyOperationalError

from ledger import Ledger, Signer
from ledger.connections import Timeouts, engine_options
from ledger.errors import (
    BadSetting,
    ConnectionLost,
    DiskFull,
    LedgerBusy,
    ReadOnlyDatabase,
    StatementTimedOut,
    StorageUnavailable,
)
from ledger.faults import storage_fault
from ledger.storage import open_recorder
from tests.conftest import World


def wrapped(driver_error: BaseException) -> SQLAlchemyOperationalError:
    """A driver error as SQLAlchemy raises it."""
    return SQLAlchemyOperationalError("INSERT INTO ledger_entries ...", {}, driver_error)


def sqlite_error(message: str, code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error


@pytest.mark.parametrize(
    ("driver_error", "fault"),
    [
        (sqlite_error("database is locked", 5), LedgerBusy),
        (sqlite_error("database or disk is full", 13), DiskFull),
        (sqlite_error("attempt to write a readonly database", 8), ReadOnlyDatabase),
        (psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"), LedgerBusy),
        (psycopg.errors.DiskFull("could not extend file"), DiskFull),
        (psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT"), ReadOnlyDatabase),
        (psycopg.errors.InsufficientPrivilege("permission denied"), ReadOnlyDatabase),
        (psycopg.errors.QueryCanceled("canceling statement due to timeout"), StatementTimedOut),
        (psycopg.errors.AdminShutdown("terminating connection"), ConnectionLost),
        (psycopg.OperationalError("server closed the connection unexpectedly"), ConnectionLost),
    ],
)
def test_a_driver_error_is_named_by_its_code_not_its_words(
    driver_error: BaseException, fault: type[Exception]
) -> None:
    named = storage_fault(wrapped(driver_error), "sqlite:////data/assembly.db")
    assert type(named) is fault
    assert "/data/assembly.db" in named.sentence()
    assert str(driver_error) not in named.sentence()


def test_a_full_disk_during_an_append_is_named(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A full disk simulated: the driver's error, raised where the insert would write.
    def full(*args: object, **kwargs: object) -> None:
        code = 13 if world.ledger.recorder.datastore.engine.dialect.name == "sqlite" else 0  # type: ignore[union-attr]
        raise wrapped(
            sqlite_error("database or disk is full", code)
            if code
            else psycopg.errors.DiskFull("could not extend file")
        )

    monkeypatch.setattr(type(world.ledger.recorder), "_insert_stored_events", full)
    with pytest.raises(DiskFull, match=r"^The disk of the ledger database .* is full; nothing"):
        world.ledger.enrol(world.charter, Signer.generate().public_key, role="commission", name="C")
    monkeypatch.undo()
    assert world.ledger.count() == 3


def test_a_server_that_is_not_there_is_unreachable_not_lost() -> None:
    with pytest.raises(StorageUnavailable, match="no server answers at that address"):
        open_recorder("postgresql://nobody@127.0.0.1:1/none")


@pytest.mark.postgres
def test_a_pooled_connection_the_server_dropped_is_replaced_before_use(
    postgres_url: str, policy
) -> None:  # type: ignore[no-untyped-def]
    ledger = Ledger.create(postgres_url, policy, Signer.generate(), name="Charter")
    engine = ledger.recorder.datastore.engine
    with engine.connect() as conn:  # type: ignore[union-attr]
        pooled = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with psycopg.connect(postgres_url, autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", (pooled,))
    assert ledger.count() == 1
    ledger.close()


@pytest.mark.postgres
def test_a_statement_past_the_statement_timeout_is_named(
    postgres_url: str, policy, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    Ledger.create(postgres_url, policy, Signer.generate(), name="Charter").close()
    monkeypatch.setenv("ASSEMBLY_STATEMENT_TIMEOUT", "0.2")
    recorder = open_recorder(postgres_url)
    engine = recorder.datastore.engine
    with pytest.raises(SQLAlchemyOperationalError) as raised, engine.connect() as conn:  # type: ignore[union-attr]
        conn.execute(text("SELECT pg_sleep(5)"))
    assert type(storage_fault(raised.value, recorder.location)) is StatementTimedOut


def test_timeouts_come_from_the_environment_with_defaults() -> None:
    assert Timeouts.from_environment({}) == Timeouts(lock=30.0, statement=300.0)
    given = {"ASSEMBLY_LOCK_TIMEOUT": "2.5", "ASSEMBLY_STATEMENT_TIMEOUT": "0"}
    assert Timeouts.from_environment(given) == Timeouts(lock=2.5, statement=0.0)
    with pytest.raises(BadSetting, match="ASSEMBLY_STATEMENT_TIMEOUT=-1 is not a number"):
        Timeouts.from_environment({"ASSEMBLY_STATEMENT_TIMEOUT": "-1"})


def test_postgres_timeouts_join_the_options_of_the_url() -> None:
    url = "postgresql+psycopg://u@h/db?options=-csearch_path%3Dledger"
    options = engine_options(url, Timeouts(lock=1.5, statement=0))
    assert options == {
        "pool_pre_ping": True,
        "connect_args": {
            "options": "-csearch_path=ledger -c lock_timeout=1500 -c statement_timeout=0"
        },
    }


def test_sqlite_waits_for_a_lock_as_long_as_the_lock_timeout() -> None:
    assert engine_options("sqlite:////a.db", Timeouts(lock=2, statement=9)) == {
        "connect_args": {"timeout": 2}
    }
