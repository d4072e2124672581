"""The write steps of the offices' desk (``web.desk``): a form's fields made into the domain
step the command line runs (``domain.commands``), and the field a refusal belongs beside.

Each step reads its form as the command reads its options: the recommendation as
``PANEL/NUMBER`` or the assembly's own reference (``commands.named``), the event's payload
validated by its own pydantic model, then the command-layer function that checks the rules. A
field's text that is empty is a value not given, as an option left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from pydantic import ValidationError

from domain import commands
from domain.errors import JustificationTooShort, MissingDetail, NotFound, RuleBroken
from domain.events import Event
from domain.government import (
    Assessed,
    DeadlineResumed,
    DeadlineSuspended,
    ImplementationReported,
    ResponsibilityTransferred,
)
from domain.process import Session
from domain.responses import Responded
from domain.wording import allowed

Run = Callable[[Session, datetime], None]
E = TypeVar("E", bound=Event)


class FormProblem(RuleBroken):
    """A form's field that cannot be what its event needs (a 422 beside ``field``)."""

    def __init__(self, sentence: str, field: str | None) -> None:
        super().__init__(sentence)
        self.field = field


@dataclass(frozen=True)
class DeskStep:
    """One write step: its name on the desk, the event it decides, the role that takes it,
    the field holding its free text (where a too short one is shown), and how it runs."""

    name: str
    event: type[Event]
    role: str
    text_field: str | None
    build: Callable[[Mapping[str, str]], Run]


def given(fields: Mapping[str, str], name: str) -> str | None:
    """The field ``name``, stripped; None when left empty or out."""
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise FormProblem(f"{name} is a text.", name)
    return value.strip() or None


def text(fields: Mapping[str, str], name: str) -> str:
    """The free text ``name``, stripped ("" when left out)."""
    value = fields.get(name, "")
    if not isinstance(value, str):
        raise FormProblem(f"{name} is a text.", name)
    return value.strip()


def event_of(cls: type[Event], payload: Mapping[str, Any]) -> Event:
    """The event of ``payload``; a value its model refuses is a problem beside its field."""
    try:
        return cls.model_validate(dict(payload))
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else None
        raise FormProblem(f"{field or 'The form'} {allowed(error)}.", field) from None


def named(session: Session, fields: Mapping[str, str]) -> tuple[int, int]:
    """The (panel, number) of the recommendation the form names."""
    reference = given(fields, "recommendation")
    if reference is None:
        raise FormProblem("Choose the recommendation.", "recommendation")
    return commands.named(session, reference)


def made(cls: type[E], command: Callable[..., None], payload: Mapping[str, Any]) -> Run:
    """The step that makes ``cls`` from ``payload`` and runs the command line's own
    ``command`` on it."""

    def run(session: Session, at: datetime) -> None:
        event = event_of(cls, payload)
        assert isinstance(event, cls)
        command(session, event, at=at)

    return run


def about_one(
    fields: Mapping[str, str],
    cls: type[E],
    command: Callable[..., None],
    payload: Mapping[str, Any],
) -> Run:
    """The step that makes ``cls`` from ``payload`` for the recommendation the form names and
    runs the command line's own ``command`` on it."""

    def run(session: Session, at: datetime) -> None:
        panel, number = named(session, fields)
        event = event_of(cls, {"panel": panel, "number": number, **payload})
        assert isinstance(event, cls)
        command(session, event, at=at)

    return run


def _answer(fields: Mapping[str, str]) -> Run:
    payload = {
        "review": given(fields, "review") or "1",
        "position": given(fields, "position"),
        "portfolio": given(fields, "portfolio"),
        "justification": text(fields, "justification"),
        "planned_measures": text(fields, "planned_measures"),
        "decision_date": given(fields, "decision_date"),
        "referred_to": given(fields, "referred_to"),
        "evidence_digest": given(fields, "evidence_digest"),
        "language": given(fields, "language"),
    }

    return about_one(fields, Responded, commands.respond, payload)


def _report(fields: Mapping[str, str]) -> Run:
    payload = {
        "status": given(fields, "status"),
        "progress": given(fields, "progress"),
        "milestone": text(fields, "milestone"),
        "justification": text(fields, "justification"),
        "evidence_digest": given(fields, "evidence_digest"),
    }

    return about_one(fields, ImplementationReported, commands.report, payload)


def _assess(fields: Mapping[str, str]) -> Run:
    payload = {
        "verdict": given(fields, "verdict"),
        "reasons": text(fields, "reasons"),
        "score": given(fields, "score"),
        "language": given(fields, "language"),
    }

    return about_one(fields, Assessed, commands.assess, payload)


def _transfer(fields: Mapping[str, str]) -> Run:
    def run(session: Session, at: datetime) -> None:
        panel, number = named(session, fields)
        current = commands.recommendation(session, panel, number).portfolio
        payload = {
            "panel": panel,
            "number": number,
            "from_portfolio": given(fields, "from_portfolio") or current,
            "to_portfolio": given(fields, "to_portfolio"),
            "reason": text(fields, "reason"),
        }
        event = event_of(ResponsibilityTransferred, payload)
        assert isinstance(event, ResponsibilityTransferred)
        commands.transfer(session, event, at=at)

    return run


def day(fields: Mapping[str, str], name: str) -> date:
    """The day in the field ``name`` (YYYY-MM-DD, as a date input sends it)."""
    text = given(fields, name)
    try:
        return date.fromisoformat(text or "")
    except ValueError:
        raise FormProblem(f"{name} is a day, such as 2026-03-01.", name) from None


def _suspend(fields: Mapping[str, str]) -> Run:
    since, reason = day(fields, "since"), text(fields, "reason")
    if not reason:
        raise FormProblem("Say why the deadlines stand still (reason).", "reason")
    return lambda session, at: commands.suspend(session, since, reason, at=at)


def _resume(fields: Mapping[str, str]) -> Run:
    on = day(fields, "on")
    return lambda session, at: commands.resume(session, on, at=at)


STEPS: dict[str, DeskStep] = {
    step.name: step
    for step in (
        DeskStep("respond", Responded, "government", "justification", _answer),
        DeskStep("report", ImplementationReported, "government", "justification", _report),
        DeskStep("assess", Assessed, "commission", "reasons", _assess),
        DeskStep("transfer", ResponsibilityTransferred, "government", "reason", _transfer),
        DeskStep("suspend", DeadlineSuspended, "government", "reason", _suspend),
        DeskStep("resume", DeadlineResumed, "government", None, _resume),
    )
}

_DETAIL_FIELD = re.compile(r"\(([a-z_]+)\)\s*$")


def field_of(step: DeskStep, error: RuleBroken) -> str | None:
    """The form's field a refusal is shown beside (None: the form as a whole)."""
    if isinstance(error, FormProblem):
        return error.field
    if isinstance(error, JustificationTooShort):
        return step.text_field
    if isinstance(error, MissingDetail):
        found = _DETAIL_FIELD.search(error.detail)
        if found:
            return found.group(1)
        return "evidence_digest" if "evidence" in error.detail else step.text_field
    if isinstance(error, NotFound):
        return "recommendation"
    return None
