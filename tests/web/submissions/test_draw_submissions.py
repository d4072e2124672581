"""The draws submitted to a shared server: the secretariat draws panel 2's theme group, convenes
panel 2 and draws its invitations and its panel through ``cli.remote.act``, and the ledger the
server wrote verifies from the published files. The server replays every rule of a draw it can
check without those files, so a draw out of order, or one whose signed values are not what the
rules decide, is refused with its 4xx and one sentence, and nothing is written.

Each test works on its own copy of the small assembly of ``tests.features.cycle`` (panel 1
seated, theme groups of 4), with the same register, pool and quota files for panel 2.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cli import draw_work, remote
from cli.context import open_ledger
from domain import commands, draw_steps
from domain.catalogue import event_types
from domain.draws import InvitationDraw, PanelDraw, VolunteerPool
from domain.errors import RuleBroken
from domain.events import moment
from domain.panel import Convened, ThemeGroupRef
from domain.process import Session
from ledger import NewEvent, SignedEvent, Signer, load_signer, sign_events
from ledger.errors import VerificationFailed
from tests.features.cycle import (
    ALGORITHM,
    LEDGER,
    PORTFOLIO_SIZE,
    SEATS,
    SECRETARIAT,
    STAGE_1_VALUE,
    STAGE_2_VALUE,
    Template,
    entries,
    last_events,
    ok,
)
from tests.features.forked import assembly
from tests.web.submissions.conftest import state
from web.steps import STEPS

URL = "/api/submissions"
GROUP_VALUE = "Lotto: 3 9 14 27 36 44 (bonus 1)"
Step = Callable[[Session, datetime], object]
Payload = dict[str, Any]
Change = Callable[[Payload, Template], Payload]


@pytest.fixture
def secretariat(folder: Path) -> Signer:
    return load_signer(folder / SECRETARIAT)


def just_now() -> datetime:
    """A public value's publication time: now, after the last entry and before the next."""
    return datetime.now(UTC)


# The steps of panel 2's draws, as the commands hand them to ``act``, in their order.


def draw_group(folder: Path) -> Step:
    published = just_now() - timedelta(minutes=1)
    return lambda s, when: draw_steps.draw_theme_group(
        s,
        2,
        public_value=GROUP_VALUE,
        randomness_source="The Lotto draw of last night",
        randomness_published_at=published,
        draw_id="panel-2-theme-group",
        at=when,
    )


def convene(folder: Path) -> Step:
    event = Convened(
        number=2,
        theme={"fr": "Le logement", "nl": "Huisvesting"},
        seats=SEATS,
        theme_chosen_by="theme_group",
        theme_group=ThemeGroupRef(panel=1, size=4, formed_by="drawn"),
    )
    return lambda s, when: commands.convene(s, event, at=when)


def announce_invitations(folder: Path) -> Step:
    return lambda s, when: draw_work.announce_invitations(
        s,
        2,
        folder / "register.csv",
        letters=40,
        randomness_source="The next Lotto draw",
        draw_id="panel-2-invitations",
        salts_out=folder / "register-2.salts",
        at=when,
    )


def perform_invitations(folder: Path) -> Step:
    published = just_now()
    return lambda s, when: draw_work.perform_invitations(
        s,
        2,
        folder / "register.csv",
        salts_file=folder / "register-2.salts",
        randomness_value=STAGE_1_VALUE,
        randomness_published_at=published,
        invitations_out=None,
        at=when,
    )


def close_pool(folder: Path) -> Step:
    return lambda s, when: draw_work.close_pool(
        s,
        2,
        folder / "pool.csv",
        quotas_file=folder / "quotas.csv",
        salts_out=folder / "pool-2.salts",
        at=when,
    )


def announce_panel(folder: Path) -> Step:
    return lambda s, when: draw_work.announce_panel_draw(
        s,
        2,
        pool_file=folder / "pool.csv",
        quotas_file=folder / "quotas.csv",
        portfolio_out=folder / "portfolio-2.json",
        portfolio_size=PORTFOLIO_SIZE,
        panel_size=SEATS,
        algorithm=ALGORITHM,
        randomness_source="The Lotto draw after the announcement",
        draw_id="panel-2-seats",
        salts_file=folder / "pool-2.salts",
        at=when,
    )


def perform_panel(folder: Path) -> Step:
    published = just_now()
    return lambda s, when: draw_work.perform_panel_draw(
        s,
        2,
        pool_file=folder / "pool.csv",
        quotas_file=folder / "quotas.csv",
        portfolio_file=folder / "portfolio-2.json",
        randomness_value=STAGE_2_VALUE,
        randomness_published_at=published,
        salts_file=folder / "pool-2.salts",
        at=when,
    )


STAGES = (
    draw_group,
    convene,
    announce_invitations,
    perform_invitations,
    close_pool,
    announce_panel,
    perform_panel,
)


def run_stages(client: TestClient, signer: Signer, folder: Path, count: int) -> None:
    """Submit the first ``count`` stages of panel 2's draws, honestly."""
    for stage in STAGES[:count]:
        remote.act(client, signer, stage(folder))


def verify(folder: Path, *files: str) -> None:
    """``assembly draw verify --panel 2`` from the published files must accept the ledger."""
    ok(assembly("draw", "verify", "--panel", "2", *files, cwd=folder))


def test_every_event_type_a_client_may_sign_has_a_step_the_server_replays() -> None:
    assert sorted(event.TYPE for event in STEPS) == sorted(event_types())


def test_a_whole_draw_submitted_to_the_server_verifies_from_the_published_files(
    client: TestClient, folder: Path, secretariat: Signer
) -> None:
    before = entries(folder)
    run_stages(client, secretariat, folder, len(STAGES))
    written = last_events(folder, len(STAGES))
    assert [event["type"] for event in written] == [
        "assembly.theme.group_formed",
        "assembly.panel.convened",
        "assembly.draw.invitation_announced",
        "assembly.draw.invitation_performed",
        "assembly.pool.closed",
        "assembly.draw.panel_announced",
        "assembly.draw.panel_performed",
    ]
    assert entries(folder) == before + len(STAGES)
    assert len(written[0]["pseudonyms"]) == 4
    remote.act(client, secretariat, lambda s, when: commands.seat(s, 2, at=when))
    assert last_events(folder)[0]["members"] == written[-1]["selected"]
    verify(
        folder,
        *("--salts", "register-2.salts", "--stage", "invitations", "--register", "register.csv"),
    )
    verify(
        folder,
        *("--pool", "pool.csv", "--quotas", "quotas.csv", "--portfolio", "portfolio-2.json"),
        *("--salts", "pool-2.salts"),
    )


def test_a_theme_group_of_volunteers_is_replayed_and_one_not_on_the_panel_refused(
    client: TestClient, folder: Path, secretariat: Signer, template: Template
) -> None:
    volunteers = template.members[:4]

    def step(session: Session, when: datetime) -> None:
        draw_steps.volunteer_theme_group(session, 2, volunteers, at=when)

    before = state(folder)

    def stranger(payload: Payload) -> Payload:
        return {**payload, "pseudonyms": sorted([template.reserve, *volunteers[1:]])}

    dishonest = Dishonest(client, secretariat, "assembly.theme.group_formed", stranger)
    with pytest.raises(RuleBroken):
        remote.act(dishonest, secretariat, step)
    words = f"{template.reserve} is not a seated member of panel 1"
    one_sentence(dishonest.reply.status_code, dishonest.reply.json()["detail"], words)
    assert state(folder) == before
    remote.act(client, secretariat, step)
    [group] = last_events(folder)
    assert (group["formed_by"], group["pseudonyms"]) == ("volunteered", sorted(volunteers))


# -- refused ----------------------------------------------------------------------------------


def one_sentence(status: int, detail: Any, words: str) -> None:
    assert 400 <= status < 500, (status, detail)
    assert isinstance(detail, str), detail
    assert words in detail, detail
    assert "\n" not in detail and detail.endswith("."), detail


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class Dishonest:
    """A client that runs the honest step, then signs something else: ``change`` edits the
    payload of each event of ``type_name`` before it is signed. Keeps the server's reply."""

    def __init__(
        self,
        inner: TestClient,
        signer: Signer,
        type_name: str,
        change: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> None:
        self.inner, self.signer, self.type_name, self.change = inner, signer, type_name, change
        self.reply: Any = None

    def get(self, url: str) -> Any:
        return self.inner.get(url)

    def post(self, url: str, *, content: bytes, headers: dict[str, str]) -> Any:
        document = json.loads(content)
        for batch in document["batches"]:
            signed = [
                SignedEvent.from_parts(base64.b64decode(e["body"]), base64.b64decode(e["sig"]))
                for e in batch["events"]
            ]
            new = [
                NewEvent(
                    type=event.type,
                    payload=self._payload(event),
                    occurred_at=moment(event.occurred_at),
                    schema=int(event.fields["schema"]),
                )
                for event in signed
            ]
            stream, expected = uuid.UUID(batch["stream"]), batch["expected_version"]
            batch["events"] = [
                {"body": _b64(e.body), "sig": _b64(e.sig)}
                for e in sign_events(
                    self.signer, stream, expected, new, ledger=signed[0].fields["ledger"]
                )
            ]
        self.reply = self.inner.post(url, content=json.dumps(document).encode(), headers=headers)
        return self.reply

    def _payload(self, event: SignedEvent) -> dict[str, Any]:
        payload = dict(event.fields["payload"])
        return self.change(payload) if event.type == self.type_name else payload


def other_member(payload: Payload, template: Template) -> Payload:
    """A drawn theme group with one member swapped for a seated member the seed did not pick."""
    outsider = next(m for m in template.members if m not in payload["pseudonyms"])
    return {**payload, "pseudonyms": sorted([outsider, *payload["pseudonyms"][1:]])}


def letter_moved(payload: Payload, template: Template) -> Payload:
    letters = dict(payload["letters_per_municipality"])
    first, second = sorted(letters)[:2]
    letters[first], letters[second] = letters[first] - 1, letters[second] + 1
    return {**payload, "letters_per_municipality": letters}


def published_early(payload: Payload, template: Template) -> Payload:
    return {**payload, "randomness_published_at": "2025-01-01T20:00:00.000000Z"}


def first_count(count: int) -> Change:
    def change(payload: Payload, template: Template) -> Payload:
        key = "achieved" if "achieved" in payload else "counts"
        cells = [dict(cell) for cell in payload[key]]
        cells[0]["count"] = count
        return {**payload, key: cells}

    return change


def first_quota_minimum(payload: Payload, template: Template) -> Payload:
    quotas = [dict(line) for line in payload["quotas"]]
    quotas[0]["min"] = quotas[0]["max"] + 1
    return {**payload, "quotas": quotas}


def shifted(field: str, by: int) -> Change:
    return lambda payload, template: {**payload, field: payload[field] + by}


# name: (the stage signed dishonestly, the type changed, the change, the server's words)
TAMPERED: dict[str, tuple[int, str, Change, str]] = {
    "theme_group_member_not_picked_by_the_seed": (
        0,
        "assembly.theme.group_formed",
        other_member,
        "is not what the assembly's rules decide",
    ),
    "theme_group_said_drawn_without_its_public_value": (
        0,
        "assembly.theme.group_formed",
        lambda payload, template: {**payload, "randomness_value": None},
        "is said to be drawn but does not name its draw id, public value",
    ),
    "letters_moved_between_municipalities": (
        2,
        "assembly.draw.invitation_announced",
        letter_moved,
        "is not what the assembly's rules decide",
    ),
    "invitation_value_published_before_the_announcement": (
        3,
        "assembly.draw.invitation_performed",
        published_early,
        "The public value was published at 2025-01-01T20:00:00+00:00, not after the announcement",
    ),
    "more_addresses_drawn_than_letters": (
        3,
        "assembly.draw.invitation_performed",
        shifted("selected_count", 1),
        "The number of addresses drawn given (41)",
    ),
    "pool_small_cell_shown": (
        4,
        "assembly.pool.closed",
        first_count(3),
        "The pool's published counts show 3 volunteers with",
    ),
    "pool_size_that_the_counts_do_not_add_up_to": (
        4,
        "assembly.pool.closed",
        shifted("pool_size", 1),
        "in a pool of 61",
    ),
    "quota_table_no_panel_can_meet": (
        5,
        "assembly.draw.panel_announced",
        first_quota_minimum,
        "which no panel can do",
    ),
    "panel_value_published_before_the_announcement": (
        6,
        "assembly.draw.panel_performed",
        published_early,
        "not after the announcement",
    ),
    "another_panel_of_the_portfolio_picked": (
        6,
        "assembly.draw.panel_performed",
        shifted("panel_index", 1),
        "The picked panel number given",
    ),
    "achieved_count_outside_its_quota": (
        6,
        "assembly.draw.panel_performed",
        first_count(99),
        "outside the quota",
    ),
}


@pytest.mark.parametrize("case", list(TAMPERED))
def test_a_draw_signed_other_than_the_rules_decide_is_refused_and_nothing_written(
    client: TestClient, folder: Path, secretariat: Signer, template: Template, case: str
) -> None:
    stage, type_name, change, words = TAMPERED[case]
    run_stages(client, secretariat, folder, stage)
    before = state(folder)
    dishonest = Dishonest(client, secretariat, type_name, lambda p: change(p, template))
    with pytest.raises(RuleBroken):
        remote.act(dishonest, secretariat, STAGES[stage](folder))
    one_sentence(dishonest.reply.status_code, dishonest.reply.json()["detail"], words)
    assert state(folder) == before


# Each draw event of panel 1 (from the template's ledger), resigned for panel 2 while panel 2
# is only convened: the step before it is missing.
OUT_OF_ORDER = {
    "invitations performed before they were announced": (
        "assembly.draw.invitation_performed",
        InvitationDraw.stream_for(2),
        "The invitation draw of panel 2 has not been announced",
    ),
    "pool closed before the letters were drawn": (
        "assembly.pool.closed",
        VolunteerPool.stream_for(2),
        "The invitations of panel 2 have not been drawn",
    ),
    "panel draw announced before the pool closed": (
        "assembly.draw.panel_announced",
        PanelDraw.stream_for(2),
        "The volunteer pool of panel 2 is not closed",
    ),
    "panel drawn before the draw was announced": (
        "assembly.draw.panel_performed",
        PanelDraw.stream_for(2),
        "The panel draw of panel 2 has not been announced",
    ),
}


@pytest.mark.parametrize("case", list(OUT_OF_ORDER))
def test_a_draw_step_submitted_out_of_order_is_refused_and_nothing_written(
    client: TestClient, folder: Path, secretariat: Signer, case: str
) -> None:
    type_name, stream, words = OUT_OF_ORDER[case]
    run_stages(client, secretariat, folder, 2)  # panel 2 convened, no draw yet
    book = open_ledger(str(folder / LEDGER))
    try:
        [panel_1] = [entry.event for entry in book.recorder.read_types(type_name)]
        identity = book.identity()
    finally:
        book.close()
    new = NewEvent(
        type=type_name,
        payload={**panel_1["payload"], "panel": 2},
        occurred_at=datetime.now(UTC),
        schema=int(panel_1["schema"]),
    )
    [event] = sign_events(secretariat, stream, 0, [new], ledger=identity)
    events = [{"body": _b64(event.body), "sig": _b64(event.sig)}]
    body = {"batches": [{"stream": str(stream), "expected_version": 0, "events": events}]}
    before = state(folder)
    reply = client.post(URL, json=body)
    assert reply.status_code == 422, reply.text
    one_sentence(reply.status_code, reply.json()["detail"], words)
    assert state(folder) == before


def test_a_panel_member_swapped_passes_the_server_but_not_the_draw_verification(
    client: TestClient, folder: Path, secretariat: Signer, template: Template
) -> None:
    """What the server cannot check: the members are the portfolio's panel at the index the
    seed picks. Swapped for a volunteer with the same features, every count still holds, so
    only ``assembly draw verify``, with the portfolio, finds it."""
    run_stages(client, secretariat, folder, len(STAGES) - 1)
    pool = (folder / "pool.csv").read_text(encoding="utf-8").splitlines()[1:]
    features = {line.split(",", 1)[0]: line.split(",", 1)[1] for line in pool}

    def swap(payload: dict[str, Any]) -> dict[str, Any]:
        selected = list(payload["selected"])
        for index, member in enumerate(selected):
            twin = next(
                (
                    other
                    for other, values in features.items()
                    if values == features[member] and other not in selected
                ),
                None,
            )
            if twin is not None:
                selected[index] = twin
                return {**payload, "selected": selected}
        raise AssertionError("no member of the panel has a twin outside it in the pool")

    dishonest = Dishonest(client, secretariat, "assembly.draw.panel_performed", swap)
    with pytest.raises(VerificationFailed):  # the receipt is for what it signed, not the step
        remote.act(dishonest, secretariat, perform_panel(folder))
    assert dishonest.reply.status_code == 201, dishonest.reply.text
    files = ("--pool", "pool.csv", "--quotas", "quotas.csv", "--portfolio", "portfolio-2.json")
    found = assembly(
        "draw", "verify", "--panel", "2", *files, "--salts", "pool-2.salts", cwd=folder
    )
    assert found.code == 1, found
    assert "The draw does not verify: The list of selected pseudonyms" in found.stderr
