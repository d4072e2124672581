"""Read commands (docs/design.md 6-7): the status board, one recommendation in full, what is
overdue.

Each reads the stored status projection, brought up to date first; with ``--at-seq N`` or
``--as-of DATE`` it folds the ledger in memory instead, up to entry N or up to the last entry
recorded by the end of that day (UTC). Overdue is computed as of ``--as-of`` (default: today,
or the day entry N was recorded), never read from storage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated, Any

import typer

from cli.board_table import EVERY, cell_in_words, print_board
from cli.context import open_ledger
from cli.errors import UsageProblem
from cli.naming import key_in
from cli.options import DEFAULT_LEDGER, LedgerOption
from cli.read_render import (
    ReadFormat,
    ReadFormatOption,
    RecordFormat,
    RecordFormatOption,
    print_record,
    print_rows,
)
from cli.writing import day, today
from domain.government import Implementation, Verdict
from domain.responses import Position
from projections import RecommendationStatus
from projections.board import Deadline, overdue_reviews
from projections.names import names_in, paragraphs, shown_ref, shown_title
from projections.search import words_of
from projections.status import AWAITING_RESPONSE, NO_VERDICT, Change, Key, Said
from projections.view import EVERY_ROW, View, board_page, given_columns
from projections.view import view_at as read_view

BATCH = 1000
POSITIONS = (AWAITING_RESPONSE, *Position)
IMPLEMENTATIONS = tuple(Implementation)
VERDICTS = (NO_VERDICT, *Verdict)
LATE = ("ref", "title", "portfolio", "review", "due", "days_late")

AsOfOption = Annotated[
    str | None,
    typer.Option(
        help="Read the ledger as it stood at the end of this day (UTC), 2026-03-31: what it "
        "had recorded by then, and history recorded after the fact that its authors dated by "
        "then."
    ),
]
AtSeqOption = Annotated[
    int | None, typer.Option(min=0, help="Read the ledger as it stood after entry N.")
]


def register(app: typer.Typer) -> None:
    app.command("status", rich_help_panel="Read")(status)
    app.command("show", rich_help_panel="Read")(show)
    app.command("overdue", rich_help_panel="Read")(overdue_list)


def status(
    panel: Annotated[int | None, typer.Option(help="Only this panel's recommendations.")] = None,
    position: Annotated[str | None, typer.Option(help="Only this position.")] = None,
    implementation: Annotated[str | None, typer.Option(help="Only this state.")] = None,
    verdict: Annotated[str | None, typer.Option(help="Only this verdict.")] = None,
    portfolio: Annotated[str | None, typer.Option(help="Only this portfolio.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue ones.")] = False,
    search: Annotated[
        str | None,
        typer.Option(
            help="Only those with every one of these words in their reference, a title or "
            "their text (any language, any case)."
        ),
    ] = None,
    as_of: AsOfOption = None,
    at_seq: AtSeqOption = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    output: ReadFormatOption = ReadFormat.table,
    wide: Annotated[
        bool,
        typer.Option(
            "--wide",
            help="Every column in the table, however narrow the terminal (csv, json "
            "and md always have every column).",
        ),
    ] = False,
) -> None:
    """The status board: one row per recommendation, its three axes, due dates and overdue flag.

    When every column does not fit the terminal, the table leaves out the portfolio, due dates
    and last entry (--wide shows them).

    Example: assembly status --panel 1 --position rejected --as-of 2026-06-30 --format csv
    """
    _check_choice("--position", position, POSITIONS)
    _check_choice("--implementation", implementation, IMPLEMENTATIONS)
    _check_choice("--verdict", verdict, VERDICTS)
    where = given_columns(
        panel=panel,
        position=position,
        implementation=implementation,
        verdict=verdict,
        portfolio=portfolio,
    )
    day_asked = day(as_of, "--as-of")
    book = open_ledger(ledger)
    try:
        page = board_page(  # the web board's reads and filters, in one page
            book,
            as_of=day_asked,
            at_seq=at_seq,
            today=today(),
            where=where,
            words=words_of(search or ""),
            overdue=overdue,
            limit=EVERY_ROW,
        )
    finally:
        book.close()
    rows = []
    for rec in page.rows:
        dues = page.deadlines[rec.key]
        rows.append(_board_row(rec, dues, late=any(deadline.late for deadline in dues)))
    view = page.view
    title = f"Status as of {view.as_of} (entry {view.state.seq})"
    if output is ReadFormat.table:
        print_board(title, rows, wide=wide)
    else:
        print_rows(title, EVERY, rows, output)


def show(
    recommendation: Annotated[
        str, typer.Argument(help="PANEL/NUMBER (e.g. 1/12) or the assembly's reference (SD-E2).")
    ],
    as_of: AsOfOption = None,
    at_seq: AtSeqOption = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    output: RecordFormatOption = RecordFormat.table,
) -> None:
    """One recommendation in full: its axes, due dates, every answer, report, verdict and erratum.

    Whether an answer came on time is judged by the day the ledger recorded it; the date its
    author gave is shown beside it, and flagged (backdated) when more than 7 days earlier.

    Example: assembly show 1/12 --as-of 2026-06-30
    """
    key = key_in(ledger, recommendation)
    view = view_at(ledger, as_of, at_seq, only=key)
    rec = view.state.recommendations.get(key)
    if rec is None:
        raise UsageProblem(
            f"Recommendation {recommendation} is not in the ledger as of entry {view.state.seq}."
        )
    fields: dict[str, Any] = {
        "ref": ref(rec),
        "reference": rec.reference,
        "group": rec.group,
        "group_title": None if rec.group is None else group_title(ledger, rec.group, view),
        "title": title(rec),
        **{f"text_{code}": in_paragraphs(text) for code, text in rec.text.items()},
        **{f"supporting_{code}": in_paragraphs(text) for code, text in rec.supporting.items()},
        "portfolio": rec.portfolio,
        "shared_with": list(rec.shared_with),
        "priority": rec.priority,
        "adopted_seq": rec.adopted.seq,
        "handed_over": _iso(rec.handed_over),
    }
    if rec.adopted.after_the_fact:
        fields["adopted"] = f"{rec.adopted.at.date()} ({after_the_fact(rec.adopted)})"
    for axis, value, change in (
        ("position", rec.position, rec.position_change),
        ("implementation", rec.implementation, rec.implementation_change),
        ("verdict", rec.verdict, rec.verdict_change),
    ):
        fields[axis] = cell_in_words(axis, value) if output is RecordFormat.table else value
        fields[f"{axis}_seq"] = change.seq if change else None
        fields[f"{axis}_signer"] = view.signer(change)
    for deadline in view.deadlines(rec):
        review = deadline.review
        fields[f"due_review_{review}"] = deadline.due.isoformat()
        fields[f"recorded_review_{review}"] = _iso(deadline.recorded)
        fields[f"claimed_review_{review}"] = _iso(deadline.claimed)
        fields[f"days_late_review_{review}"] = deadline.late
        fields[f"answered_days_late_review_{review}"] = deadline.answered_late
        fields[f"claimed_days_early_review_{review}"] = deadline.claimed_early
        fields[f"backdated_review_{review}"] = deadline.backdated
        if deadline.after_the_fact:
            fields[f"after_the_fact_review_{review}"] = True
        fields[f"review_{review}"] = in_words(deadline)
    fields["last_seq"] = rec.last_change.seq if rec.last_change else None
    fields["as_of"] = view.as_of.isoformat()
    answers = (
        "review", "position", "portfolio", "justification", "planned_measures",
        "decision_date", "referred_to", "evidence_digest", "statement", "language",
    )  # fmt: skip
    reports = ("status", "progress", "milestone", "justification")
    verdicts = ("verdict", "reasons", "score", "language")
    signed = ("seq", "signer", "at", "recorded_at", "after_the_fact", "corrected_by")
    answered = sorted(rec.answers, key=_review)
    answers_translated = translation_columns(answered, ("justification", "planned_measures"))
    verdicts_translated = translation_columns(rec.verdicts, ("reasons",))
    print_record(
        fields,
        {
            "Answers": (
                (*answers, *answers_translated, *signed),
                [_said(view, said, answers, answers_translated) for said in answered],
            ),
            "Implementation reports": (
                (*reports, *signed),
                [_said(view, said, reports) for said in rec.reports],
            ),
            "Joint statements": (
                ("id", "on", "by", "source", "covers", "text"),
                _statements(view, rec),
            ),
            "Verdicts": (
                (*verdicts, *verdicts_translated, *signed),
                [_said(view, said, verdicts, verdicts_translated) for said in rec.verdicts],
            ),
            "Errata": (
                ("seq", "supersedes", "reason", "replaced"),
                [vars(erratum) for erratum in rec.errata],
            ),
        },
        output,
    )


def overdue_list(
    as_of: AsOfOption = None,
    at_seq: AtSeqOption = None,
    ledger: LedgerOption = DEFAULT_LEDGER,
    output: ReadFormatOption = ReadFormat.table,
) -> None:
    """What is late: each review not answered by its due date, by how many days, and the
    portfolio responsible for it (the latest first).

    Example: assembly overdue --as-of 2026-06-30 --format md
    """
    view = view_at(ledger, as_of, at_seq, overdue_only=True)
    late = overdue_reviews(view.state, as_of=view.as_of)
    rows = [
        {
            "ref": ref(rec),
            "title": title(rec),
            "portfolio": rec.portfolio,
            "review": deadline.review,
            "due": deadline.due.isoformat(),
            "days_late": deadline.late,
        }
        for rec, deadline in late
    ]
    print_rows(f"Overdue as of {view.as_of}", LATE, rows, output)


def group_title(location: str, code: str, view: View) -> str:
    """The title of group ``code`` in the charter's first language, as it stood at the view's
    entry (its code when it has no title in any language)."""
    book = open_ledger(location)
    try:
        names = names_in(book, up_to=view.state.seq)
    finally:
        book.close()
    return names.group(code, names.first_language)


def view_at(
    location: str,
    as_of: str | None,
    at_seq: int | None,
    *,
    only: Key | None = None,
    panel: int | None = None,
    overdue_only: bool = False,
) -> View:
    """The read model at the point the options ask for (``projections.view.view_at``)."""
    day_asked = day(as_of, "--as-of")
    book = open_ledger(location)
    try:
        return read_view(
            book,
            as_of=day_asked,
            at_seq=at_seq,
            today=today(),
            only=only,
            panel=panel,
            overdue_only=overdue_only,
        )
    finally:
        book.close()


def _check_choice(option: str, value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise UsageProblem(f"{option}: {value!r} is not one of {', '.join(allowed)}.")


def _board_row(
    rec: RecommendationStatus, reviews: tuple[Deadline, ...], *, late: bool
) -> dict[str, Any]:
    dues = {deadline.review: deadline.due.isoformat() for deadline in reviews}
    return {
        "ref": ref(rec),
        "title": title(rec),
        "portfolio": rec.portfolio,
        "position": rec.position,
        "implementation": rec.implementation,
        "verdict": rec.verdict,
        "due_review_1": dues.get(1),
        "due_review_2": dues.get(2),
        "overdue": late,
        "last_seq": rec.last_change.seq if rec.last_change else None,
    }


def in_words(deadline: Deadline) -> str:
    """Where a review stands, in the words of the recommendation page: judged by the day the
    ledger recorded the answer, with the author's date when it comes much earlier."""
    if deadline.overdue:
        words = f"overdue by {deadline.late} days"
    elif deadline.recorded is None:
        words = "not due yet"
    elif deadline.after_the_fact:
        judged = (
            f"answered {deadline.answered_late} days late"
            if deadline.answered_late
            else "answered on time"
        )
        words = (
            f"{judged} (on {deadline.claimed}; recorded on {deadline.recorded} for "
            f"{deadline.claimed}, after the fact)"
        )
    elif deadline.answered_late:
        words = f"answered {deadline.answered_late} days late (recorded {deadline.recorded})"
    else:
        words = f"answered on time (recorded {deadline.recorded})"
    if deadline.backdated:
        words += (
            f"; its author dated it {deadline.claimed}, {deadline.claimed_early} days before "
            "the ledger recorded it"
        )
    return words


def translation_columns(found: Iterable[Said], names: tuple[str, ...]) -> tuple[str, ...]:
    """The columns of the translations of answers or verdicts (texts ``names``), named as the
    bulk file names them (justification_nl, reasons_fr): each text in each language some entry
    is translated into."""
    codes = sorted({code for said in found for code in said.payload.get("translations") or {}})
    return tuple(f"{name}_{code}" for code in codes for name in names)


def _translated(said: Said, column: str) -> str | None:
    """The text of translation ``column`` (such as justification_nl) of an answer or verdict:
    an answer's translations hold its texts by name, a verdict's the reasons alone."""
    name, _, code = column.rpartition("_")
    other = (said.payload.get("translations") or {}).get(code)
    if isinstance(other, Mapping):
        return other.get(name) or None
    return other or None


def _said(
    view: View, said: Said, names: tuple[str, ...], translated: tuple[str, ...] = ()
) -> dict[str, Any]:
    recorded = said.change.recorded
    return {
        **{name: said.payload.get(name) for name in names},
        **{column: _translated(said, column) for column in translated},
        "seq": said.change.seq,
        "signer": view.signer(said.change),
        "at": said.change.at.isoformat(),
        "recorded_at": None if recorded is None else recorded.isoformat(),
        "after_the_fact": after_the_fact(said.change) if said.change.after_the_fact else None,
        "corrected_by": said.corrected_by,
    }


def _statements(view: View, rec: RecommendationStatus) -> list[dict[str, Any]]:
    """The joint statements the recommendation's answers belong to, each once, in full."""
    found: dict[str, dict[str, Any]] = {}
    for said in rec.answers:
        given = view.state.statement(said)
        if given is None or given["id"] in found:
            continue
        found[given["id"]] = {
            "id": given["id"],
            "on": given["on"],
            "by": given["by"],
            "source": given.get("source"),
            "covers": f"{len(given['covers'])} recommendations",
            "text": "\n\n".join(
                f"[{code}] {in_paragraphs(text)}" for code, text in given["text"].items()
            ),
        }
    return list(found.values())


def after_the_fact(change: Change) -> str:
    """How an entry of history recorded after the fact is marked: "recorded on 2026-12-04 for
    2020-06-29, after the fact" (the day the ledger recorded it, then the day it is dated)."""
    recorded = (change.recorded or change.at).date()
    return f"recorded on {recorded} for {change.at.date()}, after the fact"


def _review(said: Said) -> int:
    return int(said.payload["review"])


def ref(rec: RecommendationStatus) -> str:
    """PANEL/NUMBER, and the assembly's own reference beside it: titles repeat, these do not."""
    return shown_ref(rec)


def title(rec: RecommendationStatus) -> str:
    """Its title, or the first words of its text (``projections.names.shown_title``)."""
    return shown_title(rec)


def in_paragraphs(text: str) -> str:
    """A text's paragraphs, one blank line between them."""
    return "\n\n".join(paragraphs(text))


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()
