"""A signed submission may carry the ledger's own signer events (issue 17, the charter's enrol
and revoke on the desk): they have no domain step, and the ledger's append rules are their
whole check. A charter key enrols a key, which can then sign; any other key is refused; a
revocation is written once; a dry run writes nothing."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from ledger import NewEvent, Signer, load_signer, sign_events
from ledger.signers import enrolment, revocation, signer_stream
from tests.features.cycle import CHARTER, GOVERNMENT
from tests.web.submissions.conftest import identity_of, state
from tests.web.submissions.test_submissions import answer, submission

URL = "/api/submissions"


def signed(
    folder: Path,
    key: str,
    stream: uuid.UUID,
    version: int,
    event: NewEvent,
    *,
    dry_run: bool = False,
) -> Any:
    """``event`` signed by the key file ``key`` at ``stream``'s ``version`` (for a rehearsal
    with ``dry_run``), as posted."""
    signer = load_signer(folder / key)
    identity = identity_of(folder)
    [one] = sign_events(signer, stream, version, [event], ledger=identity, dry_run=dry_run)
    return {
        "batches": [
            {
                "stream": str(stream),
                "expected_version": version,
                "events": [
                    {
                        "body": base64.b64encode(one.body).decode(),
                        "sig": base64.b64encode(one.sig).decode(),
                    }
                ],
            }
        ]
    }


def enrolling(folder: Path, newcomer: Signer, *, key: str = CHARTER) -> Any:
    now = datetime.now(UTC)
    event = enrolment(
        newcomer.public_key,
        role="government",
        name="A second minister's office",
        valid_from=now - timedelta(seconds=1),
        occurred_at=now,
    )
    return signed(folder, key, signer_stream(newcomer.key_id), 0, event)


def test_a_charter_signed_enrolment_is_written_and_the_new_key_can_then_sign(
    client: TestClient, folder: Path
) -> None:
    newcomer = Signer.generate()
    reply = client.post(URL, json=enrolling(folder, newcomer))
    assert reply.status_code == 201, reply.text
    assert [each["type"] for each in reply.json()["written"]] == ["ledger.signer.enrolled"]
    roles = client.get(URL).json()["signers"]
    assert roles[newcomer.key_id] == "government"
    reply = client.post(URL, json=submission(folder, answer(), key=newcomer))
    assert reply.status_code == 201, reply.text


def test_a_government_signed_enrolment_is_refused_and_nothing_is_written(
    client: TestClient, folder: Path
) -> None:
    before = state(folder)
    reply = client.post(URL, json=enrolling(folder, Signer.generate(), key=GOVERNMENT))
    assert reply.status_code == 403, reply.text
    assert "may not write ledger.signer.enrolled" in reply.json()["detail"]
    assert state(folder) == before


def test_a_revocation_is_written_once_and_the_revoked_key_can_no_longer_sign(
    client: TestClient, folder: Path
) -> None:
    government = load_signer(folder / GOVERNMENT)
    stream = signer_stream(government.key_id)
    event = revocation(government.key_id, reason="The key was lost.", occurred_at=datetime.now(UTC))
    body = signed(folder, CHARTER, stream, 1, event)
    reply = client.post(URL, json=body)
    assert reply.status_code == 201, reply.text
    assert reply.json()["written"][0]["type"] == "ledger.signer.revoked"
    again = client.post(URL, json=body)
    assert again.status_code == 409, again.text
    assert "already in the ledger" in again.json()["detail"]
    refused = client.post(URL, json=submission(folder, answer()))
    assert refused.status_code == 403, refused.text
    assert "revoked" in refused.json()["detail"]


def test_a_dry_run_of_an_enrolment_checks_it_and_writes_nothing(
    client: TestClient, folder: Path
) -> None:
    before = state(folder)
    newcomer = Signer.generate()
    now = datetime.now(UTC)
    event = enrolment(
        newcomer.public_key, role="government", name="Rehearsed", valid_from=now, occurred_at=now
    )
    posted = signed(folder, CHARTER, signer_stream(newcomer.key_id), 0, event, dry_run=True)
    reply = client.post(URL + "?dry_run=true", json=posted)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"written": []}
    assert state(folder) == before
    assert newcomer.key_id not in client.get(URL).json()["signers"]
