"""``assembly import implementation|recommendations|verdicts``: each kind written all or
nothing, by dry run and for real; a second import reports every row unchanged; a row repeated
word for word counts once; two rows about one thing that differ are refused naming both; every
bad row is named by its row and column.

Each test works on its own copy of the small assembly of ``tests.features.cycle``:
recommendations 1/1 to 1/3 handed over on 2025-05-01, 1/4 adopted and not handed over, in a
charter written in French and Dutch. No personal data: every text is made up.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from sheets.answer_file import ANSWER_COLUMNS
from sheets.kinds import KINDS as REGISTRY
from tests.features.cycle import (
    answer,
    answers_csv,
    as_commission,
    as_government,
    as_secretariat,
    entries,
    last_events,
    ok,
    one_sentence,
)
from tests.features.forked import assembly
from tests.runner import Result

ACCEPTED_ON = "2025-06-01"


def sheet(path: Path, rows: Sequence[Mapping[str, str]]) -> Path:
    """A CSV file whose header is every column the rows name, in order of appearance."""
    columns = list(dict.fromkeys(column for row in rows for column in row))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({column: row.get(column, "") for column in columns} for row in rows)
    return path


def listed(result: Result) -> list[str]:
    """The bad rows a refused import lists, in order."""
    return [row.strip() for row in result.stderr.splitlines() if row.startswith("  row ")]


@pytest.fixture
def accepted(folder: Path) -> Path:
    """1/1 and 1/2 accepted by the government on 1 June 2025."""
    empty = dict.fromkeys(ANSWER_COLUMNS, "")
    rows = [{**empty, **answer(ref, "accepted"), "date": ACCEPTED_ON} for ref in ("1/1", "1/2")]
    sheet(folder / "answers.csv", rows)
    ok(as_government(folder, "import", "answers", "answers.csv"))
    return folder


def reports() -> list[dict[str, str]]:
    return [
        {
            "recommendation": "1/1",
            "status": "in_progress",
            "progress": "40",
            "milestone": "Appel à projets publié",
            "date": "01/07/2025",
        },
        {
            "recommendation": "1/2",
            "status": "not_started",
            "progress": "",
            "milestone": "",
            "date": "2025-07-02",
        },
    ]


def verdicts() -> list[dict[str, str]]:
    return [
        {
            "recommendation": "1/1",
            "verdict": "agrees",
            "reasons": "Le fonds existe.",
            "score": "8.5",
            "date": "2025-08-01",
            "language": "fr",
            "reasons_nl": "Het fonds bestaat.",
        },
        {
            "recommendation": "1/3",
            "verdict": "disputes",
            "reasons": "Aucune réponse; rien.",
            "score": "",
            "date": "2025-08-01",
            "language": "fr",
            "reasons_nl": "",
        },
    ]


def recommendations() -> list[dict[str, str]]:
    return [
        {
            "panel": "1",
            "number": "5",
            "portfolio": "climate",
            "vote": "V-1",
            "title_fr": "Isoler les écoles",
            "title_nl": "Scholen isoleren",
            "text_fr": "Isoler toutes les écoles\u00a0d'ici 2030.",
            "text_nl": "Alle scholen isoleren tegen 2030.",
            "priority": "high",
            "date": "2025-04-24",
            "handed_over": "2025-05-01",
        },
        {
            "panel": "1",
            "number": "6",
            "portfolio": "climate",
            "vote": "V-1",
            "title_fr": "",
            "title_nl": "",
            "text_fr": "=Planter des arbres; partout.",
            "text_nl": "",
            "priority": "",
            "date": "24.04.2025",
            "handed_over": "",
        },
    ]


KINDS = {
    "implementation": (as_government, reports, 2, "implementation report(s)"),
    "verdicts": (as_commission, verdicts, 2, "verdict(s)"),
    "recommendations": (as_secretariat, recommendations, 3, "adoption(s) and hand-over(s)"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_dry_run_writes_nothing_and_a_real_import_writes_every_row_once(
    accepted: Path, kind: str
) -> None:
    office, rows, events, noun = KINDS[kind]
    sheet(accepted / "rows.csv", rows())
    before = entries(accepted)
    dry = ok(office(accepted, "import", kind, "rows.csv", "--dry-run"))
    assert (
        f"Dry run: all 2 rows are valid; {events} {noun} would be written, 0 unchanged. "
        "Nothing was written." in dry.stdout
    ), dry.stdout
    assert entries(accepted) == before
    real = ok(office(accepted, "import", kind, "rows.csv"))
    assert f"Wrote {events} {noun}; 0 row(s) unchanged." in real.stdout, real.stdout
    assert entries(accepted) == before + events
    again = ok(office(accepted, "import", kind, "rows.csv"))
    assert f"Wrote 0 {noun}; 2 row(s) unchanged." in again.stdout, again.stdout
    assert entries(accepted) == before + events


def test_the_recorded_events_say_what_the_rows_say(accepted: Path) -> None:
    sheet(accepted / "rows.csv", recommendations())
    ok(as_secretariat(accepted, "import", "recommendations", "rows.csv"))
    five, handed, six = last_events(accepted, 3)
    assert five["title"] == {"fr": "Isoler les écoles", "nl": "Scholen isoleren"}
    assert five["text"]["fr"] == "Isoler toutes les écoles\u00a0d'ici 2030."
    assert (five["priority"], handed["type"], handed["on"]) == (
        "high",
        "assembly.recommendation.handed_over",
        "2025-05-01",
    )
    assert six["text"] == {"fr": "=Planter des arbres; partout."}
    assert (six["title"], six["priority"]) == ({}, "medium")
    sheet(accepted / "verdicts.csv", verdicts())
    ok(as_commission(accepted, "import", "verdicts", "verdicts.csv"))
    agrees, disputes = last_events(accepted, 2)
    assert (agrees["score"], agrees["language"], agrees["translations"]) == (
        "8.5",
        "fr",
        {"nl": "Het fonds bestaat."},
    )
    assert (disputes["verdict"], disputes["score"], disputes["translations"]) == (
        "disputes",
        None,
        {},
    )


def test_headers_in_french_and_dutch_name_the_same_columns(accepted: Path) -> None:
    (accepted / "rows.csv").write_text(
        "Aanbeveling;Statut;Voortgang;Mijlpaal;Datum\r\n1/1;in_progress;60;Werken gestart;"
        "15/07/2025\r\n",
        encoding="utf-8-sig",
    )
    result = ok(as_government(accepted, "import", "implementation", "rows.csv"))
    assert "Wrote 1 implementation report(s); 0 row(s) unchanged." in result.stdout
    (report,) = last_events(accepted)
    assert (report["status"], report["progress"], report["milestone"]) == (
        "in_progress",
        60,
        "Werken gestart",
    )


def test_a_row_repeated_word_for_word_is_reported_with_both_rows_and_written_once(
    accepted: Path,
) -> None:
    first, second = reports()
    sheet(accepted / "rows.csv", [first, second, first])
    before = entries(accepted)
    result = ok(as_government(accepted, "import", "implementation", "rows.csv"))
    assert "row 4 repeats row 2 word for word: it counts once." in result.stdout
    assert "Wrote 2 implementation report(s); 0 row(s) unchanged, 1 duplicate(s)." in (
        result.stdout
    )
    assert entries(accepted) == before + 2


def test_two_rows_about_one_thing_that_differ_are_refused_naming_both(accepted: Path) -> None:
    first, second = reports()
    other = {**first, "progress": "50"}
    sheet(accepted / "rows.csv", [first, second, other])
    before = entries(accepted)
    result = as_government(accepted, "import", "implementation", "rows.csv")
    assert result.code == 3, result
    assert listed(result) == [
        "row 4: 1/1: row 2 gives an implementation report on 1/1 dated 2025-07-01 too, and says "
        "otherwise: keep one of the two rows."
    ], result.stderr
    assert entries(accepted) == before


def test_two_adoptions_of_one_number_that_differ_are_refused_naming_both(folder: Path) -> None:
    first, _ = recommendations()
    sheet(folder / "rows.csv", [first, {**first, "portfolio": "housing"}])
    result = as_secretariat(folder, "import", "recommendations", "rows.csv", "--dry-run")
    assert result.code == 3, result
    assert listed(result) == [
        "row 3: 1/5: Recommendation 1/5 is already adopted with another portfolio: an error "
        "in it is fixed with `assembly correct`; row 2 gives recommendation 1/5 too."
    ], result.stderr


BAD_ROWS = {
    "implementation": (
        as_government,
        [
            {"recommendation": "1/1", "status": "done", "progress": "", "date": ""},
            {"recommendation": "1/1", "status": "completed", "progress": "80", "date": ""},
            {"recommendation": "1/3", "status": "in_progress", "progress": "", "date": ""},
            {
                "recommendation": "1/1",
                "status": "in_progress",
                "progress": "",
                "date": "31/02/2025",
            },
        ],
        [
            "row 2, column B (status): status 'done' is not allowed: it must be one of "
            "'not_started', 'in_progress', 'stalled', 'completed', 'completed_modified' or "
            "'abandoned'",
            "row 3: 1/1: A completed implementation is at 100%, not 80%.",
            "row 4: 1/3: Recommendation 1/3 cannot have an implementation report: its position "
            "is no answer yet",
            "row 5, column D (date): '31/02/2025' is not a date",
        ],
    ),
    "verdicts": (
        as_commission,
        [
            {"recommendation": "1/1", "verdict": "disputes", "reasons": "", "score": ""},
            {"recommendation": "1/2", "verdict": "agrees", "reasons": "", "score": "11"},
            {"recommendation": "9/9", "verdict": "agrees", "reasons": "", "score": ""},
            {"recommendation": "1/4", "verdict": "maybe", "reasons": "", "score": ""},
        ],
        [
            "row 2: 1/1: A verdict 'disputes' needs the commission's reasons",
            "row 3: 1/2: The score is a number from 0 to 10 with at most one decimal",
            "row 4: 9/9: Panel 9 has no recommendation 9.",
            "row 5, column B (verdict): verdict 'maybe' is not allowed",
        ],
    ),
    "recommendations": (
        as_secretariat,
        [
            {
                "panel": "1",
                "number": "7",
                "portfolio": "climate",
                "vote": "V-1",
                "text_fr": "Un texte.",
                "priority": "urgent",
            },
            {
                "panel": "1",
                "number": "8",
                "portfolio": "Climat",
                "vote": "V-1",
                "text_fr": "Un texte.",
                "priority": "",
            },
            {
                "panel": "1",
                "number": "9",
                "portfolio": "climate",
                "vote": "V-9",
                "text_fr": "Un texte.",
                "priority": "",
            },
            {
                "panel": "1",
                "number": "10",
                "portfolio": "climate",
                "vote": "V-1",
                "text_fr": " ",
                "priority": "",
            },
        ],
        [
            "row 2, column F (priority): ",
            "row 3, column C (portfolio): portfolio 'Climat' is not allowed",
            "row 4: 1/9: ",
            "row 5: 1/10: Recommendation 1/10 needs a text in at least one of the charter's "
            "languages (fr, nl).",
        ],
    ),
}


@pytest.mark.parametrize("kind", list(BAD_ROWS))
def test_every_bad_row_is_named_by_row_and_column_and_nothing_is_written(
    accepted: Path, kind: str
) -> None:
    office, rows, reasons = BAD_ROWS[kind]
    sheet(accepted / "rows.csv", rows)
    before = entries(accepted)
    for flags in ((), ("--dry-run",)):
        result = office(accepted, "import", kind, "rows.csv", *flags)
        assert result.code == 3, result
        assert f"{len(reasons)} bad row(s), nothing was written" in result.stderr
        for line, reason in zip(listed(result), reasons, strict=True):
            assert line.startswith(reason), result.stderr
    assert entries(accepted) == before


def test_a_file_without_the_kinds_columns_is_a_usage_error(folder: Path) -> None:
    sheet(folder / "rows.csv", [{"panel": "1", "number": "5", "vote": "V-1", "colour": "red"}])
    one_sentence(
        as_secretariat(folder, "import", "recommendations", "rows.csv"),
        2,
        "the header must be panel,number,portfolio,vote, and may add reference, group, "
        "priority, shared_with, date, handed_over and a column per language such as "
        "title_LANG and text_LANG and supporting_LANG; missing portfolio, text_LANG (such as "
        "text_fr); unknown colour (column D).",
    )


def test_only_the_offices_key_imports_its_kind(accepted: Path) -> None:
    sheet(accepted / "rows.csv", verdicts())
    before = entries(accepted)
    result = as_government(accepted, "import", "verdicts", "rows.csv")
    one_sentence(result, 3, "which may not write assembly.commission.assessed")
    assert entries(accepted) == before


def test_respond_csv_and_import_answers_read_the_same_file(folder: Path) -> None:
    answers_csv(folder / "answers.csv", [answer("1/1"), answer("1/2")])
    ok(as_government(folder, "respond", "--csv", "answers.csv"))
    again = ok(as_government(folder, "import", "answers", "answers.csv"))
    assert "Wrote 0 answer(s); 2 row(s) unchanged." in again.stdout


def test_every_kind_names_its_columns_aliases_and_choices_among_its_columns() -> None:
    assert list(REGISTRY) == ["answers", "implementation", "recommendations", "verdicts"]
    for kind in REGISTRY.values():
        named = {*kind.columns, *kind.optional}
        assert set(kind.choices) <= named, kind.name
        assert set(kind.dates) <= named, kind.name
        assert set(kind.aliases) <= named | set(kind.translated), kind.name
        assert all(kind.aliases[column] for column in kind.columns), kind.name


def test_a_text_without_its_language_is_an_unknown_column(folder: Path) -> None:
    first, _ = recommendations()
    sheet(folder / "rows.csv", [{**first, "Titre": "Sans langue"}])
    one_sentence(
        as_secretariat(folder, "import", "recommendations", "rows.csv"),
        2,
        "; unknown Titre (column L).",
    )


def test_filling_in_a_hand_over_day_hands_over_and_leaves_the_adoption_unchanged(
    folder: Path,
) -> None:
    ok(assembly("export", "recommendations", "recs.csv", cwd=folder))
    with (folder / "recs.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["handed_over"] for row in rows] == ["2025-05-01"] * 3 + [""]
    rows[3]["handed_over"] = "02/05/2025"
    sheet(folder / "recs.csv", rows)
    before = entries(folder)
    result = ok(as_secretariat(folder, "import", "recommendations", "recs.csv"))
    assert "Wrote 1 adoption(s) and hand-over(s); 3 row(s) unchanged." in result.stdout
    assert entries(folder) == before + 1
    (handed,) = last_events(folder)
    assert (handed["number"], handed["on"]) == (4, "2025-05-02")
    rows[0]["handed_over"] = "2025-05-03"
    sheet(folder / "recs.csv", rows)
    refused = as_secretariat(folder, "import", "recommendations", "recs.csv")
    assert listed(refused) == ["row 2: 1/1: Recommendation 1/1 was handed over on 2025-05-01."]
