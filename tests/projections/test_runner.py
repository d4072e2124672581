"""The tracked runner: each entry applied once, in one transaction with its position; a crash
or a failing projection leaves the previous position, and a restart equals a rebuild."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import Any

import pytest
from sqlalchemy import Connection, event, inspect, select, update
from sqlalchemy.engine import Engine

import projections.runner as runner
from domain import commands
from domain.government import Verdict
from domain.responses import Position
from projections.errors import Inconsistent, ProjectionFailed
from projections.parsed import Change
from projections.status import Erratum, RecommendationStatus, Said, Status, fold
from projections.tables import (
    ROW_KEPT_UP_TO,
    detail_of,
    from_row,
    positions,
    recommendation_row,
    recommendations,
    settings,
)
from tests.domain.conftest import Office, step
from tests.projections.conftest import answer, history, verdict
from tests.projections.reference import summary


def engine(office: Office) -> Engine:
    found = office.ledger.recorder.datastore.engine
    assert isinstance(found, Engine)
    return found


def rows(office: Office) -> list[tuple[Any, ...]]:
    """Every recommendation row, then the settings, as the database holds them."""
    with engine(office).connect() as conn:
        found = list(conn.execute(select(recommendations).order_by("panel", "number")))
        found += list(conn.execute(select(settings)))
    return [tuple(row) for row in found]


def test_catch_up_applies_every_entry_once(answered: Office) -> None:
    count = answered.ledger.count()
    assert runner.catch_up(answered.ledger, batch=7) == count
    assert runner.catch_up(answered.ledger) == 0
    assert runner.position(answered.ledger) == count - 1
    # The last entry may be the ledger's own (not an assembly event): the position still moves.
    expected = replace(fold(Status(), history(answered.ledger)), seq=count - 1)
    assert runner.stored(answered.ledger) == expected


def test_catch_up_applies_only_the_entries_written_since(answered: Office) -> None:
    runner.catch_up(answered.ledger)
    answered.do("government", step(commands.respond, answer(4, 1, Position.ACCEPTED)))
    answered.do("commission", step(commands.assess, verdict(4, Verdict.AGREES)))
    assert runner.catch_up(answered.ledger) == 2
    fourth = runner.stored(answered.ledger).recommendations[(1, 4)]
    assert (fourth.position, fourth.verdict) == ("accepted", "agrees")
    assert summary(runner.stored(answered.ledger)) == summary(
        fold(Status(), history(answered.ledger))
    )


def test_catching_up_rewrites_the_rows_it_changes_and_keeps_those_between(
    answered: Office,
) -> None:
    """A batch about recommendations 2 and 4 replaces their rows and leaves 3's."""
    runner.catch_up(answered.ledger)
    answered.do("government", step(commands.respond, answer(4, 1, Position.ACCEPTED)))
    answered.do("government", step(commands.respond, answer(2, 2, Position.ACCEPTED)))
    assert runner.catch_up(answered.ledger) == 2
    caught_up = rows(answered)
    runner.rebuild(answered.ledger)
    assert caught_up == rows(answered)
    assert len(caught_up) == 7  # five recommendations, the settings and the tables' format


def test_rebuild_gives_the_same_rows(answered: Office) -> None:
    runner.catch_up(answered.ledger, batch=5)
    before = rows(answered)
    assert runner.rebuild(answered.ledger) == answered.ledger.count()
    assert rows(answered) == before
    assert len(before) == 7  # five recommendations, the settings and the tables' format


def test_a_rebuild_frees_the_old_rows_without_zeroing_them_and_puts_the_setting_back(
    answered: Office,
) -> None:
    """The read models' rows are deleted with SQLite's ``secure_delete`` at FAST (2); the
    connections go back to the ledger with the setting they had."""
    runner.catch_up(answered.ledger)
    with engine(answered).connect() as conn:
        default = conn.exec_driver_sql("PRAGMA secure_delete").scalar()
    found: list[int] = []

    def deleting(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("DELETE FROM projection_"):
            found.append(cursor.connection.execute("PRAGMA secure_delete").fetchone()[0])

    event.listen(engine(answered), "before_cursor_execute", deleting)
    try:
        runner.rebuild(answered.ledger)
    finally:
        event.remove(engine(answered), "before_cursor_execute", deleting)
    assert found and set(found) == {2}
    with engine(answered).connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == default != 2


def test_tables_of_another_format_are_dropped_and_rebuilt(answered: Office) -> None:
    runner.catch_up(answered.ledger)
    before = rows(answered)
    with engine(answered).begin() as conn:  # as an older version of the program left them
        conn.execute(update(settings).where(settings.c.name == "format").values(value="1"))
        conn.execute(update(recommendations).values(title="stale"))
    assert runner.catch_up(answered.ledger) == answered.ledger.count()
    assert rows(answered) == before


def test_the_tables_are_the_projections_own(answered: Office) -> None:
    runner.catch_up(answered.ledger)
    names = set(inspect(engine(answered)).get_table_names())
    ours = {"projection_positions", "projection_recommendations", "projection_reviews"}
    ours |= {"projection_settings"}
    assert ours <= names
    assert not {name for name in names - ours if not name.startswith("ledger_")}


def test_a_crash_mid_batch_leaves_the_old_position_and_a_restart_equals_a_rebuild(
    answered: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = 0
    real_write = runner.write

    def crashing(conn: Connection, before: Status, after: Status) -> None:
        nonlocal writes
        writes += 1
        if writes == 3:
            conn.execute(recommendations.delete())  # half-done work, rolled back with the rest
            raise KeyboardInterrupt("killed")
        real_write(conn, before, after)

    monkeypatch.setattr(runner, "write", crashing)
    with pytest.raises(KeyboardInterrupt):
        runner.catch_up(answered.ledger, batch=10)
    assert runner.position(answered.ledger) == 19
    assert rows(answered)  # the rows of the first two batches are still there
    monkeypatch.setattr(runner, "write", real_write)
    assert runner.catch_up(answered.ledger, batch=10) == answered.ledger.count() - 20
    resumed = rows(answered)
    runner.rebuild(answered.ledger)
    assert rows(answered) == resumed


def test_a_projection_failing_on_an_entry_stops_loudly_at_the_previous_position(
    answered: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.catch_up(answered.ledger)
    before = rows(answered)
    position = runner.position(answered.ledger)
    answered.do("government", step(commands.respond, answer(4, 1, Position.ACCEPTED)))

    def failing(state: Status, events: Any) -> Status:
        raise Inconsistent(position + 1, "the projection cannot follow it")

    monkeypatch.setattr(runner, "fold", failing)
    with pytest.raises(
        ProjectionFailed,
        match=rf"The status projection stopped at entry {position + 1} \(the projection cannot "
        rf"follow it\); it stays at entry {position}\. Fix the cause, then run `assembly "
        r"projections rebuild`\.",
    ):
        runner.catch_up(answered.ledger)
    assert runner.position(answered.ledger) == position
    assert rows(answered) == before


def test_the_position_is_written_with_the_rows(answered: Office) -> None:
    runner.catch_up(answered.ledger)
    with engine(answered).connect() as conn:
        stored = conn.execute(select(positions.c.name, positions.c.seq)).all()
    assert [tuple(row) for row in stored] == [("status", answered.ledger.count() - 1)]


def test_one_panels_rows_are_read_alone(answered: Office) -> None:
    runner.catch_up(answered.ledger)
    everything = runner.stored(answered.ledger)
    assert runner.stored(answered.ledger, panel=1) == everything
    alone = runner.stored(answered.ledger, panel=2)
    assert dict(alone.recommendations) == {}
    assert (alone.seq, alone.offsets, alone.suspensions) == (
        everything.seq,
        everything.offsets,
        everything.suspensions,
    )


def test_a_row_is_decoded_once_and_a_rewritten_row_afresh(answered: Office) -> None:
    """``from_row`` keeps what it decoded, per text: the same text gives the same (immutable)
    record back, and a row rewritten with anything changed is decoded again."""
    recs = fold(Status(), history(answered.ledger)).recommendations
    first, second = recs[(1, 1)], recs[(1, 2)]
    detail = recommendation_row(first)["detail"]
    again = "".join(list(detail))  # an equal text, another object, as each read of a row gives
    assert again is not detail
    assert from_row(detail) is from_row(again)
    assert from_row(detail) == first
    rewritten = replace(first, portfolio="energy")
    assert from_row(recommendation_row(rewritten)["detail"]) == rewritten != first
    assert from_row(recommendation_row(second)["detail"]) == second
    # A long row (here a long title) is decoded each time, never kept: what is kept stays small.
    long = replace(first, title={"fr": "x" * ROW_KEPT_UP_TO})
    text = recommendation_row(long)["detail"]
    assert from_row(text) == long and from_row(text) is not from_row(text)


def test_a_row_s_detail_is_written_byte_for_byte_as_the_release_before_wrote_it() -> None:
    """The read model's rows and the monitor's ``walk.jsonl`` keep a record's ``detail``: its
    bytes, pinned here as the release before wrote them, stay the same however the record is
    serialised (escapes, a change recorded after the fact and one with no recorded time, a
    corrected answer, an erratum, an empty list), and read back as the record."""
    adopted = Change(4, "k1", datetime(2024, 1, 8, 9, 1, tzinfo=UTC),
                     datetime(2024, 1, 8, 9, 1, 30, tzinfo=UTC))  # fmt: skip
    late = Change(9, "k2", datetime(2019, 6, 1, tzinfo=UTC), None, True)
    record = RecommendationStatus(
        panel=2, number=7, title=MappingProxyType({"fr": 'Rénover "tout"', "nl": "Renoveren"}),
        portfolio="climate", priority="high", adopted=adopted,
        text=MappingProxyType({"fr": "Texte\nsur deux lignes"}), reference="SD-E2", group="G1",
        supporting=MappingProxyType({"nl": "Steun"}), shared_with=("energy",),
        handed_over=date(2024, 1, 9), handed_over_change=adopted,
        answers=(Said(MappingProxyType({"position": "rejected", "review": 1,
                                        "nested": {"a": [1, None]}}), late, 11),),
        verdicts=(Said(MappingProxyType({"verdict": "agrees"}), adopted),),
        errata=(Erratum(11, 9, "a typo", True),), seqs=frozenset({4, 9, 11}),
        position_change=late, verdict_change=adopted, last_change=late,
    )  # fmt: skip
    adopted_json = (
        '{"seq":4,"signer":"k1","at":"2024-01-08T09:01:00+00:00",'
        '"recorded":"2024-01-08T09:01:30+00:00"}'
    )
    late_json = (
        '{"seq":9,"signer":"k2","at":"2019-06-01T00:00:00+00:00","recorded":null,'
        '"after_the_fact":true}'
    )
    answers = (
        '[{"payload":{"position":"rejected","review":1,"nested":{"a":[1,null]}},'
        f'"change":{late_json},"corrected_by":11}}]'
    )
    expected = (
        '{"panel":2,"number":7,"title":{"fr":"Rénover \\"tout\\"","nl":"Renoveren"},'
        f'"portfolio":"climate","priority":"high","adopted":{adopted_json},'
        '"text":{"fr":"Texte\\nsur deux lignes"},"reference":"SD-E2","group":"G1",'
        '"supporting":{"nl":"Steun"},"shared_with":["energy"],"handed_over":"2024-01-09",'
        f'"handed_over_change":{adopted_json},"answers":{answers},"reports":[],'
        f'"verdicts":[{{"payload":{{"verdict":"agrees"}},"change":{adopted_json},'
        '"corrected_by":null}],'
        '"errata":[{"seq":11,"supersedes":9,"reason":"a typo","replaced":true}],'
        f'"seqs":[4,9,11],"position_change":{late_json},"implementation_change":null,'
        f'"verdict_change":{adopted_json},"last_change":{late_json}}}'
    )
    row = recommendation_row(record)
    assert detail_of(record) == row["detail"] == expected
    assert row["title"] == '{"fr":"Rénover \\"tout\\"","nl":"Renoveren"}'
    assert row["answers"] == answers
    assert from_row(expected) == record
