"""A submission's envelope is read strictly before anything else looks at it (``web.envelope``):
it must say it is JSON (415), name no key twice (400) and arrive in time (408); and its
signatures are checked before the assembly's rules, so that a forged event costs the server a
signature check, not a replay of the domain (``web.admission``)."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi import HTTPException, Request
from fastapi.testclient import TestClient

from tests.web.submissions.conftest import state
from tests.web.submissions.test_submissions import URL, answer, refused, submission
from web import admission
from web.envelope import check_unique_keys, read_body


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", ""]
)
def test_a_submission_that_does_not_say_it_is_json_is_refused_with_415(
    client: TestClient, folder: Path, content_type: str
) -> None:
    before = state(folder)
    body = json.dumps(submission(folder, answer(1))).encode()
    reply = client.post(URL, content=body, headers={"content-type": content_type})
    assert reply.status_code == 415, reply.text
    shown = content_type or "none"
    assert reply.json()["detail"] == (
        f"A submission is sent as application/json, not as {shown}: set its Content-Type."
    )
    assert state(folder) == before


def test_json_with_a_charset_is_json(client: TestClient, folder: Path) -> None:
    body = json.dumps(submission(folder, answer(1))).encode()
    headers = {"content-type": "Application/JSON; charset=utf-8"}
    assert client.post(URL, content=body, headers=headers).status_code == 201


def test_a_key_named_twice_in_the_envelope_is_refused_with_400(
    client: TestClient, folder: Path
) -> None:
    good = json.dumps(submission(folder, answer(1)))
    twice = '{"batches": [], ' + good[1:]  # the first "batches" would be refused, the last kept
    refused(client, folder, twice.encode(), 400, "names the key 'batches' twice in one object")


def test_a_key_named_twice_inside_an_event_is_refused_with_400(
    client: TestClient, folder: Path
) -> None:
    good = submission(folder, answer(1))
    event = good["batches"][0]["events"][0]
    inner = f'{{"body": "{event["body"]}", "sig": "AAAA", "sig": "{event["sig"]}"}}'
    text = json.dumps(good).replace(json.dumps(event), inner)
    assert text.count('"sig"') == 2
    refused(client, folder, text.encode(), 400, "names the key 'sig' twice in one object")


@pytest.mark.parametrize(
    "text", ['{"a": 1, "b": {"a": 2}}', "[1, 2, 1]", "not json", "[" * 100_000]
)
def test_distinct_keys_and_json_that_does_not_parse_pass_the_duplicate_check(text: str) -> None:
    check_unique_keys(text.encode())  # the schema's parser describes what does not parse


def test_a_forged_signature_is_refused_before_the_rules_are_replayed(
    client: TestClient, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    breaking = submission(folder, answer(4))  # 1/4 was never handed over: a rule refuses it
    before = state(folder)
    reply = client.post(URL, json=breaking)
    assert reply.status_code == 422 and "handed over" in reply.json()["detail"]
    forged = json.loads(json.dumps(breaking))
    forged["batches"][0]["events"][0]["sig"] = base64.b64encode(bytes(64)).decode()

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the rules were replayed for a forged event")

    monkeypatch.setattr(admission, "check_rules", never)
    monkeypatch.setattr(admission, "check_positions", never)
    refused(client, folder, forged, 403, "The signature on assembly.government.responded")
    assert state(folder) == before


def test_a_body_that_stops_arriving_is_refused_with_408() -> None:
    sent = [{"type": "http.request", "body": b'{"batches": ', "more_body": True}]

    async def receive() -> dict[str, Any]:
        if sent:
            return sent.pop()
        await asyncio.Event().wait()  # the client sends nothing more
        raise AssertionError("unreachable")

    request = Request({"type": "http", "method": "POST", "headers": []}, receive)
    too_large = HTTPException(413)
    with pytest.raises(HTTPException) as refusal:
        asyncio.run(read_body(request, limit=1024, too_large=too_large, seconds=0.05))
    assert refusal.value.status_code == 408
    assert refusal.value.detail == (
        "The submission did not arrive within 0.05 seconds: send it again over a faster "
        "connection, or fewer events at a time."
    )


def test_an_expected_version_past_64_bits_is_refused_with_400(
    client: TestClient, folder: Path
) -> None:
    body = submission(folder, answer(1))
    body["batches"][0]["expected_version"] = 2**63
    refused(client, folder, body, 400, "expected_version")
