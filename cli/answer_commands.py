"""Write commands about recommendations: adoption and hand-over (secretariat), answers,
implementation, transfers and deadline suspensions (government), review meetings
(secretariat), verdicts (commission) and corrections (any role, of its own entries)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.answer_languages import ORDER, answer_texts, in_languages, noted, tagged
from cli.bulk import import_answers
from cli.errors import UsageProblem
from cli.options import DEFAULT_LEDGER, KeyOption, LedgerOption
from cli.remote import ServerOption
from cli.writing import AtOption, act, day, digest_of, files, model, read_text, texts, today
from domain import commands
from domain.correction import MeetingHeld
from domain.errors import NotAllowed, NotFound
from domain.government import (
    Assessed,
    Implementation,
    ImplementationReported,
    ResponsibilityTransferred,
    Verdict,
)
from domain.groups import GroupDefined
from domain.process import Session
from domain.recommendation import Adopted
from domain.responses import Position, Responded

recommend_app = typer.Typer(help="Adopt recommendations and hand them over.", no_args_is_help=True)
deadline_app = typer.Typer(help="Suspend and resume the review deadlines.", no_args_is_help=True)
review_app = typer.Typer(help="The review appointments.", no_args_is_help=True)

Rec = Annotated[
    str,
    typer.Argument(help="The recommendation: PANEL/NUMBER (e.g. 1/12) or its reference (SD-E2)."),
]
Lang = Annotated[list[str] | None, typer.Option(help="LANG=TEXT, once per language.")]


def register(app: typer.Typer) -> None:
    app.add_typer(recommend_app, name="recommend", rich_help_panel="Secretariat")
    app.command("respond", rich_help_panel="Government")(respond)
    app.command("implement", rich_help_panel="Government")(implement)
    app.add_typer(deadline_app, name="deadline", rich_help_panel="Government")
    app.command("transfer", rich_help_panel="Government")(transfer)
    app.add_typer(review_app, name="review", rich_help_panel="Secretariat")
    app.command("assess", rich_help_panel="Commission")(assess)
    app.command("correct", rich_help_panel="Any office")(correct)


def _reference(session: Session, text: str) -> tuple[int, int]:
    """The recommendation the command line names, PANEL/NUMBER or the assembly's own reference
    (``commands.named``); one it cannot name is a usage error."""
    try:
        return commands.named(session, text)
    except (NotFound, NotAllowed) as error:
        raise UsageProblem(error.sentence()) from None


@recommend_app.command("adopt")
def adopt(
    panel: Annotated[int, typer.Option(help="The panel that adopted it.")],
    portfolio: Annotated[str, typer.Option(help="The competent portfolio, e.g. climate.")],
    vote: Annotated[str, typer.Option(help="The id of the vote that adopted it.")],
    number: Annotated[
        int | None,
        typer.Option(help="Its number, unique within the panel (default: the panel's next)."),
    ] = None,
    reference: Annotated[
        str | None, typer.Option(help="The assembly's own reference, e.g. SD-E2.")
    ] = None,
    group: Annotated[
        str | None, typer.Option(help="The code of the group it belongs to, e.g. sd11.")
    ] = None,
    title: Lang = None,
    text: Lang = None,
    text_file: Annotated[
        list[str] | None,
        typer.Option(help="LANG=FILE: the text from a UTF-8 file (paragraphs kept)."),
    ] = None,
    supporting: Lang = None,
    shared_with: Annotated[
        list[str] | None,
        typer.Option(help="Another portfolio that may answer it too (repeat for each)."),
    ] = None,
    priority: Annotated[str, typer.Option(help="high, medium or low.")] = "medium",
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Record a recommendation the panel adopted (secretariat key).

    A recommendation without a title of its own is shown by its reference and first words.
    Paragraphs of the text are separated by a blank line.

    Example: assembly recommend adopt --panel 1 --number 12 --portfolio housing --vote V-12
    --title fr="Rénover" --text fr="..." --title nl="Renoveren" --text nl="..." --key sec.key;
    assembly recommend adopt --panel 1 --reference SD-E2 --group sd11 --portfolio logement
    --shared-with transition-ecologique --vote V-SD-E2 --text-file fr=sd-e2.txt --key sec.key
    """
    written = {**texts("--text", text), **files("--text-file", text_file)}
    fields = {
        "panel": panel,
        "title": texts("--title", title),
        "text": written,
        "priority": priority,
        "portfolio": portfolio,
        "vote": vote,
        "reference": reference,
        "group": group,
        "supporting": texts("--supporting", supporting),
        "shared_with": tuple(shared_with or ()),
    }
    if number is not None:
        model(Adopted, number=number, **fields)  # a bad option is refused before the ledger opens

    def step(session: Session, when: datetime) -> None:
        given = number or max(commands.adopted_numbers(session, panel), default=0) + 1
        commands.adopt(session, model(Adopted, number=given, **fields), at=when)

    act(ledger, key, step, at=at, server=server)


@recommend_app.command("group")
def group_command(
    code: Annotated[str, typer.Option(help="The group's code, e.g. sd11.")],
    level: Annotated[str, typer.Option(help="The word for its level: objective, goal, theme.")],
    title: Lang = None,
    parent: Annotated[
        str | None, typer.Option(help="The code of the group above it, defined first.")
    ] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Define a group of recommendations, such as an objective, with its title (secretariat key).

    Example: assembly recommend group --code sd11 --level objective
    --title fr="Limiter les effets néfastes du transport aérien" --key secretariat.key
    """
    event = model(
        GroupDefined, code=code, level=level, title=texts("--title", title), parent=parent
    )
    act(ledger, key, lambda s, when: commands.define_group(s, event, at=when), at=at, server=server)


@recommend_app.command("hand-over")
def hand_over(
    panel: Annotated[int, typer.Option(help="The panel.")],
    number: Annotated[
        list[int] | None, typer.Option(help="A recommendation number (default: all of them).")
    ] = None,
    on: Annotated[str | None, typer.Option(help="Hand-over date (default: today).")] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Hand recommendations to the government: both review clocks start (secretariat key).

    Example: assembly recommend hand-over --panel 1 --on 2026-03-01 --key secretariat.key
    """
    date = day(on, "--on") or today()

    def step(session: Session, when: datetime) -> None:
        numbers = number or commands.adopted_numbers(session, panel)
        if not numbers:
            raise UsageProblem(f"Panel {panel} has adopted no recommendation yet.")
        for each in numbers:
            commands.hand_over(session, panel, each, date, at=when)

    act(ledger, key, step, at=at, server=server)


def respond(
    ctx: typer.Context,
    recommendation: Annotated[str | None, typer.Argument(help="PANEL/NUMBER (e.g. 1/12).")] = None,
    position: Annotated[Position | None, typer.Option(help="The government's position.")] = None,
    portfolio: Annotated[str | None, typer.Option(help="The responsible portfolio.")] = None,
    review: Annotated[
        int, typer.Option(min=1, help="The review appointment: 1 for the charter's first, 2...")
    ] = 1,
    justification: Annotated[
        list[str] | None,
        typer.Option(
            help="Why (refusals: in detail); LANG=TEXT once per language, or TEXT.", callback=noted
        ),
    ] = None,
    justification_file: Annotated[
        list[str] | None,
        typer.Option(
            help="The justification from a UTF-8 file: LANG=FILE per language, or FILE.",
            callback=noted,
        ),
    ] = None,
    planned_measures: Annotated[
        list[str] | None,
        typer.Option(help="What will be done; LANG=TEXT once per language, or TEXT."),
    ] = None,
    decision_date: Annotated[str | None, typer.Option(help="under_study: decided by.")] = None,
    referred_to: Annotated[str | None, typer.Option(help="not_competent: referred to.")] = None,
    evidence: Annotated[
        Path | None, typer.Option(help="already_in_place: the evidence document (hashed).")
    ] = None,
    csv: Annotated[
        Path | None,
        typer.Option("--csv", help="Import many answers from a CSV or .xlsx file."),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="With --csv FILE.xlsx: the sheet to read.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="With --csv: check every row, write nothing.")
    ] = False,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Record the government's answer to a recommendation (government key).

    rejected and accepted_in_part need a detailed justification; under_study a decision date;
    not_competent whom it was referred to; already_in_place the evidence. With --csv, every row
    is checked and the file is written all or nothing (with --server, as one submission); the
    file is a CSV as spreadsheets write it (comma or semicolon, UTF-8 or Windows-1252) or an
    .xlsx workbook (its first sheet, or --sheet), with headers in English, French or Dutch.

    Texts may name their language (fr=...): the first justification given (inline or from a
    file; else the first planned measures) is the original, which the minimum length is
    measured on; the others are its translations. A text without LANG= has no recorded
    language.

    Examples: assembly respond 1/12 --position rejected --portfolio housing
    --justification-file why.txt --key minister.key;
    assembly respond 1/12 --position rejected --portfolio housing
    --justification-file fr=pourquoi.txt --justification nl="..." --key minister.key;
    assembly respond --csv answers.csv --dry-run --key minister.key
    """
    if csv is not None:
        if recommendation is not None or position is not None:
            raise UsageProblem("Give a recommendation and its answer, or --csv, not both.")
        import_answers(ledger, key, csv, dry_run=dry_run, at=at, server=server, sheet=sheet)
        return
    if recommendation is None or position is None or portfolio is None:
        raise UsageProblem("Give the recommendation, --position and --portfolio (or --csv FILE).")
    order = ctx.meta.get(ORDER, [])
    written = answer_texts(justification, justification_file, planned_measures, order=order)
    fields = {
        "review": review,
        "position": position,
        "justification": written.original.get("justification", ""),
        "planned_measures": written.original.get("planned_measures", ""),
        "language": written.language,
        "translations": written.translations,
        "portfolio": portfolio,
        "decision_date": day(decision_date, "--decision-date"),
        "referred_to": referred_to,
        "evidence_digest": digest_of(evidence) if evidence else None,
    }
    named = recommendation

    def step(session: Session, when: datetime) -> None:
        panel, number = _reference(session, named)
        answer = model(Responded, panel=panel, number=number, **fields)
        commands.respond(session, answer, at=when)

    act(ledger, key, step, at=at, server=server)


def implement(
    recommendation: Rec,
    status: Annotated[Implementation, typer.Option(help="Where implementation stands.")],
    progress: Annotated[
        int | None, typer.Option(help="Percent done, 0-100 (default: unknown, not 0).")
    ] = None,
    milestone: Annotated[str, typer.Option(help="The milestone reached or next.")] = "",
    justification: Annotated[str | None, typer.Option(help="Why (modified, abandoned).")] = None,
    justification_file: Annotated[Path | None, typer.Option(help="The same, from a file.")] = None,
    evidence: Annotated[Path | None, typer.Option(help="A document showing it (hashed).")] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Report on implementation, once accepted (government key).

    Example: assembly implement 1/12 --status in_progress --progress 40
    --milestone "Call for projects published" --key minister.key
    """
    fields = {
        "status": status,
        "progress": progress,
        "milestone": milestone,
        "justification": read_text(justification, justification_file, "--justification"),
        "evidence_digest": digest_of(evidence) if evidence else None,
    }

    def step(session: Session, when: datetime) -> None:
        panel, number = _reference(session, recommendation)
        event = model(ImplementationReported, panel=panel, number=number, **fields)
        commands.report(session, event, at=when)

    act(ledger, key, step, at=at, server=server)


@deadline_app.command("suspend")
def suspend(
    since: Annotated[str, typer.Option(help="The first day the clocks stand still.")],
    reason: Annotated[str, typer.Option(help="Why (e.g. regional elections).")],
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Suspend the review deadlines (government key); suspensions never overlap.

    Example: assembly deadline suspend --since 2024-06-09 --reason "Regional elections"
    """
    start = day(since, "--since")
    assert start is not None
    act(
        ledger,
        key,
        lambda s, when: commands.suspend(s, start, reason, at=when),
        at=at,
        server=server,
    )


@deadline_app.command("resume")
def resume(
    on: Annotated[str, typer.Option(help="The day the clocks run again.")],
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Resume the review deadlines (government key)."""
    end = day(on, "--on")
    assert end is not None
    act(ledger, key, lambda s, when: commands.resume(s, end, at=when), at=at, server=server)


def transfer(
    recommendation: Rec,
    to: Annotated[str, typer.Option("--to", help="The portfolio taking it over.")],
    reason: Annotated[str, typer.Option(help="Why (a new government, a reshuffle).")],
    from_: Annotated[
        str | None, typer.Option("--from", help="The portfolio giving it up (default: current).")
    ] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Transfer responsibility for a recommendation to another portfolio (government key)."""

    def step(session: Session, when: datetime) -> None:
        panel, number = _reference(session, recommendation)
        current = from_ or commands.recommendation(session, panel, number).portfolio
        event = model(
            ResponsibilityTransferred,
            panel=panel,
            number=number,
            from_portfolio=current,
            to_portfolio=to,
            reason=reason,
        )
        commands.transfer(session, event, at=when)

    act(ledger, key, step, at=at, server=server)


@review_app.command("held")
def review_held(
    panel: Annotated[int, typer.Option(help="The panel whose recommendations were reviewed.")],
    review: Annotated[
        int, typer.Option(min=1, help="The review appointment: 1 for the charter's first, 2...")
    ],
    on: Annotated[str | None, typer.Option(help="The meeting's date (default: today).")] = None,
    minutes: Annotated[Path | None, typer.Option(help="The minutes (hashed).")] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Record a review meeting (secretariat key)."""
    event = model(
        MeetingHeld,
        panel=panel,
        review=review,
        on=day(on, "--on") or today(),
        minutes_digest=digest_of(minutes) if minutes else None,
    )
    act(ledger, key, lambda s, when: commands.hold_review(s, event, at=when), at=at, server=server)


def assess(
    recommendation: Rec,
    verdict: Annotated[Verdict, typer.Option(help="The commission's verdict.")],
    reasons: Annotated[
        list[str] | None,
        typer.Option(help="Why (required to dispute); LANG=TEXT once per language, or TEXT."),
    ] = None,
    score: Annotated[
        str | None, typer.Option(help="Optional score out of 10, one decimal at most (2.8).")
    ] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Record the commission's verdict on what the government did (commission key).

    The reasons may name their language (fr=...): the first given is the original, the others
    its translations.

    Example: assembly assess 1/12 --verdict disputes --reasons "No budget line" --key com.key;
    assembly assess 1/12 --verdict disputes --reasons fr="Aucun budget" --reasons nl="Geen
    budget" --key com.key
    """
    written = in_languages({"reasons": tagged(reasons)})
    fields = {
        "verdict": verdict,
        "reasons": written.original.get("reasons", ""),
        "score": score,
        "language": written.language,
        "translations": {code: texts["reasons"] for code, texts in written.translations.items()},
    }

    def step(session: Session, when: datetime) -> None:
        panel, number = _reference(session, recommendation)
        event = model(Assessed, panel=panel, number=number, **fields)
        commands.assess(session, event, at=when)

    act(ledger, key, step, at=at, server=server)


def correct(
    seq: Annotated[int, typer.Argument(min=0, help="The entry this erratum supersedes.")],
    reason: Annotated[str, typer.Option(help="What was wrong.")],
    replacement: Annotated[
        Path | None, typer.Option(help="A JSON file with the corrected payload.")
    ] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Supersede an earlier entry with an erratum (the role that wrote it, or the charter key).

    Nothing is edited or deleted: the correction is a new signed entry naming the old one.

    Example: assembly correct 42 --reason "Wrong portfolio" --replacement fixed.json
    """
    payload: dict[str, Any] | None = None
    if replacement is not None:
        try:
            payload = json.loads(replacement.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageProblem(f"Cannot read the replacement {replacement}: {exc}.") from None
        if not isinstance(payload, dict):
            raise UsageProblem(f"The replacement {replacement} must be a JSON object.")
    act(
        ledger,
        key,
        lambda s, when: commands.correct(s, seq, reason=reason, replacement=payload, at=when),
        at=at,
        server=server,
    )
