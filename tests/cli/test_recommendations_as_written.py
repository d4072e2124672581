"""Recommendations as assemblies write them, through ``assembly``: the assembly's own reference
(SD-E2) beside the number, groups such as objectives, no title of its own, paragraphs, votes as
percentages or unknown, portfolios with accents only in their labels, shared portfolios, and a
search that ignores accents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from tests.features.cycle import (
    as_government,
    as_secretariat,
    last_events,
    ok,
    one_sentence,
)
from tests.features.forked import assembly

SD_E2 = (
    "Définir une trajectoire de réduction des émissions du transport aérien.\n\n"
    "Interdire la construction de nouveaux aéroports et l'extension des aéroports existants."
)


def adopt(folder: Path, *args: str, vote: str = "V-1") -> Any:
    return as_secretariat(
        folder,
        "recommend",
        "adopt",
        "--panel",
        "1",
        "--portfolio",
        "climate",
        "--vote",
        vote,
        *args,
    )


def shown(folder: Path, name: str) -> dict[str, Any]:
    return json.loads(ok(assembly("show", name, "--format", "json", cwd=folder)).stdout)


def define_sd11(folder: Path) -> None:
    ok(
        as_secretariat(
            folder,
            *("recommend", "group", "--code", "sd11", "--level", "objective"),
            *("--title", "fr=Limiter les effets néfastes du transport aérien"),
        )
    )


def test_sd_e2_under_group_sd11_without_a_title_is_shown_by_reference_with_its_paragraphs(
    folder: Path,
) -> None:
    define_sd11(folder)
    ok(adopt(folder, "--reference", "SD-E2", "--group", "sd11", "--text", f"fr={SD_E2}"))

    record = shown(folder, "SD-E2")
    table = ok(assembly("show", "sd-e2", cwd=folder)).stdout

    assert (record["ref"], record["reference"], record["group"]) == ("1/5 SD-E2", "SD-E2", "sd11")
    assert record["title"].startswith("Définir une trajectoire de réduction des émissions")
    assert record["text_fr"].split("\n\n") == SD_E2.split("\n\n")
    assert "1/5 SD-E2" in table
    assert "transport aérien.\n" in table and "Interdire la construction" in table
    assert last_events(folder)[0]["reference"] == "SD-E2"


def test_an_unknown_reference_is_refused_with_a_sentence(folder: Path) -> None:
    one_sentence(
        assembly("show", "SD-E9", cwd=folder),
        2,
        "No recommendation has the reference 'SD-E9': name it by the assembly's own reference",
    )
    one_sentence(
        as_government(folder, "respond", "SD-E9", "--position", "accepted", "--portfolio", "x"),
        2,
        "No recommendation has the reference 'SD-E9'",
    )


def test_an_adoption_naming_a_group_not_defined_is_refused(folder: Path) -> None:
    one_sentence(
        adopt(folder, "--reference", "SD-E2", "--group", "sd11", "--text", "fr=Texte"),
        3,
        "There is no group sd11: define it first with `assembly recommend group",
    )


def test_a_reference_is_given_once_whatever_its_case(folder: Path) -> None:
    ok(adopt(folder, "--reference", "SD-E2", "--text", "fr=Texte"))
    one_sentence(
        adopt(folder, "--reference", "sd-e2", "--text", "fr=Autre texte"),
        3,
        "Recommendation 1/5 already has the reference SD-E2",
    )


def test_two_recommendations_with_the_same_title_are_told_apart_by_reference_in_show_and_report(
    folder: Path,
) -> None:
    same = "fr=Propositions de révision de la Constitution"
    ok(adopt(folder, "--reference", "C-144", "--title", same, "--text", "fr=Préambule."))
    ok(adopt(folder, "--reference", "C-145", "--title", same, "--text", "fr=Article 1er."))

    first, second = shown(folder, "C-144"), shown(folder, "c-145")
    report = ok(assembly("report", "--panel", "1", "--format", "md", cwd=folder)).stdout

    assert first["title"] == second["title"]
    assert (first["ref"], second["ref"]) == ("1/5 C-144", "1/6 C-145")
    assert "1/5 C-144" in report and "1/6 C-145" in report


def test_a_vote_recorded_as_published_percentages_keeps_them_as_decimal_text(
    folder: Path,
) -> None:
    ok(
        as_secretariat(
            folder,
            *("vote", "record", "--panel", "1", "--vote", "V-SD-E2", "--subject", "SD-E2"),
            *("--percent-for", "98", "--percent-against", "1.5", "--percent-abstain", "0.5"),
        )
    )
    (vote,) = last_events(folder)
    assert (vote["percent_for"], vote["percent_against"], vote["percent_abstaining"]) == (
        "98",
        "1.5",
        "0.5",
    )
    assert (vote["votes_for"], vote["votes_against"], vote["adopted"]) == (None, None, True)


def test_a_majority_vote_of_unknown_counts_is_adopted_as_recorded(folder: Path) -> None:
    ok(
        as_secretariat(
            folder,
            *("vote", "record", "--panel", "1", "--vote", "V-9", "--subject", "SD-E2"),
            *("--result-unknown", "--adopted"),
        )
    )
    (vote,) = last_events(folder)
    ok(adopt(folder, "--reference", "SD-E2", "--text", "fr=Texte", vote="V-9"))

    assert (vote["votes_for"], vote["percent_for"], vote["adopted"]) == (None, None, True)
    assert shown(folder, "SD-E2")["ref"] == "1/5 SD-E2"


def test_a_vote_without_counts_percentages_or_the_word_unknown_is_a_usage_error(
    folder: Path,
) -> None:
    one_sentence(
        as_secretariat(folder, "vote", "record", "--panel", "1", "--vote", "V-9", "--subject", "x"),
        2,
        "Give the result as counts (--for, --against) or percentages",
    )


def test_a_portfolio_code_with_an_accent_is_refused_with_a_sentence_that_says_what_a_code_is(
    folder: Path,
) -> None:
    result = as_secretariat(
        folder,
        *("recommend", "adopt", "--panel", "1", "--vote", "V-1", "--text", "fr=Texte"),
        *("--portfolio", "transition-écologique"),
    )
    one_sentence(
        result,
        2,
        "--portfolio 'transition-écologique' is not allowed: it must be a code of lowercase "
        "letters a-z, digits, '-' or '_', starting with a letter, such as "
        "transition-ecologique; give the name with accents as a label.",
    )


def test_a_portfolio_label_with_accents_is_recorded_once_by_the_government(folder: Path) -> None:
    name = ("portfolio", "name", "--code", "transition-ecologique")
    ok(as_government(folder, *name, "--label", "fr=Transition écologique"))
    (named,) = last_events(folder)

    assert named["labels"] == {"fr": "Transition écologique"}
    one_sentence(
        as_government(folder, *name, "--label", "fr=Écologie"),
        3,
        "Portfolio transition-ecologique is already named",
    )


def test_a_recommendation_shared_by_two_portfolios_is_answered_by_the_second(
    folder: Path,
) -> None:
    ok(adopt(folder, "--reference", "SD-E2", "--shared-with", "housing", "--text", "fr=Texte"))
    ok(as_secretariat(folder, "recommend", "hand-over", "--panel", "1", "--number", "5"))

    ok(
        as_government(
            folder, "respond", "SD-E2", "--position", "accepted", "--portfolio", "housing"
        )
    )

    record = shown(folder, "SD-E2")
    assert (record["position"], record["shared_with"]) == ("accepted", ["housing"])
    assert record["answers"][0]["portfolio"] == "housing"


def test_a_search_ignores_accents_and_case(folder: Path) -> None:
    ok(adopt(folder, "--reference", "PT4.1", "--text", "fr=Légiférer sur le crime d'Écocide."))

    def found(words: str) -> list[str]:
        rows = ok(assembly("status", "--search", words, "--format", "json", cwd=folder)).stdout
        return [row["ref"] for row in json.loads(rows)]

    assert found("ecocide") == found("ÉCOCIDE") == found("legiferer") == ["1/5 PT4.1"]
    assert found("pt4.1") == ["1/5 PT4.1"]


def test_a_ledger_of_the_earlier_release_still_verifies_and_reads_the_same(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    shutil.copyfile(Path(__file__).parents[1] / "fixtures" / "release-0.1.db", old)

    ok(assembly("verify", "--ledger", str(old)))
    rows = ok(assembly("status", "--ledger", str(old), "--format", "json")).stdout

    assert json.loads(rows) == []
