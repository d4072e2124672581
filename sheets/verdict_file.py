"""The commission's verdicts as a bulk file (``assembly import verdicts``): one verdict per
row, on the recommendation the row names.

Columns: ``recommendation`` (``PANEL/NUMBER`` or the assembly's own reference) and ``verdict``
(one of ``domain.government.Verdict``), and if wanted ``reasons`` (what ``disputes`` needs),
``score`` (out of ten, at most one decimal: ``2.8``), ``date`` (the day of the verdict; empty:
the command's ``--at``, or now), ``language`` (the reasons' language) and ``reasons_LANG``,
their translation into language LANG. A row is unchanged when the ledger holds the same verdict
on that recommendation (on that day, if the row gives one), in the columns the file has.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from domain import commands
from domain.government import Assessed, Verdict
from sheets.cells import BadCell, Cell, as_day
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

COLUMNS = ("recommendation", "verdict")
OPTIONAL = ("reasons", "score", "date", "language")
ALIASES = {
    "recommendation": ("recommandation", "aanbeveling"),
    "verdict": ("avis", "oordeel"),
    "reasons": ("motifs", "raisons", "redenen"),
    "score": ("note", "cijfer"),
    "date": ("datum",),
    "language": ("langue", "taal"),
}


def _read(path: Path, references: References, sheet: str | None) -> KindFile:
    return read_kind(path, VERDICTS, _parse, references, sheet=sheet)


def _parse(cells: Mapping[str, Cell], columns: Columns) -> Item:
    panel, number = recommendation_of(cells, columns)
    on = as_day(cells.get("date"), "date")
    language = text_of(cells, "language").strip()
    codes = columns.languages.get("reasons", ())
    translations = {
        code: text_of(cells, f"reasons_{code}")
        for code in codes
        if text_of(cells, f"reasons_{code}").strip()
    }
    if translations and not language:
        raise BadCell(
            f"reasons_{next(iter(translations))}",
            "a translation needs the row's language (the language of reasons, such as fr).",
        )
    score = text_of(cells, "score").strip()
    verdict = Assessed.model_validate(
        {
            "panel": panel,
            "number": number,
            "verdict": text_of(cells, "verdict").strip(),
            "reasons": text_of(cells, "reasons"),
            "score": score or None,
            "language": language or None,
            "translations": translations,
        }
    )
    label = f"{panel}/{number}"

    def step(ledger: Ledgered, at: datetime) -> int:
        for event, day in ledger.standing(Assessed).get((panel, number), ()):
            same = isinstance(event, Assessed) and _same(event, verdict, columns.present, codes)
            if same and on in (None, day):
                return 0
        commands.assess(ledger.session, verdict, at=at)
        return 1

    what = f"a verdict on {label}" + (f" dated {on}" if on else "")
    return Item(
        0, ("verdict", panel, number, on), what, label, (verdict.model_dump_json(), on), on, step
    )


def _same(
    recorded: Assessed, row: Assessed, present: frozenset[str], codes: tuple[str, ...]
) -> bool:
    """Whether a row says what a verdict on the ledger says in the columns the file has."""
    absent = {
        name: getattr(recorded, name)
        for name in OPTIONAL
        if name in ("reasons", "score", "language") and name not in present
    }
    kept = {code: text for code, text in recorded.translations.items() if code not in codes}
    return recorded == row.model_copy(
        update={**absent, "translations": {**kept, **row.translations}}
    )


def _export(source: Source, panel: int | None) -> Table:
    found: list[tuple[Assessed, str]] = []
    for status in sorted(source.state.recommendations.values(), key=lambda rec: rec.key):
        if panel is None or status.panel == panel:
            found.extend(
                (
                    Assessed.model_validate(dict(said.payload)),
                    day_text(said.change.at.astimezone(UTC).date()),
                )
                for said in status.verdicts
            )
    codes = sorted({code for verdict, _ in found for code in verdict.translations})
    header = (*COLUMNS, *OPTIONAL, *(f"reasons_{code}" for code in codes))
    rows = [
        {
            "recommendation": f"{verdict.panel}/{verdict.number}",
            "verdict": verdict.verdict.value,
            "reasons": verdict.reasons,
            "score": verdict.score or "",
            "date": on,
            "language": verdict.language or "",
            **{f"reasons_{code}": verdict.translations.get(code, "") for code in codes},
        }
        for verdict, on in found
    ]
    return header, rows


VERDICTS = Kind(
    name="verdicts",
    columns=COLUMNS,
    optional=OPTIONAL,
    aliases=ALIASES,
    choices={"verdict": tuple(verdict.value for verdict in Verdict)},
    translated=("reasons",),
    dates=("date",),
    noun="verdict(s)",
    writes=(Assessed.TYPE,),
    read=_read,
    export=_export,
    item="verdict",
)
