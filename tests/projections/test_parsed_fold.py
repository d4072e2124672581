"""The fold from parsed payloads (``projections.parsed``, what the runner folds) against the fold
from validated events: the same rows, byte for byte, on the demo's ledger, on France's
Convention loaded from its real proposals and answers, and on a ledger an earlier release
wrote (payloads at older schemas, upcast on both sides)."""

from __future__ import annotations

import json
import shutil
import unicodedata
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import MappingProxyType

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import to_json

from domain.errors import RuleBroken
from domain.events import Recorded
from domain.recommendation import Adopted, HandedOver
from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy
from projections import rebuild, stored
from projections.errors import Inconsistent
from projections.parsed import Parsed, parsed_body
from projections.search import folded
from projections.status import (
    Change,
    Erratum,
    RecommendationStatus,
    Said,
    Status,
    _Draft,
    fold,
    recorded_body,
)
from projections.tables import recommendation_row, review_rows, settings_value
from tests.domain.test_round_trip import ADOPTED_V1
from tests.features.ccc import LEDGER, shared_cycle
from tests.features.cycle import ok, settle
from tests.features.forked import assembly
from tests.projections.reference import record, reference, summary

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BATCH = 1000  # entries per fold, as the runner catches up


def bodies(ledger: Ledger) -> list[tuple[int, str, bytes]]:
    return ledger.recorder.read_bodies(start=0, limit=10**9)


def validated(ledger: Ledger) -> list[Recorded]:
    """Every assembly entry decoded and validated as its event type (what the fold kept
    from a stored payload, keys in canonical order, is what validating it gives)."""
    history = ledger.history_before()
    events = [
        found
        for entry in bodies(ledger)
        if (found := recorded_body(*entry, history_before=history)) is not None
    ]
    for item in events:
        assert dict(item.payload) == item.event.to_payload(), f"entry {item.seq}"
    return events


def check_adoptions(state: Status, events: list[Recorded]) -> None:
    """Each recommendation holds what its validated adoption says (beyond ``reference``)."""
    for item in events:
        if isinstance(adopted := item.event, Adopted):
            rec = state.recommendations[(adopted.panel, adopted.number)]
            found = (rec.text, rec.reference, rec.group, rec.supporting, rec.shared_with)
            assert found == (
                adopted.text,
                adopted.reference,
                adopted.group,
                adopted.supporting,
                adopted.shared_with,
            ), f"entry {item.seq}"


def parsed(ledger: Ledger) -> Status:
    """What the runner folds: parsed entries, a batch at a time."""
    history, state = ledger.history_before(), Status()
    found = bodies(ledger)
    for first in range(0, len(found), BATCH):
        chunk = found[first : first + BATCH]
        items = [item for entry in chunk if (item := parsed_body(*entry, history_before=history))]
        state = replace(fold(state, items), seq=chunk[-1][0])
    return state


def rows(state: Status) -> list[str]:
    """Every row the status tables would hold for ``state``, as JSON text, in key order."""
    found = [settings_value(state)]
    for _key, rec in sorted(state.recommendations.items()):
        found.append(json.dumps(recommendation_row(rec, reviews=len(state.offsets))))
        found.extend(json.dumps(row) for row in review_rows(rec, state.offsets))
    return found


def check_same_rows(path: Path) -> None:
    """Both folds give the same rows, and so do the tables a rebuild writes, in one process or
    two; the parsed one holds what the slow reference reads off the validated events."""
    ledger = Ledger.open(str(path), RolePolicy(ROLE_GRANTS))
    try:
        events = validated(ledger)
        expected = rows(fold(Status(), events))
        assert len(expected) > 1, "the ledger holds no recommendation"
        fast = parsed(ledger)
        assert rows(fast) == expected
        assert summary(fast) == reference(events)
        check_adoptions(fast, events)
        check_texts(fast)
        rebuild(ledger, workers=1)
        assert rows(replace(stored(ledger), seq=-1)) == expected
        rebuild(ledger, workers=2, batch=BATCH)  # each process its share of the streams
        assert rows(replace(stored(ledger), seq=-1)) == expected
    finally:
        ledger.close()


def check_texts(state: Status) -> None:
    """Each row's texts are the JSON ``to_json`` writes of its plain record (the rows hold
    its parts' JSON put together)."""
    for rec in state.recommendations.values():
        plain = record(rec)
        row = recommendation_row(rec, reviews=len(state.offsets))
        found = (row["title"], row["answers"], row["detail"])
        assert found == tuple(
            to_json(x).decode() for x in (plain["title"], plain["answers"], plain)
        )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo")
    made = ("demo", "--ledger", "demo.db", "--out", "files", "--pool-size", "200")
    ok(assembly(*made, "--algorithm", "legacy", cwd=folder))
    return folder / "demo.db"


def test_the_demo_ledger_folds_to_the_same_rows_from_payloads_as_from_models(demo: Path) -> None:
    check_same_rows(demo)


def test_the_conventions_real_cycle_folds_to_the_same_rows_from_payloads_as_from_models(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    copy = tmp_path / "convention.db"
    shutil.copyfile(shared_cycle(tmp_path_factory).folder / LEDGER, copy)
    settle(copy)
    check_same_rows(copy)


def test_a_ledger_of_an_earlier_release_folds_to_the_same_rows_both_ways(tmp_path: Path) -> None:
    copy = tmp_path / "assembly.db"
    shutil.copyfile(FIXTURES / "cycle-c22f384" / "assembly.db", copy)
    settle(copy)
    check_same_rows(copy)


def test_the_comparison_tells_a_hand_over_a_day_later_apart(demo: Path) -> None:
    """The rows compared hold what the entries say: one payload changed changes them."""
    ledger = Ledger.open(str(demo), RolePolicy(ROLE_GRANTS))
    try:
        items = [item for entry in bodies(ledger) if (item := parsed_body(*entry))]
    finally:
        ledger.close()
    at = next(n for n, item in enumerate(items) if item.type == HandedOver.TYPE)
    moved = {**items[at].payload, "on": "2099-01-01"}
    changed = [*items[:at], items[at]._replace(payload=moved), *items[at + 1 :]]
    assert rows(fold(Status(), changed)) != rows(fold(Status(), items))


def test_an_entry_about_a_recommendation_is_folded_without_a_model(demo: Path) -> None:
    ledger = Ledger.open(str(demo), RolePolicy(ROLE_GRANTS))
    try:
        items = [item for entry in bodies(ledger) if (item := parsed_body(*entry))]
    finally:
        ledger.close()
    kinds = {item.type: item for item in items}
    assert kinds[Adopted.TYPE].event is None
    assert kinds[HandedOver.TYPE].event is None
    assert all(isinstance(item, Parsed) for item in items)
    assert any(item.event is not None for item in items), "the charter is decoded"


def test_an_adoption_at_an_older_schema_is_upcast_and_validated() -> None:
    found = parsed_body(7, "2026-01-05T10:00:00+00:00", body(Adopted.TYPE, 1, ADOPTED_V1))
    assert found is not None and isinstance(found.event, Adopted)
    assert found.payload["shared_with"] == [] and found.seq == 7
    bad = {**ADOPTED_V1, "panel": 0}
    with pytest.raises(RuleBroken, match="panel"):
        parsed_body(7, "2026-01-05T10:00:00+00:00", body(Adopted.TYPE, 1, bad))


def test_an_adoption_shared_with_other_portfolios_is_folded_from_its_payload() -> None:
    adopted = Adopted(
        panel=1,
        number=2,
        title={"fr": "Titre"},
        text={"fr": "Texte"},
        portfolio="climate",
        vote="V-1",
        supporting={"fr": "Parce que."},
        shared_with=("energy", "housing"),
    )
    item = parsed_body(7, "2026-01-05T10:00:00+00:00", body(Adopted.TYPE, 2, adopted.to_payload()))
    assert item is not None and item.event is None
    rec = fold(Status(), [item]).recommendations[(1, 2)]
    assert rec.shared_with == ("energy", "housing")
    assert (rec.supporting, rec.priority, rec.reference) == ({"fr": "Parce que."}, "medium", None)


def test_a_body_that_is_not_json_stops_the_fold_at_its_entry() -> None:
    with pytest.raises(Inconsistent, match=r"Entry 3 cannot be projected: the entry's body is"):
        parsed_body(3, "2026-01-05T10:00:00+00:00", b"{not json")


def test_the_ledgers_own_entries_are_not_folded() -> None:
    assert (
        parsed_body(0, "2026-01-05T10:00:00+00:00", body("ledger.signer.enrolled", 1, {})) is None
    )


def body(kind: str, schema: int, payload: dict[str, object]) -> bytes:
    fields = {
        "type": kind,
        "schema": schema,
        "payload": payload,
        "occurred_at": "2026-01-05T10:00:00+00:00",
        "signer": "k",
        "version": 0,
    }
    return json.dumps(fields).encode()


def slow_folded(text: str) -> str:
    """``folded`` one character at a time: the definition the fast one must keep."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


@given(st.text())
def test_folding_a_text_for_search_drops_the_same_marks_as_one_character_at_a_time(
    text: str,
) -> None:
    assert folded(text) == slow_folded(text)


def test_folding_keeps_letters_beyond_latin_and_drops_their_marks() -> None:
    assert folded("Écocide ideeën Straße ΣΊΣΥΦΟΣ ﬁn") == "ecocide ideeen strasse σισυφοσ fin"


def test_a_record_with_errata_and_history_after_the_fact_is_written_as_its_plain_json() -> None:
    at = datetime(2026, 1, 5, 10, 30, 0, 123456, tzinfo=UTC)
    adopted = Change(1, "key-1", at, at.replace(microsecond=0))
    late = Change(2, 'key "2"', at.replace(year=2025), None, True)
    answer = Said(
        MappingProxyType({"review": 1, "position": "rejected", "note": 'Déjà "vu"\n', "x": 1.5}),
        late,
        corrected_by=3,
    )
    rec = RecommendationStatus(
        panel=2,
        number=7,
        title=MappingProxyType({"fr": "Écocide", "nl": "Ecocide 😀"}),
        portfolio="climate",
        priority="high",
        adopted=adopted,
        reference="SD-E2",
        shared_with=("energy",),
        handed_over=date(2025, 12, 1),
        handed_over_change=late,
        answers=(answer,),
        errata=(Erratum(3, 2, "A typo.", True),),
        seqs=frozenset({1, 2, 3}),
        position_change=late,
        last_change=Change(3, "key-1", at, at),
    )
    check_texts(Status(MappingProxyType({rec.key: rec})))


def test_a_draft_that_changes_a_field_a_recommendation_has_not_is_a_bug_said() -> None:
    adopted = Change(1, "sec", datetime(2026, 1, 10, tzinfo=UTC))
    base = RecommendationStatus(
        panel=1, number=1, title=MappingProxyType({"fr": "R"}), portfolio="climate",
        priority="high", adopted=adopted,
    )  # fmt: skip
    draft = _Draft(base)
    draft.changed["portfolo"] = "health"
    with pytest.raises(AssertionError, match="a recommendation has no field portfolo"):
        draft.freeze()
    draft.changed = {"portfolio": "health"}
    assert draft.freeze().portfolio == "health"
