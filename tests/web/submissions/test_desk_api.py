"""The desk's preparation (``POST /api/desk/prepare``): the exact bytes the command line's
``--server`` path signs for the same step, refusals in one sentence beside their field, and
nothing written; the desk's page under its own policy, its scripts pinned by their digests."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cli.remote import act
from domain import commands
from domain.events import moment
from domain.government import Assessed, ImplementationReported, ResponsibilityTransferred
from domain.process import Session
from domain.responses import Responded
from ledger import Signer, load_signer
from tests.features.cycle import (
    COMMISSION,
    GOVERNMENT,
    LEDGER,
    SECRETARIAT,
    Template,
    as_government,
    ok,
)
from tests.features.forked import assembly
from tests.web.conftest import serving
from tests.web.submissions.conftest import state
from web.desk import POLICY, SCRIPTS, scripts

WHY = "Le budget régional de cette législature ne permet pas cette mesure. " * 4


def key(folder: Path, name: str) -> Signer:
    return load_signer(folder / name)


def ask(client: TestClient, step: str, fields: dict[str, str], signer: Signer | str) -> Any:
    named = signer if isinstance(signer, str) else signer.public_key.b64
    return client.post(
        "/api/desk/prepare", json={"step": step, "fields": fields, "key": named, "lang": "fr"}
    )


def prepared(client: TestClient, step: str, fields: dict[str, str], signer: Signer) -> list[Any]:
    reply = ask(client, step, fields, signer)
    assert reply.status_code == 200, reply.text
    return list(reply.json()["events"])


def body_fields(event: dict[str, Any]) -> dict[str, Any]:
    return dict(json.loads(base64.b64decode(event["body"])))


ANSWER = {
    "recommendation": "1/2",
    "review": "1",
    "position": "rejected",
    "portfolio": "climate",
    "justification": WHY,
    "language": "fr",
}


def answer_step(session: Session, when: datetime) -> None:
    answer = Responded(
        panel=1,
        number=2,
        review=1,
        position="rejected",  # type: ignore[arg-type]
        portfolio="climate",
        justification=WHY.strip(),
        language="fr",
    )
    commands.respond(session, answer, at=when)


def test_an_answer_is_prepared_as_the_bytes_the_command_line_signs_and_nothing_is_written(
    folder: Path, client: TestClient
) -> None:
    government = key(folder, GOVERNMENT)
    before = state(folder)
    [event] = prepared(client, "respond", ANSWER, government)
    assert state(folder) == before
    fields = body_fields(event)
    assert fields["type"] == "assembly.government.responded"
    assert fields["signer"] == government.key_id
    assert event["expected_version"] == fields["version"] - 1
    [entry] = act(client, government, answer_step, at=moment(fields["occurred_at"]))
    assert entry.body == base64.b64decode(event["body"])


@pytest.mark.parametrize(
    ("step", "office", "form", "event"),
    [
        (
            "assess",
            COMMISSION,
            {
                "recommendation": "1/3",
                "verdict": "disputes",
                "reasons": "Rien n'a été fait.",
                "score": "2.5",
                "language": "fr",
            },
            Assessed(
                panel=1,
                number=3,
                verdict="disputes",
                reasons="Rien n'a été fait.",  # type: ignore[arg-type]
                score="2.5",
                language="fr",
            ),
        ),
    ],
)
def test_a_verdict_is_prepared_as_the_bytes_the_command_line_signs(
    folder: Path, client: TestClient, step: str, office: str, form: dict[str, str], event: Any
) -> None:
    signer = key(folder, office)
    [found] = prepared(client, step, form, signer)
    at = moment(body_fields(found)["occurred_at"])
    [entry] = act(client, signer, lambda s, when: commands.assess(s, event, at=when), at=at)
    assert entry.body == base64.b64decode(found["body"])


def test_an_implementation_report_is_prepared_as_the_command_line_signs_it(
    folder: Path, client: TestClient
) -> None:
    ok(as_government(folder, "respond", "1/1", "--position", "accepted", "--portfolio", "climate"))
    government = key(folder, GOVERNMENT)
    form = {
        "recommendation": "1/1",
        "status": "in_progress",
        "progress": "40",
        "milestone": "Appel",
    }
    [found] = prepared(client, "report", form, government)
    report = ImplementationReported(
        panel=1,
        number=1,
        status="in_progress",
        progress=40,
        milestone="Appel",  # type: ignore[arg-type]
    )
    at = moment(body_fields(found)["occurred_at"])
    [entry] = act(client, government, lambda s, when: commands.report(s, report, at=when), at=at)
    assert entry.body == base64.b64decode(found["body"])


def test_a_prepared_answer_signed_elsewhere_is_written_by_the_submissions_route(
    folder: Path, client: TestClient
) -> None:
    government = key(folder, GOVERNMENT)
    [event] = prepared(client, "respond", ANSWER, government)
    body = base64.b64decode(event["body"])
    submission = {
        "batches": [
            {
                "stream": event["stream"],
                "expected_version": event["expected_version"],
                "events": [
                    {"body": event["body"], "sig": base64.b64encode(government.sign(body)).decode()}
                ],
            }
        ]
    }
    reply = client.post("/api/submissions", json=submission)
    assert reply.status_code == 201, reply.text
    assert client.get("/api/recommendations/1/2").json()["position"] == "rejected"


@pytest.mark.parametrize(
    ("changes", "status", "field", "words"),
    [
        ({"justification": "Trop cher."}, 422, "justification", "at least 200 characters"),
        ({"position": "maybe"}, 422, "position", "position"),
        ({"recommendation": "1/99"}, 422, "recommendation", "no recommendation 99"),
        ({"recommendation": ""}, 422, "recommendation", "Choose the recommendation"),
        ({"position": "under_study", "justification": ""}, 422, "decision_date", "decision"),
        ({"position": "not_competent", "justification": ""}, 422, "referred_to", "referred"),
        ({"review": "7"}, 422, None, "review"),
    ],
)
def test_a_broken_rule_is_refused_in_one_sentence_beside_its_field_and_nothing_is_written(
    folder: Path,
    client: TestClient,
    changes: dict[str, str],
    status: int,
    field: str | None,
    words: str,
) -> None:
    before = state(folder)
    reply = ask(client, "respond", {**ANSWER, **changes}, key(folder, GOVERNMENT))
    assert reply.status_code == status, reply.text
    assert reply.json()["field"] == field
    assert words in reply.json()["detail"]
    assert state(folder) == before


def test_a_commission_key_on_the_government_form_is_refused_beside_the_key(
    folder: Path, client: TestClient
) -> None:
    before = state(folder)
    reply = ask(client, "respond", ANSWER, key(folder, COMMISSION))
    assert reply.status_code == 403
    assert reply.json()["field"] == "key"
    assert "commission" in reply.json()["detail"]
    assert state(folder) == before


def test_a_key_that_is_not_enrolled_is_refused(folder: Path, client: TestClient) -> None:
    reply = ask(client, "respond", ANSWER, Signer.generate())
    assert reply.status_code == 403 and reply.json()["field"] == "key"


def test_a_revoked_key_is_refused(folder: Path, client: TestClient) -> None:
    government = key(folder, GOVERNMENT)
    revoke = ("keys", "revoke", government.key_id, "--reason", "The office moved.")
    ok(assembly(*revoke, "--key", "charter.key", cwd=folder))
    reply = ask(client, "respond", ANSWER, government)
    assert reply.status_code == 403 and reply.json()["field"] == "key"
    assert "revoked" in reply.json()["detail"]


def test_a_key_is_named_by_its_id_as_well_as_by_its_public_key(
    folder: Path, client: TestClient
) -> None:
    government = key(folder, GOVERNMENT)
    reply = ask(client, "respond", ANSWER, government.key_id)
    assert reply.status_code == 200, reply.text


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"step": "erase", "fields": {}, "key": "x"}, "no step 'erase'"),
        ({"step": "respond", "fields": {}, "key": "not a key"}, "public key in base64"),
        ({"step": "respond", "fields": {}}, "expected form"),
    ],
)
def test_a_malformed_request_is_a_400_in_one_sentence(
    client: TestClient, document: dict[str, Any], words: str
) -> None:
    reply = client.post("/api/desk/prepare", json=document)
    assert reply.status_code == 400
    assert words in reply.json()["detail"]


def test_the_summary_says_in_the_page_language_what_will_be_signed(
    folder: Path, client: TestClient
) -> None:
    [event] = prepared(client, "respond", ANSWER, key(folder, GOVERNMENT))
    summary = event["summary"]
    assert "1/2" in summary["headline"] and "gouvernement" in summary["headline"]
    assert {"name": "Position", "value": "rejetée"} in summary["lines"]


# The page


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_desk_runs_only_its_own_pinned_scripts_under_its_own_policy(
    client: TestClient, lang: str
) -> None:
    page = client.get(f"/desk?lang={lang}")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert policy == POLICY
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy
    assert "connect-src 'self'" in policy and "object-src 'none'" in policy
    pinned = dict(
        re.findall(r'<script src="/desk/static/([a-z]+\.js)" integrity="([^"]+)"', page.text)
    )
    assert list(pinned) == list(SCRIPTS)
    for name, digest in pinned.items():
        served = client.get(f"/desk/static/{name}")
        assert served.headers["content-type"].startswith("text/javascript")
        expected = base64.b64encode(hashlib.sha384(served.content).digest()).decode()
        assert digest == f"sha384-{expected}" and served.content == scripts()[name]
    assert not re.search(r"<script>|\son[a-z]+=", page.text)
    assert "<noscript>" in page.text


def test_the_public_pages_still_run_no_script(client: TestClient) -> None:
    page = client.get("/")
    assert "script-src 'none'" in page.headers["content-security-policy"]
    assert "<script" not in page.text


@pytest.mark.parametrize("lang", ["", "de", "\x00", "x" * 3000, "fr;q=nan"])
def test_the_desk_answers_any_language_asked_with_its_page_and_its_policy(
    client: TestClient, lang: str
) -> None:
    page = client.get("/desk", params={"lang": lang}, headers={"accept-language": lang[:100]})
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == POLICY
    assert page.headers["x-frame-options"] == "DENY"  # the other security headers stay


@pytest.mark.parametrize("lang", ["fr", "nl", "en"])
def test_the_desk_is_accessible_html_every_field_labelled(client: TestClient, lang: str) -> None:
    from tests.web.test_pages import page

    found = page(client, f"/desk?lang={lang}")
    assert found.lang == lang and found.viewport
    for field in found.fields:
        if field.get("type") not in ("hidden", "submit"):
            assert field.get("id") in found.labelled, field
    assert found.headings.count(1) == 1 and found.headings[0] == 1
    assert all(b - a <= 1 for a, b in zip(found.headings, found.headings[1:], strict=False))


def test_the_desk_shows_the_charter_rules_and_each_recommendation_with_its_due_dates(
    client: TestClient,
) -> None:
    text = client.get("/desk?lang=en").text
    assert "a justification of at least 200 characters" in text
    assert "&#34;rejected&#34;: 200}" in text  # the counter reads the charter's table
    assert re.search(r'<option value="1/1" data-dues="\[\{&#34;review&#34;: 1, &#34;due', text)
    assert "&#34;shown&#34;: &#34;1 August 2025&#34;" in text
    assert '<option value="1/4" data-dues="[]"' in text  # not handed over: nothing due yet


# The secretariat's steps


def test_a_hand_over_is_prepared_as_the_command_line_signs_it(
    folder: Path, client: TestClient
) -> None:
    secretariat = key(folder, SECRETARIAT)
    [found] = prepared(
        client, "hand_over", {"recommendation": "1/4", "on": "2025-05-02"}, secretariat
    )
    assert body_fields(found)["payload"] == {"panel": 1, "number": 4, "on": "2025-05-02"}
    at = moment(body_fields(found)["occurred_at"])
    step = lambda s, when: commands.hand_over(s, 1, 4, date(2025, 5, 2), at=when)  # noqa: E731
    [entry] = act(client, secretariat, step, at=at)
    assert entry.body == base64.b64decode(found["body"])


def test_an_adoption_is_prepared_with_its_texts_in_each_language(
    folder: Path, client: TestClient
) -> None:
    form = {
        "panel": "1", "number": "5", "title_fr": "Des arbres", "title_nl": "Bomen",
        "text_fr": "Planter des arbres.", "text_nl": "Bomen planten.", "portfolio": "climate",
        "vote": "V-1", "priority": "high", "reference": "",
    }  # fmt: skip
    [found] = prepared(client, "adopt", form, key(folder, SECRETARIAT))
    payload = body_fields(found)["payload"]
    assert payload["title"] == {"fr": "Des arbres", "nl": "Bomen"}
    assert payload["vote"] == "V-1" and payload["reference"] is None
    assert found["summary"]["headline"] == "Le panel 1 adopte la recommandation 1/5"


def test_a_review_meeting_of_a_review_the_charter_does_not_set_is_refused(
    folder: Path, client: TestClient
) -> None:
    form = {"panel": "1", "review": "3", "on": "2025-08-05"}
    reply = ask(client, "review", form, key(folder, SECRETARIAT))
    assert reply.status_code == 422
    assert "no review 3" in reply.json()["detail"]


def test_a_government_key_cannot_hand_over(folder: Path, client: TestClient) -> None:
    reply = ask(
        client, "hand_over", {"recommendation": "1/4", "on": "2025-05-02"}, key(folder, GOVERNMENT)
    )
    assert reply.status_code == 403 and reply.json()["field"] == "key"


def test_evidence_is_prepared_and_a_document_recorded_twice_is_refused(
    folder: Path, client: TestClient
) -> None:
    form = {
        "kind": "report", "panel": "1", "title": "Avis du conseil", "author": "Brupartners",
        "digest": "sha256:" + "ab" * 32, "published_at": "https://example.org/avis.pdf",
    }  # fmt: skip
    secretariat = key(folder, SECRETARIAT)
    [found] = prepared(client, "evidence", form, secretariat)
    assert body_fields(found)["type"] == "assembly.evidence.report_submitted"
    assert found["summary"]["headline"] == "Un rapport de partie prenante au panel 1"
    assert ask(client, "evidence", {**form, "digest": "sha256:12"}, secretariat).json()[
        "field"
    ] == ("digest")


def test_a_commission_member_is_named_by_the_charter_key_alone(
    folder: Path, client: TestClient, template: Template
) -> None:
    form = {"panel": "1", "pseudonym": template.members[0], "role": "chair"}
    [found] = prepared(client, "member", form, key(folder, "charter.key"))
    assert body_fields(found)["payload"]["role"] == "chair"
    refused = ask(client, "member", form, key(folder, SECRETARIAT))
    assert refused.status_code == 403 and refused.json()["field"] == "key"


def test_a_vote_is_prepared_with_the_result_the_form_gives(
    folder: Path, client: TestClient
) -> None:
    form = {
        "panel": "1", "vote": "V-2", "subject": "Package 2", "votes_for": "8",
        "votes_against": "3", "abstentions": "1", "method": "majority", "adopted": "true",
    }  # fmt: skip
    [found] = prepared(client, "vote", form, key(folder, SECRETARIAT))
    payload = body_fields(found)["payload"]
    assert payload["adopted"] is True and payload["votes_for"] == 8
    assert found["summary"]["headline"] == "Vote V-2 du panel 1"
    assert [line["value"] for line in found["summary"]["lines"]][-2] == "oui"  # adopted


def test_the_desk_of_a_ledger_without_a_charter_opens_and_its_steps_say_why_they_wait(
    tmp_path: Path,
) -> None:
    ok(assembly("init", cwd=tmp_path))
    ok(assembly("keys", "new", "--key", "government.key", cwd=tmp_path))
    enrol = ("keys", "enrol", "government.key.pub", "--role", "government", "--name", "Gov")
    ok(assembly(*enrol, "--key", "charter.key", cwd=tmp_path))
    with TestClient(serving(str(tmp_path / LEDGER))) as empty:
        assert empty.get("/desk?lang=nl").status_code == 200
        reply = ask(empty, "suspend", {"since": "2026-01-01", "reason": "Elections"},
                    key(tmp_path, "government.key"))  # fmt: skip
        assert reply.status_code == 422 and "no charter yet" in reply.json()["detail"]


def test_a_transfer_and_a_suspension_then_resumption_are_prepared_as_the_command_line_signs(
    folder: Path, client: TestClient
) -> None:
    government = key(folder, GOVERNMENT)
    form = {"recommendation": "1/2", "to_portfolio": "mobility", "reason": "Un remaniement."}
    [found] = prepared(client, "transfer", form, government)
    assert body_fields(found)["payload"]["from_portfolio"] == "climate"  # the current one
    at = moment(body_fields(found)["occurred_at"])

    def transfer(session: Session, when: datetime) -> None:
        event = ResponsibilityTransferred(
            panel=1, number=2, from_portfolio="climate", to_portfolio="mobility",
            reason="Un remaniement.",
        )  # fmt: skip
        commands.transfer(session, event, at=when)

    [entry] = act(client, government, transfer, at=at)
    assert entry.body == base64.b64decode(found["body"])

    form = {"since": "2026-05-01", "reason": "Élections régionales."}
    [found] = prepared(client, "suspend", form, government)
    at = moment(body_fields(found)["occurred_at"])
    step = lambda s, when: commands.suspend(s, date(2026, 5, 1), "Élections régionales.", at=when)  # noqa: E731
    [entry] = act(client, government, step, at=at)
    assert entry.body == base64.b64decode(found["body"])

    [found] = prepared(client, "resume", {"on": "2026-07-01"}, government)
    assert found["summary"]["headline"] == "Les échéances courent à nouveau"
    refused = ask(client, "suspend", form, government)  # already suspended: a rule, not a field
    assert refused.status_code == 422 and refused.json()["field"] is None
    assert "already suspended" in refused.json()["detail"]
