"""Name the codes the ledger keeps, per language: portfolios (government) and strata
(secretariat). Codes stay ASCII; labels carry the accents."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.options import DEFAULT_LEDGER, KeyOption, LedgerOption
from cli.remote import ServerOption
from cli.writing import AtOption, act, model, texts
from domain import commands
from domain.labels import PortfolioNamed, StratumNamed

portfolio_app = typer.Typer(help="Name the portfolios, per language.", no_args_is_help=True)
stratum_app = typer.Typer(help="Name the strata of the quota tables.", no_args_is_help=True)

Labels = Annotated[list[str] | None, typer.Option("--label", help="LANG=NAME, once per language.")]


def register(app: typer.Typer) -> None:
    app.add_typer(portfolio_app, name="portfolio", rich_help_panel="Government")
    app.add_typer(stratum_app, name="stratum", rich_help_panel="Secretariat")


@portfolio_app.command("name")
def name_portfolio(
    code: Annotated[str, typer.Option(help="The portfolio's code, e.g. transition-ecologique.")],
    label: Labels = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Name a portfolio in the charter's languages, once (government key).

    Example: assembly portfolio name --code transition-ecologique
    --label fr="Transition écologique" --label nl="Ecologische transitie" --key minister.key
    """
    event = model(PortfolioNamed, portfolio=code, labels=texts("--label", label))
    act(
        ledger,
        key,
        lambda s, when: commands.name_portfolio(s, event, at=when),
        at=at,
        server=server,
    )


@stratum_app.command("name")
def name_stratum(
    stratum: Annotated[str, typer.Option(help="The stratum as in the quota table, e.g. age.")],
    value: Annotated[
        str | None, typer.Option(help="One of its values, e.g. 16-24 (default: the stratum).")
    ] = None,
    label: Labels = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Name a stratum, or one of its values, in the charter's languages, once (secretariat key).

    Example: assembly stratum name --stratum age --value 16-24 --label fr="16 à 24 ans"
    --label nl="16 tot 24 jaar" --key secretariat.key
    """
    event = model(StratumNamed, stratum=stratum, value=value, labels=texts("--label", label))
    act(ledger, key, lambda s, when: commands.name_stratum(s, event, at=when), at=at, server=server)
