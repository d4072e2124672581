"""Prepare what an office signs on the desk: the exact bytes, and nothing written.

``POST /api/desk/prepare`` takes ``{"step": NAME, "fields": {...}, "key": KEY}`` (``KEY`` the
office's public key in base64, or its key id). The server checks that the key is enrolled, not
revoked, valid now, and of a role that may write the step's event (403); runs the step's
domain function (``web.desk_steps``, the command line's own) over its own state in a session
that is never committed (refusals 422, beside a field where one is concerned); and returns, for
each event the step decides, the stream, the expected version, the canonical body
(``ledger.entry.body_of``, the one module that makes the bytes signed, bound to this ledger)
in base64, and a summary in plain words in the page's language (``web.desk_summary``).

The browser signs ``SIGNING_CONTEXT || body`` (``ledger.canonical.signing_input``) and posts
the submission to ``/api/submissions``, which checks everything again: nothing here is
trusted by the write.

The charter keeper's ``enrol`` and ``revoke`` (``web.desk_charter``) prepare the ledger's own
signer events the same way, checked by the ledger's rules rather than a domain step.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import RuleBroken
from domain.events import Pending
from domain.process import Session
from ledger import Ledger, NewEvent
from ledger.canonical import format_time
from ledger.entry import body_of
from ledger.errors import LedgerError, UnknownSigner
from ledger.keys import key_id_of
from ledger.signers import SignerBook
from web.admission import _Reader, status_for
from web.desk_charter import CHARTER_STEPS, LedgerStep, check_signer_event, summary_of_signer
from web.desk_secretariat import ALL_STEPS
from web.desk_steps import DeskStep, FormProblem, field_of
from web.desk_summary import summary_of

KEY_ID_HEX = 32


class Refusal(Exception):
    """What the desk answers instead of bytes: an HTTP status, one sentence and its field."""

    def __init__(self, status: int, sentence: str, field: str | None = None) -> None:
        super().__init__(sentence)
        self.status, self.sentence, self.field = status, sentence, field

    def as_json(self) -> dict[str, Any]:
        return {"detail": self.sentence, "field": self.field}


@dataclass(frozen=True)
class Prepared:
    """One event to sign: where it goes and its canonical body."""

    stream: str
    expected_version: int
    body: bytes
    summary: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "stream": self.stream,
            "expected_version": self.expected_version,
            "body": base64.b64encode(self.body).decode("ascii"),
            "summary": self.summary,
        }


def key_id_from(text: str) -> str:
    """The key id named by ``text``: a key id (32 hexadecimal digits) or a base64 public key."""
    if len(text) == KEY_ID_HEX and all(c in "0123456789abcdef" for c in text):
        return text
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise Refusal(
            400, "The key is a public key in base64 or a key id (32 hexadecimal digits).", "key"
        )
    return key_id_of(raw)


def step_named(name: str) -> DeskStep | LedgerStep:
    """The desk's step ``name`` (a 400 if the desk has none)."""
    found = ALL_STEPS.get(name) or CHARTER_STEPS.get(name)
    if found is None:
        steps = ", ".join([*ALL_STEPS, *CHARTER_STEPS])
        raise Refusal(400, f"The desk has no step {name[:40]!r}: use one of {steps}.")
    return found


def prepare(
    book: Ledger, step: DeskStep | LedgerStep, fields: dict[str, str], key: str, *, lang: str
) -> list[Prepared]:
    """The events ``step`` decides from ``fields`` for the key ``key``, ready to sign; the
    first refusal raised as a ``Refusal``. Nothing is written."""
    key_id = key_id_from(key)
    at = book.clock()
    signers = signer_book(book)
    event_type = step.event_type if isinstance(step, LedgerStep) else step.event.TYPE
    may_sign(signers, key_id, event_type, format_time(at))
    if isinstance(step, LedgerStep):
        return [_prepare_signer_event(book, step, fields, key_id, signers, at=at, lang=lang)]
    session = Session(_Reader(book, key_id))
    try:
        step.build(fields)(session, at)
    except FormProblem as problem:
        raise Refusal(422, problem.sentence(), problem.field) from None
    except RuleBroken as error:
        raise Refusal(422, error.sentence(), field_of(step, error)) from None
    except UnknownSigner as error:  # the reader's role, asked by a rule
        raise Refusal(403, error.sentence(), "key") from None
    prepared = signable(book, session, key_id, signers, lang=lang)
    if not prepared:
        raise AssertionError(f"the step {step.name} decided no event")
    return prepared


def signer_book(book: Ledger) -> SignerBook:
    """Every key the ledger knows, with its role and validity, to check a signer against."""
    signers = SignerBook(book.policy)
    signers.records = {record.key_id: record for record in book.signers()}
    return signers


def may_sign(signers: SignerBook, key_id: str, event_type: str, when: str) -> None:
    """Raise a ``Refusal`` beside the key unless ``key_id`` may sign ``event_type`` at
    ``when``: enrolled, not revoked, valid then, and of a role that writes it."""
    try:
        signers.check_may_sign(key_id, event_type, when)
    except LedgerError as error:
        raise Refusal(status_for(error), error.sentence(), "key") from None


def signable(
    book: Ledger, session: Session, key_id: str, signers: SignerBook, *, lang: str
) -> list[Prepared]:
    """The events ``session`` holds pending, each as the exact body ``key_id`` signs; a
    ``Refusal`` if that key may not sign one of them on its day."""
    identity = book.identity()
    prepared = []
    for stream, expected, events in session.pending():
        for offset, pending in enumerate(events, start=1):
            event = _new(pending)
            may_sign(signers, key_id, event.type, format_time(event.occurred_at))
            body = body_of(
                event, ledger=identity, stream=stream, version=expected + offset, signer=key_id
            )
            summary = summary_of(pending, lang=lang)
            prepared.append(Prepared(str(stream), expected, body, summary))
    return prepared


def _prepare_signer_event(
    book: Ledger,
    step: LedgerStep,
    fields: dict[str, str],
    key_id: str,
    signers: SignerBook,
    *,
    at: datetime,
    lang: str,
) -> Prepared:
    """An enrolment or a revocation, built as the ledger builds it and checked by its rules
    against every key it knows."""
    try:
        stream, expected, event = step.build(fields, at)
        body = body_of(
            event, ledger=book.identity(), stream=stream, version=expected + 1, signer=key_id
        )
        check_signer_event(signers, json.loads(body))
    except FormProblem as problem:
        raise Refusal(422, problem.sentence(), problem.field) from None
    summary = summary_of_signer(event, lang=lang)
    return Prepared(str(stream), expected, body, summary)


def _new(pending: Pending) -> NewEvent:
    """The event as the ledger signs it: ``cli.store.new_event``'s form (web may not import the
    command line; the API tests check that both give the same bytes)."""
    event = pending.event
    return NewEvent(
        type=event.TYPE,
        payload=event.to_payload(),
        occurred_at=pending.occurred_at,
        schema=event.SCHEMA,
    )
