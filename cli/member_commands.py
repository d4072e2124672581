"""``assembly panel members N`` and ``assembly commission members``: who sits on a panel and on
the follow-up commission, folded from the panel's own stream (``panel/N``) and the charter's
(``assembly``). Pseudonyms only: names stay with the secretariat, off the ledger."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Annotated, Any

import typer

from cli.assembly_commands import commission_app, panel_app
from cli.context import open_ledger
from cli.errors import UsageProblem
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.read_render import ReadFormat, ReadFormatOption, print_rows
from cli.render import stdout
from cli.store import LedgerStore
from domain.charter import ASSEMBLY, CommissionMemberRecorded
from domain.events import Recorded
from domain.panel import Convened, MemberReplaced, MemberWithdrew, Seated, panel_stream

SEATS = ("pseudonym", "status", "seq", "withdrawal_reason", "replaces", "replaced_by")
COMMISSION = ("pseudonym", "role", "panel", "seq")


def register() -> None:
    """Add the listings to ``assembly panel`` and ``assembly commission``."""
    panel_app.command("members")(panel_members)
    commission_app.command("members")(commission_members)
    commission_app.command("list", hidden=True)(commission_members)  # the issue's own words


def panel_members(
    number: Annotated[
        int | None, typer.Argument(min=1, help="The panel's number (or give --panel).")
    ] = None,
    panel: Annotated[int | None, typer.Option(min=1, help="The panel's number.")] = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    output: ReadFormatOption = ReadFormat.table,
) -> None:
    """The pseudonyms a panel's draw seated, and those who replaced a member: seated now or
    withdrawn, with the entry that made them so.

    Example: assembly panel members 1 --format csv
    """
    if (number is None) == (panel is None):
        raise UsageProblem("Name one panel: assembly panel members 1 (or --panel 1).")
    asked = number if number is not None else panel
    assert asked is not None
    convened, rows = seats(read_stream(ledger, panel_stream(asked)))
    if convened is None:
        raise UsageProblem(f"Panel {asked} has not been convened.")
    if not rows and output is ReadFormat.table:
        stdout.print(
            f"Panel {asked} ({convened.seats} seats) is not seated yet: `assembly panel seat "
            f"{asked}` seats the members its performed draw selected."
        )
        return
    seated = sum(row["status"] == "seated" for row in rows)
    title = f"Panel {asked}: {seated} of {convened.seats} seats filled"
    print_rows(title, SEATS, rows, output)


def commission_members(
    ledger: LedgerOption = DEFAULT_LEDGER, output: ReadFormatOption = ReadFormat.table
) -> None:
    """The follow-up commission's members: pseudonym, role and the panel each sat on.

    Example: assembly commission members --format json
    """
    rows = members(read_stream(ledger, ASSEMBLY))
    if not rows and output is ReadFormat.table:
        stdout.print("The commission has no members yet: `assembly commission add` names them.")
        return
    counted = f"{len(rows)} member{'' if len(rows) == 1 else 's'}"
    print_rows(f"The follow-up commission: {counted}", COMMISSION, rows, output)


def read_stream(ledger: str, stream: uuid.UUID) -> list[Recorded]:
    """The events of one stream, decoded, in seq order."""
    book = open_ledger(ledger)
    try:
        return LedgerStore(book, None).load(stream)
    finally:
        book.close()


def seats(events: Iterable[Recorded]) -> tuple[Convened | None, list[dict[str, Any]]]:
    """Fold a panel's stream: its convening, and one row per pseudonym ever seated on it (in the
    order seated), with the seq of the entry that last changed it."""
    convened: Convened | None = None
    rows: dict[str, dict[str, Any]] = {}
    for found in events:
        event = found.event
        if isinstance(event, Convened):
            convened = event
        elif isinstance(event, Seated):
            for pseudonym in event.members:
                rows[pseudonym] = _seat(pseudonym, found.seq)
        elif isinstance(event, MemberWithdrew):
            row = rows[event.pseudonym]
            row.update(status="withdrew", seq=found.seq, withdrawal_reason=event.reason.value)
        elif isinstance(event, MemberReplaced):
            rows[event.withdrawn]["replaced_by"] = event.replacement
            rows[event.replacement] = {
                **_seat(event.replacement, found.seq),
                "replaces": event.withdrawn,
            }
    return convened, list(rows.values())


def members(events: Iterable[Recorded]) -> list[dict[str, Any]]:
    """Fold the charter's stream into the commission's members, in the order recorded."""
    return [
        {
            "pseudonym": found.event.pseudonym,
            "role": found.event.role.value,
            "panel": found.event.panel,
            "seq": found.seq,
        }
        for found in events
        if isinstance(found.event, CommissionMemberRecorded)
    ]


def _seat(pseudonym: str, seq: int) -> dict[str, Any]:
    return {
        "pseudonym": pseudonym,
        "status": "seated",
        "seq": seq,
        "withdrawal_reason": None,
        "replaces": None,
        "replaced_by": None,
    }
