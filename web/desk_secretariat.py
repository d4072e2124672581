"""The secretariat's steps on the desk: adopting a recommendation, handing it over, holding a
review meeting, recording evidence or a vote; and the charter keeper's naming of a commission
member;
each through the command line's own function (``domain.commands``); and
``ALL_STEPS``, every step the desk takes on the domain's events (``web.desk_steps`` holds the
government's and the commission's, and the helpers that read a form; the charter keeper's key
steps, the ledger's own events, are ``web.desk_charter``'s).

A text given in several languages comes as one field per language (``title_fr``,
``title_nl``); a language left empty is a text not given in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from domain import commands
from domain.charter import CommissionMemberRecorded
from domain.correction import MeetingHeld
from domain.deliberation import BriefingPublished, ReportSubmitted, VoteHeld
from domain.process import Session
from domain.recommendation import Adopted, HandedOver
from web.desk_steps import STEPS, DeskStep, FormProblem, Run, day, event_of, given, made, named


def _texts(fields: Mapping[str, str], name: str) -> dict[str, str]:
    """The texts ``name_LANG`` of a form, by language."""
    prefix = f"{name}_"
    return {
        key.removeprefix(prefix): value.strip()
        for key, value in fields.items()
        if key.startswith(prefix) and isinstance(value, str) and value.strip()
    }


def _number(fields: Mapping[str, str], name: str) -> int:
    text = given(fields, name) or ""
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise FormProblem(f"{name} is a whole number, such as 12.", name)
    return int(text)


def _adopt(fields: Mapping[str, str]) -> Run:
    payload = {
        "panel": _number(fields, "panel"),
        "number": _number(fields, "number"),
        "title": _texts(fields, "title"),
        "text": _texts(fields, "text"),
        "priority": given(fields, "priority") or "medium",
        "portfolio": given(fields, "portfolio"),
        "vote": given(fields, "vote"),
        "reference": given(fields, "reference"),
    }
    return made(Adopted, commands.adopt, payload)


def _hand_over(fields: Mapping[str, str]) -> Run:
    on = day(fields, "on")

    def run(session: Session, at: datetime) -> None:
        panel, number = named(session, fields)
        commands.hand_over(session, panel, number, on, at=at)

    return run


def _review(fields: Mapping[str, str]) -> Run:
    payload = {
        "panel": _number(fields, "panel"),
        "review": _number(fields, "review"),
        "on": day(fields, "on"),
        "minutes_digest": given(fields, "minutes_digest"),
    }
    return made(MeetingHeld, commands.hold_review, payload)


def _evidence(fields: Mapping[str, str]) -> Run:
    kind = BriefingPublished if given(fields, "kind") != "report" else ReportSubmitted
    payload = {
        "panel": _number(fields, "panel"),
        "title": given(fields, "title"),
        "author": given(fields, "author"),
        "digest": given(fields, "digest"),
        "published_at": given(fields, "published_at"),
    }

    def run(session: Session, at: datetime) -> None:
        event = event_of(kind, payload)
        assert isinstance(event, BriefingPublished | ReportSubmitted)
        commands.add_evidence(session, event, at=at)

    return run


def _vote(fields: Mapping[str, str]) -> Run:
    """A vote as published: its result is said by the form (adopted or not), never guessed."""
    payload = {
        "panel": _number(fields, "panel"),
        "vote": given(fields, "vote"),
        "subject": given(fields, "subject"),
        "votes_for": given(fields, "votes_for"),
        "votes_against": given(fields, "votes_against"),
        "abstentions": given(fields, "abstentions"),
        "method": given(fields, "method"),
        "adopted": given(fields, "adopted"),
    }
    return made(VoteHeld, commands.record_vote, payload)


def _member(fields: Mapping[str, str]) -> Run:
    payload = {
        "panel": _number(fields, "panel"),
        "pseudonym": given(fields, "pseudonym"),
        "role": given(fields, "role"),
    }
    return made(CommissionMemberRecorded, commands.record_member, payload)


ALL_STEPS: dict[str, DeskStep] = {
    **STEPS,
    **{
        step.name: step
        for step in (
            DeskStep("adopt", Adopted, "secretariat", None, _adopt),
            DeskStep("hand_over", HandedOver, "secretariat", None, _hand_over),
            DeskStep("review", MeetingHeld, "secretariat", None, _review),
            DeskStep("evidence", BriefingPublished, "secretariat", None, _evidence),
            DeskStep("vote", VoteHeld, "secretariat", None, _vote),
            DeskStep("member", CommissionMemberRecorded, "charter", None, _member),
        )
    },
}
