"""The export of every kind imports back as a no-op, in each form (CSV, CSV for Excel, .xlsx):
texts with accents, non-breaking spaces, line breaks, semicolons and a leading ``= + - @`` (which
the export guards against formulas) survive exactly.

One ledger for the module (a copy of ``tests.features.cycle``'s small assembly, 1/1 accepted on
1 June 2025); each example records a text through the command line, then exports its kind in
each form and checks every row of the file back against the ledger: none would be written, every
one is unchanged. The export and the check run in this process, so that examples stay fast.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.bulk import check_items
from cli.context import open_ledger, signing_key
from cli.export_commands import export_kind
from cli.store import LedgerStore
from domain import commands
from domain.process import Session
from sheets.kinds import KINDS
from tests.features.cycle import (
    COMMISSION,
    GOVERNMENT,
    LEDGER,
    SECRETARIAT,
    Template,
    as_commission,
    as_government,
    as_secretariat,
    copy_of,
    last_events,
    ok,
)

FORMS = {"rows.csv": False, "excel.csv": True, "rows.xlsx": False}
ROUND = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
CORE = st.text(
    alphabet=st.sampled_from("aAzéèêàçëïôûÉÀÇœß€ \u00a0;,\"'\n\t=+-@0123456789"),
    min_size=1,
    max_size=30,
)
# A text as people type it: something to read, perhaps a leading character a spreadsheet runs.
TEXT = (
    st.tuples(st.sampled_from(("", "=", "+", "-", "@")), CORE)
    .map("".join)
    .filter(lambda text: text.strip() and text == text.strip(" "))
)
NUMBERS = itertools.count(10)


@pytest.fixture(scope="module")
def ledger(template: Template, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small assembly with 1/1 accepted on 1 June 2025."""
    folder = copy_of(template.seated, tmp_path_factory.mktemp("round") / "assembly")
    ok(
        as_government(
            folder,
            *("respond", "1/1", "--position", "accepted", "--portfolio", "climate"),
            *("--at", "2025-06-01"),
        )
    )
    return folder


def adopt(folder: Path, text: str) -> str:
    """A new recommendation of panel 1 with ``text`` as its title, text and supporting
    statement, handed over; its reference."""
    number = str(next(NUMBERS))
    ok(
        as_secretariat(
            folder,
            *("recommend", "adopt", "--panel", "1", "--number", number, "--portfolio", "climate"),
            *("--vote", "V-1", f"--title=fr={text}", f"--text=fr={text}", f"--text=nl={text}"),
            *(f"--supporting=nl={text}", "--at", "2025-04-24"),
        )
    )
    ok(
        as_secretariat(
            folder,
            "recommend",
            "hand-over",
            "--panel",
            "1",
            f"--number={number}",
            "--on",
            "2025-05-01",
        )
    )
    return f"1/{number}"


def record_answer(folder: Path, text: str) -> list[str]:
    reference = adopt(folder, "Texte")
    ok(
        as_government(
            folder,
            *("respond", reference, "--position", "accepted", "--portfolio", "climate"),
            *(f"--justification=fr={text}", f"--planned-measures=fr={text}"),
            *(f"--justification=nl={text}", "--at", "2025-06-02"),
        )
    )
    (event,) = last_events(folder)
    return [event["justification"], event["planned_measures"]]


def record_report(folder: Path, text: str) -> list[str]:
    ok(
        as_government(
            folder,
            *("implement", "1/1", "--status", "in_progress", f"--milestone={text}"),
            *(f"--justification={text}", "--at", "2025-07-01"),
        )
    )
    (event,) = last_events(folder)
    return [event["milestone"], event["justification"]]


def record_adoption(folder: Path, text: str) -> list[str]:
    adopt(folder, text)
    adopted, _ = last_events(folder, 2)
    return [adopted["title"]["fr"], adopted["text"]["nl"], adopted["supporting"]["nl"]]


def record_verdict(folder: Path, text: str) -> list[str]:
    ok(
        as_commission(
            folder,
            *("assess", "1/1", "--verdict", "disputes", f"--reasons=fr={text}"),
            *(f"--reasons=nl={text}", "--score", "2.8", "--at", "2025-08-01"),
        )
    )
    (event,) = last_events(folder)
    return [event["reasons"], event["translations"]["nl"]]


RECORD: dict[str, tuple[Callable[[Path, str], list[str]], str]] = {
    "answers": (record_answer, GOVERNMENT),
    "implementation": (record_report, GOVERNMENT),
    "recommendations": (record_adoption, SECRETARIAT),
    "verdicts": (record_verdict, COMMISSION),
}


def checked_back(folder: Path, kind: str, path: Path, office: str) -> tuple[int, int, int]:
    """Check every row of ``path`` against the ledger, writing nothing: how many events it
    would write, how many rows are unchanged (or repeat one that is: the ledger may hold one
    report twice), and how many rows it has."""
    book = open_ledger(str(folder / LEDGER))
    try:
        session = Session(LedgerStore(book, signing_key(folder / office)))
        found = KINDS[kind].read(path, commands.references(session), None)
        assert found.problems == [], found.problems
        checked = check_items(session, found.items, at=datetime.now(UTC))
        assert checked.problems == [], checked.problems
        return checked.new, checked.unchanged + len(checked.duplicates), len(found.items)
    finally:
        session.discard()
        book.close()


@pytest.mark.parametrize("kind", list(RECORD))
def test_an_export_imports_back_as_a_no_op_with_every_text_intact(ledger: Path, kind: str) -> None:
    record, office = RECORD[kind]

    @ROUND
    @given(text=TEXT)
    def round_trip(text: str) -> None:
        said = record(ledger, text)
        assert said == [text] * len(said)
        for name, excel in FORMS.items():
            path = ledger / f"{kind}-{name}"
            export_kind(
                KINDS[kind],
                path,
                excel=excel,
                panel=None,
                point=(None, None),
                ledger=str(ledger / LEDGER),
            )
            new, unchanged, rows = checked_back(ledger, kind, path, office)
            assert (new, unchanged) == (0, rows), name

    round_trip()
