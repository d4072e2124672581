"""Naming a recommendation on the command line for the read commands: ``PANEL/NUMBER`` or the
assembly's own reference (``SD-E2``), resolved by the domain's one resolver
(``domain.commands.named``) over the ledger's adoptions, as the write commands resolve it."""

from __future__ import annotations

from cli.context import open_ledger
from cli.errors import UsageProblem
from cli.store import LedgerStore
from domain import commands
from domain.errors import NotAllowed, NotFound
from domain.process import Session
from domain.recommendation import resolve_reference
from ledger import Ledger


def recommendation_key(book: Ledger, text: str) -> tuple[int, int]:
    """The (panel, number) ``text`` names in the open ledger ``book``; a name that is not one
    is a usage error, said in a sentence."""
    try:
        return commands.named(Session(LedgerStore(book, None)), text)
    except (NotFound, NotAllowed) as error:
        raise UsageProblem(error.sentence()) from None


def key_in(location: str, text: str) -> tuple[int, int]:
    """``recommendation_key`` in the ledger at ``location`` (opened only if ``text`` is the
    assembly's own reference: ``PANEL/NUMBER`` needs no ledger)."""
    if "/" in text:
        try:
            return resolve_reference(text, ())
        except NotFound as error:
            raise UsageProblem(error.sentence()) from None
    book = open_ledger(location)
    try:
        return recommendation_key(book, text)
    finally:
        book.close()
