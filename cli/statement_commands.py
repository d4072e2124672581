"""``assembly respond-jointly``: one statement of the government answering several
recommendations, signed once, with one answer per recommendation in the same append.

A clerk names the statement, gives its text (per language), who gave it and where it was
published, the recommendations it covers and the position it takes on them; the few it answers
otherwise (a refusal with its own quoted reason, a postponement) come from a CSV file in the
format of ``assembly respond --csv`` (``cli.bulk``), whose rows replace the common position.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from cli.bulk import BulkRefused, read_answers
from cli.errors import UsageProblem
from cli.options import DEFAULT_LEDGER, KeyOption, LedgerOption
from cli.remote import ServerOption
from cli.writing import AtOption, act, files, model, texts
from domain import commands
from domain.errors import NotAllowed, NotFound
from domain.process import Session
from domain.responses import Position, Responded
from domain.statement import Statement, StatementGiven, statement_stream


def register(app: typer.Typer) -> None:
    app.command("respond-jointly", rich_help_panel="Government")(respond_jointly)


def respond_jointly(
    statement_id: Annotated[
        str, typer.Option("--id", help="The statement's id, e.g. fr-2020-06-29 (letters, digits).")
    ],
    by: Annotated[
        str, typer.Option(help="The office that gave it, e.g. 'Présidence de la République'.")
    ],
    covers: Annotated[
        list[str] | None,
        typer.Option(
            help="The recommendations it answers at --position: PANEL/NUMBER or references "
            "(SD-E2), comma-separated or repeated."
        ),
    ] = None,
    position: Annotated[
        Position, typer.Option(help="The position it takes on the recommendations of --covers.")
    ] = Position.ACCEPTED,
    text: Annotated[
        list[str] | None, typer.Option(help="LANG=TEXT: the statement, once per language.")
    ] = None,
    text_file: Annotated[
        list[str] | None, typer.Option(help="LANG=FILE: the statement from a UTF-8 file.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Where it was published (a URL).")] = None,
    answers: Annotated[
        Path | None,
        typer.Option(
            help="A CSV file in the format of `respond --csv`: recommendations it answers "
            "otherwise (their own position and justification); they are covered too."
        ),
    ] = None,
    review: Annotated[
        int, typer.Option(min=1, help="The review appointment: 1 for the charter's first, 2...")
    ] = 1,
    ledger: LedgerOption = DEFAULT_LEDGER,
    key: KeyOption = None,
    at: AtOption = None,
    server: ServerOption = None,
) -> None:
    """Record one statement answering several recommendations (government key).

    The statement is signed once; each recommendation it covers gets its own answer naming it,
    in the same append. An answer with no justification of its own is justified by the
    statement's text. --at is the day it was given.

    Example: assembly respond-jointly --id fr-2020-06-29 --by "Présidence de la République"
    --text-file fr=discours.txt --source https://www.elysee.fr/... --covers 1/1,1/2,1/3
    --position accepted --answers refusals.csv --at 2020-06-29 --key government.key
    """
    statement_text = {**texts("--text", text), **files("--text-file", text_file)}
    named = [item.strip() for given in covers or () for item in given.split(",") if item.strip()]
    if not named and answers is None:
        raise UsageProblem("Name the recommendations it covers with --covers (or --answers).")

    def step(session: Session, when: datetime) -> None:
        session.get(Statement, statement_stream(statement_id))  # appended first: it is answered
        own = _own_answers(session, answers)
        otherwise: dict[tuple[int, int], Responded] = {}
        for each in own:
            if each.statement not in (None, statement_id):
                raise UsageProblem(
                    f"{answers}: the answer to {each.panel}/{each.number} names statement "
                    f"{each.statement}, not {statement_id}."
                )
            otherwise[(each.panel, each.number)] = each.model_copy(
                update={"statement": statement_id}
            )
        keys = set(otherwise)
        for name in named:
            try:
                keys.add(commands.named(session, name))
            except (NotFound, NotAllowed) as error:
                raise UsageProblem(error.sentence()) from None
        given: list[Responded] = []
        for panel, number in sorted(keys):  # in order, whatever order they were named in
            found = commands.recommendation(session, panel, number)
            common = {
                "panel": panel,
                "number": number,
                "review": review,
                "position": position,
                "portfolio": found.portfolio,
                "statement": statement_id,
            }
            given.append(otherwise.get((panel, number)) or model(Responded, **common))
        covered = tuple(f"{each.panel}/{each.number}" for each in given)
        statement = model(
            StatementGiven,
            id=statement_id,
            text=statement_text,
            on=when.date(),
            by=by,
            source=source,
            covers=covered,
        )
        commands.answer_jointly(session, statement, given, at=when)

    act(ledger, key, step, at=at, server=server)


def _own_answers(session: Session, path: Path | None) -> list[Responded]:
    """The answers of the ``--answers`` file, its rows naming recommendations as the bulk file
    does (``PANEL/NUMBER`` or the assembly's own reference); a bad row refuses the statement."""
    if path is None:
        return []
    rows, problems = read_answers(path, commands.references(session))
    if problems:
        raise BulkRefused(path, problems)
    return [row.answer for row in rows]
