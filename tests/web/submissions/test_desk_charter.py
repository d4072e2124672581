"""The charter keeper's key steps on the desk (issue 17): an enrolment and a revocation are
prepared as the very bytes ``Ledger.enrol`` and ``Ledger.revoke`` sign, written once signed and
submitted; a key of another role, a role the policy does not know, a key enrolled twice and a
key never enrolled are each refused in one sentence beside their field; nothing is written."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cli.context import role_policy
from domain.events import moment
from ledger import Ledger, Signer, load_signer
from tests.features.cycle import (
    CHARTER,
    GOVERNMENT,
    LEDGER,
)
from tests.web.submissions.conftest import state

VALID_FROM = "2026-01-01"


def ask(client: TestClient, step: str, fields: dict[str, str], signer: Signer) -> Any:
    return client.post(
        "/api/desk/prepare",
        json={"step": step, "fields": fields, "key": signer.public_key.b64, "lang": "en"},
    )


def prepared(client: TestClient, step: str, fields: dict[str, str], signer: Signer) -> Any:
    reply = ask(client, step, fields, signer)
    assert reply.status_code == 200, reply.text
    [event] = reply.json()["events"]
    return event


def refused(reply: Any, status: int, field: str | None, words: str) -> None:
    assert reply.status_code == status, reply.text
    answer = reply.json()
    assert answer["field"] == field, answer
    assert words in answer["detail"], answer
    assert "\n" not in answer["detail"] and answer["detail"].endswith("."), answer


def ledger_at(folder: Path, when: datetime) -> Ledger:
    """The copy's ledger with its clock stopped at ``when``: the moment the desk prepared."""
    return Ledger.open(str(folder / LEDGER), role_policy(), clock=lambda: when)


def submitted(client: TestClient, event: Any, signer: Signer) -> Any:
    body = base64.b64decode(event["body"])
    batch = {
        "stream": event["stream"],
        "expected_version": event["expected_version"],
        "events": [{"body": event["body"], "sig": base64.b64encode(signer.sign(body)).decode()}],
    }
    return client.post("/api/submissions", json={"batches": [batch]})


def test_an_enrolment_is_prepared_as_the_bytes_ledger_enrol_signs_and_nothing_is_written(
    folder: Path, client: TestClient
) -> None:
    charter, newcomer = load_signer(folder / CHARTER), Signer.generate()
    before = state(folder)
    form = {
        "public_key": newcomer.public_key.b64,
        "role": "government",
        "name": "A second minister's office",
        "valid_from": VALID_FROM,
    }
    event = prepared(client, "enrol", form, charter)
    assert state(folder) == before
    body = base64.b64decode(event["body"])
    fields = json.loads(body)
    assert fields["type"] == "ledger.signer.enrolled"
    assert fields["payload"]["valid_from"].startswith(VALID_FROM + "T00:00:00")
    assert "enrolled with the role government" in event["summary"]["headline"]
    book = ledger_at(folder, moment(fields["occurred_at"]))
    try:
        entry = book.enrol(
            charter,
            newcomer.public_key,
            role="government",
            name="A second minister's office",
            valid_from=moment(fields["payload"]["valid_from"]),
        )
    finally:
        book.close()
    assert entry.body == body
    assert str(entry.event["stream"]) == event["stream"]
    assert entry.event["version"] == event["expected_version"] + 1


def test_a_prepared_enrolment_signed_in_the_page_is_written_once(
    folder: Path, client: TestClient
) -> None:
    charter, newcomer = load_signer(folder / CHARTER), Signer.generate()
    form = {"public_key": newcomer.public_key.b64, "role": "commission", "name": "A volunteer"}
    event = prepared(client, "enrol", form, charter)
    reply = submitted(client, event, charter)
    assert reply.status_code == 201, reply.text
    again = ask(client, "enrol", form, charter)
    refused(again, 422, "public_key", "already enrolled")


def test_a_revocation_is_prepared_as_the_bytes_ledger_revoke_signs(
    folder: Path, client: TestClient
) -> None:
    charter, government = load_signer(folder / CHARTER), load_signer(folder / GOVERNMENT)
    form = {"key_id": government.key_id, "reason": "The key file was lost."}
    event = prepared(client, "revoke", form, charter)
    body = base64.b64decode(event["body"])
    fields = json.loads(body)
    assert fields["type"] == "ledger.signer.revoked"
    book = ledger_at(folder, moment(fields["occurred_at"]))
    try:
        entry = book.revoke(charter, government.key_id, reason="The key file was lost.")
    finally:
        book.close()
    assert entry.body == body
    again = ask(client, "revoke", form, charter)
    refused(again, 422, "key_id", "revoked once")


def test_a_key_of_another_role_is_refused_beside_the_key_and_nothing_is_written(
    folder: Path, client: TestClient
) -> None:
    government = load_signer(folder / GOVERNMENT)
    before = state(folder)
    form = {"public_key": Signer.generate().public_key.b64, "role": "government", "name": "X"}
    refused(ask(client, "enrol", form, government), 403, "key", "may not write")
    revoking = {"key_id": government.key_id, "reason": "Mine."}
    refused(ask(client, "revoke", revoking, government), 403, "key", "may not write")
    assert state(folder) == before


@pytest.mark.parametrize(
    ("step", "form", "field", "words"),
    [
        (
            "enrol",
            {"public_key": "not a key", "role": "government", "name": "X"},
            "public_key",
            "public key in base64",
        ),
        ("enrol", {"role": "mayor", "name": "X"}, "role", "is not one of"),
        ("enrol", {"role": "government", "name": " "}, "name", "display name"),
        (
            "enrol",
            {"role": "government", "name": "X", "valid_from": "soon"},
            "valid_from",
            "is a day",
        ),
        ("revoke", {"key_id": "0" * 32, "reason": "Lost."}, "key_id", "never enrolled"),
        ("revoke", {"key_id": "not hex", "reason": "Lost."}, "key_id", "32 hexadecimal"),
        ("revoke", {"reason": " "}, "reason", "needs a reason"),
    ],
)
def test_a_form_the_ledger_refuses_is_said_beside_its_field(
    folder: Path, client: TestClient, step: str, form: dict[str, str], field: str, words: str
) -> None:
    charter = load_signer(folder / CHARTER)
    form = dict(form)
    form.setdefault("public_key", Signer.generate().public_key.b64)
    form.setdefault("key_id", load_signer(folder / GOVERNMENT).key_id)
    refused(ask(client, step, form, charter), 422, field, words)


def test_the_desk_page_has_the_charter_keepers_enrol_and_revoke_forms_in_dutch(
    client: TestClient,
) -> None:
    page = client.get("/desk?lang=nl").text
    assert 'data-step="enrol"' in page and 'data-step="revoke"' in page
    assert "Charterbeheerder: een sleutel inschrijven" in page
    for role in role_policy().roles:
        assert f'<option value="{role}">' in page
    assert '<option value="commission">opvolgingscommissie</option>' in page
    assert 'id="enrol-public_key-error"' in page and 'id="revoke-key_id-error"' in page
