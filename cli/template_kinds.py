"""What a template holds, kind by kind: the rows still awaiting a step, read from the status
read model, with the allowed values and the rules of the charter the ledger holds.

- ``answers``: a row per review of a handed-over recommendation that has no answer yet,
  whether its due date has passed or is coming (``--review``: that review alone), prefilled
  with the recommendation, the review and its portfolio.

A row names its recommendation by ``PANEL/NUMBER``, which the import reads whatever the
assembly's own references; its title, in the language asked for, is a note on that cell and a
line of the ``titles`` sheet, since the import takes no column it does not know.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from cli.answer_file import EXPORT_COLUMNS
from cli.sheet_cells import DAY_HINT, Cell
from cli.template_texts import instructions
from domain.charter import Chartered
from domain.responses import Position
from projections.board import deadlines
from projections.names import first_words
from projections.status import RecommendationStatus, Status

LANGUAGES = ("fr", "nl", "en")
POSITIONS = frozenset(position.value for position in Position)
Prefilled = Mapping[str, Cell | int]


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


def title_in(rec: RecommendationStatus, lang: str) -> str:
    """The recommendation's title in ``lang``, else in any language it has, else the first
    words of its text."""
    for texts in (rec.title, rec.text):
        own = texts.get(lang, "").strip() or next((t for t in texts.values() if t.strip()), "")
        if own:
            return own if texts is rec.title else first_words(own)
    return ""


def answers(
    state: Status,
    charter: Chartered,
    *,
    panel: int,
    lang: str,
    today: date,
    review: int | None = None,
) -> Template:
    """The answers template of ``panel``: every unanswered review (of ``review`` alone if
    given) of its handed-over recommendations, soonest due first."""
    awaiting = []
    for rec in state.recommendations.values():
        if rec.panel != panel:
            continue
        for deadline in deadlines(state, rec, as_of=today):
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
            f"{rec.panel}/{rec.number}",
            rec.reference or "",
            title_in(rec, lang),
            number,
            due,
            "overdue" if due < today else "coming",
            " or ".join((rec.portfolio, *rec.shared_with)),
        )
        for due, _, number, rec in awaiting
    ]
    portfolios = sorted({p for *_, rec in awaiting for p in (rec.portfolio, *rec.shared_with)})
    choices = {
        "review": tuple(str(n) for n in range(1, charter.reviews + 1)),
        "position": tuple(Position),
        "portfolio": tuple(portfolios),
        "language": tuple(charter.languages),
    }
    rules, prompts = answer_rules(charter)
    return Template(
        kind="answers",
        columns=EXPORT_COLUMNS,
        rows=rows,
        notes=notes,
        choices={column: values for column, values in choices.items() if values},
        prompts=prompts,
        rules=rules,
        titles_header=(
            "recommendation",
            "reference",
            f"title ({lang})",
            "review",
            "due",
            "state",
            "portfolio",
        ),
        titles=titles,
        instructions=instructions("answers", panel=panel),
        texts=frozenset({"recommendation", "justification", "planned_measures", "referred_to"}),
    )


def answer_rules(
    charter: Chartered,
) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """The rules of an answer as the charter sets them (``domain.responses.check_response``):
    the rows of the ``rules`` sheet, and each column's rule in a few words."""
    minimums = charter.minimums()
    needs = {
        Position.UNDER_STUDY: "a decision_date (the date by which a decision will be taken)",
        Position.NOT_COMPETENT: "referred_to (whom the recommendation was referred to)",
        Position.ALREADY_IN_PLACE: "an evidence_digest (sha256: and 64 hexadecimal digits)",
    }
    positions = []
    for position in Position:
        wanted = []
        if minimums.get(position.value):
            wanted.append(f"a justification of at least {minimums[position.value]} characters")
        if position in needs:
            wanted.append(needs[position])
        positions.append(
            (
                f"position: {position.value}",
                "",
                "needs " + " and ".join(wanted) + "." if wanted else "needs nothing more.",
            )
        )
    justified = ", ".join(
        f"{name} {length}" for name, length in minimums.items() if name in POSITIONS
    )
    languages = ", ".join(charter.languages)
    rules = [
        ("recommendation", "PANEL/NUMBER or the assembly's own reference", "Prefilled: keep it."),
        ("review", f"1 to {charter.reviews}", "Prefilled: the review appointment answered."),
        ("position", ", ".join(Position), "The government's position; see below what each needs."),
        (
            "portfolio",
            "the recommendation's portfolio or one it is shared with",
            "Prefilled; if another portfolio took it over, record the transfer first.",
        ),
        (
            "justification",
            "text",
            f"Minimum characters per position: {justified or 'none'}.",
        ),
        ("planned_measures", "text", "What the government will do."),
        ("decision_date", DAY_HINT, "Needed for under_study."),
        ("referred_to", "text", "Needed for not_competent."),
        ("evidence_digest", "sha256:<64 hex>", "Needed for already_in_place."),
        ("date", DAY_HINT, "The day the answer was given; empty: the day of the import."),
        ("statement", "a joint statement's id", "Only for an answer given in a joint statement."),
        ("language", languages, "The language the texts are written in."),
        *positions,
    ]
    prompts = {
        "position": _position_prompt(minimums),
        "justification": f"Minimum characters: {justified or 'none'}.",
        "decision_date": f"Needed for under_study. Dates: {DAY_HINT}.",
        "date": f"The day the answer was given (empty: today). Dates: {DAY_HINT}.",
        "referred_to": "Needed for not_competent: whom it was referred to.",
        "evidence_digest": "Needed for already_in_place: sha256: and 64 hexadecimal digits.",
        "language": f"The language the texts are in: {languages}.",
    }
    return rules, prompts


def _position_prompt(minimums: Mapping[str, int]) -> str:
    """What each position needs, in the few words an input message holds (255 characters)."""
    needs = [
        f"{name} a justification of {length}+ characters"
        for name, length in minimums.items()
        if name in POSITIONS
    ]
    needs += [
        "under_study a decision_date",
        "not_competent referred_to",
        "already_in_place an evidence_digest",
    ]
    return "Needs: " + "; ".join(needs) + "."
