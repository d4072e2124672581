"""What every write command shares: open the ledger and the key, run one step, say what was
written; and turning command-line text into the domain's payloads."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from cli import remote
from cli.context import open_ledger, parse_moment, signing_key
from cli.errors import UsageProblem
from cli.render import stdout
from cli.store import LedgerStore
from domain.process import Session, run
from domain.wording import allowed
from ledger import Entry
from projections import catch_up

M = TypeVar("M", bound=BaseModel)

AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="When it happened (a date or an ISO time, UTC); default: now. Never in the future.",
    ),
]


def act(
    ledger: str,
    key: Path | None,
    step: Callable[[Session, datetime], object],
    *,
    at: str | None = None,
    server: str | None = None,
    on_recorded: Callable[[], object] | None = None,
) -> list[Entry]:
    """Open the ledger and the key, run ``step`` in one unit of work, and report the entries;
    with ``server``, sign here and submit to that shared server instead (``cli.remote``).
    ``on_recorded`` runs as soon as the entries are recorded, before anything else can fail
    (it puts in place files that must exist only for a recorded step, such as salts)."""
    if server is not None:
        written = remote.submit_step(server, signing_key(key), step, at=parse_moment(at))
        if on_recorded is not None:
            on_recorded()
        report(written)
        return written
    book = open_ledger(ledger)
    try:
        store = LedgerStore(book, signing_key(key))
        moment = parse_moment(at) or book.clock()
        run(store, lambda session: step(session, moment))
        if on_recorded is not None:
            on_recorded()
        report(store.written)
        catch_up(book)  # the read models answer for what was just written
        return store.written
    finally:
        book.close()


def report(written: Sequence[Entry]) -> None:
    """Say which entries a command wrote."""
    for entry in written:
        stdout.print(
            f"Wrote seq {entry.seq}: {entry.event['type']} (hash {entry.hash.hex()[:16]}…)"
        )


def model(cls: type[M], **fields: Any) -> M:
    """Build a payload from options, turning validation errors into a usage sentence."""
    try:
        return cls.model_validate({name: value for name, value in fields.items()})
    except ValidationError as exc:
        error = exc.errors()[0]
        where = "--" + str(error["loc"][0]).replace("_", "-") if error["loc"] else "The input"
        raise UsageProblem(f"{where} {allowed(error)}.") from None


def texts(option: str, values: Sequence[str] | None) -> dict[str, str]:
    """Parse repeated ``LANG=TEXT`` options (``--title fr=... --title nl=...``)."""
    parsed: dict[str, str] = {}
    for value in values or ():
        code, equals, text = value.partition("=")
        if not equals or not code:
            raise UsageProblem(f"{option} takes LANG=TEXT, for example {option} fr='...'.")
        parsed[code.strip()] = text
    return parsed


def files(option: str, values: Sequence[str] | None) -> dict[str, str]:
    """Parse repeated ``LANG=FILE`` options into each file's UTF-8 text."""
    return {
        code: read_text(None, Path(path), option) for code, path in texts(option, values).items()
    }


def read_text(given: str | None, path: Path | None, option: str) -> str:
    """A long text given inline or as a file (``--justification`` / ``--justification-file``)."""
    if given is not None and path is not None:
        raise UsageProblem(f"Give {option} or {option}-file, not both.")
    if path is None:
        return given or ""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageProblem(f"Cannot read {path}: {exc}.") from None


def digest_of(path: Path) -> str:
    """``sha256:<hex>`` of a file's bytes."""
    try:
        with path.open("rb") as handle:
            return "sha256:" + hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError as exc:
        raise UsageProblem(f"Cannot read {path}: {exc.strerror}.") from None


def day(text: str | None, option: str) -> date | None:
    """Parse a date option."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageProblem(f"{option}: {text!r} is not a date such as 2026-03-31.") from None


def today() -> date:
    return datetime.now(UTC).date()
