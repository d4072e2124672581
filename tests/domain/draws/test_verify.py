"""Re-running a recorded draw from the files: it passes, or names what changed."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from domain.draws import (
    AnnouncementMismatch,
    DrawMismatch,
    QuotaNotMet,
    portfolio_digest,
    read_pool,
    read_quotas,
    read_register,
    verify_invitation_draw,
    verify_panel_draw,
    write_pool,
    write_quotas,
    write_register,
)
from domain.draws.events import StratumCount
from tests.domain.draws.conftest import InvitationCase, PanelCase


def edit_line(path: Path, line: int, change: str) -> None:
    """Replace line ``line`` (1-based, header is line 1) of a text file."""
    lines = path.read_text().splitlines()
    lines[line - 1] = change
    path.write_text("\n".join(lines) + "\n")


def verify(case: PanelCase, **changes: object) -> None:
    fields = {
        "announced": case.announced,
        "performed": case.performed,
        "pool": case.pool,
        "salts": case.salts,
        "quotas": case.quotas,
        "portfolio": case.portfolio,
        **changes,
    }
    verify_panel_draw(**fields)  # type: ignore[arg-type]


def test_a_fresh_panel_draw_verifies_and_reports_every_probability(panel_case: PanelCase) -> None:
    report = verify_panel_draw(
        panel_case.announced,
        panel_case.performed,
        panel_case.pool,
        panel_case.salts,
        panel_case.quotas,
        panel_case.portfolio,
    )
    assert report.panel_index == panel_case.performed.panel_index
    assert list(report.selected) == panel_case.performed.selected
    assert len(report.probabilities) == 60
    assert report.summary.mean_ppm == panel_case.performed.probability.mean_ppm == 200_000


def test_the_panel_draw_verifies_from_files_written_and_read_back(
    panel_case: PanelCase, tmp_path: Path
) -> None:
    write_pool(tmp_path / "pool.csv", panel_case.pool)
    write_quotas(tmp_path / "quotas.csv", panel_case.quotas)
    quotas = read_quotas(tmp_path / "quotas.csv")
    verify(panel_case, pool=read_pool(tmp_path / "pool.csv", quotas=quotas), quotas=quotas)


def test_one_changed_line_of_the_pool_file_is_caught(panel_case: PanelCase, tmp_path: Path) -> None:
    path = tmp_path / "pool.csv"
    write_pool(path, panel_case.pool)
    row = panel_case.pool.rows[9]
    other = "high" if row.values[1] != "high" else "low"
    edit_line(path, 11, f"{row.pseudonym},{row.values[0]},{other},{row.values[2]}")
    with pytest.raises(DrawMismatch, match=r"The commitment root of the pool file and its salts"):
        verify(panel_case, pool=read_pool(path))


def test_a_changed_salt_is_caught(panel_case: PanelCase) -> None:
    salts = [*panel_case.salts[:5], bytes(16), *panel_case.salts[6:]]
    with pytest.raises(DrawMismatch, match=r"commitment root of the pool file .* does not match"):
        verify(panel_case, salts=salts)


def test_one_changed_line_of_the_quota_file_is_named(panel_case: PanelCase, tmp_path: Path) -> None:
    path = tmp_path / "quotas.csv"
    write_quotas(path, panel_case.quotas)
    quota = panel_case.quotas[2]
    edit_line(path, 4, f"{quota.feature},{quota.value},{quota.min},{quota.max + 1}")
    with pytest.raises(
        DrawMismatch,
        match=re.escape(
            f"Line 4 of the quota file does not match: the record says {quota.feature},"
            f"{quota.value},{quota.min},{quota.max}, the files give {quota.feature},"
            f"{quota.value},{quota.min},{quota.max + 1};"
        ),
    ):
        verify(panel_case, quotas=read_quotas(path))


def test_a_changed_portfolio_file_is_caught(panel_case: PanelCase) -> None:
    first = panel_case.portfolio.panels[0]
    outsider = next(r.pseudonym for r in panel_case.pool.rows if r.pseudonym not in first)
    panels = (tuple(sorted((*first[1:], outsider))), *panel_case.portfolio.panels[1:])
    changed = dataclasses.replace(panel_case.portfolio, panels=panels)
    with pytest.raises(DrawMismatch, match=r"The portfolio file digest does not match"):
        verify(panel_case, portfolio=changed)


def test_a_committed_panel_that_breaks_a_quota_is_named(panel_case: PanelCase) -> None:
    gender = {r.pseudonym: r.values[2] for r in panel_case.pool.rows}
    women = sorted(p for p, g in gender.items() if g == "female")
    panels = (tuple(sorted(women[:12])), *panel_case.portfolio.panels[1:])
    bad = dataclasses.replace(panel_case.portfolio, panels=panels)
    digest = portfolio_digest(bad)
    announced = panel_case.announced.model_copy(update={"portfolio_digest": digest})
    performed = panel_case.performed.model_copy(update={"portfolio_digest": digest})
    with pytest.raises(
        QuotaNotMet,
        match=r"Panel 0 of the portfolio has \d+ members with \w+=\S+, outside the quota",
    ):
        verify(panel_case, announced=announced, performed=performed, portfolio=bad)


def test_a_changed_recorded_selection_is_named(panel_case: PanelCase) -> None:
    selected = panel_case.performed.selected
    outsider = next(r.pseudonym for r in panel_case.pool.rows if r.pseudonym not in selected)
    performed = panel_case.performed.model_copy(update={"selected": [*selected[:-1], outsider]})
    with pytest.raises(
        DrawMismatch,
        match=rf"The list of selected pseudonyms \(panel \d+ of the portfolio\) does not match: "
        rf"the record says {outsider}, the files give {selected[-1]}",
    ):
        verify(panel_case, performed=performed)


def test_a_changed_recorded_count_is_named(panel_case: PanelCase) -> None:
    achieved = list(panel_case.performed.achieved)
    first = achieved[0]
    achieved[0] = StratumCount(
        feature=first.feature, value=first.value, count=(first.count or 0) + 1
    )
    performed = panel_case.performed.model_copy(update={"achieved": achieved})
    with pytest.raises(DrawMismatch, match=rf"The achieved count of {first.feature}={first.value}"):
        verify(panel_case, performed=performed)


def test_another_public_value_gives_another_seed(panel_case: PanelCase) -> None:
    performed = panel_case.performed.model_copy(update={"randomness_value": "Lotto: 1 2 3 4 5 6"})
    with pytest.raises(DrawMismatch, match=r"The seed does not match"):
        verify(panel_case, performed=performed)


def test_a_draw_performed_with_another_algorithm_is_refused(panel_case: PanelCase) -> None:
    performed = panel_case.performed.model_copy(update={"algorithm": "maximin"})
    with pytest.raises(AnnouncementMismatch, match=r"The algorithm differs from the announced one"):
        verify(panel_case, performed=performed)


def test_a_fresh_invitation_draw_verifies(invitation_case: InvitationCase) -> None:
    case = invitation_case
    report = verify_invitation_draw(case.announced, case.performed, case.register, case.salts)
    assert report.selected_root == case.performed.selected_root
    assert len(report.indices) == 200
    assert report.letters_per_municipality == case.announced.letters_per_municipality


def test_one_changed_line_of_the_register_file_is_caught(
    invitation_case: InvitationCase, tmp_path: Path
) -> None:
    case = invitation_case
    path = tmp_path / "register.csv"
    write_register(path, case.register)
    address, place = case.register.address_ids[99], case.register.municipalities[99]
    edit_line(path, 101, f"{address}-bis,{place}")
    with pytest.raises(
        DrawMismatch, match=r"The commitment root of the register file and its salts"
    ):
        verify_invitation_draw(case.announced, case.performed, read_register(path), case.salts)
    moved = "Evere" if place != "Evere" else "Jette"
    edit_line(path, 101, f"{address},{moved}")
    with pytest.raises(
        DrawMismatch, match=r"The number of addresses in (Evere|Jette|.*) does not match"
    ):
        verify_invitation_draw(case.announced, case.performed, read_register(path), case.salts)


def test_a_changed_recorded_invitation_result_is_named(invitation_case: InvitationCase) -> None:
    case = invitation_case
    performed = case.performed.model_copy(update={"selected_root": "00" * 32})
    with pytest.raises(DrawMismatch, match=r"The root of the addresses drawn does not match"):
        verify_invitation_draw(case.announced, performed, case.register, case.salts)
    missing = case.salts[:-1]
    with pytest.raises(DrawMismatch, match=r"The number of salts \(lines of the register salts"):
        verify_invitation_draw(case.announced, case.performed, case.register, missing)
