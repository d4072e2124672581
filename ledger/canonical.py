"""The bytes that are signed and hashed. Nothing else in the project produces them.

Canonical form is RFC 8785, the JSON Canonicalization Scheme (``rfc8785`` package), with floats
refused: numbers in events are integers (within ±(2**53 - 1)), decimals travel as strings.

An event body is the canonical object::

    {"occurred_at": RFC 3339 UTC, "payload": {...}, "schema": int, "signer": key id,
     "stream": UUID, "type": "dotted.name", "version": int}

The author signs ``SIGNING_CONTEXT || body`` with Ed25519 (RFC 8032). The context keeps an event
signature from ever being read as a signature over anything else made with the same key.

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
import hashlib
import json
import re
from datetime import UTC, date, datetime
from typing import Any

import rfc8785

from ledger.errors import CanonicalizationError

SIGNING_CONTEXT = b"assembly-ledger/event/v1\n"
ZERO_HASH = bytes(32)
LEAF_PREFIX = b"\x00"
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


def signing_input(body: bytes) -> bytes:
    """Return the message an author signs for an event body."""
    return SIGNING_CONTEXT + body


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


def leaf_hash(data: bytes) -> bytes:
    """Return the RFC 6962 leaf hash SHA-256(0x00 || data)."""
    return hashlib.sha256(LEAF_PREFIX + data).digest()


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
