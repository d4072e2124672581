"""One function per step of the process (docs/design.md 4): each loads what it needs from the
session, lets the aggregates check their rules, and leaves the decided events pending.

The draws' steps are in ``domain.draws``; the CLI and the demo call these through
``domain.process.run`` or one ``Session`` for a bulk import.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from domain.charter import ASSEMBLY, Assembly, Chartered, CommissionMemberRecorded
from domain.correction import (
    Correction,
    MeetingHeld,
    Review,
    correction_stream,
    review_stream,
)
from domain.deliberation import (
    BriefingPublished,
    Deliberation,
    Evidence,
    ReportSubmitted,
    SessionHeld,
    VoteHeld,
    deliberation_stream,
    evidence_stream,
)
from domain.draws import PanelDraw, ThemeGroup, ThemeGroupFormed
from domain.errors import AlreadyDone, NotAllowed, NotFound, NotYet
from domain.events import Event, decode
from domain.government import (
    DEADLINES,
    Assessed,
    Deadlines,
    ImplementationReported,
    ResponsibilityTransferred,
    check_assessment,
    check_implementation,
)
from domain.groups import GROUPS, GroupDefined, Groups
from domain.labels import PortfolioNamed, PortfolioNames, StratumNamed, StratumNames
from domain.panel import Convened, Panel, WithdrawalReason, panel_stream
from domain.process import Session
from domain.recommendation import (
    Adopted,
    Recommendation,
    check_adoption,
    recommendation_stream,
    resolve_reference,
)
from domain.responses import Responded, check_response
from domain.statement import Statement, StatementGiven, statement_stream
from domain.texts import check_texts


def write_charter(session: Session, charter: Chartered, *, at: datetime) -> None:
    session.get(Assembly, ASSEMBLY).write_charter(charter, at=at)


def record_member(session: Session, member: CommissionMemberRecorded, *, at: datetime) -> None:
    """Record a member of the follow-up commission, who sat on the panel they are named from."""
    seated = panel(session, member.panel)
    seated.check_sat(member.pseudonym, "named to the commission")
    seated.check_seated_by(f"The naming of {member.pseudonym} to the commission", at)
    session.get(Assembly, ASSEMBLY).record_member(member, at=at)


def panel(session: Session, number: int) -> Panel:
    """Panel ``number``, which must have been convened."""
    found = session.get(Panel, panel_stream(number))
    found.require()
    return found


def open_panel(session: Session, number: int) -> Panel:
    """Panel ``number``, which must have been convened and not have concluded."""
    found = panel(session, number)
    if found.concluded:
        raise AlreadyDone(f"Panel {number} has concluded: its deliberation is closed.")
    return found


def convene(session: Session, event: Convened, *, at: datetime) -> None:
    languages = session.charter().languages
    previous = session.get(Panel, panel_stream(event.number - 1)) if event.number > 1 else None
    if event.number > 1 and event.theme_group is not None:
        formed = theme_group(session, event.number)
        if (formed.size, formed.formed_by) != (event.theme_group.size, event.theme_group.formed_by):
            raise NotAllowed(
                f"The theme group of panel {event.number} was {formed.formed_by} with "
                f"{formed.size} members; the convening must say so."
            )
    session.get(Panel, panel_stream(event.number)).convene(
        event, languages=languages, previous=previous, at=at
    )


def seat(session: Session, number: int, *, at: datetime) -> None:
    """Seat panel ``number`` with exactly the members its performed draw selected."""
    found = panel(session, number)
    draw = session.get(PanelDraw, PanelDraw.stream_for(number))
    drawn = tuple(draw.performed.selected) if draw.performed is not None else ()
    found.seat(drawn, drawn=drawn, at=at, drawn_at=draw.performed_at)


def theme_group(session: Session, number: int) -> ThemeGroupFormed:
    """The theme group that chose panel ``number``'s theme, which must have been formed."""
    group = session.get(ThemeGroup, ThemeGroup.for_panel(number).id)
    if group.formed is None:
        raise NotYet(
            f"Panel {number}'s theme is chosen by a theme group drawn from panel {number - 1}, "
            "and none has been formed yet: run `assembly theme draw` or `assembly theme volunteer`."
        )
    return group.formed


def withdraw(
    session: Session, number: int, pseudonym: str, reason: WithdrawalReason, *, at: datetime
) -> None:
    panel(session, number).withdraw(pseudonym, reason, at=at)


def replace(
    session: Session, number: int, withdrawn: str, replacement: str, *, at: datetime
) -> None:
    panel(session, number).replace(withdrawn, replacement, at=at)


def conclude(session: Session, number: int, on: date, *, at: datetime) -> None:
    panel(session, number).conclude(on, at=at)


def add_evidence(
    session: Session, document: BriefingPublished | ReportSubmitted, *, at: datetime
) -> None:
    open_panel(session, document.panel)
    session.get(Evidence, evidence_stream(document.panel)).add(document, at=at)


def hold_session(session: Session, held: SessionHeld, *, at: datetime) -> None:
    open_panel(session, held.panel)
    session.get(Deliberation, deliberation_stream(held.panel)).hold_session(held, at=at)


def record_vote(session: Session, vote: VoteHeld, *, at: datetime) -> None:
    seated = open_panel(session, vote.panel)
    if not seated.ever_seated:
        raise NotYet(f"Panel {vote.panel} is not seated yet, so it cannot vote.")
    seated.check_votes_after_seating(f"Vote {vote.vote} of panel {vote.panel}", at)
    deliberation = session.get(Deliberation, deliberation_stream(vote.panel))
    deliberation.record_vote(vote, members=len(seated.members), at=at)


def recommendation(session: Session, panel_number: int, number: int) -> Recommendation:
    """Recommendation ``number`` of panel ``panel_number``, which must have been adopted."""
    found = session.get(Recommendation, recommendation_stream(panel_number, number))
    if found.adopted is None:
        raise NotFound(f"Panel {panel_number} has no recommendation {number}.")
    return found


def adopted_numbers(session: Session, panel_number: int) -> list[int]:
    """The numbers of the recommendations panel ``panel_number`` adopted, in order."""
    return sorted(
        recorded.event.number
        for recorded in session.store.of_type(Adopted.TYPE)
        if isinstance(recorded.event, Adopted) and recorded.event.panel == panel_number
    )


def references(session: Session) -> list[tuple[str | None, tuple[int, int]]]:
    """Every adopted recommendation's own reference (None if it has none) and its key."""
    return [
        (recorded.event.reference, (recorded.event.panel, recorded.event.number))
        for recorded in session.store.of_type(Adopted.TYPE)
        if isinstance(recorded.event, Adopted)
    ]


def named(session: Session, text: str) -> tuple[int, int]:
    """The (panel, number) of the recommendation ``text`` names: ``PANEL/NUMBER`` or the
    assembly's own reference (``SD-E2``)."""
    if "/" in text:
        return resolve_reference(text, ())
    return resolve_reference(text, references(session))


def define_group(session: Session, group: GroupDefined, *, at: datetime) -> None:
    languages = session.charter().languages
    session.get(Groups, GROUPS).define(group, languages=languages, at=at)


def name_portfolio(session: Session, event: PortfolioNamed, *, at: datetime) -> None:
    languages = session.charter().languages
    session.get(PortfolioNames, PortfolioNames().id).name(event, languages=languages, at=at)


def name_stratum(session: Session, event: StratumNamed, *, at: datetime) -> None:
    languages = session.charter().languages
    session.get(StratumNames, StratumNames().id).name(event, languages=languages, at=at)


def adopt(session: Session, event: Adopted, *, at: datetime) -> None:
    """Adopt a recommendation: its group defined, its own reference not used by another."""
    languages = session.charter().languages
    open_panel(session, event.panel)
    if event.group is not None:
        session.get(Groups, GROUPS).require(event.group)
    if event.reference is not None:
        _check_reference_free(session, event)
    deliberation = session.get(Deliberation, deliberation_stream(event.panel))
    session.get(Recommendation, recommendation_stream(event.panel, event.number)).adopt(
        event, languages=languages, deliberation=deliberation, at=at
    )


def hand_over(session: Session, panel_number: int, number: int, on: date, *, at: datetime) -> None:
    recommendation(session, panel_number, number).hand_over(on, at=at)


def respond(session: Session, answer: Responded, *, at: datetime) -> None:
    """Record one answer; one that names a joint statement must be covered by it."""
    charter = session.charter()
    text = ""
    if answer.statement is not None:
        given = statement(session, answer.statement)
        if f"{answer.panel}/{answer.number}" not in given.covers:
            raise NotAllowed(
                f"The statement {given.id} does not cover recommendation "
                f"{answer.panel}/{answer.number}: an answer names a statement that covers it."
            )
        text = given.longest
    what = f"The answer to {answer.panel}/{answer.number}"
    check_languages(what, answer.language, answer.translations, charter.languages)
    found = recommendation(session, answer.panel, answer.number)
    found.respond(
        answer, minimums=charter.minimums(), reviews=charter.reviews, statement_text=text, at=at
    )


def statement(session: Session, statement_id: str) -> StatementGiven:
    """The joint statement ``statement_id``, which must have been given."""
    found = session.get(Statement, statement_stream(statement_id)).given
    if found is None:
        raise NotFound(
            f"No statement {statement_id} has been given: record it with `assembly "
            "respond-jointly`."
        )
    return found


def give_statement(session: Session, given: StatementGiven, *, at: datetime) -> None:
    """Record a joint statement alone (a server replays a joint answer one event at a time:
    the statement, then each answer that names it)."""
    languages = session.charter().languages
    session.get(Statement, statement_stream(given.id)).give(given, languages=languages, at=at)


def answer_jointly(
    session: Session, given: StatementGiven, answers: list[Responded], *, at: datetime
) -> None:
    """Record a joint statement and, in the same unit of work, the answer it gives each
    recommendation it covers (exactly one each, naming the statement)."""
    give_statement(session, given, at=at)
    answered = [f"{answer.panel}/{answer.number}" for answer in answers]
    missing = [reference for reference in given.covers if reference not in answered]
    extra = [reference for reference in answered if reference not in given.covers]
    if missing or extra or len(set(answered)) != len(answered):
        raise NotAllowed(
            f"The statement {given.id} gives one answer to each recommendation it covers"
            + (f"; none for {', '.join(missing)}" if missing else "")
            + (f"; {', '.join(extra)} is not covered" if extra else "")
            + "."
        )
    for answer in answers:
        if answer.statement != given.id:
            raise NotAllowed(
                f"The answer to {answer.panel}/{answer.number} names statement "
                f"{answer.statement}, not {given.id}: each answer of a joint statement names it."
            )
        respond(session, answer, at=at)


def check_languages(
    what: str, language: str | None, translations: Iterable[str], languages: tuple[str, ...]
) -> None:
    """Raise unless a text's ``language`` and its ``translations`` are among the charter's
    ``languages``, and no translation is in the original's language."""
    given = list(translations)
    for code in [*([language] if language else []), *given]:
        if code not in languages:
            raise NotAllowed(
                f"{what} has a text in {code}, which is not one of the charter's languages "
                f"({', '.join(languages)})."
            )
    if language and language in given:
        raise NotAllowed(
            f"{what} is written in {language}: its translations are in the charter's other "
            "languages."
        )


def report(session: Session, event: ImplementationReported, *, at: datetime) -> None:
    minimums = session.charter().minimums()
    found = recommendation(session, event.panel, event.number)
    found.report(event, minimums=minimums, at=at)


def transfer(session: Session, event: ResponsibilityTransferred, *, at: datetime) -> None:
    recommendation(session, event.panel, event.number).transfer(event, at=at)


def assess(session: Session, event: Assessed, *, at: datetime) -> None:
    languages = session.charter().languages
    what = f"The commission's reasons on {event.panel}/{event.number}"
    check_languages(what, event.language, event.translations, languages)
    recommendation(session, event.panel, event.number).assess(event, at=at)


def suspend(session: Session, since: date, reason: str, *, at: datetime) -> None:
    session.charter()
    session.get(Deadlines, DEADLINES).suspend(since, reason, at=at)


def resume(session: Session, on: date, *, at: datetime) -> None:
    session.get(Deadlines, DEADLINES).resume(on, at=at)


def hold_review(session: Session, meeting: MeetingHeld, *, at: datetime) -> None:
    reviews = session.charter().reviews
    if meeting.review > reviews:
        raise NotAllowed(
            f"The charter sets {reviews} review appointment(s), so there is no review "
            f"{meeting.review} to hold: give a review from 1 to {reviews}."
        )
    concluded = panel(session, meeting.panel).concluded
    session.get(Review, review_stream(meeting.panel)).hold(meeting, concluded=concluded, at=at)


def correct(
    session: Session,
    seq: int,
    *,
    reason: str,
    replacement: dict[str, Any] | None = None,
    at: datetime,
) -> None:
    """Supersede entry ``seq``; a replacement payload keeps the rules of the original."""
    target = session.store.find(seq)
    if target is not None and replacement is not None:
        _check_replacement(
            session, target.event, decode(target.event.TYPE, target.event.SCHEMA, replacement)
        )
    session.get(Correction, correction_stream(seq)).correct(
        target, seq=seq, reason=reason, replacement=replacement, role=session.store.role, at=at
    )


def _check_reference_free(session: Session, event: Adopted) -> None:
    assert event.reference is not None
    wanted = event.reference.casefold()
    for reference, (panel_number, number) in references(session):
        if reference and reference.casefold() == wanted:
            raise AlreadyDone(
                f"Recommendation {panel_number}/{number} already has the reference {reference}: "
                "an assembly's references are unique in the ledger, whatever the case."
            )


IDENTITY = ("panel", "number", "review", "supersedes")


def _check_replacement(session: Session, original: Event, replacement: Event) -> None:
    for name in IDENTITY:
        if getattr(original, name, None) != getattr(replacement, name, None):
            raise NotAllowed(
                f"A correction keeps what the entry is about: its {name} was "
                f"{getattr(original, name, None)}, not {getattr(replacement, name, None)}."
            )
    charter = session.charter()
    minimums = charter.minimums()
    if isinstance(replacement, Responded):
        text = statement(session, replacement.statement).longest if replacement.statement else ""
        check_response(replacement, minimums=minimums, statement_text=text)
    elif isinstance(replacement, ImplementationReported):
        check_implementation(replacement, minimums=minimums)
    elif isinstance(replacement, Assessed):
        check_assessment(replacement)
    elif isinstance(replacement, Adopted):
        check_adoption(replacement, charter.languages)
    elif isinstance(replacement, Convened):
        check_texts("The corrected theme", replacement.theme, charter.languages)
