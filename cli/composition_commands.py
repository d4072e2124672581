"""``assembly composition``: a panel's quotas against who was drawn, the pool and the population.

Read from the panel's own streams (``projections.composition``), as of now, a date or a seq.
People read shares as percentages; json and csv give them as whole millionths (``*_ppm``), the
unit the ledger records them in.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

import typer

from cli.context import open_ledger
from cli.errors import UsageProblem
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.read_commands import AsOfOption, AtSeqOption
from cli.read_render import ReadFormat, ReadFormatOption, print_rows
from cli.writing import day
from projections.composition import (
    PPM,
    Composition,
    Hidden,
    StratumRow,
    read_composition,
    seated_now,
    strata,
)
from projections.names import Names, names_in

FOR_PEOPLE = (
    "feature", "value", "min", "max", "drawn", "drawn_share", "seated",
    "pool", "pool_share", "population_share",
)  # fmt: skip
FOR_MACHINES = (
    "feature", "value", "feature_labels", "value_labels", "min", "max", "drawn", "drawn_ppm",
    "seated", "pool", "pool_ppm", "population_ppm",
)  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add the composition command to ``app``, in the help panel of the read commands."""
    app.command("composition", rich_help_panel="Read")(composition)


def composition(
    panel: Annotated[int, typer.Argument(min=1, help="The panel's number.")],
    as_of: AsOfOption = None,
    at_seq: AtSeqOption = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    output: ReadFormatOption = ReadFormat.table,
) -> None:
    """A panel's composition: per stratum, the quota (min, max) its draw was announced with, the
    members drawn and seated, the volunteer pool's count and share (small cells suppressed) and
    the population share (unknown when the quota file did not give it).

    Example: assembly composition 1 --as-of 2026-03-31 --format csv
    """
    day_asked = day(as_of, "--as-of")
    until = None
    if day_asked is not None:
        until = datetime.combine(day_asked + timedelta(days=1), time(), tzinfo=UTC)
    book = open_ledger(ledger)
    try:
        state = read_composition(book, panel, at_seq=at_seq, until=until)
        names = names_in(book, up_to=at_seq, until=until)
    finally:
        book.close()
    point = _point(day_asked, at_seq)
    if state.convened is None:
        raise UsageProblem(f"Panel {panel} has not been convened{point}.")
    people = output in (ReadFormat.table, ReadFormat.md)
    rows = [_row(row, names, people=people) for row in strata(state)]
    print_rows(_title(state, point), FOR_PEOPLE if people else FOR_MACHINES, rows, output)


def _point(day_asked: date | None, at_seq: int | None) -> str:
    """The point asked for, as the end of a sentence (empty: now)."""
    parts = []
    if at_seq is not None:
        parts.append(f"entry {at_seq}")
    if day_asked is not None:
        parts.append(f"the end of {day_asked} (UTC)")
    return f" as of {' and '.join(parts)}" if parts else ""


def _title(state: Composition, point: str) -> str:
    seats = state.convened.seats if state.convened else 0
    title = f"Panel {state.panel}: composition{point}, {seats} seats"
    if state.pool is None:
        return f"{title}; the pool is not closed yet"
    title += f"; a pool of {state.pool.pool_size} (cells under {state.pool.suppressed_below} "
    title += "suppressed)"
    if state.performed is None:
        return f"{title}; not drawn yet"
    seated = seated_now(state)
    if seated is None:
        return f"{title}; drawn, not seated yet"
    return (
        f"{title}; {seated} seated now ({state.withdrawals} withdrew, "
        f"{state.replacements} replaced)"
    )


def _row(row: StratumRow, names: Names, *, people: bool) -> dict[str, Any]:
    """People read a named stratum and value by their labels in the charter's first language,
    the code beside them; json and csv keep the codes and give every label by language."""
    named: dict[str, Any]
    if people:
        lang = names.first_language
        named = {
            "feature": _named(names.stratum(row.feature, None, lang), row.feature),
            "value": _named(names.stratum(row.feature, row.value, lang), row.value),
        }
    else:
        named = {
            "feature": row.feature,
            "value": row.value,
            "feature_labels": names.stratum_labels(row.feature, None),
            "value_labels": names.stratum_labels(row.feature, row.value),
        }
    counts = {
        **named,
        "min": row.min,
        "max": row.max,
        "drawn": row.drawn,
        "seated": row.seated,
        "pool": row.pool,
    }
    shares = {"drawn": row.drawn_ppm, "pool": row.pool_ppm, "population": row.population_ppm}
    if people:
        return {**counts, **{f"{name}_share": _percent(ppm) for name, ppm in shares.items()}}
    return {**counts, **{f"{name}_ppm": ppm for name, ppm in shares.items()}}


def _named(label: str, code: str) -> str:
    """A label with its code beside it ("Âge (age_band)"), or the code alone when unnamed."""
    return code if label == code else f"{label} ({code})"


def _percent(ppm: int | Hidden | None) -> str | None:
    """Millionths as a percentage with one decimal (12.5%); a hidden share as its reason."""
    if ppm is None or isinstance(ppm, Hidden):
        return ppm
    tenths = (ppm + PPM // 2000) // (PPM // 1000)
    return f"{tenths // 10}.{tenths % 10}%"
