"""An answer and a verdict in several languages on the command line: ``--justification fr=...
--justification nl=...`` (the first language given is the original, the others its
translations), ``--justification-file LANG=FILE``, ``--planned-measures LANG=...`` and
``assess --reasons LANG=...``; a text without a language code keeps no recorded language.

Each test works on its own copy of the small assembly of ``tests.features.cycle`` (a charter in
French and Dutch; recommendations 1/1 to 1/3 handed over on 2025-05-01).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from cli.bulk import ANSWER_COLUMNS, EXPORT_COLUMNS
from tests.features.cycle import (
    answer,
    as_commission,
    as_government,
    last_events,
    long_justification,
    ok,
    one_sentence,
)
from tests.features.forked import assembly
from tests.runner import Result

FRENCH = "Le budget pluriannuel 2025-2029 ne prévoit pas cette mesure. " * 4
DUTCH = "De meerjarenbegroting 2025-2029 voorziet niet in deze maatregel. " * 4


def respond(folder: Path, *more: str) -> Result:
    return as_government(folder, "respond", "1/1", "--portfolio", "climate", *more)


def last_payload(folder: Path, result: Result) -> dict[str, object]:
    assert result.code == 0, result.stderr
    [event] = last_events(folder)
    return event


def test_the_first_language_given_is_the_original_and_the_others_its_translations(
    folder: Path,
) -> None:
    result = respond(
        folder,
        *("--position", "rejected"),
        *("--justification", f"fr={FRENCH}", "--justification", f"nl={DUTCH}"),
        *("--planned-measures", "fr=Des prêts.", "--planned-measures", "nl=Leningen."),
    )
    event = last_payload(folder, result)
    assert (event["justification"], event["planned_measures"]) == (FRENCH, "Des prêts.")
    assert event["language"] == "fr"
    assert event["translations"] == {
        "nl": {"justification": DUTCH, "planned_measures": "Leningen."}
    }


def test_a_justification_without_a_language_code_is_kept_whole_even_with_an_equals_sign(
    folder: Path,
) -> None:
    text = "CO2=the measure's cost; " + long_justification()
    event = last_payload(folder, respond(folder, "--position", "rejected", "--justification", text))
    assert event["justification"] == text
    assert event.get("language") is None and event.get("translations", {}) == {}


def test_justifications_come_from_one_file_per_language(folder: Path) -> None:
    (folder / "pourquoi.txt").write_text(FRENCH, encoding="utf-8")
    (folder / "waarom.txt").write_text(DUTCH, encoding="utf-8")
    result = respond(
        folder,
        *("--position", "accepted_in_part"),
        *("--justification-file", "nl=waarom.txt", "--justification-file", "fr=pourquoi.txt"),
    )
    event = last_payload(folder, result)
    assert (event["language"], event["justification"]) == ("nl", DUTCH)
    assert event["translations"] == {"fr": {"justification": FRENCH, "planned_measures": ""}}


def test_a_justification_from_a_file_given_first_is_the_original(folder: Path) -> None:
    (folder / "pourquoi.txt").write_text(FRENCH, encoding="utf-8")
    result = respond(
        folder,
        *("--position", "rejected"),
        *("--justification-file", "fr=pourquoi.txt", "--justification", f"nl={DUTCH}"),
    )
    event = last_payload(folder, result)
    assert (event["language"], event["justification"]) == ("fr", FRENCH)
    assert event["translations"] == {"nl": {"justification": DUTCH, "planned_measures": ""}}


def test_the_minimum_length_is_measured_on_the_original_not_on_a_translation(
    folder: Path,
) -> None:
    short_original = respond(
        folder,
        *("--position", "rejected"),
        *("--justification", "fr=Trop cher.", "--justification", f"nl={DUTCH}"),
    )
    one_sentence(short_original, 3, "characters")
    short_translation = respond(
        folder,
        *("--position", "rejected"),
        *("--justification", f"fr={FRENCH}", "--justification", "nl=Te duur."),
    )
    assert last_payload(folder, short_translation)["justification"] == FRENCH


def test_a_language_outside_the_charter_is_refused_with_a_sentence(folder: Path) -> None:
    result = respond(
        folder,
        *("--position", "rejected"),
        *("--justification", f"fr={FRENCH}", "--justification", f"de={DUTCH}"),
    )
    one_sentence(result, 3, "has a text in de, which is not one of the charter's languages")


def test_texts_with_and_without_a_language_are_not_mixed(folder: Path) -> None:
    result = respond(
        folder,
        *("--position", "rejected"),
        *("--justification", FRENCH, "--planned-measures", "nl=Leningen."),
    )
    one_sentence(result, 2, "with its language")


def test_a_text_given_twice_in_one_language_is_refused(folder: Path) -> None:
    result = respond(
        folder,
        *("--position", "rejected"),
        *("--justification", f"fr={FRENCH}", "--justification", "fr=Encore."),
    )
    one_sentence(result, 2, "--justification gives a text in fr twice")


def test_a_plain_justification_and_a_plain_file_are_not_both_given(folder: Path) -> None:
    (folder / "why.txt").write_text(long_justification(), encoding="utf-8")
    result = respond(
        folder,
        *("--position", "rejected", "--justification", "Why"),
        *("--justification-file", "why.txt"),
    )
    one_sentence(result, 2, "Give --justification or --justification-file, not both")


def test_the_commission_gives_its_reasons_in_each_language(folder: Path) -> None:
    result = as_commission(
        folder,
        *("assess", "1/1", "--verdict", "disputes"),
        *("--reasons", "nl=Geen begrotingslijn.", "--reasons", "fr=Aucune ligne budgétaire."),
    )
    event = last_payload(folder, result)
    assert (event["reasons"], event["language"]) == ("Geen begrotingslijn.", "nl")
    assert event["translations"] == {"fr": "Aucune ligne budgétaire."}


def test_reasons_in_a_language_outside_the_charter_are_refused(folder: Path) -> None:
    result = as_commission(
        folder,
        *("assess", "1/1", "--verdict", "disputes"),
        *("--reasons", "fr=Aucune ligne.", "--reasons", "en=No budget line."),
    )
    one_sentence(result, 3, "has a text in en, which is not one of the charter's languages")


def test_reasons_without_a_language_keep_none(folder: Path) -> None:
    result = as_commission(
        folder, "assess", "1/1", "--verdict", "disputes", "--reasons", "No budget line"
    )
    event = last_payload(folder, result)
    assert event["reasons"] == "No budget line" and event.get("language") is None


def test_show_prints_the_original_and_each_translation(folder: Path) -> None:
    respond(
        folder,
        *("--position", "rejected"),
        *("--justification", f"fr={FRENCH}", "--justification", f"nl={DUTCH}"),
        *("--planned-measures", "nl=Leningen."),
    )
    as_commission(
        folder,
        *("assess", "1/1", "--verdict", "disputes"),
        *("--reasons", "nl=Geen begrotingslijn.", "--reasons", "fr=Aucune ligne budgétaire."),
    )
    shown = json.loads(ok(assembly("show", "1/1", "--format", "json", cwd=folder)).stdout)
    [answer] = shown["answers"]
    assert (answer["language"], answer["justification"], answer["planned_measures"]) == (
        "fr",
        FRENCH,
        "",
    )
    assert (answer["justification_nl"], answer["planned_measures_nl"]) == (DUTCH, "Leningen.")
    [verdict] = shown["verdicts"]
    assert (verdict["language"], verdict["reasons"]) == ("nl", "Geen begrotingslijn.")
    assert verdict["reasons_fr"] == "Aucune ligne budgétaire."
    table = ok(assembly("show", "1/1", "--format", "md", cwd=folder)).stdout
    assert "| justification_nl | planned_measures_nl |" in table
    assert "| Geen begrotingslijn. |  | nl | Aucune ligne budgétaire. |" in table


# -- the bulk file ------------------------------------------------------------------------------


def bulk(folder: Path, header: tuple[str, ...], *rows: dict[str, str]) -> Path:
    path = folder / "answers.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, header, lineterminator="\n")
        writer.writeheader()
        writer.writerows({column: row.get(column, "") for column in header} for row in rows)
    return path


TRANSLATED = (*ANSWER_COLUMNS, "language", "justification_nl", "planned_measures_nl")


def test_a_bulk_row_gives_its_translations_in_columns_per_language(folder: Path) -> None:
    row = answer(
        "1/1",
        "rejected",
        justification=FRENCH,
        language="fr",
        justification_nl=DUTCH,
        planned_measures_nl="Leningen.",
    )
    bulk(folder, TRANSLATED, row)
    event = last_payload(folder, as_government(folder, "respond", "--csv", "answers.csv"))
    assert (event["language"], event["justification"]) == ("fr", FRENCH)
    assert event["translations"] == {
        "nl": {"justification": DUTCH, "planned_measures": "Leningen."}
    }


def test_a_bulk_translation_without_the_rows_language_is_refused_by_row(folder: Path) -> None:
    bulk(
        folder, TRANSLATED, answer("1/1", "rejected", justification=FRENCH, justification_nl=DUTCH)
    )
    result = as_government(folder, "respond", "--csv", "answers.csv")
    assert result.code == 3, result
    assert "row 2, column " in result.stderr
    assert "(justification_nl): a translation needs the row's language" in result.stderr


def test_a_bulk_translation_into_a_language_outside_the_charter_is_refused_by_row(
    folder: Path,
) -> None:
    header = (*ANSWER_COLUMNS, "language", "justification_de")
    bulk(
        folder,
        header,
        answer("1/1", "rejected", justification=FRENCH, language="fr", justification_de=DUTCH),
    )
    result = as_government(folder, "respond", "--csv", "answers.csv")
    assert result.code == 3, result
    assert "row 2: 1/1: " in result.stderr
    assert "has a text in de, which is not one of the charter's languages" in result.stderr


def test_an_answers_translations_are_exported_and_imported_again_unchanged(folder: Path) -> None:
    respond(
        folder,
        *("--position", "rejected"),
        *("--justification", f"fr={FRENCH}", "--justification", f"nl={DUTCH}"),
    )
    ok(as_government(folder, "respond", "1/2", "--position", "accepted", "--portfolio", "climate"))
    ok(assembly("export", "answers", "--csv", "out.csv", cwd=folder))
    with (folder / "out.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = tuple(reader.fieldnames or ()), list(reader)
    assert header == (*EXPORT_COLUMNS, "justification_nl", "planned_measures_nl")
    assert [(row["language"], row["justification_nl"]) for row in rows] == [
        ("fr", DUTCH),
        ("", ""),
    ]
    again = ok(as_government(folder, "respond", "--csv", "out.csv"))
    assert "Wrote 0 answer(s); 2 row(s) unchanged." in again.stdout


def test_a_changed_translation_in_the_file_is_not_read_as_an_unchanged_row(
    folder: Path,
) -> None:
    respond(
        folder,
        *("--position", "rejected"),
        *("--justification", f"fr={FRENCH}", "--justification", f"nl={DUTCH}"),
    )
    ok(assembly("export", "answers", "--csv", "out.csv", cwd=folder))
    text = (folder / "out.csv").read_text(encoding="utf-8")
    (folder / "out.csv").write_text(text.replace(DUTCH, "Anders."), encoding="utf-8")
    result = as_government(folder, "respond", "--csv", "out.csv")
    assert result.code == 3 and "already has its answer for review 1" in result.stderr
