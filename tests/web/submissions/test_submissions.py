"""Signed submissions to a shared server (issue 6, item 4, and its "bad submissions"): a valid
signed answer is appended and shows in the read models; every bad one gets its 4xx with one
sentence, and the ledger's entry count and head stay as they were. The client in
``cli.remote``, posting to the same application, writes what a local ``assembly respond`` writes.

Each test works on its own copy of the small assembly of ``tests.features.cycle``:
recommendations 1/1 to 1/3 handed over, 1/4 adopted only, one key file per office.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cli import remote
from cli.context import open_ledger, parse_moment
from cli.errors import Exit, exit_code_for
from cli.store import LedgerStore
from domain import commands
from domain.errors import RuleBroken
from domain.process import run
from domain.recommendation import recommendation_stream
from domain.responses import Position, Responded
from ledger import Entry, NewEvent, Signer, load_signer, sign_events
from ledger.errors import AppendRefused, StorageError, VerificationFailed
from projections import stored_one
from tests.features.cycle import (
    GOVERNMENT,
    LEDGER,
    SECRETARIAT,
    Template,
    copy_of,
)
from tests.features.forked import assembly
from tests.web.conftest import serving
from tests.web.submissions.conftest import identity_of, state
from web.submissions import MAX_SUBMISSION_BYTES

URL = "/api/submissions"


def answer(number: int = 1, position: Position = Position.ACCEPTED, **fields: Any) -> Responded:
    """The government's first-review answer to recommendation 1/``number``."""
    return Responded(
        panel=1, number=number, review=1, position=position, portfolio="climate", **fields
    )


def version_of(folder: Path, stream: uuid.UUID) -> int:
    book = open_ledger(str(folder / LEDGER))
    try:
        return len(book.stream(stream))
    finally:
        book.close()


def submission(
    folder: Path,
    event: Responded,
    *,
    key: str | Signer = GOVERNMENT,
    stream: uuid.UUID | None = None,
    version: int | None = None,
    dry_run: bool = False,
    ledger: str | None = None,
) -> dict[str, Any]:
    """``event`` signed by ``key`` for ``stream`` (its recommendation's) at its current
    version unless given, for the copy's ledger unless another is named (for a rehearsal with
    ``dry_run``), as the JSON a client posts."""
    signer = key if isinstance(key, Signer) else load_signer(folder / key)
    stream = stream or recommendation_stream(event.panel, event.number)
    expected = version_of(folder, stream) if version is None else version
    new = NewEvent(
        type=event.TYPE,
        payload=event.to_payload(),
        occurred_at=datetime.now(UTC),
        schema=event.SCHEMA,
    )
    signed = sign_events(
        signer, stream, expected, [new], ledger=ledger or identity_of(folder), dry_run=dry_run
    )
    return {
        "batches": [
            {
                "stream": str(stream),
                "expected_version": expected,
                "events": [{"body": _b64(e.body), "sig": _b64(e.sig)} for e in signed],
            }
        ]
    }


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def refused(client: TestClient, folder: Path, body: Any, status: int, words: str) -> None:
    """Posting ``body`` gets ``status`` with one sentence containing ``words``; nothing written."""
    before = state(folder)
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    reply = client.post(URL, content=content, headers={"content-type": "application/json"})
    assert reply.status_code == status, reply.text
    detail = reply.json()["detail"]
    assert isinstance(detail, str), detail
    assert words in detail, detail
    assert "\n" not in detail and detail.endswith("."), detail
    assert state(folder) == before


# -- the server -------------------------------------------------------------------------------


def test_a_valid_signed_answer_is_appended_and_shows_in_the_status(
    client: TestClient, folder: Path
) -> None:
    count, _ = state(folder)
    reply = client.post(URL, json=submission(folder, answer(1)))
    assert reply.status_code == 201, reply.text
    [written] = reply.json()["written"]
    assert written["seq"] == count
    assert written["type"] == Responded.TYPE
    assert state(folder) == (count + 1, f"{count}:{written['hash']}")
    book = open_ledger(str(folder / LEDGER))
    try:
        _, status = stored_one(book, (1, 1))
    finally:
        book.close()
    assert status is not None
    assert status.position == "accepted"


def test_a_bad_signature_is_refused_with_403(client: TestClient, folder: Path) -> None:
    body = submission(folder, answer(1))
    event = body["batches"][0]["events"][0]
    sig = bytearray(base64.b64decode(event["sig"]))
    sig[0] ^= 1
    event["sig"] = _b64(bytes(sig))
    refused(client, folder, body, 403, "does not verify")


def test_an_answer_signed_by_the_secretariat_is_refused_with_403(
    client: TestClient, folder: Path
) -> None:
    body = submission(folder, answer(1), key=SECRETARIAT)
    refused(client, folder, body, 403, "has role 'secretariat', which may not write")


def test_a_key_never_enrolled_is_refused_with_403(client: TestClient, folder: Path) -> None:
    body = submission(folder, answer(1), key=Signer.generate())
    refused(client, folder, body, 403, "is not enrolled in this ledger")


def test_an_answer_to_an_unknown_recommendation_is_refused_with_422(
    client: TestClient, folder: Path
) -> None:
    refused(client, folder, submission(folder, answer(9)), 422, "Panel 1 has no recommendation 9.")


def test_a_rejection_without_its_justification_is_refused_with_422(
    client: TestClient, folder: Path
) -> None:
    short = answer(1, Position.REJECTED, justification="Too expensive.")
    body = submission(folder, short)
    refused(client, folder, body, 422, "needs a justification of at least 200 characters")


def test_an_answer_before_the_hand_over_is_refused_with_422(
    client: TestClient, folder: Path
) -> None:
    refused(client, folder, submission(folder, answer(4)), 422, "has not been handed over")


def test_an_answer_signed_for_another_recommendations_stream_is_refused_with_422(
    client: TestClient, folder: Path
) -> None:
    body = submission(folder, answer(1), stream=recommendation_stream(1, 2))
    refused(client, folder, body, 422, "is not what the assembly's rules decide")


def test_an_event_whose_payload_is_not_of_its_type_is_refused_with_422(
    client: TestClient, folder: Path
) -> None:
    signer = load_signer(folder / SECRETARIAT)
    stream = uuid.uuid4()
    new = NewEvent("assembly.pool.closed", {}, datetime.now(UTC))
    [event] = sign_events(signer, stream, 0, [new], ledger=identity_of(folder))
    events = [{"body": _b64(event.body), "sig": _b64(event.sig)}]
    body = {"batches": [{"stream": str(stream), "expected_version": 0, "events": events}]}
    refused(client, folder, body, 422, "The payload of assembly.pool.closed is not valid")


def test_malformed_json_is_refused_with_400(client: TestClient, folder: Path) -> None:
    refused(client, folder, b'{"batches": [', 400, "The submission is not JSON")


def test_a_submission_of_the_wrong_form_is_refused_with_400(
    client: TestClient, folder: Path
) -> None:
    refused(client, folder, {"batches": [{"stream": "x"}]}, 400, "not of the expected form")


def test_an_event_body_that_is_not_an_event_is_refused_with_400(
    client: TestClient, folder: Path
) -> None:
    body = submission(folder, answer(1))
    body["batches"][0]["events"][0]["body"] = _b64(b'{"type": "x"}')
    refused(client, folder, body, 400, "A submitted event cannot be read")


def test_an_oversized_body_is_refused_with_413_before_it_is_parsed(
    client: TestClient, folder: Path
) -> None:
    # Not JSON at all: a 413 rather than a 400 shows that it was never parsed.
    refused(client, folder, b"x" * (MAX_SUBMISSION_BYTES + 1), 413, "larger than 1024 KiB")


def test_an_oversized_body_sent_in_chunks_is_refused_with_413(
    client: TestClient, folder: Path
) -> None:
    before = state(folder)
    chunks = (b"x" * 65536 for _ in range(MAX_SUBMISSION_BYTES // 65536 + 1))
    reply = client.post(URL, content=chunks, headers={"content-type": "application/json"})
    assert reply.status_code == 413, reply.text
    assert "larger than 1024 KiB" in reply.json()["detail"]
    assert state(folder) == before


def test_the_same_signed_answer_submitted_twice_is_refused_as_a_replay(
    client: TestClient, folder: Path
) -> None:
    body = submission(folder, answer(1))
    assert client.post(URL, json=body).status_code == 201
    refused(client, folder, body, 409, "submitting it again is a replay")


def test_an_answer_signed_at_a_stale_version_is_refused_with_409(
    client: TestClient, folder: Path
) -> None:
    stream = recommendation_stream(1, 1)
    stale = version_of(folder, stream) - 1
    body = submission(folder, answer(1), version=stale)
    refused(client, folder, body, 409, f"not at the expected version {stale}")


def test_a_client_reads_the_streams_it_needs_and_a_missing_entry_is_404(
    client: TestClient, folder: Path
) -> None:
    stream = recommendation_stream(1, 1)
    entries = client.get(f"{URL}/streams/{stream}").json()["entries"]
    assert [remote.entry_from(each).event["version"] for each in entries] == [1, 2]
    assert client.get(f"{URL}/entries/99999").status_code == 404
    assert client.get(f"{URL}/entries/0").json()["seq"] == 0


# -- the client -------------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(UTC)


def respond_step(event: Responded) -> Any:
    """The step ``assembly respond`` hands to ``act``."""
    return lambda session, when: commands.respond(session, event, at=when)


def last_entry(folder: Path) -> Entry:
    book = open_ledger(str(folder / LEDGER))
    try:
        return book.recorder.read_entries(start=book.count() - 1)[0]
    finally:
        book.close()


def test_a_remote_answer_writes_what_a_local_assembly_respond_writes(
    template: Template, tmp_path: Path
) -> None:
    local = copy_of(template.seated, tmp_path / "local")
    served = copy_of(template.seated, tmp_path / "served")
    at = datetime.now(UTC).replace(microsecond=0).isoformat()
    measures = "A renovation fund from 2026."
    done = assembly(
        *("respond", "1/1", "--position", "accepted", "--portfolio", "climate"),
        *("--planned-measures", measures, "--at", at, "--key", GOVERNMENT),
        cwd=local,
    )
    assert done.code == 0, done.stderr
    with TestClient(serving(str(served / LEDGER))) as client:
        [written] = remote.act(
            client,
            load_signer(served / GOVERNMENT),
            respond_step(answer(1, planned_measures=measures)),
            at=parse_moment(at),
        )
    expected = last_entry(local)
    # Same step, key, time and state: the same canonical body and (Ed25519) the same signature.
    assert (written.seq, written.body, written.sig) == (expected.seq, expected.body, expected.sig)
    assert last_entry(served) == written


def test_a_remote_answer_breaking_a_rule_fails_as_the_local_command_does(
    template: Template, tmp_path: Path
) -> None:
    local = copy_of(template.seated, tmp_path / "local")
    served = copy_of(template.seated, tmp_path / "served")
    done = assembly(
        *("respond", "1/1", "--position", "rejected", "--portfolio", "climate"),
        *("--justification", "Too expensive.", "--key", GOVERNMENT),
        cwd=local,
    )
    before = state(served)
    with TestClient(serving(str(served / LEDGER))) as client, pytest.raises(RuleBroken) as error:
        remote.act(
            client,
            load_signer(served / GOVERNMENT),
            respond_step(answer(1, Position.REJECTED, justification="Too expensive.")),
        )
    assert done.code == Exit.REFUSED  # what cli.main gives a RuleBroken
    assert done.stderr.strip() == f"refused: {error.value.sentence()}"
    assert state(served) == before


def test_a_remote_answer_that_loses_a_race_is_refused_as_a_local_conflict(
    folder: Path,
) -> None:
    """Someone appends to the stream between the client's read and its post: the server says
    409 and the client raises the local command's version conflict, exit 3."""
    government = load_signer(folder / GOVERNMENT)

    class Racing:
        def __init__(self, inner: TestClient) -> None:
            self.inner = inner

        def get(self, url: str) -> Any:
            return self.inner.get(url)

        def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> Any:
            book = open_ledger(str(folder / LEDGER))
            try:
                first = answer(1)
                run(LedgerStore(book, government), lambda s: commands.respond(s, first, at=now()))
            finally:
                book.close()
            return self.inner.post(url, content=content, headers=headers)

    before, _ = state(folder)
    with TestClient(serving(str(folder / LEDGER))) as client:
        step = respond_step(answer(1, Position.UNDER_STUDY, decision_date="2025-12-31"))
        with pytest.raises(AppendRefused, match="someone else wrote to it first") as error:
            remote.act(Racing(client), government, step)
    assert exit_code_for(error.value) == Exit.REFUSED
    assert state(folder)[0] == before + 1  # the other writer's answer only


def test_a_remote_answer_by_a_key_never_enrolled_fails_as_a_refused_append(
    client: TestClient,
) -> None:
    stranger = Signer.generate()
    with pytest.raises(AppendRefused, match=f"Key {stranger.key_id} is not enrolled") as error:
        remote.act(client, stranger, respond_step(answer(1)))
    assert exit_code_for(error.value) == Exit.REFUSED


class _Reply:
    """A reply as a transport returns it, with JSON the test chose."""

    def __init__(self, status_code: int, data: Any) -> None:
        self.status_code = status_code
        self._data = data

    def json(self) -> Any:
        return self._data


def test_a_server_entry_that_does_not_cover_the_signed_event_fails_verification(
    client: TestClient, folder: Path
) -> None:
    """A server that reports another hash than the one of the bytes signed here is caught."""

    class Tampering:
        def get(self, url: str) -> Any:
            return client.get(url)

        def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> Any:
            data = client.post(url, content=content, headers=headers).json()
            data["written"][0]["hash"] = "00" * 32
            return _Reply(201, data)

    with pytest.raises(VerificationFailed, match="does not cover the event signed here") as error:
        remote.act(Tampering(), load_signer(folder / GOVERNMENT), respond_step(answer(1)))
    assert exit_code_for(error.value) == Exit.VERIFICATION_FAILED


@pytest.mark.parametrize(
    ("status", "family", "code"),
    [
        (400, AppendRefused, Exit.REFUSED),
        (403, AppendRefused, Exit.REFUSED),
        (409, AppendRefused, Exit.REFUSED),
        (413, AppendRefused, Exit.REFUSED),
        (422, RuleBroken, Exit.REFUSED),
        (503, StorageError, Exit.STORAGE),
        (404, StorageError, Exit.STORAGE),
    ],
)
def test_each_server_refusal_becomes_the_local_error_family_and_exit_code(
    status: int, family: type[Exception], code: Exit
) -> None:
    error = remote.refusal(status, "Something is wrong.")
    assert isinstance(error, family)
    assert "Something is wrong." in error.sentence()
    # cli.main gives every rule of the assembly (a RuleBroken) exit 3 without exit_code_for.
    assert (Exit.REFUSED if isinstance(error, RuleBroken) else exit_code_for(error)) == code


def test_a_server_that_cannot_be_reached_fails_as_an_unusable_store(folder: Path) -> None:
    signer = load_signer(folder / GOVERNMENT)
    nowhere = "http://127.0.0.1:9"  # the discard port: nothing listens there
    sentence = re.escape(f"Cannot reach the server {nowhere}")
    with pytest.raises(StorageError, match=sentence) as error:
        remote.submit_step(nowhere, signer, respond_step(answer(1)))
    assert exit_code_for(error.value) == Exit.STORAGE


def test_other_write_steps_go_through_the_server_too(client: TestClient, folder: Path) -> None:
    """The secretariat hands 1/4 over; the government answers it, then corrects its answer
    (a step that reads an entry by seq and the signer's role from the server)."""
    secretariat = load_signer(folder / SECRETARIAT)
    government = load_signer(folder / GOVERNMENT)
    on = date(2025, 6, 1)
    remote.act(client, secretariat, lambda s, when: commands.hand_over(s, 1, 4, on, at=when))
    [answered] = remote.act(client, government, respond_step(answer(4)))
    fixed = answer(4, planned_measures="A fund from 2026.").to_payload()
    [corrected] = remote.act(
        client,
        government,
        lambda s, when: commands.correct(
            s, answered.seq, reason="The measures were missing.", replacement=fixed, at=when
        ),
    )
    assert corrected.event["payload"]["supersedes"] == answered.seq
    assert last_entry(folder) == corrected


def test_a_submission_to_two_streams_is_written_whole(client: TestClient, folder: Path) -> None:
    first = submission(folder, answer(1))
    second = submission(folder, answer(2))
    body = {"batches": first["batches"] + second["batches"]}
    before, _ = state(folder)
    reply = client.post(URL, json=body)
    assert reply.status_code == 201, reply.text
    written = reply.json()["written"]
    assert [each["seq"] for each in written] == [before, before + 1]
    assert state(folder)[0] == before + 2
    board = client.get("/api/status", params={"panel": 1}).json()["recommendations"]
    positions = {row["ref"]: row["position"] for row in board}
    assert positions["1/1"] == positions["1/2"] == "accepted"


def test_a_submission_to_two_streams_with_one_bad_answer_writes_neither(
    client: TestClient, folder: Path
) -> None:
    good = submission(folder, answer(1))
    bad = submission(folder, answer(2, Position.REJECTED))  # no justification
    body = {"batches": good["batches"] + bad["batches"]}
    refused(client, folder, body, 422, "justification")


def test_a_submission_naming_one_stream_twice_is_refused(client: TestClient, folder: Path) -> None:
    first = submission(folder, answer(1))
    body = {"batches": first["batches"] * 2}
    refused(client, folder, body, 400, "names stream")


def test_a_dry_run_submission_checks_everything_and_writes_nothing(
    client: TestClient, folder: Path
) -> None:
    body = submission(folder, answer(1), dry_run=True)
    before = state(folder)
    reply = client.post(URL, params={"dry_run": "true"}, json=body)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"written": []}
    assert state(folder) == before
    rejected = submission(folder, answer(1, Position.REJECTED), dry_run=True)
    reply = client.post(URL, params={"dry_run": "true"}, json=rejected)
    assert reply.status_code == 422
    assert "justification" in reply.json()["detail"]
    assert state(folder) == before
    assert client.post(URL, json=submission(folder, answer(1))).status_code == 201


def test_a_dry_runs_body_and_signature_posted_for_real_are_refused(
    client: TestClient, folder: Path
) -> None:
    rehearsed = submission(folder, answer(1), dry_run=True)
    assert client.post(URL, params={"dry_run": "true"}, json=rehearsed).status_code == 200

    refused(client, folder, rehearsed, 403, "signature on assembly.government.responded does not")


def test_a_real_signature_is_not_taken_for_a_dry_run(client: TestClient, folder: Path) -> None:
    reply = client.post(URL, params={"dry_run": "true"}, json=submission(folder, answer(1)))
    assert reply.status_code == 403
    assert "does not verify" in reply.json()["detail"]


def test_an_event_signed_for_another_ledger_is_refused_and_nothing_written(
    client: TestClient, folder: Path
) -> None:
    elsewhere = submission(folder, answer(1), ledger="0f" * 16)

    refused(client, folder, elsewhere, 422, f"signed for ledger {'0f' * 16}")


def test_a_dry_run_flag_that_is_not_true_or_false_is_refused_with_400(
    client: TestClient, folder: Path
) -> None:
    before = state(folder)
    reply = client.post(URL, params={"dry_run": "yes"}, json=submission(folder, answer(1)))
    assert reply.status_code == 400
    assert reply.json()["detail"] == "dry_run is true or false, not 'yes'."
    assert state(folder) == before


NON_CANONICAL = {
    "pretty-printed": lambda body: json.dumps(json.loads(body), indent=2).encode(),
    "keys out of order": lambda body: json.dumps(
        dict(reversed(list(json.loads(body).items()))), separators=(",", ":")
    ).encode(),
    "a duplicated key": lambda body: body[:-1] + b',"version":1}',
    "an escaped letter": lambda body: body.replace(b'"type":"a', b'"type":"\\u0061', 1),
    "a trailing newline": lambda body: body + b"\n",
    "a float": lambda body: body.replace(b'"review":1', b'"review":1.0', 1),
}


@pytest.mark.parametrize("variant", list(NON_CANONICAL))
def test_a_body_that_is_not_its_own_canonical_form_is_refused_with_400(
    client: TestClient, folder: Path, variant: str
) -> None:
    document = submission(folder, answer(1))
    event = document["batches"][0]["events"][0]
    canonical = base64.b64decode(event["body"])
    body = NON_CANONICAL[variant](canonical)
    assert body != canonical and json.loads(body)
    signer = load_signer(folder / GOVERNMENT)
    # Signed as sent: the signature is good, only the canonical-bytes rule can refuse it.
    event["body"], event["sig"] = _b64(body), _b64(signer.sign(body))

    refused(client, folder, document, 400, "The event body is not canonical")
