"""The ledger's value types: events to sign, signed events, entries, heads (``ledger/entry.py``)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from ledger.canonical import (
    MAX_ENTRY_BYTES,
    ZERO_HASH,
    canonical_bytes,
    entry_hash,
    format_time,
)
from ledger.entry import Entry, Head, NewEvent, SignedEvent, body_of, sign_events
from ledger.errors import BadHead, InvalidEvent, NotCanonical, StreamVersionConflict
from ledger.keys import Signer

STREAM = uuid.UUID("6f1d2c3b-4a59-4e68-8f7a-0b1c2d3e4f50")
LEDGER = "5e" * 16  # the identity of the ledger the events are signed for
WHEN = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
# The room an entry keeps for its other members (see ledger/entry.py).
BODY_LIMIT = MAX_ENTRY_BYTES - 512

SAFE_INT = 2**53 - 1
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-SAFE_INT, SAFE_INT) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
payloads = st.dictionaries(st.text(), json_values, max_size=4)


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer.from_seed(bytes(range(32)))


def _event(**changes: Any) -> NewEvent:
    fields: dict[str, Any] = {
        "type": "assembly.government.responded",
        "payload": {"position": "accepted", "recommendation": 12},
        "occurred_at": WHEN,
    }
    return NewEvent(**{**fields, **changes})


# --- Head ------------------------------------------------------------------------------------


@given(st.integers(min_value=0), st.binary(min_size=32, max_size=32))
def test_a_head_reads_back_from_its_text(seq: int, digest: bytes) -> None:
    head = Head(seq, digest)

    assert Head.parse(str(head)) == head


def test_a_head_is_written_as_seq_colon_hex_hash() -> None:
    assert str(Head(3, bytes(32))) == "3:" + "00" * 32


def test_a_head_reads_with_surrounding_whitespace_and_upper_case_hex() -> None:
    assert Head.parse(f"  7:{'AB' * 32}\n") == Head(7, b"\xab" * 32)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("", id="empty"),
        pytest.param("12", id="no-hash"),
        pytest.param("12:", id="empty-hash"),
        pytest.param(":" + "00" * 32, id="no-seq"),
        pytest.param("x:" + "00" * 32, id="seq-not-a-number"),
        pytest.param("-1:" + "00" * 32, id="negative-seq"),
        pytest.param("1:" + "00" * 31, id="short-hash"),
        pytest.param("1:" + "00" * 33, id="long-hash"),
        pytest.param("1:" + "0" * 63, id="odd-hex"),
        pytest.param("1:" + "zz" * 32, id="not-hex"),
        pytest.param("1:" + "00" * 32 + ":2", id="extra-colon"),
    ],
)
def test_refuses_malformed_head_text(text: str) -> None:
    with pytest.raises(BadHead, match=re.escape(f"{text!r} is not a head; write it as SEQ:HASH")):
        Head.parse(text)


@given(st.text())
def test_any_text_reads_as_a_head_or_raises_bad_head(text: str) -> None:
    try:
        head = Head.parse(text)
    except BadHead as error:
        assert error.text == text
        return
    assert head.seq >= 0
    assert len(head.hash) == 32


@given(st.from_regex(r"\A-?[0-9]{1,4}:[0-9a-fA-F]{0,70}\Z"))
def test_near_miss_head_text_reads_as_its_numbers_or_raises_bad_head(text: str) -> None:
    seq_text, _, hash_text = text.partition(":")
    try:
        head = Head.parse(text)
    except BadHead:
        return
    assert head == Head(int(seq_text), bytes.fromhex(hash_text))
    assert Head.parse(str(head)) == head


# --- body_of and sign_events -----------------------------------------------------------------


def test_signs_events_at_consecutive_versions_after_the_expected_one(signer: Signer) -> None:
    events = [_event(payload={"n": n}) for n in range(4)]

    signed = sign_events(signer, STREAM, 6, events, ledger=LEDGER)

    assert [event.version for event in signed] == [7, 8, 9, 10]
    assert [event.fields["payload"] for event in signed] == [{"n": n} for n in range(4)]


def test_every_signed_event_verifies_with_the_signer_key(signer: Signer) -> None:
    signed = sign_events(
        signer, STREAM, 0, [_event(), _event(type="assembly.panel.convened")], ledger=LEDGER
    )

    for event in signed:
        assert signer.public_key.verify(event.sig, event.body)
        assert not Signer.generate().public_key.verify(event.sig, event.body)


def test_a_signed_body_carries_the_event_fields_in_canonical_form(signer: Signer) -> None:
    brussels = timezone(timedelta(hours=1))
    (signed,) = sign_events(
        signer,
        STREAM,
        0,
        [_event(occurred_at=datetime(2026, 1, 31, 13, 0, tzinfo=brussels))],
        ledger=LEDGER,
    )

    assert signed.fields == {
        "ledger": LEDGER,
        "type": "assembly.government.responded",
        "schema": 1,
        "stream": str(STREAM),
        "version": 1,
        "occurred_at": "2026-01-31T12:00:00.000000Z",
        "payload": {"position": "accepted", "recommendation": 12},
        "signer": signer.key_id,
    }
    assert signed.body == canonical_bytes(signed.fields)
    assert signed.signer == signer.key_id
    assert signed.stream == STREAM
    assert signed.type == "assembly.government.responded"
    assert signed.occurred_at == "2026-01-31T12:00:00.000000Z"


@given(payloads, st.integers(min_value=0, max_value=10_000))
def test_any_float_free_payload_signs_and_reads_back(
    signer: Signer, payload: dict[str, Any], expected_version: int
) -> None:
    (signed,) = sign_events(
        signer, STREAM, expected_version, [_event(payload=payload)], ledger=LEDGER
    )

    assert signed.fields["payload"] == payload
    assert signed.version == expected_version + 1
    assert SignedEvent.from_parts(signed.body, signed.sig) == signed
    assert signer.public_key.verify(signed.sig, signed.body)


def test_signing_nothing_gives_nothing(signer: Signer) -> None:
    assert sign_events(signer, STREAM, 3, [], ledger=LEDGER) == []


def test_refuses_a_negative_expected_version(signer: Signer) -> None:
    with pytest.raises(StreamVersionConflict, match=r"not at the expected version -1"):
        sign_events(signer, STREAM, -1, [_event()], ledger=LEDGER)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "responded",
        "Assembly.government.responded",
        "assembly..responded",
        "assembly.government.",
        ".assembly.government",
        "assembly.9lives",
        "assembly.government-responded",
        "assembly.government responded",
        "assembly.gouvernement.r\u00e9pondu",
        "assembly.government.responded\n",
        "domain.events.GovernmentResponded",
    ],
)
def test_refuses_an_event_type_that_is_not_a_lower_case_dotted_name(
    signer: Signer, name: str
) -> None:
    with pytest.raises(InvalidEvent, match=re.escape(f"{name!r} is not an event type; ")):
        sign_events(signer, STREAM, 0, [_event(type=name)], ledger=LEDGER)


@pytest.mark.parametrize("name", ["ledger.signer.enrolled", "a.b", "assembly.panel_2.seated"])
def test_accepts_lower_case_dotted_event_types(signer: Signer, name: str) -> None:
    (signed,) = sign_events(signer, STREAM, 0, [_event(type=name)], ledger=LEDGER)

    assert signed.type == name


@pytest.mark.parametrize(
    ("payload", "path"),
    [
        ({"amount": 1.5}, "$.payload.amount"),
        ({"progress": 100.0}, "$.payload.progress"),
        ({"votes": [{"for": 40}, {"for": 2.5}]}, "$.payload.votes[1].for"),
        ({"nested": {"deeper": {"ratio": float("nan")}}}, "$.payload.nested.deeper.ratio"),
    ],
)
def test_refuses_a_float_anywhere_in_a_payload(
    signer: Signer, payload: dict[str, Any], path: str
) -> None:
    expected = f"assembly.government.responded: {path} is a float "

    with pytest.raises(InvalidEvent, match="^" + re.escape(expected)):
        sign_events(signer, STREAM, 0, [_event(payload=payload)], ledger=LEDGER)


def test_refuses_an_integer_outside_the_json_range_in_a_payload(signer: Signer) -> None:
    with pytest.raises(InvalidEvent, match=r"9007199254740992 exceeds safe integer domain"):
        sign_events(signer, STREAM, 0, [_event(payload={"count": 2**53})], ledger=LEDGER)


def test_refuses_a_naive_occurred_at(signer: Signer) -> None:
    with pytest.raises(InvalidEvent, match=r"has no time zone; give UTC times"):
        sign_events(
            signer, STREAM, 0, [_event(occurred_at=datetime(2026, 1, 31, 12, 0))], ledger=LEDGER
        )


@pytest.mark.parametrize("schema", [0, -1, True, "1", 1.0])
def test_refuses_a_schema_version_that_is_not_a_positive_integer(
    signer: Signer, schema: Any
) -> None:
    with pytest.raises(InvalidEvent, match=r"must be a positive integer"):
        sign_events(signer, STREAM, 0, [_event(schema=schema)], ledger=LEDGER)


def _padded_event(signer: Signer, body_size: int) -> NewEvent:
    """An event whose body is exactly ``body_size`` bytes long."""
    empty = body_of(
        _event(payload={"text": ""}), ledger=LEDGER, stream=STREAM, version=1, signer=signer.key_id
    )
    return _event(payload={"text": "x" * (body_size - len(empty))})


def test_accepts_a_body_at_the_size_limit(signer: Signer) -> None:
    (signed,) = sign_events(signer, STREAM, 0, [_padded_event(signer, BODY_LIMIT)], ledger=LEDGER)

    assert len(signed.body) == BODY_LIMIT


def test_refuses_an_oversize_payload(signer: Signer) -> None:
    event = _padded_event(signer, BODY_LIMIT + 1)

    with pytest.raises(
        InvalidEvent,
        match=re.escape(
            f"assembly.government.responded is {BODY_LIMIT + 1} bytes; an entry stays under "
            "64 KiB, so reference documents by their SHA-256 digest"
        ),
    ):
        sign_events(signer, STREAM, 0, [event], ledger=LEDGER)


def test_an_oversize_event_later_in_a_batch_refuses_the_whole_batch(signer: Signer) -> None:
    events = [_event(), _event(payload={"document": "x" * MAX_ENTRY_BYTES})]

    with pytest.raises(InvalidEvent, match=r"an entry stays under 64 KiB"):
        sign_events(signer, STREAM, 0, events, ledger=LEDGER)


# --- SignedEvent.from_parts ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body", [b"", b"{", b"\xff\xfe", b'{"type": "a.b"'], ids=["empty", "open", "binary", "cut"]
)
def test_refuses_a_body_that_is_not_json(body: bytes) -> None:
    with pytest.raises(InvalidEvent, match=r"^The event body is not JSON: "):
        SignedEvent.from_parts(body, bytes(64))


@pytest.mark.parametrize(
    "fields",
    [
        [],
        {},
        {"type": "a.b"},
        {**dict.fromkeys(["type", "schema", "stream", "version", "occurred_at", "payload"])},
        {
            **dict.fromkeys(
                ["type", "schema", "stream", "version", "occurred_at", "payload", "signer"]
            ),
            "extra": 1,
        },
    ],
    ids=["array", "empty-object", "one-field", "missing-signer", "extra-field"],
)
def test_refuses_a_body_without_exactly_the_fields_of_the_format(fields: Any) -> None:
    with pytest.raises(InvalidEvent, match=r"does not have the fields of the entry format"):
        SignedEvent.from_parts(json.dumps(fields).encode(), bytes(64))


# --- Entry -----------------------------------------------------------------------------------


def test_an_entry_recomputes_its_hash_from_its_bytes(signer: Signer) -> None:
    (signed,) = sign_events(signer, STREAM, 0, [_event()], ledger=LEDGER)
    parts = {
        "seq": 0,
        "prev": ZERO_HASH,
        "body": signed.body,
        "sig": signed.sig,
        "recorded_at": format_time(WHEN),
    }
    entry = Entry(**parts, hash=entry_hash(**parts))

    assert entry.computed_hash() == entry.hash
    assert entry.event == signed.fields
    assert Entry(**{**parts, "seq": 1}, hash=entry.hash).computed_hash() != entry.hash


def test_an_entry_hash_is_sha256_of_0x00_and_the_rfc8785_bytes_of_the_entry(
    signer: Signer,
) -> None:
    (signed,) = sign_events(signer, STREAM, 0, [_event()], ledger=LEDGER)
    entry_object = {
        "event": signed.fields,
        "prev": "00" * 32,
        "recorded_at": format_time(WHEN),
        "seq": 0,
        "sig": base64.b64encode(signed.sig).decode(),
    }

    digest = entry_hash(
        seq=0, prev=ZERO_HASH, body=signed.body, sig=signed.sig, recorded_at=format_time(WHEN)
    )

    assert digest == hashlib.sha256(b"\x00" + rfc8785.dumps(entry_object)).digest()


# --- canonical bytes at the door ---------------------------------------------------------------

CANONICAL = (
    b'{"ledger":"' + b"5e" * 16 + b'","occurred_at":"2026-01-31T12:00:00.000000Z",'
    b'"payload":{"count":10,"name":"A"},"schema":1,"signer":"' + b"ab" * 16 + b'",'
    b'"stream":"6f1d2c3b-4a59-4e68-8f7a-0b1c2d3e4f50","type":"assembly.panel.convened",'
    b'"version":1}'
)
NOT_CANONICAL = {
    "pretty-printed": (json.dumps(json.loads(CANONICAL), indent=2).encode(), "differ from it"),
    "keys out of order": (
        CANONICAL.replace(b'{"count":10,"name":"A"}', b'{"name":"A","count":10}'),
        "differ from it",
    ),
    "a float": (
        CANONICAL.replace(b'"count":10', b'"count":10.0'),
        r"\$\.payload\.count is a float",
    ),
    "a duplicated key": (
        CANONICAL.replace(b'"name":"A"}', b'"name":"A","name":"B"}'),
        "the key 'name' appears twice",
    ),
    "an escaped letter": (CANONICAL.replace(b'"name":"A"', b'"name":"\\u0041"'), "differ from it"),
    "a trailing newline": (CANONICAL + b"\n", "differ from it"),
    "an integer beyond 2**53": (
        CANONICAL.replace(b'"count":10', b'"count":9007199254740993'),
        "cannot be canonicalised",
    ),
}


def test_the_canonical_body_of_these_cases_is_read() -> None:
    assert SignedEvent.from_parts(CANONICAL, bytes(64)).fields["payload"] == {
        "count": 10,
        "name": "A",
    }


@pytest.mark.parametrize("case", list(NOT_CANONICAL))
def test_a_body_that_is_not_its_own_canonical_form_is_refused_at_the_door(case: str) -> None:
    body, reason = NOT_CANONICAL[case]
    assert json.loads(body) is not None  # valid JSON, every one of them

    with pytest.raises(NotCanonical, match=f"The event body is not canonical: .*{reason}"):
        SignedEvent.from_parts(body, bytes(64))


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=12,
)


@given(_JSON, st.sampled_from(["indent", "ascii", "unsorted", "space"]))
def test_any_payload_that_is_not_spelt_canonically_is_refused(payload: Any, spelling: str) -> None:
    fields = json.loads(CANONICAL)
    fields["payload"] = {"value": payload, "other": "é"}
    spelt = {
        "indent": lambda: json.dumps(fields, indent=1, sort_keys=True, ensure_ascii=False),
        "ascii": lambda: json.dumps(fields, sort_keys=True, separators=(",", ":")),
        "unsorted": lambda: json.dumps(fields, separators=(",", ":"), ensure_ascii=False),
        "space": lambda: json.dumps(fields, sort_keys=True, ensure_ascii=False),
    }[spelling]().encode()
    try:
        canonical = canonical_bytes(fields)
    except Exception:
        canonical = None  # an integer beyond 2**53: no canonical form at all
    if spelt == canonical:
        assert SignedEvent.from_parts(spelt, bytes(64)).fields == fields
        return
    with pytest.raises(NotCanonical):
        SignedEvent.from_parts(spelt, bytes(64))


def test_a_stored_body_of_an_earlier_release_is_still_read_as_stored() -> None:
    body = json.dumps(json.loads(CANONICAL), indent=2).encode()
    entry = Entry(seq=1, prev=bytes(32), body=body, sig=bytes(64), recorded_at="x", hash=b"")

    assert entry.event["payload"]["name"] == "A"
