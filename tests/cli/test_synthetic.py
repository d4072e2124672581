"""The synthetic data behind ``assembly demo``: deterministic, realistic, never personal."""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sortition_algorithms.adapters import CSVStringDataSource, SelectionData
from sortition_algorithms.core import find_random_sample
from sortition_algorithms.settings import Settings

from cli.synthetic import (
    ANSWER_MIX,
    FEATURES,
    MUNICIPALITIES,
    PORTFOLIOS,
    SyntheticAnswer,
    assessments,
    evidence_documents,
    government_answers,
    implementation_reports,
    panel_theme,
    population_shares,
    quotas,
    recommendations,
    review_answers,
    write_pool,
    write_quotas,
    write_register,
)

PPM = 1_000_000


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def follow_up(seed: int, count: int = 60) -> dict[str, Any]:
    """Everything generated after a panel, chained the way ``assembly demo`` chains it."""
    recs = recommendations(count, seed=seed)
    answers = government_answers(recs, seed=seed)
    reviewed = review_answers(recs, answers, seed=seed)
    in_force = [late or first for first, late in zip(answers, reviewed, strict=True)]
    reports = implementation_reports(in_force, seed=seed)
    return {
        "recommendations": recs,
        "answers": answers,
        "reviewed": reviewed,
        "reports": reports,
        "assessments": assessments(in_force, seed=seed, reports=reports),
        "documents": evidence_documents(seed),
    }


def leaves(value: Any) -> Iterator[Any]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from leaves(getattr(value, field.name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from leaves(item)
    else:
        yield value


# Determinism


def test_the_same_seed_writes_the_same_files(tmp_path: Path) -> None:
    for run in ("a", "b"):
        write_register(tmp_path / f"register-{run}.csv", addresses=5_000, seed=11)
        write_pool(
            tmp_path / f"pool-{run}.csv", seed=11, identities_path=tmp_path / f"ids-{run}.csv"
        )
    for name in ("register", "pool", "ids"):
        first = (tmp_path / f"{name}-a.csv").read_bytes()
        assert first == (tmp_path / f"{name}-b.csv").read_bytes(), name


def test_another_seed_writes_other_files(tmp_path: Path) -> None:
    write_register(tmp_path / "one.csv", addresses=5_000, seed=1)
    write_register(tmp_path / "two.csv", addresses=5_000, seed=2)
    write_pool(tmp_path / "pool-one.csv", seed=1)
    write_pool(tmp_path / "pool-two.csv", seed=2)
    assert (tmp_path / "one.csv").read_bytes() != (tmp_path / "two.csv").read_bytes()
    assert (tmp_path / "pool-one.csv").read_bytes() != (tmp_path / "pool-two.csv").read_bytes()


def test_the_same_seed_gives_the_same_recommendations_answers_and_follow_up() -> None:
    assert follow_up(5) == follow_up(5)
    assert follow_up(5)["answers"] != follow_up(6)["answers"]


def test_nothing_that_could_be_stored_is_a_float() -> None:
    generated = follow_up(3)
    assert not [leaf for leaf in leaves(generated) if isinstance(leaf, float)]
    shares = population_shares()
    assert all(type(ppm) is int for values in shares.values() for ppm in values.values())


# Address register


def test_the_register_has_one_row_per_address_spread_like_the_population(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    counts = write_register(path, seed=2024)
    header, *lines = path.read_text(encoding="ascii").splitlines()
    rows = [line.split(",") for line in lines]
    assert header == "address_id,municipality"
    assert len(rows) == 582_000 == sum(counts.values())
    assert [address for address, _ in rows] == [f"A-{i:07d}" for i in range(1, 582_001)]
    assert Counter(municipality for _, municipality in rows) == counts
    for municipality in MUNICIPALITIES:
        share = counts[municipality.code] * PPM // 582_000
        assert abs(share - municipality.share_ppm) < 1_500, municipality.code


def test_the_register_header_is_address_id_and_municipality(tmp_path: Path) -> None:
    write_register(tmp_path / "register.csv", addresses=3, seed=0)
    lines = (tmp_path / "register.csv").read_text().splitlines()
    assert lines[0] == "address_id,municipality"
    assert [line.split(",")[0] for line in lines[1:]] == ["A-0000001", "A-0000002", "A-0000003"]


def test_the_municipality_table_names_all_19_in_french_and_dutch() -> None:
    assert len(MUNICIPALITIES) == 19
    assert len({m.code for m in MUNICIPALITIES}) == 19
    assert sum(m.share_ppm for m in MUNICIPALITIES) == PPM
    total = sum(m.population for m in MUNICIPALITIES)
    for m in MUNICIPALITIES:
        assert m.code == m.fr.lower() and m.code.isascii()
        assert abs(m.share_ppm - m.population * PPM // total) <= 1
    names = {(m.fr, m.nl) for m in MUNICIPALITIES}
    assert ("Ixelles", "Elsene") in names and ("Uccle", "Ukkel") in names


# Volunteer pool and identities


def test_the_pool_holds_only_pseudonyms_and_allowed_values(tmp_path: Path) -> None:
    path = tmp_path / "pool.csv"
    counts = write_pool(path, size=1_000, seed=8)
    rows = read_rows(path)
    assert list(rows[0]) == ["pseudonym", *FEATURES]
    assert len({row["pseudonym"] for row in rows}) == 1_000
    assert all(len(row["pseudonym"]) == 8 and row["pseudonym"][:2] == "P-" for row in rows)
    shares = population_shares()
    for feature in FEATURES:
        assert {row[feature] for row in rows} <= set(shares[feature])
        assert Counter(row[feature] for row in rows) == {
            value: n for value, n in counts[feature].items() if n
        }


def test_volunteers_are_older_and_more_educated_than_the_population(tmp_path: Path) -> None:
    counts = write_pool(tmp_path / "pool.csv", size=1_000, seed=9)
    shares = population_shares()

    def pool_ppm(feature: str, value: str) -> int:
        return counts[feature][value] * PPM // 1_000

    assert pool_ppm("education", "higher") > shares["education"]["higher"] + 50_000
    assert pool_ppm("age_band", "16-24") < shares["age_band"]["16-24"]
    assert pool_ppm("age_band", "65+") > shares["age_band"]["65+"]
    assert pool_ppm("occupation", "unemployed") < shares["occupation"]["unemployed"]
    assert 0 < counts["gender"]["other"] < 50


def test_no_identity_value_appears_in_the_pool_file(tmp_path: Path) -> None:
    write_pool(tmp_path / "pool.csv", size=1_000, seed=4, identities_path=tmp_path / "ids.csv")
    pool_text = (tmp_path / "pool.csv").read_text(encoding="utf-8")
    identities = read_rows(tmp_path / "ids.csv")
    assert len(identities) == 1_000
    for person in identities:
        for column in ("name", "address", "birth_date"):
            assert person[column] not in pool_text, (column, person[column])
    assert [row["pseudonym"] for row in identities] == [
        row["pseudonym"] for row in read_rows(tmp_path / "pool.csv")
    ]


def test_identities_are_obviously_invented_and_match_the_age_band(tmp_path: Path) -> None:
    write_pool(tmp_path / "pool.csv", size=300, seed=5, identities_path=tmp_path / "ids.csv")
    bands = {row["pseudonym"]: row["age_band"] for row in read_rows(tmp_path / "pool.csv")}
    streets = ("Rue Fictive", "Avenue Imaginaire", "Place Inventee", "Chaussee Factice", "Allee")
    for person in read_rows(tmp_path / "ids.csv"):
        assert person["address"].startswith(streets)
        born = date.fromisoformat(person["birth_date"])
        age = 2024 - born.year - ((born.month, born.day) > (1, 1))
        low, _, high = bands[person["pseudonym"]].partition("-")
        assert int(low.rstrip("+")) <= age <= (int(high) if high else 120)


# Quotas


@pytest.mark.parametrize("panel_size", [65, 100])
def test_quota_mins_add_up_to_at_most_the_panel_and_maxes_to_at_least_it(
    panel_size: int,
) -> None:
    table = quotas(panel_size=panel_size)
    for feature in FEATURES:
        rows = [q for q in table if q.feature == feature]
        assert {q.value for q in rows} == set(population_shares()[feature])
        assert sum(q.min for q in rows) <= panel_size <= sum(q.max for q in rows)
        assert all(0 <= q.min <= q.max for q in rows)


def test_small_municipalities_get_a_min_of_at_most_one_and_a_max_of_a_few() -> None:
    small = [q for q in quotas() if q.feature == "municipality" and q.value == "koekelberg"]
    assert [(q.min, q.max) for q in small] == [(1, 3)]


def test_the_quota_file_has_the_columns_the_draw_reads(tmp_path: Path) -> None:
    table = write_quotas(tmp_path / "quotas.csv", features=("gender",))
    rows = read_rows(tmp_path / "quotas.csv")
    assert rows == [
        {
            "feature": q.feature,
            "value": q.value,
            "min": str(q.min),
            "max": str(q.max),
            "population_ppm": str(q.population_ppm),
        }
        for q in table
    ]
    assert {row["feature"] for row in rows} == {"gender"}


@pytest.mark.parametrize("size", [500, 1_000])
@pytest.mark.parametrize("seed", range(8))
def test_every_quota_min_is_reachable_from_a_generated_pool(
    tmp_path: Path, size: int, seed: int
) -> None:
    counts = write_pool(tmp_path / "pool.csv", size=size, seed=seed)
    for quota in write_quotas(tmp_path / "quotas.csv"):
        assert counts[quota.feature][quota.value] >= quota.min, quota


@pytest.mark.parametrize("size", [500, 1_000])
def test_sortition_algorithms_finds_a_panel_meeting_every_quota(tmp_path: Path, size: int) -> None:
    write_pool(tmp_path / "pool.csv", size=size, seed=size)
    table = write_quotas(tmp_path / "quotas.csv")
    source = CSVStringDataSource(
        (tmp_path / "quotas.csv").read_text(), (tmp_path / "pool.csv").read_text()
    )
    data = SelectionData(source)
    features, _ = data.load_features(100)
    people, _ = data.load_people(Settings(id_column="pseudonym", columns_to_keep=[]), features)
    panels, _ = find_random_sample(
        features, people, 100, [], selection_algorithm="legacy", test_selection=True
    )
    by_id = {row["pseudonym"]: row for row in read_rows(tmp_path / "pool.csv")}
    panel = [by_id[pseudonym] for pseudonym in panels[0]]
    assert len(panel) == 100
    for quota in table:
        achieved = sum(1 for member in panel if member[quota.feature] == quota.value)
        assert quota.min <= achieved <= quota.max, quota


# Recommendations


def test_recommendations_are_numbered_bilingual_and_distinct() -> None:
    recs = recommendations(seed=1)
    assert [r.number for r in recs] == list(range(1, 61))
    assert len({r.title["fr"] for r in recs}) == 60 == len({r.title["nl"] for r in recs})
    for r in recs:
        assert set(r.title) == set(r.text) == {"fr", "nl"}
        assert r.priority in {"high", "medium", "low"}
        assert r.portfolio in PORTFOLIOS
        assert 1 <= r.text["fr"].count(".") <= 3


def test_every_recommendation_was_adopted_by_a_majority_of_votes_cast() -> None:
    for r in recommendations(150, seed=2, panel_size=100):
        cast = r.votes_for + r.votes_against + r.votes_abstain
        assert cast <= 100
        assert r.votes_for * 2 > cast
        assert min(r.votes_for, r.votes_against, r.votes_abstain) >= 0


def test_a_panel_theme_comes_in_french_dutch_and_english() -> None:
    assert set(panel_theme(1)) == {"fr", "nl", "en"}
    assert panel_theme(1) != panel_theme(2)


def test_asking_for_more_recommendations_than_templates_allow_is_refused() -> None:
    with pytest.raises(ValueError, match="count must be between 0 and 159, not 500"):
        recommendations(500, seed=1)


# Government answers


def test_the_answer_mix_follows_the_announced_proportions() -> None:
    counted: Counter[str] = Counter()
    total = 0
    for seed in range(5):
        answers = government_answers(recommendations(120, seed=seed), seed=seed)
        counted.update("unanswered" if a is None else a.position for a in answers)
        total += len(answers)
    for position, permille in ANSWER_MIX.items():
        assert abs(counted[position] * 1000 // total - permille) <= 15, position


def test_answers_carry_what_their_position_requires() -> None:
    generated = follow_up(7, count=159)
    answers = [a for a in [*generated["answers"], *generated["reviewed"]] if a is not None]
    for answer in answers:
        assert answer.portfolio in PORTFOLIOS
        date.fromisoformat(answer.answered_on)
        assert (answer.decision_date is not None) == (answer.position == "under_study")
        assert (answer.referred_to is not None) == (answer.position == "not_competent")
        assert (answer.evidence is not None) == (answer.position == "already_in_place")
        if answer.decision_date is not None:
            assert date.fromisoformat(answer.decision_date) > date.fromisoformat(answer.answered_on)
        if answer.evidence is not None:
            assert answer.evidence.startswith("Synthetic evidence document")
        if answer.position in {"accepted", "accepted_in_part", "already_in_place"}:
            assert answer.planned_measures


def test_justifications_are_long_where_a_choice_not_to_implement_must_be_explained() -> None:
    answers = [a for a in follow_up(8, count=159)["answers"] if a is not None]
    explained = [a for a in answers if a.position in {"rejected", "accepted_in_part"}]
    assert explained and all(len(a.justification) >= 250 for a in explained)
    others = [a for a in answers if a.position not in {"rejected", "accepted_in_part"}]
    assert all(0 < len(a.justification) < 250 for a in others)


def test_the_twelve_month_review_revises_only_answers_under_study_or_missing() -> None:
    generated = follow_up(9, count=159)
    pairs = list(zip(generated["answers"], generated["reviewed"], strict=True))
    for first, late in pairs:
        if late is not None:
            assert first is None or first.position == "under_study"
            assert late.position in {"accepted", "accepted_in_part", "rejected"}
            assert first is None or late.answered_on > first.answered_on
    revised = [late for first, late in pairs if first and first.position == "under_study"]
    assert any(revised) and not all(revised)


# Implementation and assessments


def test_implementation_is_reported_only_after_acceptance() -> None:
    generated = follow_up(10, count=159)
    in_force: dict[int, SyntheticAnswer] = {}
    for first, late in zip(generated["answers"], generated["reviewed"], strict=True):
        if late or first:
            in_force[(late or first).number] = late or first
    accepting = {"accepted", "accepted_in_part", "already_in_place"}
    reports = generated["reports"]
    assert {r.number for r in reports} == {
        n for n, a in in_force.items() if a.position in accepting
    }
    for report in reports:
        assert 0 <= report.progress <= 100
        assert report.milestone
        if report.status in {"completed_modified", "abandoned"}:
            assert len(report.justification) >= 250
        else:
            assert report.justification == ""
        if report.status.startswith("completed"):
            assert report.progress == 100 and report.evidence


def test_assessments_give_a_known_verdict_reasons_and_an_optional_score() -> None:
    generated = follow_up(11, count=159)
    verdicts = generated["assessments"]
    pairs = zip(generated["answers"], generated["reviewed"], strict=True)
    assert len(verdicts) == sum(1 for first, late in pairs if first or late)
    assert {v.verdict for v in verdicts} == {"agrees", "disputes", "insufficient_information"}
    assert all(v.reasons for v in verdicts)
    scores = [v.score for v in verdicts]
    assert None in scores
    assert all(0 <= s <= 10 for s in scores if s is not None)


# Evidence


def test_evidence_documents_are_marked_synthetic_and_published_on_example_org() -> None:
    documents = evidence_documents(3)
    assert {d.kind for d in documents} == {"briefing", "stakeholder_report"}
    assert len({d.published_at for d in documents}) == len(documents)
    for document in documents:
        assert document.author.endswith("(synthetic)")
        assert document.published_at.startswith("https://example.org/")
        assert b"synthetic" in document.content
