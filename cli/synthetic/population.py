"""The population the generators imitate: the 19 Brussels municipalities and the shares of each
stratum among residents aged 16 and over.

Figures are approximate (rounded from public statistics for 2023) and only shape synthetic data;
no real person or address is behind any generated row. Shares are integers in parts per million
(ppm) so they can be stored without floats; each feature's shares add up to exactly 1,000,000.
"""

from __future__ import annotations

from dataclasses import dataclass

PPM = 1_000_000
FEATURES = ("gender", "age_band", "municipality", "education", "occupation")


@dataclass(frozen=True)
class Municipality:
    """One of the 19 municipalities; ``code`` (its French name in lower case) is what files hold."""

    code: str
    fr: str
    nl: str
    postcode: str
    population: int
    share_ppm: int


MUNICIPALITIES: tuple[Municipality, ...] = (
    Municipality("anderlecht", "Anderlecht", "Anderlecht", "1070", 126_800, 102_498),
    Municipality("auderghem", "Auderghem", "Oudergem", "1160", 34_400, 27_807),
    Municipality(
        "berchem-sainte-agathe",
        "Berchem-Sainte-Agathe",
        "Sint-Agatha-Berchem",
        "1082",
        25_500,
        20_613,
    ),
    Municipality("bruxelles", "Bruxelles", "Brussel", "1000", 196_800, 159_082),
    Municipality("etterbeek", "Etterbeek", "Etterbeek", "1040", 48_800, 39_447),
    Municipality("evere", "Evere", "Evere", "1140", 43_300, 35_001),
    Municipality("forest", "Forest", "Vorst", "1190", 56_400, 45_591),
    Municipality("ganshoren", "Ganshoren", "Ganshoren", "1083", 25_100, 20_289),
    Municipality("ixelles", "Ixelles", "Elsene", "1050", 87_400, 70_649),
    Municipality("jette", "Jette", "Jette", "1090", 53_200, 43_004),
    Municipality("koekelberg", "Koekelberg", "Koekelberg", "1081", 22_100, 17_864),
    Municipality(
        "molenbeek-saint-jean",
        "Molenbeek-Saint-Jean",
        "Sint-Jans-Molenbeek",
        "1080",
        98_100,
        79_298,
    ),
    Municipality("saint-gilles", "Saint-Gilles", "Sint-Gillis", "1060", 49_700, 40_175),
    Municipality(
        "saint-josse-ten-noode",
        "Saint-Josse-ten-Noode",
        "Sint-Joost-ten-Node",
        "1210",
        26_900,
        21_744,
    ),
    Municipality("schaerbeek", "Schaerbeek", "Schaarbeek", "1030", 131_700, 106_459),
    Municipality("uccle", "Uccle", "Ukkel", "1180", 84_400, 68_224),
    Municipality(
        "watermael-boitsfort", "Watermael-Boitsfort", "Watermaal-Bosvoorde", "1170", 25_300, 20_451
    ),
    Municipality(
        "woluwe-saint-lambert",
        "Woluwe-Saint-Lambert",
        "Sint-Lambrechts-Woluwe",
        "1200",
        58_600,
        47_369,
    ),
    Municipality(
        "woluwe-saint-pierre", "Woluwe-Saint-Pierre", "Sint-Pieters-Woluwe", "1150", 42_600, 34_435
    ),
)

MUNICIPALITY_BY_CODE = {m.code: m for m in MUNICIPALITIES}

# Residents aged 16 and over; "other" gender is rare and rarely recorded.
_SHARES_PPM: dict[str, dict[str, int]] = {
    "gender": {"woman": 515_000, "man": 483_000, "other": 2_000},
    "age_band": {
        "16-24": 140_000,
        "25-34": 205_000,
        "35-49": 280_000,
        "50-64": 210_000,
        "65+": 165_000,
    },
    "education": {"lower": 300_000, "secondary": 320_000, "higher": 380_000},
    "occupation": {
        "employed": 500_000,
        "unemployed": 90_000,
        "student": 110_000,
        "retired": 170_000,
        "other": 130_000,
    },
}


def population_shares() -> dict[str, dict[str, int]]:
    """The population share of every value of every stratification feature, in ppm."""
    shares = {feature: dict(values) for feature, values in _SHARES_PPM.items()}
    shares["municipality"] = {m.code: m.share_ppm for m in MUNICIPALITIES}
    return {feature: shares[feature] for feature in FEATURES}
