"""The government's implementation reports as a bulk file (``assembly import implementation``):
one report per row, on the recommendation the row names.

Columns: ``recommendation`` (``PANEL/NUMBER`` or the assembly's own reference) and ``status``
(one of ``domain.government.Implementation``), and if wanted ``progress`` (a percentage; empty:
unknown), ``milestone``, ``justification`` (what ``completed_modified`` and ``abandoned``
need), ``evidence_digest`` and ``date`` (the day of the report; empty: the command's ``--at``,
or now). A row is unchanged when the ledger holds the same report on that recommendation (on
that day, if the row gives one).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from domain import commands
from domain.government import Implementation, ImplementationReported
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
    read_kind,
    recommendation_of,
    text_of,
)

COLUMNS = ("recommendation", "status")
OPTIONAL = ("progress", "milestone", "justification", "evidence_digest", "date")
ALIASES = {
    "recommendation": ("recommandation", "aanbeveling"),
    "status": ("statut", "état", "stand van zaken"),
    "progress": ("progression", "avancement", "voortgang"),
    "milestone": ("étape", "jalon", "mijlpaal"),
    "justification": ("justificatif", "motivering"),
    "evidence_digest": ("empreinte de la preuve", "vingerafdruk bewijs"),
    "date": ("datum",),
}


def _read(path: Path, references: References, sheet: str | None) -> KindFile:
    return read_kind(path, IMPLEMENTATION, _parse, references, sheet=sheet)


def _parse(cells: Mapping[str, Cell], columns: Columns) -> Item:
    panel, number = recommendation_of(cells, columns)
    on = as_day(cells.get("date"), "date")
    progress = text_of(cells, "progress").strip()
    digest = text_of(cells, "evidence_digest").strip()
    report = ImplementationReported.model_validate(
        {
            "panel": panel,
            "number": number,
            "status": text_of(cells, "status").strip(),
            "progress": progress or None,
            "milestone": text_of(cells, "milestone"),
            "justification": text_of(cells, "justification"),
            "evidence_digest": digest or None,
        }
    )
    label = f"{panel}/{number}"

    def step(ledger: Ledgered, at: datetime) -> int:
        for event, day in ledger.standing(ImplementationReported).get((panel, number), ()):
            if event == report and on in (None, day):
                return 0
        commands.report(ledger.session, report, at=at)
        return 1

    what = f"an implementation report on {label}" + (f" dated {on}" if on else "")
    return Item(
        0,
        ("implementation", panel, number, on),
        what,
        label,
        (report.model_dump_json(), on),
        on,
        step,
    )


def _export(source: Source, panel: int | None) -> Table:
    rows: list[dict[str, str]] = []
    for status in sorted(source.state.recommendations.values(), key=lambda rec: rec.key):
        if panel is not None and status.panel != panel:
            continue
        for said in status.reports:
            report = ImplementationReported.model_validate(dict(said.payload))
            rows.append(
                {
                    "recommendation": f"{report.panel}/{report.number}",
                    "status": report.status.value,
                    "progress": "" if report.progress is None else str(report.progress),
                    "milestone": report.milestone,
                    "justification": report.justification,
                    "evidence_digest": report.evidence_digest or "",
                    "date": day_text(said.change.at.astimezone(UTC).date()),
                }
            )
    return (*COLUMNS, *OPTIONAL), rows


IMPLEMENTATION = Kind(
    name="implementation",
    columns=COLUMNS,
    optional=OPTIONAL,
    aliases=ALIASES,
    choices={"status": tuple(status.value for status in Implementation)},
    translated=(),
    dates=("date",),
    noun="implementation report(s)",
    writes=(ImplementationReported.TYPE,),
    read=_read,
    export=_export,
    item="implementation report",
)
