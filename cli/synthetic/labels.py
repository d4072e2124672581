"""The names of the demo's codes in French, Dutch and English: its portfolios (named by the
government) and the strata and values of its quota tables (named by the secretariat), so that a
French or Dutch page of the demo shows no English code where the process records a label."""

from __future__ import annotations

from collections.abc import Iterator

from cli.synthetic.population import MUNICIPALITIES
from domain.labels import PortfolioNamed, StratumNamed

PORTFOLIOS = {
    "climate": ("Climat et énergie", "Klimaat en energie", "Climate and energy"),
    "mobility": ("Mobilité", "Mobiliteit", "Mobility"),
    "housing": ("Logement", "Huisvesting", "Housing"),
    "finance": ("Finances et budget", "Financiën en begroting", "Finance and budget"),
    "environment": ("Environnement", "Leefmilieu", "Environment"),
    "employment": ("Emploi et économie", "Werk en economie", "Employment and economy"),
}
# (stratum, value): value None names the stratum itself.
STRATA: dict[tuple[str, str | None], tuple[str, str, str]] = {
    ("gender", None): ("Genre", "Gender", "Gender"),
    ("gender", "woman"): ("Femme", "Vrouw", "Woman"),
    ("gender", "man"): ("Homme", "Man", "Man"),
    ("gender", "other"): ("Autre", "Ander", "Other"),
    ("age_band", None): ("Tranche d'âge", "Leeftijdsgroep", "Age band"),
    ("age_band", "16-24"): ("16 à 24 ans", "16 tot 24 jaar", "16 to 24"),
    ("age_band", "25-34"): ("25 à 34 ans", "25 tot 34 jaar", "25 to 34"),
    ("age_band", "35-49"): ("35 à 49 ans", "35 tot 49 jaar", "35 to 49"),
    ("age_band", "50-64"): ("50 à 64 ans", "50 tot 64 jaar", "50 to 64"),
    ("age_band", "65+"): ("65 ans et plus", "65 jaar en ouder", "65 and over"),
    ("municipality", None): ("Commune", "Gemeente", "Municipality"),
    ("education", None): ("Diplôme", "Diploma", "Education"),
    ("education", "lower"): ("Secondaire inférieur au plus", "Hoogstens lager secundair", "Lower"),
    ("education", "secondary"): ("Secondaire supérieur", "Hoger secundair", "Secondary"),
    ("education", "higher"): ("Supérieur", "Hoger onderwijs", "Higher"),
    ("occupation", None): ("Activité", "Activiteit", "Occupation"),
    ("occupation", "employed"): ("En emploi", "Werkend", "Employed"),
    ("occupation", "unemployed"): ("Sans emploi", "Werkzoekend", "Unemployed"),
    ("occupation", "student"): ("Aux études", "Student", "Student"),
    ("occupation", "retired"): ("Retraité", "Gepensioneerd", "Retired"),
    ("occupation", "other"): ("Autre", "Ander", "Other"),
}


def portfolio_names() -> Iterator[PortfolioNamed]:
    """Each portfolio of the demo, named in its three languages."""
    for code, (fr, nl, en) in PORTFOLIOS.items():
        yield PortfolioNamed(portfolio=code, labels={"fr": fr, "nl": nl, "en": en})


def stratum_names() -> Iterator[StratumNamed]:
    """Each stratum and value of the demo's quota tables, the 19 municipalities by their
    French and Dutch names (English uses the French one, as Brussels' English signs do)."""
    for (stratum, value), (fr, nl, en) in STRATA.items():
        yield StratumNamed(stratum=stratum, value=value, labels={"fr": fr, "nl": nl, "en": en})
    for place in MUNICIPALITIES:
        labels = {"fr": place.fr, "nl": place.nl, "en": place.fr}
        yield StratumNamed(stratum="municipality", value=place.code, labels=labels)
