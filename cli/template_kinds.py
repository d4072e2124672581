"""What a template holds, kind by kind: the rows of one panel still awaiting a step, read from
the status read model, with the kind's columns and allowed values (``sheets.kinds``) and the
rules of the charter the ledger holds (``cli.template_rules``).

- ``answers``: a row per review of a handed-over recommendation with no answer yet, whether
  its due date has passed or is coming (``review``: that review alone), soonest due first,
  prefilled with the recommendation, the review and its portfolio;
- ``implementation``: a row per recommendation accepted, accepted in part or already in place;
- ``verdicts``: a row per recommendation answered and not yet assessed;
- ``recommendations``: a row per recommendation adopted and not yet handed over, prefilled with
  its adoption as signed, to fill its ``handed_over`` day; rows added below adopt more (with no
  such recommendation, the sheet is the header alone).

A row names its recommendation by ``PANEL/NUMBER``, which the import reads whatever the
assembly's own references; its title, in the language asked for, is a note on the row's first
cell and a line of the ``titles`` sheet, since the import takes no column it does not know.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from cli.template_rules import (
    Rules,
    answer_rules,
    implementation_rules,
    recommendation_rules,
    verdict_rules,
)
from cli.template_texts import instructions
from domain.charter import Chartered
from domain.recommendation import Adopted
from domain.responses import IMPLEMENTABLE
from projections.board import deadlines
from projections.names import first_words
from projections.status import RecommendationStatus, Status
from sheets.cells import Cell
from sheets.kinds import KINDS

Prefilled = Mapping[str, Cell | int]
PER_LANGUAGE = re.compile(r"(text|title|supporting)_[a-z]{2}\Z")
TITLES = ("recommendation", "reference", "title", "portfolio", "position")
RULES: dict[str, Callable[[Chartered], Rules]] = {
    "answers": answer_rules,
    "implementation": implementation_rules,
    "verdicts": verdict_rules,
    "recommendations": recommendation_rules,
}
TEXT_COLUMNS = frozenset(
    {"recommendation", "justification", "planned_measures", "referred_to", "milestone"}
    | {"reasons", "score", "vote", "reference", "group", "shared_with", "portfolio"}
)


@dataclass(frozen=True)
class Template:
    """A template's contents, as ``cli.template_book`` writes them."""

    kind: str
    columns: tuple[str, ...]
    rows: Sequence[Prefilled]  # the cells the ledger knows, by column; the others stay empty
    notes: Sequence[str]  # per row, the note on its first cell (the recommendation's title)
    choices: Mapping[str, tuple[str, ...]]  # a column's allowed values: a drop-down list
    prompts: Mapping[str, str]  # a column's rule, shown when one of its cells is selected
    rules: Sequence[tuple[str, str, str]]  # (column, allowed values, rule), to read
    titles_header: tuple[str, ...]
    titles: Sequence[Sequence[Cell | int]]
    instructions: Sequence[tuple[str, Sequence[str]]]
    texts: frozenset[str] = field(default_factory=frozenset)  # columns typed as text


@dataclass(frozen=True)
class PanelView:
    """What a template is drawn from: one panel's status, the charter, and the panel's
    adoptions as signed (what the status does not keep, such as the vote)."""

    state: Status
    charter: Chartered
    adoptions: Mapping[tuple[int, int], Adopted]
    panel: int
    today: date


def title_in(rec: RecommendationStatus, lang: str) -> str:
    """The recommendation's title in ``lang``, else in any language it has, else the first
    words of its text."""
    for texts in (rec.title, rec.text):
        own = texts.get(lang, "").strip() or next((t for t in texts.values() if t.strip()), "")
        if own:
            return own if texts is rec.title else first_words(own)
    return ""


def template(kind: str, view: PanelView, *, lang: str, review: int | None = None) -> Template:
    """The template of ``kind`` for the panel of ``view``, titles in ``lang``."""
    charter = view.charter
    columns = _columns(kind, charter)
    recs = sorted(
        (rec for rec in view.state.recommendations.values() if rec.panel == view.panel),
        key=lambda rec: rec.number,
    )
    header: tuple[str, ...] = tuple(f"title ({lang})" if n == "title" else n for n in TITLES)
    if kind == "answers":
        rows, notes, titles, header = _answers(view, recs, lang, review)
    else:
        awaiting = [rec for rec in recs if _awaits(kind, rec)]
        rows = [_prefilled(kind, rec, view, columns) for rec in awaiting]
        notes = [f"{rec.panel}/{rec.number}: {title_in(rec, lang)}" for rec in awaiting]
        titles = [_title_row(rec, lang) for rec in awaiting]
    rules, prompts = RULES[kind](charter)
    return Template(
        kind=kind,
        columns=columns,
        rows=rows,
        notes=notes,
        choices=_choices(kind, view, recs),
        prompts={column: text for column, text in prompts.items() if column in columns},
        rules=rules,
        titles_header=header,
        titles=titles,
        instructions=instructions(kind, panel=view.panel),
        texts=frozenset(
            column for column in columns if column in TEXT_COLUMNS or PER_LANGUAGE.match(column)
        ),
    )


def _columns(kind: str, charter: Chartered) -> tuple[str, ...]:
    """The kind's columns, and for the texts adopted per language, one per charter language."""
    found = KINDS[kind]
    columns = (*found.columns, *found.optional)
    if kind == "recommendations":
        per_language = ("text", "title", "supporting")
        columns += tuple(f"{name}_{code}" for name in per_language for code in charter.languages)
    return columns


def _awaits(kind: str, rec: RecommendationStatus) -> bool:
    """Whether ``rec`` awaits the step of ``kind`` (answers aside: per review)."""
    if kind == "implementation":
        return rec.position in IMPLEMENTABLE
    if kind == "verdicts":
        return bool(rec.answers) and not rec.verdicts
    return rec.handed_over is None  # recommendations: adopted, not handed over yet


def _prefilled(
    kind: str, rec: RecommendationStatus, view: PanelView, columns: Sequence[str]
) -> Prefilled:
    """The cells of ``rec``'s row that the ledger knows."""
    if kind != "recommendations":
        return {"recommendation": f"{rec.panel}/{rec.number}"}
    adopted = view.adoptions.get(rec.key)
    if adopted is None:  # the status knows it but its adoption was not read: the number alone
        return {"panel": rec.panel, "number": rec.number}
    cells: dict[str, Cell | int] = {
        "panel": adopted.panel,
        "number": adopted.number,
        "portfolio": adopted.portfolio,
        "vote": adopted.vote,
        "reference": adopted.reference or "",
        "group": adopted.group or "",
        "priority": adopted.priority,
        "shared_with": ",".join(adopted.shared_with),
        "date": rec.adopted.at.date(),
    }
    for name in ("text", "title", "supporting"):
        for code, text in getattr(adopted, name).items():
            cells[f"{name}_{code}"] = text
    return {column: value for column, value in cells.items() if column in columns and value != ""}


def _title_row(rec: RecommendationStatus, lang: str) -> tuple[Cell | int, ...]:
    return (
        f"{rec.panel}/{rec.number}",
        rec.reference or "",
        title_in(rec, lang),
        " or ".join((rec.portfolio, *rec.shared_with)),
        rec.position,
    )


def _answers(
    view: PanelView, recs: Sequence[RecommendationStatus], lang: str, review: int | None
) -> tuple[list[Prefilled], list[str], list[tuple[Cell | int, ...]], tuple[str, ...]]:
    """The answers' rows: one per unanswered review, soonest due first."""
    awaiting = []
    for rec in recs:
        for deadline in deadlines(view.state, rec, as_of=view.today):
            if deadline.answered or (review is not None and deadline.review != review):
                continue
            awaiting.append((deadline.due, rec.number, deadline.review, rec))
    awaiting.sort(key=lambda found: found[:3])
    rows: list[Prefilled] = [
        {
            "recommendation": f"{rec.panel}/{rec.number}",
            "review": number,
            "portfolio": rec.portfolio,
        }
        for _, _, number, rec in awaiting
    ]
    notes = [f"{rec.panel}/{rec.number}: {title_in(rec, lang)}" for *_, rec in awaiting]
    titles = [
        (
            *_title_row(rec, lang)[:4],
            number,
            due,
            "overdue" if due < view.today else "coming",
        )
        for due, _, number, rec in awaiting
    ]
    header = (*TITLES[:2], f"title ({lang})", "portfolio", "review", "due", "state")
    return rows, notes, titles, header


def _choices(
    kind: str, view: PanelView, recs: Sequence[RecommendationStatus]
) -> dict[str, tuple[str, ...]]:
    """Each closed column's allowed values: the kind's, the charter's languages and reviews,
    and the panel's portfolios for an answer."""
    charter = view.charter
    choices = dict(KINDS[kind].choices)
    if kind == "answers":
        choices["review"] = tuple(str(n) for n in range(1, charter.reviews + 1))
        portfolios = {code for rec in recs for code in (rec.portfolio, *rec.shared_with)}
        choices["portfolio"] = tuple(sorted(portfolios))
    choices["language"] = tuple(charter.languages)
    columns = _columns(kind, charter)
    return {column: values for column, values in choices.items() if column in columns and values}
