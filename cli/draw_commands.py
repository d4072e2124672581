"""``assembly draw``, ``assembly pool`` and ``assembly theme``: the draws anyone can re-run.

Stage 1 draws the invitation letters from the address register, stage 2 the panel from the
volunteers; each is announced (files committed) before the public random value exists, then
performed with it. ``assembly draw verify`` re-checks a stage from the published files.
Every write command takes ``--server``: the files are read and the draw computed here, and the
server replays every rule of the draw it can check from its ledger (``web.steps``).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from cli import draw_work
from cli.context import open_ledger, parse_moment
from cli.errors import CheckFailed, UsageProblem
from cli.options import DEFAULT_LEDGER, FormatOption, KeyOption, LedgerOption, OutputFormat
from cli.remote import ServerOption
from cli.render import print_json, print_table, stdout
from cli.store import LedgerStore
from cli.writing import AtOption, act
from domain import draw_steps
from domain.draws import DrandRound, DrawRefused
from domain.draws.drand import chain_of
from domain.draws.portfolio import offered_algorithms
from domain.process import Session

draw_app = typer.Typer(help="Draws by lot that anyone can re-run.", no_args_is_help=True)
announce_app = typer.Typer(help="Commit the inputs before the public value.", no_args_is_help=True)
perform_app = typer.Typer(help="Draw with the public value, as announced.", no_args_is_help=True)
pool_app = typer.Typer(help="The pool of volunteers who answered.", no_args_is_help=True)
theme_app = typer.Typer(help="The group that chooses the next theme.", no_args_is_help=True)
draw_app.add_typer(announce_app, name="announce")
draw_app.add_typer(perform_app, name="perform")

PanelOpt = Annotated[int, typer.Option("--panel", help="The panel the draw is for.")]
FileOpt = Annotated[Path, typer.Option(exists=True, dir_okay=False, help="A published file.")]
SaltsOpt = Annotated[
    Path | None, typer.Option(help="The salts file (default: beside the file, NAME.salts).")
]
Source = Annotated[
    str, typer.Option(help="The public randomness to come, e.g. a named lottery draw.")
]
Value = Annotated[str, typer.Option(help="The public random value, as published.")]
Published = Annotated[str, typer.Option(help="When the value was published (ISO time, UTC).")]
AnnouncedSource = Annotated[
    str | None,
    typer.Option(
        "--randomness-source",
        help="The public randomness to come, e.g. a named lottery draw (with --drand-chain: "
        "default, the round and its chain).",
    ),
]
DrandChain = Annotated[
    str | None,
    typer.Option(
        help="A drand chain whose round will be the public value: quicknet, default, or a file "
        "of the chain's /info JSON."
    ),
]
DrandRoundOpt = Annotated[
    int | None,
    typer.Option(
        "--drand-round",
        min=1,
        help="The drand round (default: the first published a minute after the announcement).",
    ),
]
GivenValue = Annotated[
    str | None, typer.Option("--randomness-value", help="The public random value, as published.")
]
GivenPublished = Annotated[
    str | None,
    typer.Option("--published-at", help="When the value was published (ISO time, UTC)."),
]
Beacon = Annotated[
    Path | None,
    typer.Option(
        exists=True,
        dir_okay=False,
        help="The announced drand round's beacon: drand's JSON of /public/ROUND.",
    ),
]
DEFAULT_ALGORITHM = "maximin"


def register(app: typer.Typer) -> None:
    app.add_typer(draw_app, name="draw", rich_help_panel="Secretariat")
    app.add_typer(pool_app, name="pool", rich_help_panel="Secretariat")
    app.add_typer(theme_app, name="theme", rich_help_panel="Secretariat")


def _moment(text: str, option: str) -> datetime:
    moment = parse_moment(text)
    if moment is None:
        raise UsageProblem(f"{option} is required.")
    return moment


@announce_app.command("invitations")
def announce_invitations(
    panel: PanelOpt,
    register_file: Annotated[
        Path,
        typer.Option(
            "--register",
            exists=True,
            dir_okay=False,
            help="Address register CSV (address_id,municipality).",
        ),
    ],
    randomness_source: AnnouncedSource = None,
    drand_chain: DrandChain = None,
    drand_round: DrandRoundOpt = None,
    letters: Annotated[int, typer.Option(min=1, help="Letters to send in all.")] = 10_000,
    draw_id: Annotated[str | None, typer.Option(help="Default: panel-N-invitations.")] = None,
    salts_out: SaltsOpt = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Commit to the register and announce stage 1 (secretariat key).

    Writes the salts file beside the register: keep it; it proves the commitment later.

    Example: assembly draw announce invitations --panel 1 --register register.csv
    --randomness-source "National Lottery, draw of 2026-03-14" --key secretariat.key
    (or --drand-chain quicknet: a drand round published a minute after the announcement)
    """
    done: dict[str, Any] = {}
    source = draw_work.PublicSource.read(randomness_source, drand_chain, drand_round)
    salts = draw_work.NewSalts(register_file, salts_out)

    def step(session: Session, when: datetime) -> None:
        done["root"], done["salts"] = draw_work.announce_invitations(
            session,
            panel,
            register_file,
            letters=letters,
            randomness_source=source,
            draw_id=draw_id or f"panel-{panel}-invitations",
            salts_out=salts,
            at=when,
        )
        done["drand"] = draw_work.announced_drand(session, panel, "invitations")

    try:
        act(ledger, key, step, at=at, server=server, on_recorded=salts.keep)
    finally:
        salts.discard()
    stdout.print(f"Register committed: root {done['root']}; salts in {done['salts']} (keep them).")
    _say_round(done["drand"])


@perform_app.command("invitations")
def perform_invitations(
    panel: PanelOpt,
    register_file: Annotated[
        Path,
        typer.Option("--register", exists=True, dir_okay=False, help="The register announced."),
    ],
    randomness_value: GivenValue = None,
    published_at: GivenPublished = None,
    beacon: Beacon = None,
    salts: SaltsOpt = None,
    out: Annotated[Path, typer.Option(help="Where to write the addresses drawn.")] = Path(
        "invitations.csv"
    ),
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Draw the invitation letters with the public value (secretariat key).

    Example: assembly draw perform invitations --panel 1 --register register.csv
    --randomness-value "07 12 19 28 33 41 +5" --published-at 2026-03-14T20:00Z --key sec.key
    (or, for a drand round, --beacon round.json)
    """
    published = parse_moment(published_at)
    act(
        ledger,
        key,
        lambda s, when: (
            draw_work.perform_invitations(
                s,
                panel,
                register_file,
                salts_file=salts,
                randomness_value=randomness_value,
                randomness_published_at=published,
                beacon_file=beacon,
                invitations_out=out,
                at=when,
            )
            and None
        ),
        at=at,
        server=server,
    )
    stdout.print(f"Addresses drawn written to {out} (for the letters; never on the ledger).")


@pool_app.command("close")
def pool_close(
    panel: PanelOpt,
    pool: Annotated[
        Path,
        typer.Option(
            exists=True, dir_okay=False, help="Pool CSV: pseudonym and one column per feature."
        ),
    ],
    quotas: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="Quota CSV (checks values)."),
    ] = None,
    salts_out: SaltsOpt = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Close the pool of volunteers: commit to it, publish its counts (secretariat key).

    Example: assembly pool close --panel 1 --pool pool.csv --quotas quotas.csv --key sec.key
    """
    salts = draw_work.NewSalts(pool, salts_out)
    try:
        act(
            ledger,
            key,
            lambda s, when: (
                draw_work.close_pool(s, panel, pool, quotas_file=quotas, salts_out=salts, at=when)
                and None
            ),
            at=at,
            server=server,
            on_recorded=salts.keep,
        )
    finally:
        salts.discard()


@announce_app.command("panel")
def announce_panel(
    panel: PanelOpt,
    pool: FileOpt,
    quotas: FileOpt,
    randomness_source: AnnouncedSource = None,
    drand_chain: DrandChain = None,
    drand_round: DrandRoundOpt = None,
    portfolio: Annotated[Path, typer.Option(help="Where to publish the portfolio.")] = Path(
        "portfolio.json"
    ),
    size: Annotated[int, typer.Option(min=1, help="Panels in the portfolio (m).")] = 1000,
    seats: Annotated[
        int | None,
        typer.Option(
            min=1, help="Members per panel (default: the seats the panel was convened with)."
        ),
    ] = None,
    algorithm: Annotated[str, typer.Option(help="maximin, nash, legacy or diversimax.")] = (
        DEFAULT_ALGORITHM
    ),
    randomness_after: Annotated[
        str | None, typer.Option(help="The value must be published after this time.")
    ] = None,
    draw_id: Annotated[str | None, typer.Option(help="Default: panel-N-seats.")] = None,
    salts: SaltsOpt = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Compute and publish the portfolio of panels, and announce stage 2 (secretariat key).

    Every panel of the portfolio meets every quota; after the public value is out, it picks one.

    Example: assembly draw announce panel --panel 1 --pool pool.csv --quotas quotas.csv
    --randomness-source "National Lottery, draw of 2026-04-18" --key secretariat.key
    (or --drand-chain quicknet: a drand round published a minute after the announcement)
    """
    if algorithm not in offered_algorithms():
        raise UsageProblem(f"--algorithm must be one of {', '.join(offered_algorithms())}.")
    after = parse_moment(randomness_after)
    source = draw_work.PublicSource.read(randomness_source, drand_chain, drand_round)
    done: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), transient=True
    ) as bar:
        task = bar.add_task(f"Portfolio ({algorithm})", total=None)

        def progress(phase: str, current: int, total: int | None) -> None:
            bar.update(task, description=f"Portfolio: {phase}", completed=current, total=total)

        def step(session: Session, when: datetime) -> None:
            done["digest"] = draw_work.announce_panel_draw(
                session,
                panel,
                pool_file=pool,
                quotas_file=quotas,
                portfolio_out=portfolio,
                portfolio_size=size,
                panel_size=seats,
                algorithm=algorithm,
                randomness_source=source,
                draw_id=draw_id or f"panel-{panel}-seats",
                randomness_after=after,
                salts_file=salts,
                progress=progress,
                at=when,
            )
            done["drand"] = draw_work.announced_drand(session, panel, "panel")

        act(ledger, key, step, at=at, server=server)
    stdout.print(f"Portfolio published in {portfolio} ({done['digest']}).")
    _say_round(done["drand"])


@perform_app.command("panel")
def perform_panel(
    panel: PanelOpt,
    pool: FileOpt,
    quotas: FileOpt,
    portfolio: FileOpt,
    randomness_value: GivenValue = None,
    published_at: GivenPublished = None,
    beacon: Beacon = None,
    salts: SaltsOpt = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Pick the panel from the portfolio with the public value (secretariat key).

    Example: assembly draw perform panel --panel 1 --pool pool.csv --quotas quotas.csv
    --portfolio portfolio.json --randomness-value "..." --published-at 2026-04-18T20:00Z
    (or, for a drand round, --beacon round.json)
    """
    published = parse_moment(published_at)
    act(
        ledger,
        key,
        lambda s, when: (
            draw_work.perform_panel_draw(
                s,
                panel,
                pool_file=pool,
                quotas_file=quotas,
                portfolio_file=portfolio,
                randomness_value=randomness_value,
                randomness_published_at=published,
                beacon_file=beacon,
                salts_file=salts,
                at=when,
            )
            and None
        ),
        at=at,
        server=server,
    )


@draw_app.command("verify")
def verify(
    panel: PanelOpt,
    stage: Annotated[str, typer.Option(help="invitations or panel.")] = "panel",
    register_file: Annotated[Path | None, typer.Option("--register", help="Stage 1.")] = None,
    pool: Annotated[Path | None, typer.Option(help="Stage 2: the pool file.")] = None,
    quotas: Annotated[Path | None, typer.Option(help="Stage 2: the quota file.")] = None,
    portfolio: Annotated[Path | None, typer.Option(help="Stage 2: the portfolio.")] = None,
    salts: SaltsOpt = None,
    probabilities: Annotated[
        Path | None, typer.Option(help="Write each volunteer's selection probability (CSV).")
    ] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    format: FormatOption = OutputFormat.table,
) -> None:
    """Re-check a recorded draw from the published files, without any solver.

    Exit 0 when the files and the ledger agree; exit 1 naming the first mismatch.

    Example: assembly draw verify --panel 1 --pool pool.csv --quotas quotas.csv
    --portfolio portfolio.json
    """
    files = draw_work.DrawFiles(register_file, pool, quotas, portfolio, salts)
    book = open_ledger(ledger)
    try:
        session = Session(LedgerStore(book, None))
        try:
            if stage == "invitations":
                invitations = draw_work.verify_invitations(session, panel, files)
            elif stage == "panel":
                report = draw_work.verify_panel(session, panel, files)
            else:
                raise UsageProblem("--stage is invitations or panel.")
            drand = draw_work.announced_drand(session, panel, stage)
        except DrawRefused as mismatch:
            raise CheckFailed(f"The draw does not verify: {mismatch.sentence()}") from None
    finally:
        book.close()
    if stage == "invitations":
        result = {
            "stage": stage,
            "panel": panel,
            "verified": True,
            "letters": sum(invitations.letters_per_municipality.values()),
            "seed": invitations.seed,
            "selected_root": invitations.selected_root,
            "drand_round": drand.round if drand else None,
        }
        if format is OutputFormat.json:
            print_json(result)
        else:
            stdout.print(
                f"Stage 1 of panel {panel} verifies: {result['letters']} letters, "
                f"seed {invitations.seed}, selection root {invitations.selected_root}."
            )
            _say_drand(drand)
        return
    summary = report.summary
    if probabilities is not None:
        rows = ["pseudonym,probability_ppm"] + [
            f"{p},{v}" for p, v in sorted(report.probabilities.items())
        ]
        probabilities.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = {
        "stage": stage,
        "panel": panel,
        "verified": True,
        "panel_index": report.panel_index,
        "selected": list(report.selected),
        "drand_round": drand.round if drand else None,
        "probability_ppm": {
            "min": summary.min_ppm,
            "max": summary.max_ppm,
            "mean": summary.mean_ppm,
            "zero": summary.zero_count,
        },
    }
    if format is OutputFormat.json:
        result["probabilities_ppm"] = dict(sorted(report.probabilities.items()))
        print_json(result)
        return
    stdout.print(
        f"Stage 2 of panel {panel} verifies: every panel of the portfolio meets the "
        f"quotas and comes from the committed pool; the public value picks panel "
        f"{report.panel_index}, the {len(report.selected)} members recorded."
    )
    _say_drand(drand)
    print_table(
        "Selection probability per volunteer",
        ["", "ppm", "percent"],
        [
            ("lowest", summary.min_ppm, f"{summary.min_ppm / 10_000:.2f}%"),
            ("highest", summary.max_ppm, f"{summary.max_ppm / 10_000:.2f}%"),
            ("mean", summary.mean_ppm, f"{summary.mean_ppm / 10_000:.2f}%"),
            ("never selected", summary.zero_count, ""),
        ],
    )


def _say_round(drand: DrandRound | None) -> None:
    if drand is not None:
        published = chain_of(drand).round_time(drand.round).isoformat()
        stdout.print(
            f"The public value will be drand round {drand.round} of the chain "
            f"{drand.chain_hash}, published at {published}: perform the draw with its beacon "
            f"(--beacon, drand's JSON of /public/{drand.round})."
        )


def _say_drand(drand: DrandRound | None) -> None:
    if drand is not None:
        stdout.print(
            f"The public value is the beacon of drand round {drand.round} of the chain "
            f"{drand.chain_hash}, its signature checked against the chain's public key."
        )


@theme_app.command("draw", rich_help_panel="Secretariat")
def theme_draw(
    panel: Annotated[int, typer.Option(help="The panel whose theme the group chooses.")],
    randomness_source: Source,
    randomness_value: Value,
    published_at: Published,
    draw_id: Annotated[str | None, typer.Option(help="Default: panel-N-theme-group.")] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Draw the theme group from the previous panel's members (secretariat key).

    Example: assembly theme draw --panel 2 --randomness-source "..." --randomness-value "..."
    --published-at 2026-06-01T12:00Z --key secretariat.key
    """
    published = _moment(published_at, "--published-at")
    act(
        ledger,
        key,
        lambda s, when: draw_steps.draw_theme_group(
            s,
            panel,
            public_value=randomness_value,
            randomness_source=randomness_source,
            randomness_published_at=published,
            draw_id=draw_id or f"panel-{panel}-theme-group",
            at=when,
        ),
        at=at,
        server=server,
    )


@theme_app.command("volunteer")
def theme_volunteer(
    panel: Annotated[int, typer.Option(help="The panel whose theme the group chooses.")],
    member: Annotated[list[str], typer.Option(help="A volunteer's pseudonym (repeat).")],
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Form the theme group from volunteers of the previous panel (secretariat key)."""
    act(
        ledger,
        key,
        lambda s, when: draw_steps.volunteer_theme_group(s, panel, member, at=when),
        at=at,
        server=server,
    )
