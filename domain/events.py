"""Event payloads: explicit classes with stable type names and schema versions (docs/design.md 4).

Every event of the assembly is a pydantic model with two class constants, ``TYPE`` (the stable
name stored in the ledger, never a Python path) and ``SCHEMA`` (its version). The registry maps
stored names back to classes; ``decode`` upcasts an old schema version to the current one before
validating, so aggregates only ever see the current shape. Payloads never hold floats (the
ledger's canonical JSON refuses them): ratios are integers in millionths, dates are ISO strings.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from domain.errors import BadPayload, UnknownEventType
from domain.wording import allowed, field_name

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
E = TypeVar("E", bound="type[Event]")


class Event(BaseModel):
    """The payload of one event type; subclasses set ``TYPE`` and, once changed, ``SCHEMA``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    TYPE: ClassVar[str]
    SCHEMA: ClassVar[int] = 1

    def to_payload(self) -> dict[str, Any]:
        """The JSON payload stored in the ledger (no floats, dates as ISO text)."""
        return self.model_dump(mode="json")


@dataclass(frozen=True)
class Pending:
    """An event an aggregate has decided on, not yet signed or stored."""

    event: Event
    occurred_at: datetime


@dataclass(frozen=True)
class Recorded:
    """A stored event as the domain sees it: the payload and where it sits in the ledger."""

    event: Event
    version: int
    seq: int
    occurred_at: datetime
    signer: str
    role: str | None = None
    recorded_at: datetime | None = None  # the ledger's clock when it was appended
    # History recorded after the fact (``ledger.history``): dated before the ledger began, on a
    # ledger opened to record a past cycle. Its rules of order are judged on ``occurred_at``.
    after_the_fact: bool = False
    # The day that ledger began when it records history (None: it records only what it sees
    # happen), so that a rule can tell whether a step it is asked to take would be history too.
    history_before: date | None = None
    # the payload as stored, when at the current schema
    stored: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def payload(self) -> Mapping[str, Any]:
        """The event's JSON payload (the stored one when not upcast: no second serialisation)."""
        return self.stored if self.stored is not None else self.event.to_payload()


REGISTRY: dict[str, type[Event]] = {}
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def register(cls: E) -> E:
    """Class decorator: make an event type known by its stored name."""
    if cls.TYPE in REGISTRY:
        raise AssertionError(f"event type {cls.TYPE} is registered twice")
    REGISTRY[cls.TYPE] = cls
    return cls


def upcaster(type_name: str, schema: int) -> Callable[[Upcaster], Upcaster]:
    """Decorator: the function turning payloads of ``type_name`` at ``schema`` into schema + 1."""

    def add(function: Upcaster) -> Upcaster:
        UPCASTERS[(type_name, schema)] = function
        return function

    return add


def decode(type_name: str, schema: int, payload: Mapping[str, Any]) -> Event:
    """Turn a stored payload into its event class, upcasting old schema versions first."""
    cls = REGISTRY.get(type_name)
    if cls is None:
        raise UnknownEventType(type_name)
    data = payload  # validating does not change it: no copy unless upcasting
    while schema < cls.SCHEMA:
        step = UPCASTERS.get((type_name, schema))
        if step is None:
            raise BadPayload(type_name, f"no upcaster from schema {schema}")
        data = step(dict(data))
        schema += 1
    if schema != cls.SCHEMA:
        raise BadPayload(type_name, f"schema {schema} is newer than this program knows")
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise BadPayload(type_name, first_problem(exc)) from None


def recorded_from(
    fields: Mapping[str, Any],
    *,
    seq: int,
    recorded_at: str,
    role: str | None = None,
    history_before: date | None = None,
) -> Recorded:
    """The domain's view of a stored event body (its parsed fields) at ``seq``, on a ledger
    whose history recorded after the fact ends ``history_before`` (None: it holds none)."""
    event = decode(fields["type"], fields["schema"], fields["payload"])
    occurred_at = fields["occurred_at"]
    return Recorded(
        event=event,
        version=fields["version"],
        seq=seq,
        occurred_at=moment(occurred_at),
        signer=fields["signer"],
        role=role,
        recorded_at=moment(recorded_at),
        after_the_fact=history_before is not None
        and date.fromisoformat(occurred_at[:10]) < history_before,
        history_before=history_before,
        stored=fields["payload"] if fields["schema"] == event.SCHEMA else None,
    )


@lru_cache(maxsize=4096)
def moment(text: str) -> datetime:
    """A stored timestamp as a datetime (cached: the events of one append share their times)."""
    return datetime.fromisoformat(text)


def first_problem(exc: ValidationError, *, whole: str = "payload") -> str:
    """The first thing pydantic found wrong, as ``field: message`` (``whole`` if no field)."""
    error = exc.errors()[0]
    return f"{field_name(error, whole=whole)} {allowed(error)}"
