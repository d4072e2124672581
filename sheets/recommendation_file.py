"""The secretariat's adoption of a panel's recommendations, and their hand-over, as a bulk file
(``assembly import recommendations``): one recommendation per row.

Columns: ``panel``, ``number``, ``portfolio`` (the lead portfolio's code), ``vote`` (the id of
the vote that adopted it) and its text in one language at least (``text_LANG``, such as
``text_fr``); and if wanted ``title_LANG`` and ``supporting_LANG`` (its title and supporting
statement in language LANG), ``reference`` (the assembly's own, ``SD-E2``), ``group`` (the code
of a group defined beforehand), ``priority`` (high, medium or low; empty: medium),
``shared_with`` (other portfolios that may answer it, separated by commas), ``date`` (the day
it was adopted; empty: the command's ``--at``, or now) and ``handed_over`` (the day it was handed
to the government; empty: not yet). A row is unchanged when the ledger holds the same adoption
(in the columns the file has) and, if it gives one, the same hand-over; one that says
otherwise about an adopted recommendation is refused (an error is fixed with
``assembly correct``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from domain import commands
from domain.errors import AlreadyDone
from domain.recommendation import Adopted, HandedOver, Recommendation, recommendation_stream
from sheets.cells import Cell, as_day
from sheets.rows import (
    Columns,
    Item,
    Kind,
    KindFile,
    Ledgered,
    References,
    Source,
    Table,
    day_text,
    moment,
    read_kind,
    text_of,
)

COLUMNS = ("panel", "number", "portfolio", "vote")
OPTIONAL = ("reference", "group", "priority", "shared_with", "date", "handed_over")
TEXTS = ("title", "text", "supporting")
PRIORITIES = ("high", "medium", "low")
ALIASES = {
    "panel": ("panel citoyen", "burgerpanel"),
    "number": ("numéro", "nummer"),
    "portfolio": ("portefeuille",),
    "vote": ("scrutin", "stemming"),
    "reference": ("référence", "referentie"),
    "group": ("groupe", "groep"),
    "priority": ("priorité", "prioriteit"),
    "shared_with": ("partagée avec", "gedeeld met"),
    "date": ("date d'adoption", "datum", "aangenomen op"),
    "handed_over": ("remise", "remise le", "overgedragen", "overgedragen op"),
    "title": ("titre", "titel"),
    "text": ("texte", "tekst"),
    "supporting": ("argumentaire", "toelichting"),
}
SEPARATED = re.compile(r"[,;\s]+")


def _read(path: Path, references: References, sheet: str | None) -> KindFile:
    return read_kind(path, RECOMMENDATIONS, _parse, references, sheet=sheet, required_text="text")


def _parse(cells: Mapping[str, Cell], columns: Columns) -> Item:
    data: dict[str, Any] = {
        name: text_of(cells, name).strip() for name in ("panel", "number", "portfolio", "vote")
    }
    for name in TEXTS:
        written = {
            code: text_of(cells, f"{name}_{code}") for code in columns.languages.get(name, ())
        }
        data[name] = {code: text for code, text in written.items() if text.strip()}
    for name in ("reference", "group"):
        data[name] = text_of(cells, name).strip() or None
    data["priority"] = text_of(cells, "priority").strip() or "medium"
    data["shared_with"] = tuple(
        code for code in SEPARATED.split(text_of(cells, "shared_with")) if code
    )
    on = as_day(cells.get("date"), "date")
    handed = as_day(cells.get("handed_over"), "handed_over")
    adopted = Adopted.model_validate(data)
    label = f"{adopted.panel}/{adopted.number}"

    def step(ledger: Ledgered, at: datetime) -> int:
        session = ledger.session
        found = session.get(Recommendation, recommendation_stream(adopted.panel, adopted.number))
        written = 0
        if found.adopted is None:
            commands.adopt(session, adopted, at=at)
            written += 1
        else:
            _check_same(found.adopted, adopted, columns)
        if handed is not None and found.handed_over != handed:
            commands.hand_over(
                session, adopted.panel, adopted.number, handed, at=moment(handed, at)
            )
            written += 1
        return written

    return Item(
        0,
        ("recommendation", adopted.panel, adopted.number),
        f"recommendation {label}",
        label,
        (adopted.model_dump_json(), on, handed),
        on,
        step,
    )


def _check_same(recorded: Adopted, row: Adopted, columns: Columns) -> None:
    """Raise unless a row says what the adoption on the ledger says, in the columns the file
    has (texts in languages it has no column for are the ledger's)."""
    update: dict[str, Any] = {
        name: getattr(recorded, name)
        for name in ("reference", "group", "priority", "shared_with")
        if name not in columns.present
    }
    for name in TEXTS:
        codes = columns.languages.get(name, ())
        kept = {code: text for code, text in getattr(recorded, name).items() if code not in codes}
        update[name] = {**kept, **getattr(row, name)}
    merged = row.model_copy(update=update)
    differ = [
        name for name in Adopted.model_fields if getattr(merged, name) != getattr(recorded, name)
    ]
    if differ:
        raise AlreadyDone(
            f"Recommendation {row.panel}/{row.number} is already adopted with another "
            f"{', '.join(differ)}: an error in it is fixed with `assembly correct`."
        )


def _export(source: Source, panel: int | None) -> Table:
    found: list[tuple[Adopted, date, date | None]] = []
    for status in sorted(source.state.recommendations.values(), key=lambda rec: rec.key):
        if (panel is None or status.panel == panel) and status.key in source.adoptions:
            adopted = source.adoptions[status.key]
            found.append((adopted, status.adopted.at.astimezone(UTC).date(), status.handed_over))
    codes = sorted(
        {code for adopted, _, _ in found for name in TEXTS for code in getattr(adopted, name)}
    )
    header = (*COLUMNS, *OPTIONAL, *(f"{name}_{code}" for name in TEXTS for code in codes))
    rows = []
    for adopted, on, handed in found:
        row = {
            "panel": str(adopted.panel),
            "number": str(adopted.number),
            "portfolio": adopted.portfolio,
            "vote": adopted.vote,
            "reference": adopted.reference or "",
            "group": adopted.group or "",
            "priority": adopted.priority,
            "shared_with": ",".join(adopted.shared_with),
            "date": day_text(on),
            "handed_over": day_text(handed),
        }
        for name in TEXTS:
            texts = getattr(adopted, name)
            row.update({f"{name}_{code}": texts.get(code, "") for code in codes})
        rows.append(row)
    return header, rows


RECOMMENDATIONS = Kind(
    name="recommendations",
    columns=COLUMNS,
    optional=OPTIONAL,
    aliases=ALIASES,
    choices={"priority": PRIORITIES},
    translated=TEXTS,
    dates=("date", "handed_over"),
    noun="adoption(s) and hand-over(s)",
    writes=(Adopted.TYPE, HandedOver.TYPE),
    read=_read,
    export=_export,
    item="recommendation",
)
