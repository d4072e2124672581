"""``--server URL``: a write command signed here and appended by a shared server.

The command runs its domain step exactly as it does on a local ledger, in a ``Session``, over a
store that reads the streams the step loads from the server (``web.submissions``' GET routes)
instead of a database. When the session commits, the store signs the decided events with the
office's key, at the versions the step saw, and POSTs them to ``/api/submissions``. No copy of
the ledger is kept, so nothing can go stale here: if someone writes to a stream between the
read and the post, the server answers 409 and nothing is written. The server re-checks
everything (signatures, role, the domain's rules, versions), so this client is a convenience,
never a source of trust; and it recomputes the hash of each entry the server reports, from the
bytes it signed, to know that the server chained exactly those bytes.

The server's refusals become the errors a local command raises, with the server's sentence:
422 a rule of the assembly (``refused:``, exit 3), 400, 403, 409 and 413 a refused append
(exit 3), anything else an unusable server (exit 4).
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Annotated, Any, Protocol

import typer

from cli.errors import UsageProblem
from cli.store import KNOWN_TYPES, new_event
from domain.errors import RuleBroken
from domain.events import Pending, Recorded, moment, recorded_from
from domain.process import Batch, Session, run
from ledger import Entry, NewEvent, SignedEvent, Signer, sign_events
from ledger.errors import AppendRefused, StorageError, UnknownSigner, VerificationFailed
from ledger.history import history_before

SUBMISSIONS = "/api/submissions"
TIMEOUT_SECONDS = 30.0

ServerOption = Annotated[
    str | None,
    typer.Option(
        "--server",
        envvar="ASSEMBLY_SERVER",
        help="Sign here and submit to this shared server (https://...) instead of --ledger.",
    ),
]


class Reply(Protocol):
    """What the client reads of an HTTP response (an ``httpx.Response``)."""

    @property
    def status_code(self) -> int: ...

    def json(self) -> Any: ...


class Transport(Protocol):
    """What the client needs of an HTTP client (an ``httpx.Client``, or a test's ``TestClient``),
    with its base URL set to the server."""

    def get(self, url: str) -> Reply: ...

    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> Reply: ...


class ServerRefused(AppendRefused):
    """The server refused the append (a signature, a key, a role, a version, a replay)."""


class ServerRuleBroken(RuleBroken):
    """The server's replay of the step broke a rule of the assembly."""


class ServerUnavailable(StorageError):
    """The server cannot be reached, or answered something that is not the protocol."""


def submit_step(
    server: str,
    signer: Signer,
    step: Callable[[Session, datetime], object],
    *,
    at: datetime | None = None,
) -> list[Entry]:
    """Run ``step`` against the server at ``server``, signed by ``signer``; what it wrote."""
    with connected(server) as client:
        return act(client, signer, step, at=at)


@contextmanager
def connected(server: str) -> Iterator[Transport]:
    """An HTTP client of ``server``; a connection that fails is an unusable server."""
    try:
        import httpx
    except ImportError:  # pragma: no cover - httpx is a dependency
        raise UsageProblem("--server needs the httpx package: pip install httpx.") from None
    with httpx.Client(base_url=server, timeout=TIMEOUT_SECONDS) as client:
        try:
            yield client
        except httpx.TransportError as exc:
            raise ServerUnavailable(f"Cannot reach the server {server}: {exc}.") from None


def act(
    transport: Transport,
    signer: Signer,
    step: Callable[[Session, datetime], object],
    *,
    at: datetime | None = None,
) -> list[Entry]:
    """Run ``step`` in one unit of work over the server's state and submit what it decides,
    dated ``at`` or the server's clock (so a client clock ahead of it is no problem)."""
    store = RemoteStore(transport, signer)
    when = at or store.now
    run(store, lambda session: step(session, when))
    return store.written


class RemoteStore:
    """The domain's store port over a server: reads its entries, appends by signed submission."""

    def __init__(self, transport: Transport, signer: Signer) -> None:
        self.transport = transport
        self.signer = signer
        described = expect(transport.get(SUBMISSIONS))
        self.now = moment(str(described["now"]))
        self.ledger = str(described["ledger"])  # the identity every signature names
        self._roles: dict[str, str] = dict(described["signers"])
        self.written: list[Entry] = []
        self._history: tuple[date | None] | None = None  # entry 0's, read when first needed

    @property
    def role(self) -> str:
        role = self._roles.get(self.signer.key_id)
        if role is None:
            raise UnknownSigner(self.signer.key_id)
        return role

    def load(self, stream: uuid.UUID) -> list[Recorded]:
        return self._entries(f"{SUBMISSIONS}/streams/{stream}")

    def find(self, seq: int) -> Recorded | None:
        reply = self.transport.get(f"{SUBMISSIONS}/entries/{seq}")
        if reply.status_code == 404:
            return None
        entry = entry_from(expect(reply))
        return self._recorded(entry) if entry.event["type"] in KNOWN_TYPES else None

    def of_type(self, type_name: str) -> list[Recorded]:
        return self._entries(f"{SUBMISSIONS}/types/{type_name}")

    def append(self, batches: Sequence[Batch]) -> list[int]:
        written = submit(self.transport, self._signed(batches))
        self.written.extend(written)
        return [entry.seq for entry in written]

    def rehearse(self, batches: Sequence[Batch]) -> None:
        """Have the server run every check of ``append`` and write nothing (its dry run),
        with signatures made for a rehearsal, which no ledger stores."""
        submit(self.transport, self._signed(batches, dry_run=True), dry_run=True)

    def _signed(
        self, batches: Sequence[Batch], *, dry_run: bool = False
    ) -> list[tuple[uuid.UUID, int, list[SignedEvent]]]:
        return [
            (
                stream,
                expected,
                sign_events(
                    self.signer, stream, expected, _new(events), ledger=self.ledger, dry_run=dry_run
                ),
            )
            for stream, expected, events in batches
        ]

    def _entries(self, url: str) -> list[Recorded]:
        found = expect(self.transport.get(url))["entries"]
        return [self._recorded(entry_from(each)) for each in found]

    def _recorded(self, entry: Entry) -> Recorded:
        fields = entry.event
        role = self._roles.get(fields["signer"])
        return recorded_from(
            fields,
            seq=entry.seq,
            recorded_at=entry.recorded_at,
            role=role,
            history_before=self._history_before(),
        )

    def _history_before(self) -> date | None:
        """The server's ledger's start, if it records history (``ledger.history``)."""
        if self._history is None:
            genesis = entry_from(expect(self.transport.get(f"{SUBMISSIONS}/entries/0")))
            self._history = (history_before(genesis.event, genesis.recorded_at),)
        return self._history[0]


def _new(pending: Sequence[Pending]) -> list[NewEvent]:
    # cli.store's mapping, so that a local and a submitted event are signed from one form.
    return [new_event(each) for each in pending]


def submit(
    transport: Transport,
    batches: Sequence[tuple[uuid.UUID, int, Sequence[SignedEvent]]],
    *,
    dry_run: bool = False,
) -> list[Entry]:
    """POST signed events; the entries the server wrote, each checked against what was signed
    (with ``dry_run``, the server checks everything and writes nothing: no entries)."""
    document = {
        "batches": [
            {
                "stream": str(stream),
                "expected_version": expected,
                "events": [{"body": _b64(e.body), "sig": _b64(e.sig)} for e in events],
            }
            for stream, expected, events in batches
        ]
    }
    content = json.dumps(document, separators=(",", ":")).encode("utf-8")
    url = f"{SUBMISSIONS}?dry_run=true" if dry_run else SUBMISSIONS
    reply = transport.post(url, content=content, headers={"content-type": "application/json"})
    if dry_run:
        expect(reply)
        return []
    written = expect(reply, created=True)["written"]
    signed = [event for _, _, events in batches for event in events]
    if len(written) != len(signed):
        raise ServerUnavailable(
            f"The server reports {len(written)} entries written for {len(signed)} events signed."
        )
    return [_receipt(event, found) for event, found in zip(signed, written, strict=True)]


def _receipt(event: SignedEvent, found: dict[str, Any]) -> Entry:
    """The entry the server says it wrote for ``event``, whose hash must cover our bytes."""
    entry = Entry(
        seq=int(found["seq"]),
        prev=bytes.fromhex(found["prev"]),
        body=event.body,
        sig=event.sig,
        recorded_at=str(found["recorded_at"]),
        hash=bytes.fromhex(found["hash"]),
    )
    if entry.computed_hash() != entry.hash:
        raise VerificationFailed(
            entry.seq, "the server's entry hash does not cover the event signed here"
        )
    return entry


def entry_from(data: dict[str, Any]) -> Entry:
    """An entry as the server's GET routes give it (``web.submissions.entry_json``)."""
    try:
        return Entry(
            seq=int(data["seq"]),
            prev=bytes.fromhex(data["prev"]),
            body=base64.b64decode(data["body"], validate=True),
            sig=base64.b64decode(data["sig"], validate=True),
            recorded_at=str(data["recorded_at"]),
            hash=bytes.fromhex(data["hash"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ServerUnavailable(f"The server sent an entry that cannot be read: {exc}.") from None


def expect(reply: Reply, *, created: bool = False) -> Any:
    """The JSON of a successful reply; a refusal raised as the error a local command raises."""
    wanted = 201 if created else 200
    if reply.status_code == wanted:
        return reply.json()
    raise refusal(reply.status_code, _detail(reply))


def refusal(status: int, detail: str) -> AppendRefused | RuleBroken | StorageError:
    """The local error for a server's refusal, carrying the server's sentence."""
    if status == 422:
        return ServerRuleBroken(detail)
    if status in (400, 403, 409, 413):
        return ServerRefused(detail)
    return ServerUnavailable(f"The server refused the request (HTTP {status}): {detail}")


def _detail(reply: Reply) -> str:
    try:
        detail = reply.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    return detail if isinstance(detail, str) else "it gave no reason."


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


__all__ = [
    "RemoteStore",
    "ServerOption",
    "ServerRefused",
    "ServerRuleBroken",
    "ServerUnavailable",
    "Transport",
    "act",
    "connected",
    "submit",
    "submit_step",
]
