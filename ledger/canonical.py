"""The bytes that are signed and hashed. Nothing else in the project produces them.

Canonical form is RFC 8785, the JSON Canonicalization Scheme (``rfc8785`` package), with floats
refused: numbers in events are integers (within ±(2**53 - 1)), decimals travel as strings.

An event body is the canonical object::

    {"occurred_at": RFC 3339 UTC, "payload": {...}, "schema": int, "signer": key id,
     "stream": UUID, "type": "dotted.name", "version": int}

The author signs ``context || body`` with Ed25519 (RFC 8032). The context keeps an event
signature from ever being read as a signature over anything else made with the same key:

- ``assembly-ledger/event/v2\n`` (this release): the body names the ledger it is meant for in a
  ``"ledger"`` member (its identity, 32 hex digits; see ``ledger.identity``), so an event signed
  for one ledger, or for a copy of it, is refused by every other. Such a body, being canonical
  with its members sorted, begins with ``{"ledger":"``, which is how a verifier tells the versions
  apart from the bytes alone.
- ``assembly-ledger/dry-run/v2\n``: the same body, signed for a rehearsal. A dry run's signature
  is never a signature of the real kind, so whoever sees a dry run cannot commit it.
- ``assembly-ledger/event/v1\n``: bodies without ``"ledger"``, written by earlier releases. They
  stay verifiable where they were written, before a ledger's first v2 entry; nothing new is
  accepted under it.

Only bytes that are their own canonical form are stored (``check_canonical``): a body that parses
to the same value but is spelt otherwise (spaces, key order, escapes, a duplicated key, a float)
would let two readers see two events behind one signature.

An entry is the canonical object::

    {"event": body, "prev": hex(prev hash), "recorded_at": RFC 3339 UTC, "seq": int,
     "sig": base64(signature)}

and its hash is the RFC 6962 / RFC 9162 leaf hash ``SHA-256(0x00 || entry bytes)``. ``prev`` of
seq 0 is 32 zero bytes. Because the body is already canonical and every other member is a plain
string or integer, the entry bytes are built by concatenation; ``tests/ledger/test_canonical.py``
checks the result against ``rfc8785.dumps`` of the whole object.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import rfc8785
from pydantic_core import to_json

from ledger.errors import CanonicalizationError
from tlog.merkle import leaf_hash

SIGNING_CONTEXT = b"assembly-ledger/event/v2\n"
DRY_RUN_CONTEXT = b"assembly-ledger/dry-run/v2\n"
LEGACY_CONTEXT = b"assembly-ledger/event/v1\n"
BOUND_BODY = b'{"ledger":"'
ZERO_HASH = bytes(32)
MAX_ENTRY_BYTES = 64 * 1024

_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z\Z")


def canonical_bytes(value: Any) -> bytes:
    """Return the RFC 8785 canonical bytes of a JSON value; refuse floats anywhere inside it.

    For the values events hold (strings, integers within ±(2**53 - 1), booleans, null, lists,
    objects whose keys lie in the Basic Multilingual Plane) the standard library's sorted,
    compact, unescaped JSON already is the JCS form: the same escapes, the same integer form,
    and sorting by code point agrees with JCS's sorting by UTF-16 unit. That path is several
    times faster; ``rfc8785.dumps`` takes every other value, and the tests check the two agree.
    """
    try:
        plain = _plain(value)
    except _FloatAt as found:
        path = "$" + "".join(reversed(found.path))
        raise CanonicalizationError(
            f"{path} is a float ({found.value!r}); use an integer or a decimal string."
        ) from None
    if plain:
        try:
            return _JSON.encode(value).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: rfc8785 says what is wrong
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise CanonicalizationError(f"The value cannot be canonicalised: {exc}.") from exc


_JSON = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":"), check_circular=False
)
_SAFE_INTEGER = 2**53 - 1


class _FloatAt(Exception):
    def __init__(self, value: float) -> None:
        self.value = value
        self.path: list[str] = []


def _plain(value: Any) -> bool:
    """Raise _FloatAt for a float anywhere; tell whether the fast path gives the JCS bytes."""
    if value is None or isinstance(value, str | bool):
        return True
    if isinstance(value, int):
        return -_SAFE_INTEGER <= value <= _SAFE_INTEGER
    if isinstance(value, float):
        raise _FloatAt(value)
    plain = True
    if isinstance(value, dict):
        for key, item in value.items():
            try:
                plain = _plain(item) and plain
            except _FloatAt as found:
                found.path.append(f".{key}")
                raise
            if not isinstance(key, str) or (key and max(key) > "\uffff"):
                plain = False
        return plain
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            try:
                plain = _plain(item) and plain
            except _FloatAt as found:
                found.path.append(f"[{index}]")
                raise
        return plain
    return False


def is_bound(body: bytes) -> bool:
    """Tell whether an event body names its ledger (the v2 format) rather than being a v1 body."""
    return body.startswith(BOUND_BODY)


def signing_input(body: bytes, *, dry_run: bool = False) -> bytes:
    """Return the message an author signs for an event body (see the module docstring)."""
    if dry_run:
        return DRY_RUN_CONTEXT + body
    return (SIGNING_CONTEXT if is_bound(body) else LEGACY_CONTEXT) + body


def check_canonical(data: bytes, value: Any) -> None:
    """Raise CanonicalizationError unless ``data`` is byte for byte the canonical form of
    ``value``, the JSON value parsed from it; the error says what is not canonical."""
    # The verifier asks this of every entry. A value with no float, no integer beyond
    # ±(2**53 - 1), its objects' keys sorted and no character beyond the BMP (where sorting by
    # code point and by UTF-16 unit disagree) is canonical exactly when pydantic-core's compact
    # form of it (which keeps the parsed keys' order and escapes as RFC 8785 does) spells the
    # bytes: a fifth of the full path's cost. Anything else takes the full path, which says
    # what is wrong; tests/ledger/test_canonical.py checks that the two agree.
    try:
        if (
            (data.isascii() or _ASTRAL.search(data) is None)
            and _plain_and_sorted(value)
            and to_json(value) == data
        ):
            return
    except (TypeError, ValueError):
        pass
    if canonical_bytes(value) == data:  # raises for floats and integers beyond ±(2**53 - 1)
        return
    duplicated = duplicated_key(data)
    if duplicated is not None:
        raise CanonicalizationError(
            f"the key {duplicated!r} appears twice in one object; each key appears once"
        )
    expected = canonical_bytes(value)
    at = next(
        (i for i, (a, b) in enumerate(zip(data, expected, strict=False)) if a != b),
        min(len(data), len(expected)),
    )
    raise CanonicalizationError(
        f"the bytes are not their RFC 8785 canonical form (they differ from it at byte {at}: "
        "white space, key order, an escape or a number's spelling); send the canonical bytes"
    )


def _plain_and_sorted(value: Any) -> bool:
    """Tell whether a parsed JSON value holds no float, no integer beyond ±(2**53 - 1), and
    only objects whose keys are in order (a loop, not recursion: it runs for every entry)."""
    pending = [value]
    while pending:
        container = pending.pop()
        items: Iterable[Any]
        if type(container) is dict:
            keys = list(container)
            if keys != sorted(keys):
                return False
            items = container.values()
        elif type(container) is list:
            items = container
        else:
            items = (container,)
        for item in items:
            kind = type(item)
            if kind is dict or kind is list:
                pending.append(item)
            elif kind is float or (kind is int and not -_SAFE_INTEGER <= item <= _SAFE_INTEGER):
                return False
    return True


_ASTRAL = re.compile(rb"[\xf0-\xf4]")  # the lead byte of a character beyond the BMP


def duplicated_key(data: bytes) -> str | None:
    """Return the first key that an object of the JSON in ``data`` names twice, or None (also
    for bytes that are not JSON, which their own parser describes)."""

    class _Twice(Exception):
        def __init__(self, key: str) -> None:
            self.key = key

    def once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in pairs:
            if key in found:
                raise _Twice(key)
            found[key] = value
        return found

    try:
        json.loads(data, object_pairs_hook=once)
    except _Twice as twice:
        return twice.key
    except (ValueError, RecursionError):
        return None
    return None


def entry_bytes(*, seq: int, prev: bytes, body: bytes, sig: bytes, recorded_at: str) -> bytes:
    """Return the canonical bytes of an entry (see the module docstring)."""
    return b"".join(
        (
            b'{"event":',
            body,
            b',"prev":"',
            prev.hex().encode(),
            b'","recorded_at":',
            # A timestamp in the stored form needs no escaping; anything else goes through JCS.
            b'"%s"' % recorded_at.encode()
            if _TIMESTAMP.match(recorded_at)
            else rfc8785.dumps(recorded_at),
            b',"seq":',
            str(seq).encode(),
            b',"sig":"',
            base64.b64encode(sig),
            b'"}',
        )
    )


def entry_hash(*, seq: int, prev: bytes, body: bytes, sig: bytes, recorded_at: str) -> bytes:
    """Return the hash of an entry: the leaf hash of its canonical bytes."""
    return leaf_hash(entry_bytes(seq=seq, prev=prev, body=body, sig=sig, recorded_at=recorded_at))


def format_time(moment: datetime) -> str:
    """Return a timezone-aware moment as RFC 3339 UTC with microseconds: the one stored form."""
    if moment.tzinfo is None:
        raise CanonicalizationError(f"{moment.isoformat()} has no time zone; give UTC times.")
    utc = moment.astimezone(UTC)
    # Not strftime: its %Y does not pad years before 1000, and the form must sort as it reads.
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
        f"{utc.second:02d}.{utc.microsecond:06d}Z"
    )


def parse_time(text: str) -> datetime:
    """Parse a timestamp in the stored form; raise CanonicalizationError otherwise."""
    if not isinstance(text, str) or not _TIMESTAMP.match(text):
        raise CanonicalizationError(
            f"{text!r} is not a UTC timestamp like 2026-01-31T12:00:00.000000Z."
        )
    try:
        return datetime(
            int(text[0:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]),
            int(text[14:16]), int(text[17:19]), int(text[20:26]), tzinfo=UTC,
        )  # fmt: skip
    except ValueError:
        raise CanonicalizationError(
            f"{text!r} is not a UTC timestamp of a moment that exists."
        ) from None


def is_timestamp(text: object) -> bool:
    """Tell whether a value is a timestamp in the stored form (so strings compare in time order)."""
    return (
        isinstance(text, str)
        and _TIMESTAMP.match(text) is not None
        and _real_day(text[:10])
        and text[11:13] < "24"
        and text[14:16] < "60"
        and text[17:19] < "60"
    )


@functools.lru_cache(maxsize=4096)
def _real_day(day: str) -> bool:
    # The verifier asks this of every entry, and a ledger's entries share few days.
    try:
        date(int(day[0:4]), int(day[5:7]), int(day[8:10]))
    except ValueError:
        return False
    return True
