"""A synthetic volunteer pool (the people who answered yes to the invitation letter), and the
secretariat's off-ledger mapping from pseudonym to an obviously invented identity.

Volunteers are skewed the way real ones are: older, more often highly educated, more often from
the wealthier south-east of the region, rarely unemployed or students.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

from cli.synthetic._common import pick
from cli.synthetic.population import (
    FEATURES,
    MUNICIPALITIES,
    MUNICIPALITY_BY_CODE,
    population_shares,
)

POOL_HEADER = ("pseudonym", *FEATURES)
IDENTITY_HEADER = ("pseudonym", "name", "address", "birth_date")
REFERENCE_DATE = date(2024, 1, 1)

_GENDER = {"woman": 49, "man": 50, "other": 1}
_AGE = {"16-24": 9, "25-34": 17, "35-49": 27, "50-64": 26, "65+": 21}
_AGES = {
    "16-24": (16, 24),
    "25-34": (25, 34),
    "35-49": (35, 49),
    "50-64": (50, 64),
    "65+": (65, 92),
}
# How much more (or less) likely than average a resident of each municipality is to volunteer,
# in percent; municipalities not named here sit at 100.
_TURNOUT = {
    "anderlecht": 80,
    "auderghem": 125,
    "etterbeek": 120,
    "evere": 90,
    "ixelles": 130,
    "koekelberg": 85,
    "molenbeek-saint-jean": 70,
    "saint-gilles": 115,
    "saint-josse-ten-noode": 65,
    "schaerbeek": 90,
    "uccle": 130,
    "watermael-boitsfort": 130,
    "woluwe-saint-lambert": 125,
    "woluwe-saint-pierre": 135,
}
_MUNICIPALITY = {m.code: m.share_ppm * _TURNOUT.get(m.code, 100) for m in MUNICIPALITIES}
_EDUCATION_BY_AGE = {
    "16-24": {"lower": 25, "secondary": 50, "higher": 25},
    "25-34": {"lower": 12, "secondary": 25, "higher": 63},
    "35-49": {"lower": 15, "secondary": 27, "higher": 58},
    "50-64": {"lower": 20, "secondary": 30, "higher": 50},
    "65+": {"lower": 28, "secondary": 32, "higher": 40},
}
_OCCUPATION_BY_AGE = {
    "16-24": {"employed": 25, "unemployed": 8, "student": 62, "retired": 0, "other": 5},
    "25-34": {"employed": 75, "unemployed": 9, "student": 6, "retired": 0, "other": 10},
    "35-49": {"employed": 80, "unemployed": 8, "student": 1, "retired": 0, "other": 11},
    "50-64": {"employed": 68, "unemployed": 7, "student": 0, "retired": 12, "other": 13},
    "65+": {"employed": 4, "unemployed": 0, "student": 0, "retired": 90, "other": 6},
}

_SYLLABLES = (
    "ba", "be", "da", "del", "fi", "ka", "lo", "lu", "ma", "mir", "na", "no", "ri",
    "sa", "ta", "tel", "vo", "xa", "zo", "zen",
)  # fmt: skip
_STREETS = (
    "Rue Fictive",
    "Avenue Imaginaire",
    "Place Inventee",
    "Chaussee Factice",
    "Allee Irreelle",
)


def write_pool(
    path: Path,
    *,
    size: int = 1000,
    seed: int,
    identities_path: Path | None = None,
    reference_date: date = REFERENCE_DATE,
) -> dict[str, dict[str, int]]:
    """Write a volunteer pool CSV and return its counts per feature and value (zeros included).

    With ``identities_path``, also write the secretariat's mapping ``pseudonym,name,address,
    birth_date`` (invented names, fictive streets, birth dates that match the age band on
    ``reference_date``). That file must never reach the ledger.
    """
    assert 0 <= size <= 999_999, "pseudonyms have six digits"
    rng = random.Random(seed)
    numbers = sorted(rng.sample(range(1, 1_000_000), size))
    rows = [_volunteer(rng, f"P-{n:06d}") for n in numbers]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(POOL_HEADER)
        writer.writerows([row[column] for column in POOL_HEADER] for row in rows)
    if identities_path is not None:
        identity_rng = random.Random(f"identities-{seed}")
        with identities_path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(IDENTITY_HEADER)
            writer.writerows(_identity(identity_rng, row, reference_date) for row in rows)
    counts = {feature: dict.fromkeys(values, 0) for feature, values in population_shares().items()}
    for row in rows:
        for feature in FEATURES:
            counts[feature][row[feature]] += 1
    return counts


def _volunteer(rng: random.Random, pseudonym: str) -> Mapping[str, str]:
    age_band = pick(rng, _AGE)
    return {
        "pseudonym": pseudonym,
        "gender": pick(rng, _GENDER),
        "age_band": age_band,
        "municipality": pick(rng, _MUNICIPALITY),
        "education": pick(rng, _EDUCATION_BY_AGE[age_band]),
        "occupation": pick(rng, _OCCUPATION_BY_AGE[age_band]),
    }


def _identity(rng: random.Random, row: Mapping[str, str], on: date) -> tuple[str, str, str, str]:
    municipality = MUNICIPALITY_BY_CODE[row["municipality"]]
    name = f"{_word(rng, 2)} {_word(rng, 3)}"
    street = f"{rng.choice(_STREETS)} {rng.randint(1, 240)}"
    address = f"{street}, {municipality.postcode} {municipality.fr}"
    youngest, oldest = _AGES[row["age_band"]]
    latest = _years_before(on, youngest)
    earliest = _years_before(on, oldest + 1) + timedelta(days=1)
    born = earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))
    return row["pseudonym"], name, address, born.isoformat()


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(syllables)).capitalize()


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)
