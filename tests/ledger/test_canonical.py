"""The bytes that are signed and hashed (``ledger/canonical.py``)."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import rfc8785
from hypothesis import example, given
from hypothesis import strategies as st

from ledger.canonical import (
    DRY_RUN_CONTEXT,
    LEGACY_CONTEXT,
    SIGNING_CONTEXT,
    ZERO_HASH,
    canonical_bytes,
    check_canonical,
    entry_bytes,
    entry_hash,
    format_time,
    is_timestamp,
    parse_time,
    signing_input,
)
from ledger.errors import CanonicalizationError
from tests.json_values import has_float
from tlog.merkle import leaf_hash

SAFE_INT = 2**53 - 1

json_scalars = (
    st.none() | st.booleans() | st.integers(min_value=-SAFE_INT, max_value=SAFE_INT) | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)
payloads = st.dictionaries(st.text(), json_values, max_size=5)
utc_moments = st.datetimes(timezones=st.just(UTC))


@st.composite
def event_bodies(draw: st.DrawFn) -> bytes:
    """The canonical body of an event, as the module docstring describes it."""
    return canonical_bytes(
        {
            "occurred_at": format_time(
                draw(st.datetimes(min_value=datetime(2000, 1, 1))).replace(tzinfo=UTC)
            ),
            "payload": draw(payloads),
            "schema": draw(st.integers(min_value=1, max_value=9)),
            "signer": draw(st.binary(min_size=16, max_size=16)).hex(),
            "stream": str(draw(st.uuids())),
            "type": draw(st.from_regex(r"\A[a-z][a-z0-9_]{0,8}(\.[a-z][a-z0-9_]{0,8}){1,3}\Z")),
            "version": draw(st.integers(min_value=1, max_value=SAFE_INT)),
        }
    )


# --- canonical_bytes -------------------------------------------------------------------------


@given(json_values)
def test_canonical_bytes_of_a_float_free_value_are_the_rfc8785_bytes(value: Any) -> None:
    assert canonical_bytes(value) == rfc8785.dumps(value)


any_text = st.text(st.characters(codec=None, categories=None), max_size=6)
wide_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**60), max_value=2**60) | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=20,
)


@given(wide_values)
@example({"\U0001f600": 1, "\ufb33": 2})  # sorted by UTF-16 unit, not by code point
@example({"k": "\ud800"})  # a lone surrogate
@example({"k": 2**53})
def test_the_fast_path_and_rfc8785_agree_on_every_value_or_both_refuse(value: Any) -> None:
    """canonical_bytes takes a faster path for plain values; rfc8785 is the reference."""
    try:
        expected = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, ValueError, TypeError):
        with pytest.raises(CanonicalizationError, match="cannot be canonicalised"):
            canonical_bytes(value)
    else:
        assert canonical_bytes(value) == expected


@given(json_values)
def test_canonical_bytes_read_back_as_the_same_value(value: Any) -> None:
    assert json.loads(canonical_bytes(value)) == value


@given(st.dictionaries(st.text(), json_values, min_size=2, max_size=6))
def test_member_order_does_not_change_the_canonical_bytes(value: dict[str, Any]) -> None:
    reordered = dict(reversed(list(value.items())))

    assert canonical_bytes(reordered) == canonical_bytes(value)


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (1.5, "$"),
        ({"amount": 0.1}, "$.amount"),
        ({"a": {"b": [1, 2, 3.0]}}, "$.a.b[2]"),
        ([1, [2, {"c": -0.0}]], "$[1][1].c"),
        ({"payload": {"items": ({"x": 1e300},)}}, "$.payload.items[0].x"),
        ({"nan": float("nan")}, "$.nan"),
        ({"inf": [float("inf")]}, "$.inf[0]"),
    ],
)
def test_refuses_a_float_anywhere_and_names_its_path(value: Any, path: str) -> None:
    with pytest.raises(CanonicalizationError, match="^" + re.escape(path) + " is a float "):
        canonical_bytes(value)


@given(json_values, st.floats(allow_nan=True, allow_infinity=True), st.data())
def test_refuses_a_float_planted_anywhere_in_a_payload(
    value: Any, number: float, data: st.DataObject
) -> None:
    container: Any = {"payload": value}
    path = "$.payload"
    # Walk down a random branch, then put the float there.
    parent: Any = container
    key: Any = "payload"
    while isinstance(parent[key], dict | list) and parent[key] and data.draw(st.booleans()):
        child = parent[key]
        if isinstance(child, dict):
            key_next = data.draw(st.sampled_from(sorted(child)))
            path += f".{key_next}"
        else:
            key_next = data.draw(st.integers(min_value=0, max_value=len(child) - 1))
            path += f"[{key_next}]"
        parent, key = child, key_next
    parent[key] = number

    with pytest.raises(CanonicalizationError, match=re.escape(f"{path} is a float")):
        canonical_bytes(container)


@pytest.mark.parametrize("number", [2**53, -(2**53), 2**64, -(10**30)])
def test_refuses_an_integer_outside_the_ijson_range(number: int) -> None:
    with pytest.raises(CanonicalizationError, match=f"{number} exceeds safe integer domain"):
        canonical_bytes({"count": number})


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({1: "one"}, "object keys must be strings"),
        ({"s": {"a", "b"}}, "unsupported type"),
        ({"b": b"bytes"}, "unsupported type"),
        ({"text": "\ud800"}, "input contains non-UTF-8 codepoints"),
    ],
)
def test_refuses_a_value_json_cannot_hold(value: Any, reason: str) -> None:
    with pytest.raises(
        CanonicalizationError, match=f"^The value cannot be canonicalised: {reason}"
    ):
        canonical_bytes(value)


# --- signing_input ---------------------------------------------------------------------------


def test_the_signing_contexts_are_pinned() -> None:
    # Changing one would invalidate every signature ever made under it.
    assert SIGNING_CONTEXT == b"assembly-ledger/event/v2\n"
    assert LEGACY_CONTEXT == b"assembly-ledger/event/v1\n"
    assert DRY_RUN_CONTEXT == b"assembly-ledger/dry-run/v2\n"


@given(st.binary())
def test_a_body_that_names_its_ledger_is_signed_under_the_v2_context(tail: bytes) -> None:
    body = b'{"ledger":"' + tail

    assert signing_input(body) == SIGNING_CONTEXT + body
    assert signing_input(body, dry_run=True) == DRY_RUN_CONTEXT + body


@given(st.binary().filter(lambda body: not body.startswith(b'{"ledger":"')))
def test_a_body_of_an_earlier_release_is_read_under_the_v1_context(body: bytes) -> None:
    assert signing_input(body) == LEGACY_CONTEXT + body
    assert signing_input(body, dry_run=True) == DRY_RUN_CONTEXT + body


# --- entry_bytes and entry_hash --------------------------------------------------------------


@given(
    body=event_bodies(),
    seq=st.integers(min_value=0, max_value=SAFE_INT),
    prev=st.binary(min_size=32, max_size=32),
    sig=st.binary(min_size=64, max_size=64),
    recorded_at=utc_moments.filter(lambda moment: moment.year >= 1000).map(format_time),
)
def test_entry_bytes_are_the_rfc8785_bytes_of_the_whole_entry(
    body: bytes, seq: int, prev: bytes, sig: bytes, recorded_at: str
) -> None:
    entry = {
        "event": json.loads(body),
        "prev": prev.hex(),
        "recorded_at": recorded_at,
        "seq": seq,
        "sig": base64.b64encode(sig).decode(),
    }

    built = entry_bytes(seq=seq, prev=prev, body=body, sig=sig, recorded_at=recorded_at)

    assert built == rfc8785.dumps(entry)


@given(body=event_bodies(), recorded_at=st.text())
def test_entry_bytes_escape_any_recorded_at_text_as_rfc8785_does(
    body: bytes, recorded_at: str
) -> None:
    built = entry_bytes(seq=0, prev=ZERO_HASH, body=body, sig=bytes(64), recorded_at=recorded_at)

    assert json.loads(built)["recorded_at"] == recorded_at
    assert built == rfc8785.dumps(json.loads(built))


def test_the_first_entry_points_to_32_zero_bytes() -> None:
    built = entry_bytes(seq=0, prev=ZERO_HASH, body=b"{}", sig=b"", recorded_at="t")

    assert json.loads(built)["prev"] == "0" * 64


@given(body=event_bodies(), seq=st.integers(min_value=0, max_value=SAFE_INT))
def test_entry_hash_is_the_leaf_hash_of_the_entry_bytes(body: bytes, seq: int) -> None:
    parts = {
        "seq": seq,
        "prev": bytes(range(32)),
        "body": body,
        "sig": bytes(64),
        "recorded_at": "2026-01-31T12:00:00.000000Z",
    }

    assert entry_hash(**parts) == leaf_hash(entry_bytes(**parts))


def test_any_changed_part_changes_the_entry_hash() -> None:
    parts: dict[str, Any] = {
        "seq": 7,
        "prev": bytes(32),
        "body": b'{"a":1}',
        "sig": bytes(64),
        "recorded_at": "2026-01-31T12:00:00.000000Z",
    }
    original = entry_hash(**parts)
    changes = {
        "seq": 8,
        "prev": b"\x01" + bytes(31),
        "body": b'{"a":2}',
        "sig": b"\x01" + bytes(63),
        "recorded_at": "2026-01-31T12:00:00.000001Z",
    }

    for name, value in changes.items():
        assert entry_hash(**{**parts, name: value}) != original, name


# --- format_time and parse_time --------------------------------------------------------------


@given(utc_moments)
@example(datetime(999, 12, 31, 23, 59, 59, tzinfo=UTC))
def test_a_formatted_utc_moment_parses_back_to_itself(moment: datetime) -> None:
    text = format_time(moment)

    assert is_timestamp(text)
    assert parse_time(text) == moment


@given(utc_moments, utc_moments)
def test_formatted_moments_sort_in_time_order(first: datetime, second: datetime) -> None:
    earlier, later = sorted((first, second))

    assert format_time(earlier) <= format_time(later)


def test_formats_a_moment_in_another_zone_as_utc() -> None:
    brussels_winter = timezone(timedelta(hours=1))
    moment = datetime(2026, 1, 31, 13, 0, 0, 250, tzinfo=brussels_winter)

    assert format_time(moment) == "2026-01-31T12:00:00.000250Z"


def test_formats_years_before_1000_with_four_digits() -> None:
    assert format_time(datetime(999, 1, 2, tzinfo=UTC)) == "0999-01-02T00:00:00.000000Z"


def test_refuses_a_naive_datetime() -> None:
    with pytest.raises(CanonicalizationError, match=r"2026-01-31T12:00:00 has no time zone"):
        format_time(datetime(2026, 1, 31, 12, 0))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2026-01-31",
        "2026-01-31T12:00:00Z",
        "2026-01-31T12:00:00.000Z",
        "2026-01-31T12:00:00.000000+00:00",
        "2026-01-31T12:00:00.000000z",
        "2026-01-31 12:00:00.000000Z",
        "2026-01-31T12:00:00.000000Z\n",
        " 2026-01-31T12:00:00.000000Z",
    ],
)
def test_parse_time_refuses_text_not_in_the_stored_form(text: str) -> None:
    with pytest.raises(CanonicalizationError, match=r"is not a UTC timestamp like 2026-01-31T"):
        parse_time(text)
    assert not is_timestamp(text)


@pytest.mark.parametrize("value", [None, 1769860800, b"2026-01-31T12:00:00.000000Z"])
def test_parse_time_refuses_a_value_that_is_not_text(value: Any) -> None:
    with pytest.raises(CanonicalizationError, match=r"is not a UTC timestamp"):
        parse_time(value)
    assert not is_timestamp(value)


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30T12:00:00.000000Z",
        "2026-01-31T24:00:00.000000Z",
    ],
)
def test_parse_time_refuses_an_impossible_date_with_its_own_error(text: str) -> None:
    with pytest.raises(CanonicalizationError, match=r"is not a UTC timestamp"):
        parse_time(text)


def test_parse_time_refuses_digits_outside_ascii() -> None:
    arabic_indic = "\u0662\u0660\u0662\u0666-01-31T12:00:00.000000Z"

    with pytest.raises(CanonicalizationError, match=r"is not a UTC timestamp"):
        parse_time(arabic_indic)
    assert not is_timestamp(arabic_indic)


@given(st.from_regex(r"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z\Z") | st.text())
def test_parse_time_returns_the_moment_of_its_one_form_or_raises_its_own_error(text: str) -> None:
    try:
        moment = parse_time(text)
    except CanonicalizationError:
        return
    assert format_time(moment) == text


# --- check_canonical: its quick path agrees with RFC 8785 ------------------------------------

_ANY_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10,
)


@given(_ANY_JSON, st.sampled_from(["jcs", "sorted", "unsorted", "ascii"]))
def test_check_canonical_takes_exactly_the_rfc8785_bytes(value: object, spelling: str) -> None:
    try:
        data = {
            "jcs": lambda: rfc8785.dumps(value),
            "sorted": lambda: json.dumps(
                value, sort_keys=True, separators=(",", ":"), ensure_ascii=False
            ).encode("utf-8"),
            "unsorted": lambda: json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(
                "utf-8"
            ),
            "ascii": lambda: json.dumps(value, sort_keys=True, separators=(",", ":")).encode(),
        }[spelling]()
    except (ValueError, rfc8785.CanonicalizationError, UnicodeEncodeError):
        return  # not writable in that spelling at all
    parsed = json.loads(data)
    try:
        expected = rfc8785.dumps(parsed) == data and not has_float(parsed)
    except rfc8785.CanonicalizationError:
        expected = False

    if expected:
        check_canonical(data, parsed)
    else:
        with pytest.raises(CanonicalizationError):
            check_canonical(data, parsed)
