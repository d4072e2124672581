"""Groups and labels submitted to a shared server: the secretariat defines a group of
recommendations and adopts one under it, the government names a portfolio and the secretariat a
stratum, each through ``cli.remote.act`` and replayed by the server through the command a local
``assembly`` runs; a step the rules refuse is refused with its 4xx and one sentence, and nothing
is written.

Each test works on its own copy of the small assembly of ``tests.features.cycle`` (panel 1
seated, its vote V-1 held, charter in French and Dutch).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli import remote
from domain import commands
from domain.errors import RuleBroken
from domain.groups import GroupDefined
from domain.labels import PortfolioNamed, StratumNamed
from domain.process import Session
from domain.recommendation import Adopted
from ledger import Signer, load_signer
from ledger.errors import AppendRefused
from tests.features.cycle import GOVERNMENT, SECRETARIAT, last_events
from tests.web.submissions.conftest import state

Step = Callable[[Session, datetime], object]
OBJECTIVE = GroupDefined(
    code="sd11",
    level="objective",
    title={"fr": "Limiter les effets du transport aérien", "nl": "De luchtvaart beperken"},
)


def adoption(group: str, reference: str = "SD-E2") -> Adopted:
    """Recommendation 1/5, adopted on the strength of vote V-1 under ``group``."""
    return Adopted(
        panel=1,
        number=5,
        title={},
        text={"fr": "Taxer le kérosène.", "nl": "Kerosine belasten."},
        portfolio="climate",
        vote="V-1",
        reference=reference,
        group=group,
    )


def define(group: GroupDefined) -> Step:
    return lambda s, when: commands.define_group(s, group, at=when)


def adopt(event: Adopted) -> Step:
    return lambda s, when: commands.adopt(s, event, at=when)


def refused_remotely(
    client: TestClient,
    folder: Path,
    signer: Signer,
    step: Step,
    words: str,
    *,
    error: type[Exception] = RuleBroken,
) -> None:
    """The server refuses ``step`` with a sentence containing ``words``, raised here as the
    local command's ``error``; nothing is written."""
    before = state(folder)
    with pytest.raises(error, match=words):
        remote.act(client, signer, step)
    assert state(folder) == before


@pytest.fixture
def secretariat(folder: Path) -> Signer:
    return load_signer(folder / SECRETARIAT)


def test_a_group_defined_through_the_server_is_then_named_by_an_adoption(
    client: TestClient, folder: Path, secretariat: Signer
) -> None:
    [defined] = remote.act(client, secretariat, define(OBJECTIVE))
    assert defined.event["type"] == GroupDefined.TYPE
    [adopted] = remote.act(client, secretariat, adopt(adoption("sd11")))
    assert adopted.event["payload"]["group"] == "sd11"
    [group, recommendation] = last_events(folder, 2)
    assert (group["code"], group["level"]) == ("sd11", "objective")
    assert (recommendation["reference"], recommendation["group"]) == ("SD-E2", "sd11")
    shown = client.get("/api/recommendations/1/5")
    assert shown.status_code == 200, shown.text
    assert shown.json()["reference"] == "SD-E2"


def test_an_adoption_naming_a_group_never_defined_is_refused_by_the_server(
    client: TestClient, folder: Path, secretariat: Signer
) -> None:
    refused_remotely(client, folder, secretariat, adopt(adoption("sd12")), "There is no group sd12")


def test_a_group_defined_twice_or_titled_outside_the_charters_languages_is_refused(
    client: TestClient, folder: Path, secretariat: Signer
) -> None:
    english = OBJECTIVE.model_copy(update={"code": "sd12", "title": {"en": "Limit flying"}})
    refused_remotely(client, folder, secretariat, define(english), "The title of group sd12")
    remote.act(client, secretariat, define(OBJECTIVE))
    again = "A group sd11 is already defined: codes are defined once."
    refused_remotely(client, folder, secretariat, define(OBJECTIVE), again)


def test_a_portfolio_and_a_stratum_are_named_through_the_server_by_their_offices(
    client: TestClient, folder: Path, secretariat: Signer
) -> None:
    government = load_signer(folder / GOVERNMENT)
    portfolio = PortfolioNamed(
        portfolio="climate", labels={"fr": "Climat et énergie", "nl": "Klimaat en energie"}
    )
    stratum = StratumNamed(
        stratum="age_band", value="16-34", labels={"fr": "16 à 34 ans", "nl": "16 tot 34 jaar"}
    )

    def name_portfolio(s: Session, when: datetime) -> None:
        commands.name_portfolio(s, portfolio, at=when)

    def name_stratum(s: Session, when: datetime) -> None:
        commands.name_stratum(s, stratum, at=when)

    refused_remotely(
        client, folder, secretariat, name_portfolio, "may not write", error=AppendRefused
    )
    remote.act(client, government, name_portfolio)
    remote.act(client, secretariat, name_stratum)
    named, value = last_events(folder, 2)
    assert named["labels"]["fr"] == "Climat et énergie"
    assert (value["stratum"], value["value"]) == ("age_band", "16-34")
    again = "Stratum age_band=16-34 is already named: it is named once."
    refused_remotely(client, folder, secretariat, name_stratum, again)
