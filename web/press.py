"""The commission's report for a press conference on one panel (issue 15, item 6): headline
figures, one section per recommendation in words, and an annex of the entries cited.

Every figure and every claim keeps the seqs of the entries it rests on (the same entries the
dashboard counts by, ``projections.dashboard.reading``), so that the annex can list each with
its hash and a journalist can check it with ``assembly trail`` and ``assembly verify``. The
report is computed once, in data; ``web.press_render`` writes it as HTML (and so PDF),
Markdown or CSV, so that every format says the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.government import Implementation, Verdict
from domain.responses import Position
from projections.board import deadlines, ordered
from projections.dashboard import reading
from projections.names import Names, first_words, shown_ref
from projections.status import (
    AWAITING_RESPONSE,
    NO_VERDICT,
    NOT_APPLICABLE,
    RecommendationStatus,
    Said,
    Status,
)
from web.i18n import localized

EXCERPT = 420  # characters of a justification or of reasons kept before "…"
POSITIONS = (*Position, AWAITING_RESPONSE)
IMPLEMENTATIONS = (*Implementation, NOT_APPLICABLE)  # not_started is one of Implementation
VERDICTS = (*Verdict, NO_VERDICT)


@dataclass(frozen=True)
class Figure:
    """One headline figure: how many recommendations have ``value`` on ``axis`` (or are overdue
    at a review), and the entries that say so."""

    axis: str  # position, implementation, verdict, or overdue
    value: str  # the domain's word, or the review number for overdue
    count: int
    seqs: tuple[int, ...]


@dataclass(frozen=True)
class Quote:
    """A text of the government or of the commission as the report shows it."""

    text: str
    lang: str | None  # the language it is shown in when not the report's, else None
    cut: bool  # an excerpt of a longer text
    seq: int


@dataclass(frozen=True)
class Section:
    """One recommendation in words, with the entries each statement rests on."""

    ref: str
    title: str
    title_lang: str | None
    portfolio: str
    position: str
    position_seq: int
    implementation: str
    implementation_seq: int
    progress: int | None
    verdict: str
    verdict_seq: int
    overdue: tuple[tuple[int, int], ...]  # (review, days late)
    handed_over_seq: int | None
    justification: Quote | None
    reasons: Quote | None

    @property
    def seqs(self) -> set[int]:
        found = {self.position_seq, self.implementation_seq, self.verdict_seq}
        found |= {said.seq for said in (self.justification, self.reasons) if said is not None}
        if self.overdue and self.handed_over_seq is not None:
            found.add(self.handed_over_seq)
        return found


@dataclass(frozen=True)
class Report:
    """The report on ``panel`` as of ``as_of``, computed at ledger entry ``seq``."""

    panel: int
    lang: str
    as_of: date
    seq: int
    total: int
    figures: tuple[Figure, ...]
    sections: tuple[Section, ...]
    months: tuple[int, ...]  # after the hand-over, of each review
    cited: Mapping[int, Mapping[str, str]] = field(default_factory=dict)  # seq: type, day, hash

    def of(self, axis: str) -> list[Figure]:
        return [figure for figure in self.figures if figure.axis == axis]

    @property
    def seqs(self) -> set[int]:
        """Every entry the report cites: the head, each figure's, each section's."""
        found = {self.seq}
        for figure in self.figures:
            found |= set(figure.seqs)
        for section in self.sections:
            found |= section.seqs
        return found


def build(state: Status, names: Names, *, panel: int, lang: str, as_of: date) -> Report:
    """The report on ``panel``'s recommendations in ``state`` as of ``as_of``, in ``lang``
    (entries not yet looked up: ``cited`` is filled by the caller, who holds the ledger)."""
    recs = [rec for rec in ordered(state) if rec.panel == panel]
    figures: list[Figure] = []
    for axis, order in (
        ("position", POSITIONS),
        ("implementation", IMPLEMENTATIONS),
        ("verdict", VERDICTS),
    ):
        read = {rec.key: reading(rec, axis) for rec in recs}
        for value in order:
            seqs = tuple(seq for found, seq in read.values() if found == value)
            figures.append(Figure(axis, str(value), len(seqs), seqs))
    for review in range(1, len(state.offsets) + 1):
        late = [
            rec.handed_over_change.seq
            for rec in recs
            for deadline in deadlines(state, rec, as_of=as_of)
            if deadline.review == review and deadline.overdue and rec.handed_over_change
        ]
        figures.append(Figure("overdue", str(review), len(late), tuple(late)))
    return Report(
        panel=panel,
        lang=lang,
        as_of=as_of,
        seq=state.seq,
        total=len(recs),
        figures=tuple(figures),
        sections=tuple(section(state, rec, names, lang=lang, as_of=as_of) for rec in recs),
        months=tuple(state.offsets),
    )


def section(
    state: Status, rec: RecommendationStatus, names: Names, *, lang: str, as_of: date
) -> Section:
    """One recommendation in words."""
    title, title_lang = localized(rec.title, lang)
    if not title.strip():
        text, title_lang = localized(rec.text, lang)
        title = first_words(text)
    position, position_seq = reading(rec, "position")
    implementation, implementation_seq = reading(rec, "implementation")
    verdict, verdict_seq = reading(rec, "verdict")
    answer = max(rec.answers, key=lambda said: said.payload["review"], default=None)
    report = rec.reports[-1] if rec.reports else None
    return Section(
        ref=shown_ref(rec),
        title=title,
        title_lang=title_lang,
        portfolio=names.portfolio(rec.portfolio, lang),
        position=position,
        position_seq=position_seq,
        implementation=implementation,
        implementation_seq=implementation_seq,
        progress=report.payload.get("progress") if report else None,
        verdict=verdict,
        verdict_seq=verdict_seq,
        overdue=tuple(
            (deadline.review, deadline.late)
            for deadline in deadlines(state, rec, as_of=as_of)
            if deadline.overdue
        ),
        handed_over_seq=rec.handed_over_change.seq if rec.handed_over_change else None,
        justification=_said(answer, "justification", lang, position_seq),
        reasons=_said(rec.verdicts[-1] if rec.verdicts else None, "reasons", lang, verdict_seq),
    )


def _said(said: Said | None, name: str, lang: str, seq: int) -> Quote | None:
    """Text ``name`` of an answer or a verdict in ``lang`` when translated into it, else in
    its original language, cut to an excerpt when long; None when there is none."""
    if said is None:
        return None
    text, shown_in = _text_in(said.payload, name, lang)
    if not text.strip():
        return None
    cut = len(text) > EXCERPT
    if cut:
        text = text[:EXCERPT].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return Quote(text, shown_in, cut, seq)


def _text_in(payload: Mapping[str, Any], name: str, lang: str) -> tuple[str, str | None]:
    original = str(payload.get(name) or "")
    language = payload.get("language")
    for code, other in (payload.get("translations") or {}).items():
        text = other.get(name, "") if isinstance(other, Mapping) else other
        if code == lang and str(text).strip():
            return str(text), None
    return original, (language if language and language != lang else None)
