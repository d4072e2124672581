"""``assembly monitor`` reads the pages people read: every recommendation's page on a first run,
those the new entries changed after (or all, or none, as --pages says); a page made to show
another status than the entries give, or other words than its status's, is caught with
evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import HTTPException
from markupsafe import Markup

import web.api
import web.i18n
import web.models
import web.pages
from cli.errors import UsageProblem
from cli.monitor import Watched, monitor
from cli.monitor_evidence import Misbehaviour
from domain.roles import ROLE_GRANTS
from ledger import Ledger
from ledger.policy import RolePolicy
from tests.cli.test_monitor import evidence
from tests.cli.test_monitor_resume import walk_head
from tests.served import Monitored, checkpoint, refuse, served
from tlog.note import parse_verifier_key
from tlog.tiles import TilesUnavailable
from web.asked import Asked, Problem
from web.i18n import label

POLICY = RolePolicy(ROLE_GRANTS)


def run(url: str, state: Path, vkey: str | None = None, *, pages: str = "changed") -> Watched:
    key = None if vkey is None else parse_verifier_key(vkey)
    return monitor(url, state, POLICY, vkey=key, workers=0, pages=pages)


def test_every_page_is_read_on_a_first_run_and_those_changed_after(
    base: Monitored, copy: Path, tmp_path: Path
) -> None:
    state = tmp_path / "monitor"
    with served(copy) as url:
        first = run(url, state, base.vkey)
        refuse(copy, "1/2")
        checkpoint(copy)
        changed = run(url, state)
        every = run(url, state, pages="all")
        none = run(url, tmp_path / "other", base.vkey, pages="none")
    assert first.pages == first.recommendations > 1
    assert changed.pages == 1  # 1/2's
    assert every.pages == every.recommendations == first.recommendations
    assert none.pages == 0


def showing_accepted(real: Any) -> Any:
    """The page data of ``real``, 1/1's position turned to accepted."""

    def lying(book: Ledger, asked: Asked, **kwargs: Any) -> dict[str, Any]:
        data: dict[str, Any] = real(book, asked, **kwargs)
        if data["item"]["rec"].key == (1, 1):
            data["axes"] = [
                (axis, "accepted" if axis == "position" else value, change)
                for axis, value, change in data["axes"]
            ]
        return data

    return lying


def test_a_page_made_to_show_another_status_is_caught_with_evidence(
    base: Monitored, copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = web.pages.recommendation_page_data  # type: ignore[attr-defined]
    monkeypatch.setattr(web.pages, "recommendation_page_data", showing_accepted(real))
    state = tmp_path / "monitor"
    with served(copy) as url, pytest.raises(Misbehaviour) as caught:
        run(url, state, base.vkey)
    assert caught.value.summary == (
        "the page of recommendation 1/1 shows position 'accepted' where its entries give 'rejected'"
    )
    found = evidence(state)
    assert found["kind"] == "page-disagrees"
    assert found["page"] == "/recommendations/1/1?lang=en"
    assert found["page_shows"]["position"] == {"status": "accepted", "words": "accepted"}
    assert found["from_entries"]["position"] == "rejected"
    assert any('"position":"rejected"' in entry["entry"] for entry in found["entries"])
    assert all(entry["inclusion_proof"] is not None for entry in found["entries"])
    assert not (state / "monitor.json").exists()


def test_a_page_that_says_other_words_than_its_status_is_caught(
    base: Monitored, copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = web.i18n.chip

    def misworded(lang: str, value: str) -> Markup:
        """The chip of a refusal, its words those of an acceptance."""
        shown = real(lang, value)
        return Markup(shown.replace(label(lang, "rejected"), label(lang, "accepted")))

    monkeypatch.setattr(web.i18n, "chip", misworded)
    state = tmp_path / "monitor"
    with served(copy) as url, pytest.raises(Misbehaviour) as caught:
        run(url, state, base.vkey)
    assert caught.value.summary == (
        "the page of recommendation 1/1 says 'accepted' for position 'rejected', whose words "
        "are 'rejected'"
    )
    assert evidence(state)["page_shows"]["position"] == {"status": "rejected", "words": "accepted"}


def test_a_page_changed_behind_the_server_later_is_caught_when_all_pages_are_read(
    base: Monitored, copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "monitor"
    with served(copy) as url:
        run(url, state, base.vkey)
    real = web.pages.recommendation_page_data  # type: ignore[attr-defined]
    monkeypatch.setattr(web.pages, "recommendation_page_data", showing_accepted(real))
    with served(copy) as url:
        assert run(url, state).pages == 0  # nothing changed: no page read
        with pytest.raises(Misbehaviour, match="the page of recommendation 1/1 shows position"):
            run(url, state, pages="all")


def refusing(real: Any, status: int) -> Any:
    """The page data of ``real``, but for 1/1, whose page is refused with ``status``."""

    def refused(book: Ledger, asked: Asked, **kwargs: Any) -> dict[str, Any]:
        if kwargs["ref"] == ("1", "1"):
            raise Problem(status, "There is no page at %(path)s.", path=asked.path)
        data: dict[str, Any] = real(book, asked, **kwargs)
        return data

    return refused


@pytest.mark.parametrize("status", [404, 500])
def test_a_page_the_server_refuses_is_misbehaviour_with_evidence(
    base: Monitored, copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    real = web.pages.recommendation_page_data  # type: ignore[attr-defined]
    monkeypatch.setattr(web.pages, "recommendation_page_data", refusing(real, status))
    state = tmp_path / "monitor"
    with served(copy) as url, pytest.raises(Misbehaviour) as caught:
        run(url, state, base.vkey)
    assert caught.value.summary == (
        "the server does not serve the page 1/1, which its entries hold and its board lists: "
        f"/recommendations/1/1?lang=en answers HTTP {status}"
    )
    found = evidence(state)
    assert found["kind"] == "page-disagrees"
    assert found["refused"]["path"] == "/recommendations/1/1?lang=en"
    assert found["refused"]["status"] == status
    assert found["from_entries"]["position"] == "rejected"
    assert all(entry["inclusion_proof"] is not None for entry in found["entries"])
    assert not (state / "monitor.json").exists()


def test_a_page_the_server_says_to_ask_again_later_for_cannot_be_reached(
    base: Monitored, copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = web.pages.recommendation_page_data  # type: ignore[attr-defined]
    monkeypatch.setattr(web.pages, "recommendation_page_data", refusing(real, 503))
    state = tmp_path / "monitor"
    with served(copy) as url, pytest.raises(TilesUnavailable, match="HTTP 503"):
        run(url, state, base.vkey)
    assert not (state / "evidence").exists()


def test_a_recommendation_the_api_refuses_while_its_page_disagrees_is_misbehaviour(
    base: Monitored, copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = web.pages.recommendation_page_data  # type: ignore[attr-defined]
    monkeypatch.setattr(web.pages, "recommendation_page_data", showing_accepted(real))
    trail = web.api.recommendation_trail  # type: ignore[attr-defined]

    def refused(book: Ledger, panel: int, number: int) -> Any:
        if (panel, number) == (1, 1):
            raise HTTPException(404, "Recommendation 1/1 is not in the ledger.")
        return trail(book, panel, number)

    monkeypatch.setattr(web.api, "recommendation_trail", refused)
    state = tmp_path / "monitor"
    with served(copy) as url, pytest.raises(Misbehaviour) as caught:
        run(url, state, base.vkey)
    assert caught.value.summary == (
        "the server does not serve the API's recommendation 1/1, which its entries hold and its "
        "board lists: /api/recommendations/1/1 answers HTTP 404"
    )
    found = evidence(state)
    assert found["kind"] == "read-model-disagrees"
    assert found["refused"] == {"path": "/api/recommendations/1/1", "status": 404}


def test_a_page_left_for_a_later_run_is_read_again_on_the_next_and_caught(
    base: Monitored, copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_page = web.pages.recommendation_page_data  # type: ignore[attr-defined]
    monkeypatch.setattr(web.pages, "recommendation_page_data", showing_accepted(real_page))
    real_of = web.models.Recommendation.of
    claiming = [True]  # the API claims 1/1 changed after every checkpoint, then stops

    def later(*args: Any) -> web.models.Recommendation:
        made = real_of(*args)
        return made.model_copy(update={"last_seq": 10**9}) if claiming[0] else made

    monkeypatch.setattr(web.models.Recommendation, "of", staticmethod(later))
    state = tmp_path / "monitor"
    with served(copy) as url:
        first = run(url, state, base.vkey)  # 1/1 disagrees, but "changed after": left
        assert first.pages == first.recommendations - 1
        assert walk_head(state)["pages_later"] == ["1/1"]
        claiming[0] = False
        with pytest.raises(Misbehaviour, match="the page of recommendation 1/1 shows position"):
            run(url, state)  # nothing new, under --pages changed


def test_pages_named_otherwise_than_changed_all_or_none_is_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(UsageProblem) as refused:
        run("http://127.0.0.1:9", tmp_path / "monitor", pages="changd")
    assert refused.value.sentence() == "--pages is one of changed, all, none, not 'changd'."
    assert not (tmp_path / "monitor").exists()
