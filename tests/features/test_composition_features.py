"""The composition feature (features/commission/composition.feature) and its steps: each runs
``assembly composition`` on a private copy of the session's small assembly and checks the rows
against what the published files say."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytest_bdd import given, parsers, scenarios, then, when

from tests.cli.test_composition_command import (
    counted,
    drawn_with_shares,
    panel_draw_seq,
    read_csv,
)
from tests.features.cycle import Template, ok, one_sentence
from tests.features.forked import assembly
from tests.runner import Result

scenarios("commission/composition.feature")


def by_stratum(result: Result) -> dict[tuple[str, str], dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(ok(result).stdout)
    return {(row["feature"], row["value"]): row for row in rows}


@given(
    'panel 1 was drawn with population shares and two volunteers of education "none"',
    target_fixture="folder",
)
def drawn_with_population_shares(template: Template, tmp_path: Path) -> Path:
    return drawn_with_shares(template, tmp_path / "assembly")


@when(
    parsers.parse("the commission asks for the composition of panel {panel:d}"),
    target_fixture="shown",
)
def ask(folder: Path, panel: int) -> Result:
    return assembly("composition", str(panel), "--format", "json", cwd=folder)


@when(
    "the commission asks for the composition of panel 1 as of the entry before its panel draw",
    target_fixture="shown",
)
def ask_before_the_draw(folder: Path) -> Result:
    before = str(panel_draw_seq(folder) - 1)
    return assembly("composition", "1", "--at-seq", before, "--format", "json", cwd=folder)


@then("each stratum shows its quota and the members drawn, as counted in the published pool file")
def quotas_and_members(folder: Path, template: Template, shown: Result) -> None:
    drawn = counted(read_csv(folder / "pool.csv"), template.members)
    rows = by_stratum(shown)
    for quota in read_csv(folder / "quotas.csv"):
        row = rows.pop((quota["feature"], quota["value"]))
        assert (row["min"], row["max"]) == (int(quota["min"]), int(quota["max"]))
        assert row["drawn"] == drawn[quota["feature"], quota["value"]]
    assert not rows


@then("each stratum shows its quota and no members drawn")
def quotas_without_members(folder: Path, shown: Result) -> None:
    rows = by_stratum(shown)
    assert len(rows) == len(read_csv(folder / "quotas.csv"))
    assert {(row["min"] is None, row["drawn"]) for row in rows.values()} == {(False, None)}


@then(parsers.parse('the population share of every stratum is "{text}"'))
def every_population_share(shown: Result, text: str) -> None:
    assert {row["population_ppm"] for row in by_stratum(shown).values()} == {text}


@then(parsers.parse('the population share of {feature} "{value}" is {ppm:d} ppm'))
def population_share(shown: Result, feature: str, value: str, ppm: int) -> None:
    assert by_stratum(shown)[feature, value]["population_ppm"] == ppm


@then(parsers.parse('the pool count of {feature} "{value}" is "{text}"'))
def pool_count(shown: Result, feature: str, value: str, text: str) -> None:
    row = by_stratum(shown)[feature, value]
    assert row["pool"] == row["pool_ppm"] == text


@then(parsers.parse('it is told as a usage error "{sentence}"'))
def usage_error(shown: Result, sentence: str) -> None:
    one_sentence(shown, 2, sentence)
