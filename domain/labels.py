"""The names people read for the codes the ledger keeps: portfolios and strata, per language.

Codes stay ASCII (``domain.codes``); their labels, accents welcome, are recorded once by the
office that owns them: the government names its portfolios (stream ``portfolio-names``), the
secretariat the strata of its quota tables and their values (stream ``stratum-names``). Pages
and ``show`` use the label in the reader's language, else the code.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from domain.aggregate import Aggregate, stream_id
from domain.codes import PORTFOLIO, STRATUM
from domain.errors import AlreadyDone, WrongStream
from domain.events import Event, register
from domain.texts import Texts, check_texts

PORTFOLIO_NAMES = stream_id("portfolio-names")
STRATUM_NAMES = stream_id("stratum-names")


@register
class PortfolioNamed(Event):
    """A portfolio's name in each of the charter's languages."""

    TYPE = "assembly.government.portfolio_named"

    portfolio: str = Field(pattern=PORTFOLIO)
    labels: Texts


@register
class StratumNamed(Event):
    """A stratum of the quota tables (``value`` None) or one of its values, named."""

    TYPE = "assembly.panel.stratum_named"

    stratum: str = Field(pattern=STRATUM)
    value: str | None = Field(default=None, pattern=STRATUM)
    labels: Texts


class PortfolioNames(Aggregate):
    """The portfolios named so far."""

    def __init__(self, stream: uuid.UUID = PORTFOLIO_NAMES) -> None:
        super().__init__(stream)
        self.named: set[str] = set()

    def name(self, event: PortfolioNamed, *, languages: tuple[str, ...], at: datetime) -> None:
        """Name a portfolio once, in the charter's languages."""
        if event.portfolio in self.named:
            raise AlreadyDone(f"Portfolio {event.portfolio} is already named: it is named once.")
        check_texts(f"The name of portfolio {event.portfolio}", event.labels, languages)
        self.trigger(event, at=at)

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if not isinstance(event, PortfolioNamed):
            raise WrongStream(event.TYPE, "the portfolios' names")
        self.named.add(event.portfolio)


class StratumNames(Aggregate):
    """The strata and values named so far."""

    def __init__(self, stream: uuid.UUID = STRATUM_NAMES) -> None:
        super().__init__(stream)
        self.named: set[tuple[str, str | None]] = set()

    def name(self, event: StratumNamed, *, languages: tuple[str, ...], at: datetime) -> None:
        """Name a stratum or one of its values once, in the charter's languages."""
        what = event.stratum if event.value is None else f"{event.stratum}={event.value}"
        if (event.stratum, event.value) in self.named:
            raise AlreadyDone(f"Stratum {what} is already named: it is named once.")
        check_texts(f"The name of stratum {what}", event.labels, languages)
        self.trigger(event, at=at)

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if not isinstance(event, StratumNamed):
            raise WrongStream(event.TYPE, "the strata's names")
        self.named.add((event.stratum, event.value))
