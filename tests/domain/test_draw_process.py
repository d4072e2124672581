"""The draws as steps of the process, through the ledger: announced before the public value,
performed exactly as announced, the pool closed after the letters and before the panel draw,
the theme group drawn or volunteered from the previous panel in the charter's number."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cli import draw_work
from cli.store import LedgerStore
from domain import commands, draw_steps
from domain.charter import Chartered
from domain.draws import (
    AlreadyRecorded,
    AnnouncementMismatch,
    NoPreviousPanel,
    NotAnnounced,
    NotAPanelMember,
    PanelAnnounced,
    PanelPerformed,
    PoolNotClosed,
    Quota,
    RandomnessInFuture,
    RandomnessTooEarly,
    ResultMismatch,
    ThemeGroupFormed,
    WrongGroupSize,
    new_salts,
    write_pool,
    write_portfolio,
    write_quotas,
    write_salts,
)
from domain.draws.events import InvitationAnnounced, InvitationPerformed
from domain.errors import NotFound, NotYet, RuleBroken
from domain.events import Event
from domain.panel import Convened
from domain.process import Session
from tests.domain.conftest import (
    PUBLIC_VALUE,
    SOURCE,
    THEME,
    Office,
    SmallDraws,
    Step,
    announce_invitations,
    announce_panel_draw,
    close_pool,
    draw_theme_group,
    perform_invitations,
    perform_panel_draw,
    step,
)

DEFAULT_GROUP = Chartered(name="Assembly", region="Brussels-Capital", languages=("fr", "nl"))


def recorded(office: Office, type_name: str) -> tuple[Event, datetime]:
    """The one event of ``type_name`` on the ledger, and when it was recorded as happening."""
    (found,) = LedgerStore(office.ledger, None).of_type(type_name)
    return found.event, found.occurred_at


# -- stage 1: invitations -------------------------------------------------------------------


def test_invitations_are_drawn_only_after_they_were_announced(
    convened: Office, small_draws: SmallDraws
) -> None:
    convened.refuses(
        "secretariat",
        perform_invitations(small_draws, published_at=convened.clock.advance(days=2)),
        NotAnnounced,
        match="The invitation draw of panel 1 has not been announced",
    )


def test_an_invitation_draw_is_announced_once(invited: Office, small_draws: SmallDraws) -> None:
    invited.refuses(
        "secretariat",
        announce_invitations(small_draws),
        AlreadyRecorded,
        match="The invitation draw announcement of panel 1 is already recorded",
    )


def test_an_invitation_draw_is_performed_once(invited: Office, small_draws: SmallDraws) -> None:
    invited.refuses(
        "secretariat",
        perform_invitations(small_draws, published_at=invited.clock.advance(days=2)),
        AlreadyRecorded,
        match="The invitation draw of panel 1 is already recorded",
    )


def test_invitations_need_a_convened_panel(chartered: Office, small_draws: SmallDraws) -> None:
    chartered.refuses(
        "secretariat",
        announce_invitations(small_draws),
        NotFound,
        match="This panel has not been convened",
    )


def test_invitations_are_drawn_from_the_announced_register_commitment(
    convened: Office, small_draws: SmallDraws
) -> None:
    convened.do("secretariat", announce_invitations(small_draws))
    other = bytes(32)
    convened.refuses(
        "secretariat",
        perform_invitations(
            small_draws, published_at=convened.clock.advance(days=2), register_root=other
        ),
        AnnouncementMismatch,
        match=f"The register commitment root differs from the announced one .* given {other.hex()}",
    )


@pytest.mark.parametrize("earlier", [timedelta(0), timedelta(hours=1)])
def test_the_invitations_public_value_is_published_after_the_announcement(
    convened: Office, small_draws: SmallDraws, earlier: timedelta
) -> None:
    convened.do("secretariat", announce_invitations(small_draws))
    _, announced_at = recorded(convened, InvitationAnnounced.TYPE)
    convened.clock.advance(days=2)
    convened.refuses(
        "secretariat",
        perform_invitations(small_draws, published_at=announced_at - earlier),
        RandomnessTooEarly,
        match="not after the announcement at",
    )


def test_the_invitations_public_value_is_out_before_the_draw(
    convened: Office, small_draws: SmallDraws
) -> None:
    convened.do("secretariat", announce_invitations(small_draws))
    tomorrow = convened.clock() + timedelta(days=1)
    convened.refuses(
        "secretariat",
        perform_invitations(small_draws, published_at=tomorrow),
        RandomnessInFuture,
        match="after the draw itself .*: record the draw once the value is out",
    )


def test_the_performed_invitation_draw_records_what_was_announced(invited: Office) -> None:
    announced, announced_at = recorded(invited, InvitationAnnounced.TYPE)
    performed, _ = recorded(invited, InvitationPerformed.TYPE)
    assert isinstance(announced, InvitationAnnounced)
    assert isinstance(performed, InvitationPerformed)
    assert performed.register_root == announced.register_root
    assert performed.algorithm == announced.algorithm
    assert performed.randomness_source == announced.randomness_source == SOURCE
    assert performed.randomness_published_at > announced_at
    assert performed.selected_count == announced.letters == 40


# -- the pool -------------------------------------------------------------------------------


def test_the_pool_closes_only_after_the_invitations_were_drawn(
    convened: Office, small_draws: SmallDraws
) -> None:
    for announced in (False, True):
        if announced:
            convened.do("secretariat", announce_invitations(small_draws))
        convened.refuses(
            "secretariat",
            close_pool(small_draws),
            NotYet,
            match="The invitations of panel 1 have not been drawn: the pool of volunteers "
            "answers those letters, so it closes after the invitation draw",
        )


def test_the_pool_is_closed_once(pool_closed: Office, small_draws: SmallDraws) -> None:
    pool_closed.refuses(
        "secretariat",
        close_pool(small_draws),
        AlreadyRecorded,
        match="The volunteer pool of panel 1 is already recorded",
    )


# -- stage 2: the panel ---------------------------------------------------------------------


def test_a_panel_draw_is_announced_only_after_its_pool_is_closed(
    invited: Office, small_draws: SmallDraws
) -> None:
    invited.refuses(
        "secretariat",
        announce_panel_draw(small_draws),
        PoolNotClosed,
        match="The volunteer pool of panel 1 is not closed: close it",
    )


def test_a_panel_draw_is_announced_once(panel_announced: Office, small_draws: SmallDraws) -> None:
    panel_announced.refuses(
        "secretariat",
        announce_panel_draw(small_draws),
        AlreadyRecorded,
        match="The panel draw announcement of panel 1 is already recorded",
    )


def test_a_panel_draw_announces_a_portfolio_of_the_closed_pool(
    pool_closed: Office, small_draws: SmallDraws
) -> None:
    other = dataclasses.replace(small_draws.portfolio, pool_root="00" * 32)
    pool_closed.refuses(
        "secretariat",
        announce_panel_draw(small_draws, portfolio=other),
        AnnouncementMismatch,
        match="The pool commitment root differs from the announced one",
    )


def test_a_panel_draw_announces_a_randomness_still_to_come(
    pool_closed: Office, small_draws: SmallDraws
) -> None:
    past = pool_closed.clock() - timedelta(days=1)
    pool_closed.refuses(
        "secretariat",
        announce_panel_draw(small_draws, randomness_after=past),
        RandomnessTooEarly,
        match="not after the announcement",
    )


def test_a_panel_draw_is_performed_only_after_it_was_announced(
    pool_closed: Office, small_draws: SmallDraws
) -> None:
    pool_closed.refuses(
        "secretariat",
        perform_panel_draw(small_draws, published_at=pool_closed.clock.advance(days=2)),
        NotAnnounced,
        match="The panel draw of panel 1 has not been announced",
    )


def test_a_panel_draw_is_performed_once(seated: Office, small_draws: SmallDraws) -> None:
    seated.refuses(
        "secretariat",
        perform_panel_draw(small_draws, published_at=seated.clock.advance(days=2)),
        AlreadyRecorded,
        match="The panel draw of panel 1 is already recorded",
    )


@pytest.mark.parametrize("earlier", [timedelta(0), timedelta(minutes=30)])
def test_the_panels_public_value_is_published_after_the_announcement(
    panel_announced: Office, small_draws: SmallDraws, earlier: timedelta
) -> None:
    _, announced_at = recorded(panel_announced, PanelAnnounced.TYPE)
    panel_announced.clock.advance(days=2)
    panel_announced.refuses(
        "secretariat",
        perform_panel_draw(small_draws, published_at=announced_at - earlier),
        RandomnessTooEarly,
        match=f"not after the announcement at {re.escape(announced_at.isoformat())}",
    )


def test_the_panels_public_value_comes_after_the_announced_moment(
    pool_closed: Office, small_draws: SmallDraws
) -> None:
    after = pool_closed.clock() + timedelta(days=3)
    pool_closed.do("secretariat", announce_panel_draw(small_draws, randomness_after=after))
    pool_closed.clock.advance(days=5)
    pool_closed.refuses(
        "secretariat",
        perform_panel_draw(small_draws, published_at=after - timedelta(hours=1)),
        RandomnessTooEarly,
        match=f"not after the announcement at {re.escape(after.isoformat())}",
    )
    pool_closed.do("secretariat", perform_panel_draw(small_draws, published_at=after))


def test_the_panels_public_value_is_out_before_the_draw(
    panel_announced: Office, small_draws: SmallDraws
) -> None:
    tomorrow = panel_announced.clock() + timedelta(days=1)
    panel_announced.refuses(
        "secretariat",
        perform_panel_draw(small_draws, published_at=tomorrow),
        RandomnessInFuture,
        match="record the draw once the value is out",
    )


def test_a_panel_draw_is_performed_from_the_announced_portfolio(
    panel_announced: Office, small_draws: SmallDraws
) -> None:
    # The algorithm is part of the portfolio file, so its digest commits to it too.
    nash = dataclasses.replace(small_draws.portfolio, algorithm="nash")
    panel_announced.refuses(
        "secretariat",
        perform_panel_draw(
            small_draws, published_at=panel_announced.clock.advance(days=2), portfolio=nash
        ),
        AnnouncementMismatch,
        match="The portfolio digest differs from the announced one",
    )


def test_a_panel_draw_is_performed_on_the_announced_pool_commitment(
    panel_announced: Office, small_draws: SmallDraws
) -> None:
    other_root = bytes(range(32))
    panel_announced.refuses(
        "secretariat",
        perform_panel_draw(
            small_draws,
            published_at=panel_announced.clock.advance(days=2),
            result=small_draws.panel(pool_root=other_root),
        ),
        ResultMismatch,
        match="The seed given .* is not what the announced draw yields",
    )


def test_a_panel_draw_records_the_panel_the_public_value_picks_from_the_portfolio(
    panel_announced: Office, small_draws: SmallDraws
) -> None:
    picked = small_draws.panel()
    chosen = set(picked.selected)
    others = [row.pseudonym for row in small_draws.pool.rows if row.pseudonym not in chosen]
    forged = dataclasses.replace(picked, selected=(*picked.selected[:-1], others[0]))
    panel_announced.refuses(
        "secretariat",
        perform_panel_draw(
            small_draws, published_at=panel_announced.clock.advance(days=2), result=forged
        ),
        ResultMismatch,
        match="selected",
    )


def write_draw_files(folder: Path, draws: SmallDraws, quotas: list[Quota]) -> dict[str, Path]:
    files = {name: folder / name for name in ("pool.csv", "quotas.csv", "portfolio.json")}
    write_pool(files["pool.csv"], draws.pool)
    write_salts(draw_work.salts_path(files["pool.csv"]), draws.pool_salts)
    write_quotas(files["quotas.csv"], quotas)
    write_portfolio(files["portfolio.json"], draws.portfolio)
    return files


def perform_from_files(files: dict[str, Path], *, published_at: datetime) -> Step:
    return step(
        draw_work.perform_panel_draw,
        1,
        pool_file=files["pool.csv"],
        quotas_file=files["quotas.csv"],
        portfolio_file=files["portfolio.json"],
        randomness_value=PUBLIC_VALUE,
        randomness_published_at=published_at,
    )


def test_a_panel_draw_performed_from_the_published_files_verifies(
    panel_announced: Office, small_draws: SmallDraws, tmp_path: Path
) -> None:
    files = write_draw_files(tmp_path, small_draws, small_draws.quotas)
    published = panel_announced.clock.advance(days=2)
    panel_announced.do("secretariat", perform_from_files(files, published_at=published))
    announced, _ = recorded(panel_announced, PanelAnnounced.TYPE)
    performed, _ = recorded(panel_announced, PanelPerformed.TYPE)
    assert isinstance(announced, PanelAnnounced) and isinstance(performed, PanelPerformed)
    assert (performed.pool_root, performed.quota_digest, performed.algorithm) == (
        announced.pool_root,
        announced.quota_digest,
        announced.algorithm,
    )
    assert performed.portfolio_digest == announced.portfolio_digest
    report = draw_work.verify_panel(
        Session(panel_announced.store("secretariat")),
        1,
        draw_work.DrawFiles(
            pool=files["pool.csv"], quotas=files["quotas.csv"], portfolio=files["portfolio.json"]
        ),
    )
    assert tuple(sorted(report.selected)) == tuple(sorted(performed.selected))


def test_a_panel_draw_is_performed_with_the_announced_quota_table(
    panel_announced: Office, small_draws: SmallDraws, tmp_path: Path
) -> None:
    wider = [dataclasses.replace(quota, max=quota.max + 1) for quota in small_draws.quotas]
    files = write_draw_files(tmp_path, small_draws, wider)
    panel_announced.refuses(
        "secretariat",
        perform_from_files(files, published_at=panel_announced.clock.advance(days=2)),
        AnnouncementMismatch,
        match="The quota digest differs from the announced one",
    )


def test_a_panel_draw_is_performed_on_the_committed_pool_file(
    panel_announced: Office, small_draws: SmallDraws, tmp_path: Path
) -> None:
    files = write_draw_files(tmp_path, small_draws, small_draws.quotas)
    write_salts(draw_work.salts_path(files["pool.csv"]), new_salts(len(small_draws.pool)))
    panel_announced.refuses(
        "secretariat",
        perform_from_files(files, published_at=panel_announced.clock.advance(days=2)),
        AnnouncementMismatch,
        match="The pool commitment root differs from the announced one",
    )


# -- the theme group ------------------------------------------------------------------------


def theme_group(office: Office) -> ThemeGroupFormed:
    event, _ = recorded(office, ThemeGroupFormed.TYPE)
    assert isinstance(event, ThemeGroupFormed)
    return event


def test_a_drawn_theme_group_has_the_charters_number_of_the_previous_panels_members(
    seated: Office, members: tuple[str, ...]
) -> None:
    seated.do("secretariat", draw_theme_group(seated.clock()))
    group = theme_group(seated)
    assert (group.panel, group.from_panel, group.formed_by, group.size) == (2, 1, "drawn", 5)
    assert len(set(group.pseudonyms)) == 5 and set(group.pseudonyms) <= set(members)
    assert group.randomness_value == PUBLIC_VALUE and group.seed is not None


def test_a_volunteered_theme_group_says_so(seated: Office, members: tuple[str, ...]) -> None:
    seated.do("secretariat", step(draw_steps.volunteer_theme_group, 2, members[:5]))
    group = theme_group(seated)
    assert (group.formed_by, group.size, group.pseudonyms) == ("volunteered", 5, list(members[:5]))
    assert group.seed is None and group.randomness_value is None


def test_theme_group_volunteers_come_from_the_previous_panel(
    seated: Office, members: tuple[str, ...], reserves: tuple[str, ...]
) -> None:
    volunteers = (*members[:4], reserves[0])
    seated.refuses(
        "secretariat",
        step(draw_steps.volunteer_theme_group, 2, volunteers),
        NotAPanelMember,
        match=f"{reserves[0]} is not a seated member of panel 1: the theme group is formed from "
        "the previous panel's members only",
    )


@pytest.mark.parametrize("count", [4, 6])
def test_theme_group_volunteers_are_as_many_as_the_charter_says(
    seated: Office, members: tuple[str, ...], count: int
) -> None:
    seated.refuses(
        "secretariat",
        step(draw_steps.volunteer_theme_group, 2, members[:count]),
        WrongGroupSize,
        match=rf"must have 5 distinct members \(the charter's number\), not {count}",
    )


def test_a_volunteer_counts_once_in_the_theme_group(
    seated: Office, members: tuple[str, ...]
) -> None:
    seated.refuses(
        "secretariat",
        step(draw_steps.volunteer_theme_group, 2, (*members[:4], members[0])),
        WrongGroupSize,
        match="not 4",
    )


@pytest.mark.parametrize("assembly_charter", [DEFAULT_GROUP])
def test_the_default_theme_group_of_25_cannot_come_from_a_panel_of_12(
    seated: Office, assembly_charter: Chartered
) -> None:
    assert assembly_charter.theme_group_size == 25
    seated.refuses(
        "secretariat",
        draw_theme_group(seated.clock()),
        WrongGroupSize,
        match=r"must have 25 distinct members \(the charter's number\), not 12",
    )


def test_a_theme_group_is_formed_once(seated: Office, members: tuple[str, ...]) -> None:
    seated.do("secretariat", draw_theme_group(seated.clock()))
    seated.refuses(
        "secretariat",
        step(draw_steps.volunteer_theme_group, 2, members[:5]),
        AlreadyRecorded,
        match="The theme group of panel 2 is already recorded",
    )


def test_a_theme_group_needs_a_seated_previous_panel(panel_announced: Office) -> None:
    panel_announced.refuses(
        "secretariat",
        draw_theme_group(panel_announced.clock()),
        NotYet,
        match="Panel 1 was never seated: it has no members to form a group",
    )


def test_the_first_panel_has_no_theme_group(seated: Office) -> None:
    seated.refuses(
        "secretariat",
        draw_theme_group(seated.clock(), number=1),
        NoPreviousPanel,
        match="Panel 1 has no previous panel to form a theme group from",
    )


def test_the_theme_groups_public_value_is_out_before_the_draw(seated: Office) -> None:
    tomorrow = seated.clock() + timedelta(days=1)
    seated.refuses(
        "secretariat",
        draw_theme_group(tomorrow),
        RandomnessInFuture,
        match="record the draw once the value is out",
    )


def test_a_panel_draw_fills_the_seats_the_panel_was_convened_with(
    chartered: Office, small_draws: SmallDraws
) -> None:
    panel = Convened(number=1, theme=THEME, seats=24, theme_chosen_by="government")
    chartered.do("secretariat", step(commands.convene, panel))
    chartered.do("secretariat", announce_invitations(small_draws))
    published = chartered.clock.advance(days=2)
    chartered.do("secretariat", perform_invitations(small_draws, published_at=published))
    chartered.do("secretariat", close_pool(small_draws))
    chartered.refuses(
        "secretariat",
        announce_panel_draw(small_draws),
        RuleBroken,
        match="24 seats",
    )
