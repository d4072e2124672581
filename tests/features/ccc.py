"""France's Convention citoyenne pour le climat, 2019-2021, loaded through the commands as the
cycle it was: the real proposals and answers of ``tests/fixtures/ccc`` (sources in its
SOURCE.md), dated as published, recorded today.

What the sources do not give is generated and said so: the draw of the 150 members (a synthetic
pool of pseudonyms, a public value named "synthetic"), and the final vote, whose counts per
proposal are not in the data (recorded as unknown). Offices are named by office, never a person.
Reference numbers: the order of the data (``n``); the Convention's own codes where the sources
give them (SD-E2 from its full text, the three ``proposal_id`` of the data).
"""

from __future__ import annotations

import csv
import json
import random
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.features.cycle import ok
from tests.features.forked import assembly
from tests.runner import Result

DATA = Path(__file__).resolve().parents[1] / "fixtures" / "ccc"
LEDGER = "assembly.db"
SEATS, VOLUNTEERS = 150, 300
FEATURES = {
    "genre": ("femme", "homme"),
    "age": ("16-24", "25-34", "35-49", "50-64", "65+"),
    "diplome": ("sans", "bac", "superieur"),
}
PORTFOLIO = "transition-ecologique"
PORTFOLIO_LABEL = "Transition écologique"
JUSTICE, JUSTICE_LABEL = "justice", "Justice"

# The dates of the cycle, as published (the draw's own dates are not: see the module's text).
KEYS_FROM = "2019-07-01"
CHARTERED = "2019-07-02"  # the Prime Minister's letter setting up the Convention
INVITED, POOL_CLOSED, DRAWN, SEATED = "2019-08-26", "2019-09-16", "2019-09-23", "2019-09-30"
FIRST_SESSION = "2019-10-04"
ADOPTED = "2020-06-21"  # the final vote, and the report handed to the government
ANSWERED = "2020-06-29"  # the President's answer to the 150 members
REVISED = "2020-12-14"  # SD-E2 kept but reduced, in the climate bill
ECOCIDE_REVISED = "2021-02-28"
SCORED = "2021-02-28"  # the members' last session: their scores of the government's take-up
SCORE_SOURCE = (
    "https://www.francetvinfo.fr/monde/environnement/convention-citoyenne-sur-le-climat/"
    "la-convention-citoyenne-pour-le-climat-attribue-de-mauvaises-notes-a-la-reprise-de-ses-"
    "propositions-par-l-executif_4314437.html"
)


@dataclass(frozen=True)
class Proposal:
    number: int
    reference: str | None
    text: str
    objective: str
    objective_label: str
    theme: str
    theme_label: str


def proposals() -> list[Proposal]:
    """The 147 proposals in the data's order, with the Convention's codes where known."""
    rows = json.loads((DATA / "ccc_fr_proposals.json").read_text(encoding="utf-8"))
    found = []
    for row in rows:
        reference = row["proposal_id"].upper() if row["proposal_id"] else None
        if row["text"].startswith("Organiser progressivement la fin du trafic aérien"):
            reference = "SD-E2"  # the full text's own heading
        found.append(
            Proposal(
                number=row["n"],
                reference=reference,
                text=row["text"],
                objective=row["objective_id"],
                objective_label=row["objective_label"],
                theme=row["theme_key"].lower().replace("_", "-"),
                theme_label=row["theme"],
            )
        )
    return found


def responses() -> dict[str, dict[str, str]]:
    """The published answers, by their id in the data."""
    rows = json.loads((DATA / "ccc_fr_responses.json").read_text(encoding="utf-8"))
    return {row["id"]: row for row in rows}


def proposal_starting(start: str) -> Proposal:
    (found,) = [p for p in proposals() if p.text.startswith(start)]
    return found


def sd_e2_supporting() -> str:
    """SD-E2's supporting text, after its heading, with paragraphs restored where the press copy
    ran them together (a full stop followed at once by a capital)."""
    raw = (DATA / "ccc_fr_sd-e2_full.txt").read_text(encoding="utf-8").strip()
    _heading, _, body = raw.partition("(SUR UN TRAJET DE MOINS DE 4H)")
    paragraphs = re.split(r"(?<=[.])(?=[A-ZÀ-Ý])", body)
    return "\n\n".join(p.strip() for p in paragraphs)


JOKERS = {  # the President's three "jokers": position, and the data's id of the quote
    "fr-joker-dividendes": "rejected",
    "fr-joker-110": "postponed",
    "fr-joker-preambule": "rejected",
}


@dataclass(frozen=True)
class Loaded:
    """The loaded cycle's folder, and what loading it took."""

    folder: Path
    seconds: float
    commands: int
    members: tuple[str, ...]


CHARTER_KEY, SECRETARIAT, GOVERNMENT, COMMISSION = (
    "charter.key",
    "secretariat.key",
    "government.key",
    "commission.key",
)


class Loader:
    """Runs the commands of the cycle in ``folder``, counting them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.commands = 0

    def run(self, *args: str, key: str | None = None) -> Result:
        self.commands += 1
        return ok(assembly(*args, *(("--key", key) if key else ()), cwd=self.folder))

    def secretariat(self, *args: str) -> Result:
        return self.run(*args, key=SECRETARIAT)

    def government(self, *args: str) -> Result:
        return self.run(*args, key=GOVERNMENT)


def _offices(load: Loader) -> None:
    load.run("init", "--valid-from", KEYS_FROM)
    names = {
        "secretariat": "Secrétariat général de la Convention",
        "government": "Gouvernement",
        "commission": "Membres de la Convention (suivi)",
    }
    for office, name in names.items():
        load.run("keys", "new", "--key", f"{office}.key")
        load.run(
            *("keys", "enrol", f"{office}.key.pub", "--role", office, "--name", name),
            *("--valid-from", KEYS_FROM),
            key=CHARTER_KEY,
        )
    load.run(
        *("charter", "--name", "Convention citoyenne pour le climat", "--region", "France"),
        *("--language", "fr", "--review", "P3M", "--review", "P12M"),
        # The President's refusals are quoted in two or three sentences; the partial answer on
        # ecocide in 124 characters: the minimum is what such answers run to.
        *("--justification", "rejected=100", "--justification", "accepted_in_part=100"),
        *("--justification", "postponed=100"),
        *("--theme-group-size", "10", "--log-origin", "ccc.example/ledger"),
        *("--at", CHARTERED),
        key=CHARTER_KEY,
    )


def _write_files(folder: Path) -> None:
    """The synthetic register, pool and quotas of the draw (the real ones are not public)."""
    regions = ("Nord", "Sud", "Est", "Ouest")
    lines = ["address_id,municipality"]
    lines += [f"A-{n:07d},{regions[n % 4]}" for n in range(1, 3001)]
    (folder / "register.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rng = random.Random(2019)
    rows = [
        {"pseudonym": f"P-{n:06d}", **{f: rng.choice(v) for f, v in FEATURES.items()}}
        for n in range(1, VOLUNTEERS + 1)
    ]
    with (folder / "pool.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, ["pseudonym", *FEATURES], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    counts = Counter((feature, row[feature]) for row in rows for feature in FEATURES)
    with (folder / "quotas.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(("feature", "value", "min", "max"))
        for feature, values in FEATURES.items():
            for value in values:
                target = round(counts[(feature, value)] * SEATS / VOLUNTEERS)
                writer.writerow((feature, value, max(0, target - 3), target + 3))


def _panel(load: Loader) -> tuple[str, ...]:
    """Convene, draw and seat the 150 members (on synthetic files), dated as in 2019."""
    _write_files(load.folder)
    synthetic = "synthetic value (the real draw's data are not public)"
    files = ("--pool", "pool.csv", "--quotas", "quotas.csv", "--portfolio", "portfolio.json")
    load.secretariat(
        *("panel", "convene", "1", "--theme", "fr=Le climat", "--seats", str(SEATS)),
        *("--at", CHARTERED),
    )
    load.secretariat(
        *("draw", "announce", "invitations", "--panel", "1", "--register", "register.csv"),
        *("--letters", "1000", "--randomness-source", synthetic, "--at", INVITED),
    )
    load.secretariat(
        *("draw", "perform", "invitations", "--panel", "1", "--register", "register.csv"),
        *("--randomness-value", "synthetic 1", "--published-at", f"{INVITED}T20:00Z"),
        *("--out", "invitations.csv", "--at", f"{INVITED}T21:00Z"),
    )
    load.secretariat(
        *("pool", "close", "--panel", "1", "--pool", "pool.csv", "--quotas", "quotas.csv"),
        *("--at", POOL_CLOSED),
    )
    load.secretariat(
        *("draw", "announce", "panel", "--panel", "1", *files[:4]),
        *("--portfolio", "portfolio.json", "--size", "20", "--seats", str(SEATS)),
        *("--algorithm", "legacy", "--randomness-source", synthetic, "--at", DRAWN),
    )
    load.secretariat(
        *("draw", "perform", "panel", "--panel", "1", *files),
        *("--randomness-value", "synthetic 2", "--published-at", f"{DRAWN}T20:00Z"),
        *("--at", f"{DRAWN}T21:00Z"),
    )
    load.secretariat("panel", "seat", "1", "--at", SEATED)
    verified = load.run("draw", "verify", "--panel", "1", *files, "--format", "json")
    return tuple(json.loads(verified.stdout)["selected"])


def _recommendations(load: Loader) -> None:
    """Themes and objectives, the final vote (its counts unknown here), the 147 proposals and
    their hand-over to the government."""
    every = proposals()
    names = {
        (PORTFOLIO, PORTFOLIO_LABEL),
        (JUSTICE, JUSTICE_LABEL),
    }
    for code, label in sorted(names):
        load.government(
            *("portfolio", "name", "--code", code, "--label", f"fr={label}", "--at", ADOPTED)
        )
    for theme, label in dict.fromkeys((p.theme, p.theme_label) for p in every):
        load.secretariat(
            *("recommend", "group", "--code", theme, "--level", "theme"),
            *("--title", f"fr={label}", "--at", ADOPTED),
        )
    for objective, label, theme in dict.fromkeys(
        (p.objective, p.objective_label, p.theme) for p in every
    ):
        load.secretariat(
            *("recommend", "group", "--code", objective, "--level", "objective"),
            *("--title", f"fr={label}", "--parent", theme, "--at", ADOPTED),
        )
    load.secretariat(
        *("vote", "record", "--panel", "1", "--vote", "V-FINAL"),
        *("--subject", "Vote final des propositions", "--result-unknown", "--adopted"),
        *("--at", ADOPTED),
    )
    supporting = sd_e2_supporting()
    for proposal in every:
        extra: tuple[str, ...] = ()
        if proposal.reference:
            extra += ("--reference", proposal.reference)
        if proposal.reference == "SD-E2":
            extra += ("--supporting", f"fr={supporting}")
        if "écocide" in proposal.text:
            extra += ("--shared-with", JUSTICE)
        load.secretariat(
            *("recommend", "adopt", "--panel", "1", "--number", str(proposal.number)),
            *("--group", proposal.objective, "--portfolio", PORTFOLIO, "--vote", "V-FINAL"),
            *("--text", f"fr={proposal.text}", *extra, "--at", ADOPTED),
        )
    load.secretariat("recommend", "hand-over", "--panel", "1", "--on", ADOPTED, "--at", ADOPTED)


def _answers(load: Loader) -> None:
    """The President's answer of 29 June 2020, his three refusals, and the revisions."""
    said = responses()
    jokers = {proposal_starting(said[key]["proposal_text_starts"]).number for key in JOKERS}
    covered = [f"1/{p.number}" for p in proposals() if p.number not in jokers]
    blanket = said["fr-2020-06-29-blanket"]
    load.government(
        *("respond-jointly", "--id", "fr-2020-06-29", "--by", "Présidence de la République"),
        *("--covers", ",".join(covered), "--position", "accepted"),
        *("--text", f"fr={blanket['quote']}", "--source", blanket["source"].split(" ")[0]),
        *("--at", ANSWERED),
    )
    for key, position in JOKERS.items():
        joker = said[key]
        number = proposal_starting(joker["proposal_text_starts"]).number
        load.government(
            *("respond", f"1/{number}", "--position", position, "--portfolio", PORTFOLIO),
            *("--justification", f"fr={joker['quote']}", "--at", ANSWERED),
        )
    revised = said["fr-sd-e2-2h30"]
    load.government(
        *("respond", "SD-E2", "--review", "2", "--position", "accepted_in_part"),
        *("--portfolio", PORTFOLIO, "--justification", f"fr={revised['quote']}", "--at", REVISED),
    )
    ecocide = said["fr-ecocide-delit"]
    number = proposal_starting(ecocide["proposal_text_starts"]).number
    load.government(
        *("respond", f"1/{number}", "--review", "2", "--position", "accepted_in_part"),
        *("--portfolio", PORTFOLIO, "--justification", f"fr={ecocide['quote']}"),
        *("--at", ECOCIDE_REVISED),
    )


def _scores(load: Loader, members: tuple[str, ...]) -> None:
    """The members' scores of 28 February 2021, where the press gave them for a proposal or
    for the objective it stands under (SD-E2's: limiting the harm of air transport)."""
    load.run(
        *("commission", "add", members[0], "--panel", "1", "--role", "chair"),
        *("--at", SCORED),
        key=CHARTER_KEY,
    )
    ecocide = proposal_starting("Adopter une loi qui pénalise le crime d'écocide")
    article = proposal_starting("Ajout d'un alinéa dans l'article premier de la Constitution")
    scores = (
        (
            "SD-E2",
            "disputes",
            "2.8",
            "« Limiter les effets néfastes du transport aérien », "
            "l'objectif de SD-E2, a obtenu 2,8 de moyenne.",
        ),
        (
            f"1/{ecocide.number}",
            "disputes",
            "2.7",
            "Un délit d'écocide au lieu du crime que la Convention proposait : noté 2,7.",
        ),
        (
            f"1/{article.number}",
            "agrees",
            "6.1",
            "La réforme de l'article 1er de la Constitution a recueilli la note de 6,1.",
        ),
    )
    for recommendation, verdict, score, reasons in scores:
        load.run(
            *("assess", recommendation, "--verdict", verdict, "--score", score),
            *("--reasons", f"fr={reasons} Source : {SCORE_SOURCE}", "--at", SCORED),
            key=COMMISSION,
        )


def load_cycle(folder: Path) -> Loaded:
    """Record the Convention's whole cycle in ``folder`` through the commands."""
    folder.mkdir(parents=True)
    load = Loader(folder)
    start = time.perf_counter()
    _offices(load)
    members = _panel(load)
    _recommendations(load)
    _answers(load)
    _scores(load, members)
    return Loaded(folder, time.perf_counter() - start, load.commands, members)


_BUILT: dict[str, Loaded] = {}


def shared_cycle(factory: pytest.TempPathFactory) -> Loaded:
    """The session's loaded cycle, built on first use."""
    if "ccc" not in _BUILT:
        _BUILT["ccc"] = load_cycle(factory.mktemp("ccc") / "convention")
    return _BUILT["ccc"]
