"""A past cycle recorded today, dated as it happened: every rule of order is judged on the
dates its authors gave, each refusal is one sentence that names both dates and writes nothing,
and the cycle recorded in the right order verifies."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli.context import open_ledger
from tests.features.cycle import (
    CHARTER,
    GOVERNMENT,
    LEDGER,
    PANEL_FILES,
    SECRETARIAT,
    Template,
    copy_of,
    entries,
    ok,
    one_sentence,
    shared_template,
)
from tests.features.forked import assembly
from tests.features.past import ON, Past, run, shared_past
from tests.web.conftest import serving
from tests.web.test_pages import page
from web.i18n import format_day


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return shared_template(tmp_path_factory)


@pytest.fixture(scope="module")
def past(tmp_path_factory: pytest.TempPathFactory) -> Past:
    return shared_past(tmp_path_factory)


def refused(folder: Path, key: str, *args: str, words: str) -> None:
    """``assembly ARGS`` signed with ``key`` is refused (exit 3) in one sentence with ``words``,
    and the ledger is left as it was."""
    before = entries(folder)
    one_sentence(run(folder, key, *args), 3, words)
    assert entries(folder) == before


def test_the_past_cycle_recorded_in_order_is_accepted_and_verifies(past: Past) -> None:
    verified = json.loads(ok(assembly("verify", "--format", "json", cwd=past.done)).stdout)
    assert verified["verified"] is True, verified
    drawn = ok(assembly("draw", "verify", "--panel", "1", *PANEL_FILES, cwd=past.done))
    assert drawn.code == 0


def test_a_public_value_published_before_its_announcement_is_refused_on_claimed_dates(
    past: Past, tmp_path: Path
) -> None:
    folder = past.copy("perform invitations", tmp_path)
    refused(
        folder,
        SECRETARIAT,
        *("draw", "perform", "invitations", "--panel", "1", "--register", "register.csv"),
        *("--randomness-value", "Lotto: 1 2 3 4 5 6", "--published-at", "2019-10-02T20:00Z"),
        *("--at", ON["perform invitations"]),
        words="The public value was published at 2019-10-02T20:00:00+00:00, not after the "
        "announcement at 2019-10-03T00:00:00+00:00",
    )


def test_a_seat_dated_before_its_panel_draw_is_refused(past: Past, tmp_path: Path) -> None:
    folder = past.copy("seat", tmp_path)
    refused(
        folder,
        SECRETARIAT,
        *("panel", "seat", "1", "--at", "2019-10-25"),
        words="The seating of panel 1 is dated 2019-10-25, before its panel draw on 2019-10-26: "
        "date it on or after 2019-10-26.",
    )


def test_a_commission_member_dated_before_the_seating_is_refused(
    past: Past, tmp_path: Path
) -> None:
    folder = past.copy(None, tmp_path)
    drawn = assembly("draw", "verify", "--panel", "1", *PANEL_FILES, "--format", "json", cwd=folder)
    pseudonym = json.loads(ok(drawn).stdout)["selected"][0]
    refused(
        folder,
        CHARTER,
        *("commission", "add", pseudonym, "--panel", "1", "--at", "2019-10-27"),
        words=f"The naming of {pseudonym} to the commission is dated 2019-10-27, before the "
        "seating of panel 1 on 2019-10-28: date it on or after 2019-10-28.",
    )
    ok(
        run(
            folder,
            CHARTER,
            "commission",
            "add",
            pseudonym,
            "--panel",
            "1",
            "--at",
            ON["commission"],
        )
    )


def test_a_vote_dated_before_its_panel_s_seating_is_refused(past: Past, tmp_path: Path) -> None:
    folder = past.copy("vote", tmp_path)
    vote = ("vote", "record", "--panel", "1", "--vote", "V-1", "--subject", "Package 1")
    counts = ("--for", "9", "--against", "2", "--abstain", "1")
    refused(
        folder,
        SECRETARIAT,
        *vote,
        *counts,
        *("--at", "2019-10-27"),
        words="Vote V-1 of panel 1 is dated 2019-10-27, before the seating of panel 1 on "
        "2019-10-28: date it on or after 2019-10-28.",
    )
    ok(run(folder, SECRETARIAT, *vote, *counts, "--at", ON["seat"]))


def test_an_adoption_dated_before_the_vote_it_rests_on_is_refused(
    past: Past, tmp_path: Path
) -> None:
    folder = past.copy("adopt", tmp_path)
    adopt = (
        *("recommend", "adopt", "--panel", "1", "--number", "1", "--portfolio", "climate"),
        *("--vote", "V-1", "--title", "fr=Recommandation 1", "--title", "nl=Aanbeveling 1"),
        *("--text", "fr=Texte 1", "--text", "nl=Tekst 1"),
    )
    refused(
        folder,
        SECRETARIAT,
        *adopt,
        *("--at", "2020-06-19"),
        words="The adoption of recommendation 1/1 is dated 2020-06-19, before vote V-1 on "
        "2020-06-20: date it on or after 2020-06-20.",
    )
    ok(run(folder, SECRETARIAT, *adopt, "--at", ON["vote"]))


def test_an_answer_dated_before_its_hand_over_is_refused(past: Past, tmp_path: Path) -> None:
    folder = past.copy(None, tmp_path)
    refused(
        folder,
        GOVERNMENT,
        *("respond", "1/2", "--position", "accepted", "--portfolio", "climate"),
        *("--at", "2020-06-21"),
        words="The answer to recommendation 1/2 at review 1 is dated 2020-06-21, before its "
        "hand-over on 2020-06-22: date it on or after 2020-06-22.",
    )


def test_a_hand_over_dated_before_the_adoption_is_refused(past: Past, tmp_path: Path) -> None:
    folder = past.copy("hand over", tmp_path)
    refused(
        folder,
        SECRETARIAT,
        *("recommend", "hand-over", "--panel", "1", "--number", "1", "--on", "2020-06-20"),
        *("--at", ON["hand over"]),
        words="The hand-over of recommendation 1/1 is dated 2020-06-20, before its adoption on "
        "2020-06-21: date it on or after 2020-06-21.",
    )


def test_an_event_dated_before_its_stream_s_latest_history_is_refused(
    past: Past, tmp_path: Path
) -> None:
    """The second review's answer comes after the hand-over (its own rule), but before the
    first review's answer in the same stream: history keeps the order of its dates."""
    folder = past.copy(None, tmp_path)
    refused(
        folder,
        GOVERNMENT,
        *("respond", "1/1", "--review", "2", "--position", "accepted", "--portfolio", "climate"),
        *("--at", "2020-06-25"),
        words="assembly.government.responded is dated 2020-06-25, before the latest entry of "
        "its stream (assembly.government.responded, seq",
    )
    ok(
        run(
            folder,
            GOVERNMENT,
            *("respond", "1/1", "--review", "2", "--position", "accepted"),
            *("--portfolio", "climate", "--at", "2020-07-02"),
        )
    )


def today() -> date:
    return datetime.now(UTC).date()


def test_show_prints_the_entries_recorded_after_the_fact_as_such(
    past: Past, tmp_path: Path
) -> None:
    folder = past.copy(None, tmp_path)
    shown = json.loads(ok(assembly("show", "1/1", "--format", "json", cwd=folder)).stdout)
    day = today()
    assert shown["adopted"] == f"2020-06-21 (recorded on {day} for 2020-06-21, after the fact)"
    assert shown["after_the_fact_review_1"] is True
    assert shown["review_1"] == (
        f"answered on time (on 2020-06-29; recorded on {day} for 2020-06-29, after the fact)"
    )
    assert shown["backdated_review_1"] is False  # history, not a backdated live answer
    [answer] = shown["answers"]
    assert answer["after_the_fact"] == f"recorded on {day} for 2020-06-29, after the fact"


@pytest.mark.parametrize(
    ("lang", "mark", "trail", "on_time"),
    [
        (
            "en",
            "recorded on {recorded} for {day}, after the fact",
            "for {day}, after the fact",
            "answered on time",
        ),
        (
            "fr",
            "enregistré le {recorded} pour le {day}, après coup",
            "pour le {day}, après coup",
            "répondu à temps",
        ),
        (
            "nl",
            "op {recorded} ingeschreven voor {day}, achteraf",
            "voor {day}, achteraf",
            "tijdig beantwoord",
        ),
    ],
)
def test_the_recommendation_page_marks_history_recorded_after_the_fact(
    past: Past, tmp_path: Path, lang: str, mark: str, trail: str, on_time: str
) -> None:
    folder = past.copy(None, tmp_path)
    client = TestClient(serving(str(folder / LEDGER)))
    found = page(client, f"/recommendations/1/1?lang={lang}")
    recorded = format_day(lang, today())
    answered = format_day(lang, date(2020, 6, 29))
    status = found.row("1")[1].replace(" ,", ",")  # the cell's text, joined around <time>
    assert status.startswith(on_time), status
    assert mark.format(recorded=recorded, day=answered) in status
    adopted = mark.format(recorded=recorded, day=format_day(lang, date(2020, 6, 21)))
    assert adopted in found.words.replace(" ,", ",")
    hand_over = found.row(str(hand_over_seq(folder)))  # its line in the audit trail
    assert trail.format(day=format_day(lang, date(2020, 6, 22))) in hand_over[1].replace(" ,", ",")


def hand_over_seq(folder: Path) -> int:
    shown = json.loads(ok(assembly("log", "--format", "json", cwd=folder)).stdout)
    return next(row["seq"] for row in shown if row["type"].endswith("handed_over"))


def status_as_of(folder: Path, day: str) -> dict[str, str]:
    """Each recommendation's position in ``assembly status --as-of DAY``."""
    rows = json.loads(ok(assembly("status", "--as-of", day, "--format", "json", cwd=folder)).stdout)
    return {row["ref"]: row["position"] for row in rows}


def test_as_of_a_day_of_the_past_cycle_reads_the_history_dated_by_then(
    past: Past, tmp_path: Path
) -> None:
    """Loaded today, the cycle reads as it stood on each of its days: as of a day between the
    hand-over (2020-06-22) and the answer (2020-06-29) the answer is awaited, a month later it
    is there, and before the adoption there is nothing to show."""
    folder = past.copy(None, tmp_path)
    assert status_as_of(folder, "2019-12-31") == {}
    assert status_as_of(folder, "2020-06-25") == {
        "1/1": "awaiting_response",
        "1/2": "awaiting_response",
    }
    assert status_as_of(folder, "2020-07-31") == {"1/1": "accepted", "1/2": "awaiting_response"}
    before = json.loads(
        ok(assembly("show", "1/1", "--as-of", "2020-06-25", "--format", "json", cwd=folder)).stdout
    )
    assert (before["position"], before["answers"], before["review_1"]) == (
        "awaiting_response",
        [],
        "not due yet",
    )
    after = json.loads(
        ok(assembly("show", "1/1", "--as-of", "2020-07-31", "--format", "json", cwd=folder)).stdout
    )
    assert after["review_1"].startswith("answered on time (on 2020-06-29; recorded on")
    board = json.loads(
        ok(assembly("dashboard", "--as-of", "2020-06-25", "--format", "json", cwd=folder)).stdout
    )
    [awaiting] = [
        count
        for count in board["counts"]
        if (count["group"], count["axis"]) == ("total", "position")
    ]
    assert (awaiting["value"], awaiting["count"]) == ("awaiting_response", 2)
    report = ok(
        assembly("report", "--panel", "1", "--as-of", "2020-06-25", "--format", "csv", cwd=folder)
    )
    assert "position,awaiting_response,2," in report.stdout
    trail = json.loads(
        ok(assembly("trail", "1/1", "--as-of", "2020-06-25", "--format", "json", cwd=folder)).stdout
    )
    assert [line["type"].rsplit(".", 1)[1] for line in trail] == ["adopted", "handed_over"]
    drawn = json.loads(
        ok(
            assembly("composition", "1", "--as-of", "2019-10-27", "--format", "json", cwd=folder)
        ).stdout
    )
    assert sum(row["drawn"] for row in drawn if row["feature"] == "gender") == 12


def test_the_pages_as_of_a_day_of_the_past_cycle_read_the_history_dated_by_then(
    past: Past, tmp_path: Path
) -> None:
    folder = past.copy(None, tmp_path)
    client = TestClient(serving(str(folder / LEDGER)))
    for day, position in (("2020-06-25", "awaiting_response"), ("2020-07-31", "accepted")):
        found = client.get(f"/api/recommendations/1/1?as_of={day}")
        assert found.status_code == 200, found.text
        assert found.json()["position"] == position
    board = page(client, "/recommendations?as_of=2020-06-25&lang=en")
    assert "Recommandation 1" in board.words
    page(client, "/recommendations/1/1?as_of=2019-12-31", 404)


def first_recorded_day(folder: Path) -> date:
    """The day the ledger in ``folder`` recorded its first entry."""
    book = open_ledger(str(folder / LEDGER))
    try:
        (first,) = book.recorder.read_entries(start=0, limit=1)
        return date.fromisoformat(first.recorded_at[:10])
    finally:
        book.close()


def test_a_live_answer_dated_before_the_ledger_began_is_backdated_not_history(
    template: Template, tmp_path: Path
) -> None:
    """The template's ledger was made without ``--valid-from``: an answer recorded today and
    dated in 2025 is judged by the day the ledger recorded it, and flagged as backdated."""
    folder = copy_of(template.seated, tmp_path / "live")
    ok(
        run(
            folder,
            GOVERNMENT,
            *("respond", "1/2", "--position", "accepted", "--portfolio", "climate"),
            *("--at", "2025-07-20"),
        )
    )
    shown = json.loads(ok(assembly("show", "1/2", "--format", "json", cwd=folder)).stdout)
    assert "after_the_fact_review_1" not in shown
    assert shown["recorded_review_1"] == today().isoformat()
    assert shown["backdated_review_1"] is True
    assert shown["answered_days_late_review_1"] == (today() - date(2025, 8, 1)).days
    assert shown["answers"][0]["after_the_fact"] is None
    # Live entries count from the day the ledger recorded them, whatever their dates: the
    # cycle, dated 2025 and recorded when the tests began (a day before today, if they began
    # before midnight UTC), is not there as of the day before the ledger's first entry.
    before = (first_recorded_day(folder) - timedelta(days=1)).isoformat()
    assert status_as_of(folder, before) == {}
    assert status_as_of(folder, today().isoformat())["1/2"] == "accepted"


def test_a_bundle_says_which_entries_are_history_recorded_after_the_fact(
    past: Past, tmp_path: Path
) -> None:
    folder = past.copy(None, tmp_path / "past")
    ok(assembly("keys", "new", "--key", "log.key", cwd=folder))
    enrol = ("keys", "enrol", "log.key.pub", "--role", "log", "--name", "Log operator (test)")
    ok(assembly(*enrol, "--key", CHARTER, cwd=folder))
    (folder / "log.vkey").write_text(ok(assembly("vkey", cwd=folder)).stdout)
    ok(assembly("checkpoint", "--key", "log.key", cwd=folder))
    ok(assembly("export", "bundle", "bundle", "--key", "log.key", cwd=folder))
    sentence = (
        f"14 entries (seq 4 to 17) are dated before the ledger began on {today()}: history "
        "recorded after the fact, dated by their authors, not seen by the ledger as it happened."
    )
    readme = " ".join((folder / "bundle" / "README.md").read_text(encoding="utf-8").split())
    assert "## History recorded after the fact" in readme
    assert sentence in readme
    checked = ok(
        assembly(
            *("verify-bundle", "bundle", "--vkey", "log.vkey", "--state", "verifier.json"),
            cwd=folder,
        )
    )
    assert sentence in " ".join(checked.stdout.split())


def test_init_refuses_a_charter_key_valid_only_from_a_future_date(tmp_path: Path) -> None:
    refused_init = assembly("init", "--valid-from", "2999-01-01", cwd=tmp_path)
    one_sentence(refused_init, 2, "--valid-from 2999-01-01 is in the future")
    assert list(tmp_path.iterdir()) == []
