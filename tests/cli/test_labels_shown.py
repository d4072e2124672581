"""The command line reads codes by their labels, in the charter's first language: ``assembly
composition`` names strata and values (json and csv keep the codes and give every label), and
``assembly show`` prints the group's title beside its code."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from tests.features.cycle import as_secretariat, ok
from tests.features.forked import assembly


def name_age_band(folder: Path) -> None:
    ok(
        as_secretariat(
            folder,
            *("stratum", "name", "--stratum", "age_band"),
            *("--label", "fr=Tranche d'âge", "--label", "nl=Leeftijdsgroep"),
        )
    )
    ok(
        as_secretariat(
            folder,
            *("stratum", "name", "--stratum", "age_band", "--value", "16-34"),
            *("--label", "nl=16 tot 34 jaar"),
        )
    )


def composition(folder: Path, output: str) -> str:
    return ok(assembly("composition", "1", "--format", output, cwd=folder)).stdout


def test_composition_names_strata_by_their_labels_in_the_charters_first_language_with_the_code(
    folder: Path,
) -> None:
    name_age_band(folder)

    table = composition(folder, "md")

    assert "| Tranche d'âge (age_band) | 16 tot 34 jaar (16-34) |" in table  # nl: no fr label
    assert "| Tranche d'âge (age_band) | 35-59 |" in table  # a value not named: its code
    assert "| gender | female |" in table  # a stratum not named: its code


def test_composition_as_json_and_csv_keeps_the_codes_and_gives_every_label_by_language(
    folder: Path,
) -> None:
    name_age_band(folder)

    rows: list[dict[str, Any]] = json.loads(composition(folder, "json"))
    lines = list(csv.DictReader(io.StringIO(composition(folder, "csv"))))

    young = next(row for row in rows if (row["feature"], row["value"]) == ("age_band", "16-34"))
    assert young["feature_labels"] == {"fr": "Tranche d'âge", "nl": "Leeftijdsgroep"}
    assert young["value_labels"] == {"nl": "16 tot 34 jaar"}
    line = next(line for line in lines if (line["feature"], line["value"]) == ("age_band", "16-34"))
    assert (line["feature_labels"], line["value_labels"]) == (
        "fr=Tranche d'âge, nl=Leeftijdsgroep",
        "nl=16 tot 34 jaar",
    )
    assert next(row for row in rows if row["feature"] == "gender")["feature_labels"] == {}


def test_show_prints_the_groups_title_in_the_charters_first_language_beside_its_code(
    folder: Path,
) -> None:
    ok(
        as_secretariat(
            folder,
            *("recommend", "group", "--code", "sd11", "--level", "objective"),
            *("--title", "fr=Limiter les effets néfastes du transport aérien"),
            *("--title", "nl=De schadelijke gevolgen van de luchtvaart beperken"),
        )
    )
    ok(
        as_secretariat(
            folder,
            *("recommend", "adopt", "--panel", "1", "--portfolio", "climate", "--vote", "V-1"),
            *("--reference", "SD-E2", "--group", "sd11", "--text", "fr=Définir une trajectoire."),
        )
    )

    record = json.loads(ok(assembly("show", "SD-E2", "--format", "json", cwd=folder)).stdout)
    table = ok(assembly("show", "SD-E2", "--format", "md", cwd=folder)).stdout

    assert (record["group"], record["group_title"]) == (
        "sd11",
        "Limiter les effets néfastes du transport aérien",
    )
    assert "| group | sd11 |" in table
    assert "| group_title | Limiter les effets néfastes du transport aérien |" in table


def test_show_of_a_recommendation_in_no_group_has_no_group_title(folder: Path) -> None:
    record = json.loads(ok(assembly("show", "1/1", "--format", "json", cwd=folder)).stdout)

    assert (record["group"], record["group_title"]) == (None, None)
