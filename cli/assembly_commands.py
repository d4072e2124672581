"""Write commands of the secretariat and the charter: the charter, the commission's members,
panels, evidence, sessions and votes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from cli.errors import UsageProblem
from cli.options import DEFAULT_LEDGER, KeyOption, LedgerOption
from cli.remote import ServerOption
from cli.writing import AtOption, act, day, digest_of, model, texts, today
from domain import commands
from domain.charter import (
    JUSTIFIED_BY_DEFAULT,
    Chartered,
    CommissionMemberRecorded,
    CommissionRole,
)
from domain.deliberation import BriefingPublished, Method, ReportSubmitted, SessionHeld, VoteHeld
from domain.panel import Convened, ThemeGroupRef, WithdrawalReason
from domain.process import Session

panel_app = typer.Typer(help="Convene, seat and conclude citizens' panels.", no_args_is_help=True)
evidence_app = typer.Typer(help="Evidence the panel received.", no_args_is_help=True)
vote_app = typer.Typer(help="The panel's deliberation: sessions and votes.", no_args_is_help=True)
commission_app = typer.Typer(help="The follow-up commission's members.", no_args_is_help=True)

Lang = Annotated[list[str] | None, typer.Option(help="LANG=TEXT, once per language.")]


def register(app: typer.Typer) -> None:
    app.command("charter", rich_help_panel="Charter")(charter)
    app.add_typer(panel_app, name="panel", rich_help_panel="Secretariat")
    app.add_typer(evidence_app, name="evidence", rich_help_panel="Secretariat")
    app.add_typer(vote_app, name="vote", rich_help_panel="Secretariat")
    app.add_typer(commission_app, name="commission", rich_help_panel="Charter")


def charter(
    name: Annotated[str, typer.Option(help="The assembly's name.")],
    region: Annotated[str, typer.Option(help="The region it serves.")],
    language: Annotated[
        list[str], typer.Option("--language", help="A language of its texts (two letters).")
    ],
    review: Annotated[
        list[str] | None,
        typer.Option(
            "--review",
            help="A review appointment after hand-over, in months (P6M), once per appointment "
            "in order; default: P3M and P12M.",
        ),
    ] = None,
    review_offsets: Annotated[
        str | None,
        typer.Option(help="The review appointments at once, comma-separated (P3M,P12M)."),
    ] = None,
    min_justification: Annotated[
        int,
        typer.Option(
            help="Characters a justification needs at least, for rejected, accepted_in_part, "
            "completed_modified and abandoned, unless --justification says otherwise."
        ),
    ] = 200,
    justification: Annotated[
        list[str] | None,
        typer.Option(
            "--justification",
            help="POSITION=CHARACTERS: a position or implementation status that needs a "
            "justification and how long (rejected=200, postponed=50; 0: none needed); "
            "once per position, the others keep --min-justification's rule.",
        ),
    ] = None,
    theme_group_size: Annotated[
        int, typer.Option(help="Members of the panel who choose the next theme.")
    ] = 25,
    log_origin: Annotated[str | None, typer.Option(help="Origin line of checkpoints.")] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Write the assembly's charter (charter key, once).

    Examples: assembly charter --name "Brussels Citizens' Assembly on Climate"
    --region Brussels-Capital --language fr --language nl --key charter.key;
    assembly charter --name "Climate Assembly" --region Scotland --language en --review P6M
    --justification accepted_in_part=100 --justification postponed=50 --key charter.key
    """
    event = model(
        Chartered,
        name=name,
        region=region,
        languages=tuple(language),
        review_offsets=_offsets(review, review_offsets),
        min_justification=min_justification,
        justifications=_justifications(justification, min_justification),
        theme_group_size=theme_group_size,
        log_origin=log_origin,
    )
    act(
        ledger, key, lambda s, when: commands.write_charter(s, event, at=when), at=at, server=server
    )


def _offsets(review: list[str] | None, review_offsets: str | None) -> tuple[str, ...]:
    """The review appointments from ``--review`` (repeated) or ``--review-offsets`` (listed)."""
    if review and review_offsets:
        raise UsageProblem("Give the reviews with --review or --review-offsets, not both.")
    if review:
        return tuple(review)
    return tuple((review_offsets or "P3M,P12M").split(","))


def _justifications(given: list[str] | None, minimum: int) -> dict[str, int] | None:
    """The charter's table of justification lengths: the default rule at ``minimum``, changed
    by each ``POSITION=CHARACTERS`` (None when none is given: the default rule itself)."""
    if not given:
        return None
    table = dict.fromkeys(JUSTIFIED_BY_DEFAULT, minimum)
    for item in given:
        name, equals, length = item.partition("=")
        if not equals or not length.strip().isdigit():
            raise UsageProblem(
                f"--justification takes POSITION=CHARACTERS, such as rejected=200, not {item!r}."
            )
        table[name.strip()] = int(length)
    return table


@commission_app.command("add")
def commission_add(
    pseudonym: Annotated[str, typer.Argument(help="The member's pseudonym (never a name).")],
    panel: Annotated[int, typer.Option(help="The panel the member sat on.")],
    role: Annotated[CommissionRole, typer.Option(help="Their role.")] = CommissionRole.MEMBER,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Record a member of the follow-up commission (charter or commission key).

    Example: assembly commission add P-000123 --panel 1 --role chair --key charter.key
    """
    event = model(CommissionMemberRecorded, pseudonym=pseudonym, role=role, panel=panel)
    act(
        ledger, key, lambda s, when: commands.record_member(s, event, at=when), at=at, server=server
    )


@panel_app.command("convene")
def convene(
    number: Annotated[int, typer.Argument(help="The panel's number (1 for the first).")],
    theme: Lang = None,
    seats: Annotated[int, typer.Option(help="Seats to fill by the draw.")] = 100,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Convene a panel on its theme (secretariat key).

    Panel 1's theme is the government's; a later panel's is its theme group's, and the entry
    records how that group was formed (read from the ledger).

    Example: assembly panel convene 1 --theme fr="Le logement" --theme nl="Wonen" --key sec.key
    """

    def step(session: Session, when: datetime) -> None:
        group = None
        if number > 1:
            formed = commands.theme_group(session, number)
            group = ThemeGroupRef(panel=number - 1, size=formed.size, formed_by=formed.formed_by)
        event = model(
            Convened,
            number=number,
            theme=texts("--theme", theme),
            seats=seats,
            theme_chosen_by="government" if number == 1 else "theme_group",
            theme_group=group,
        )
        commands.convene(session, event, at=when)

    act(ledger, key, step, at=at, server=server)


@panel_app.command("seat")
def seat(
    number: Annotated[int, typer.Argument(help="The panel's number.")],
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Seat the members its performed draw selected (secretariat key).

    Example: assembly panel seat 1 --key secretariat.key
    """
    act(ledger, key, lambda s, when: commands.seat(s, number, at=when), at=at, server=server)


@panel_app.command("withdraw")
def withdraw(
    number: Annotated[int, typer.Argument(help="The panel's number.")],
    pseudonym: Annotated[str, typer.Argument(help="The member who left.")],
    reason: Annotated[WithdrawalReason, typer.Option(help="Why, as a category.")],
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Record that a member withdrew (secretariat key)."""
    act(
        ledger,
        key,
        lambda s, when: commands.withdraw(s, number, pseudonym, reason, at=when),
        at=at,
        server=server,
    )


@panel_app.command("replace")
def replace(
    number: Annotated[int, typer.Argument(help="The panel's number.")],
    withdrawn: Annotated[str, typer.Argument(help="The member who withdrew.")],
    replacement: Annotated[str, typer.Argument(help="The volunteer who takes the seat.")],
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Seat a replacement for a member who withdrew (secretariat key).

    Example: assembly panel replace 1 P-000123 P-000456 --key secretariat.key
    """
    act(
        ledger,
        key,
        lambda s, when: commands.replace(s, number, withdrawn, replacement, at=when),
        at=at,
        server=server,
    )


@panel_app.command("conclude")
def conclude(
    number: Annotated[int, typer.Argument(help="The panel's number.")],
    on: Annotated[str | None, typer.Option(help="The closing date (default: today).")] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Conclude a panel's deliberation (secretariat key)."""
    closing = day(on, "--on") or today()
    act(
        ledger,
        key,
        lambda s, when: commands.conclude(s, number, closing, at=when),
        at=at,
        server=server,
    )


@evidence_app.command("add")
def evidence_add(
    file: Annotated[Path, typer.Argument(help="The document; only its SHA-256 is recorded.")],
    panel: Annotated[int, typer.Option(help="The panel it was given to.")],
    title: Annotated[str, typer.Option(help="Its title.")],
    author: Annotated[str, typer.Option(help="The expert or the organisation.")],
    url: Annotated[str, typer.Option(help="Where it is published.")],
    stakeholder: Annotated[
        bool, typer.Option("--stakeholder", help="A stakeholder's report, not an expert briefing.")
    ] = False,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Record a briefing or a stakeholder report given to a panel (secretariat key).

    Example: assembly evidence add briefing.pdf --panel 1 --title "Heat pumps"
    --author "Independent expert group" --url https://example.org/b.pdf --key secretariat.key
    """
    kind: type[BriefingPublished | ReportSubmitted] = (
        ReportSubmitted if stakeholder else BriefingPublished
    )
    event = model(
        kind, panel=panel, title=title, author=author, digest=digest_of(file), published_at=url
    )
    act(ledger, key, lambda s, when: commands.add_evidence(s, event, at=when), at=at, server=server)


@vote_app.command("session")
def session_held(
    panel: Annotated[int, typer.Option(help="The panel.")],
    number: Annotated[int, typer.Option(help="The session's number.")],
    topic: Annotated[str, typer.Option(help="What it was about.")],
    on: Annotated[str | None, typer.Option(help="Its date (default: today).")] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Record a deliberation session (secretariat key)."""
    event = model(
        SessionHeld, panel=panel, session=number, on=day(on, "--on") or today(), topic=topic
    )
    act(ledger, key, lambda s, when: commands.hold_session(s, event, at=when), at=at, server=server)


@vote_app.command("record")
def vote_record(
    panel: Annotated[int, typer.Option(help="The panel.")],
    vote: Annotated[str, typer.Option(help="The vote's id, e.g. V-12.")],
    subject: Annotated[str, typer.Option(help="What was voted on.")],
    votes_for: Annotated[int | None, typer.Option("--for", help="Votes for.")] = None,
    votes_against: Annotated[int | None, typer.Option("--against", help="Votes against.")] = None,
    abstentions: Annotated[int | None, typer.Option("--abstain", help="Abstentions.")] = None,
    percent_for: Annotated[
        str | None, typer.Option(help="The published percentage for, e.g. 98 or 1.5.")
    ] = None,
    percent_against: Annotated[
        str | None, typer.Option(help="The published percentage against.")
    ] = None,
    percent_abstain: Annotated[
        str | None, typer.Option(help="The published percentage abstaining.")
    ] = None,
    unknown: Annotated[
        bool,
        typer.Option("--result-unknown", help="Neither counts nor percentages are known."),
    ] = False,
    method: Annotated[Method, typer.Option(help="How the panel decides.")] = Method.MAJORITY,
    adopted: Annotated[
        bool | None,
        typer.Option(
            "--adopted/--not-adopted",
            help="The outcome (majority: computed from the counts or percentages if known).",
        ),
    ] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Record a vote of a panel (secretariat key).

    The result is given as counts (--for, --against, --abstain), as the published percentages
    (--percent-for, --percent-against, --percent-abstain), both, or said to be unknown
    (--result-unknown, with --adopted or --not-adopted as recorded).

    Examples: assembly vote record --panel 1 --vote V-1 --subject "Recommendation 1"
    --for 71 --against 12 --abstain 5 --key secretariat.key;
    assembly vote record --panel 1 --vote V-SD-E2 --subject SD-E2 --percent-for 98
    --percent-against 1.5 --percent-abstain 0.5 --key secretariat.key
    """
    counted = votes_for is not None or votes_against is not None
    if counted and (votes_for is None or votes_against is None):
        raise UsageProblem("Give both --for and --against (and --abstain), or neither.")
    given = counted or percent_for is not None or percent_against is not None
    if given == unknown:
        raise UsageProblem(
            "Give the result as counts (--for, --against) or percentages (--percent-for, "
            "--percent-against), or say --result-unknown: one of them, not both."
        )
    if unknown and adopted is None:
        raise UsageProblem("With --result-unknown, say --adopted or --not-adopted as recorded.")
    event = model(
        VoteHeld,
        panel=panel,
        vote=vote,
        subject=subject,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=(abstentions or 0) if counted else None,
        percent_for=percent_for,
        percent_against=percent_against,
        percent_abstaining=percent_abstain,
        method=method,
        adopted=adopted
        if adopted is not None
        else _carried(votes_for, votes_against, percent_for, percent_against),
    )
    act(ledger, key, lambda s, when: commands.record_vote(s, event, at=when), at=at, server=server)


def _carried(
    votes_for: int | None,
    votes_against: int | None,
    percent_for: str | None,
    percent_against: str | None,
) -> bool:
    """Whether a majority carried the vote, by the counts if known, else the percentages."""
    if votes_for is not None and votes_against is not None:
        return votes_for > votes_against
    try:
        return Decimal(percent_for or "0") > Decimal(percent_against or "0")
    except InvalidOperation:
        return False  # the payload's own check says what a percentage looks like
