"""The draws as steps of the process: each loads the panel and the draw's streams and lets the
aggregates of ``domain.draws`` check the order (DESIGN.md 5): invitations announced, then
performed; the pool closed after the letters went out; the panel draw announced on the closed
pool, then performed; the panel seated from it; the next theme group formed from the seated
members, in the charter's number."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.commands import panel
from domain.draws import (
    InvitationDraw,
    InvitationResult,
    PanelDraw,
    PanelResult,
    Pool,
    Portfolio,
    Quota,
    ResultMismatch,
    ThemeGroup,
    VolunteerPool,
    portfolio_digest,
    stage1,
)
from domain.draws.stage2 import pool_counts
from domain.errors import NotAllowed, NotYet
from domain.process import Session


def announce_invitations(
    session: Session,
    number: int,
    *,
    register_root: str,
    addresses_per_municipality: dict[str, int],
    letters: int,
    draw_id: str,
    randomness_source: str,
    at: datetime,
) -> None:
    panel(session, number)
    draw = session.get(InvitationDraw, InvitationDraw.stream_for(number))
    draw.announce(
        panel=number,
        draw_id=draw_id,
        register_root=register_root,
        addresses_per_municipality=addresses_per_municipality,
        letters=letters,
        randomness_source=randomness_source,
        at=at,
    )


def invitation_draw(session: Session, number: int) -> InvitationDraw:
    """Panel ``number``'s invitation draw, announced or not."""
    return session.get(InvitationDraw, InvitationDraw.stream_for(number))


def perform_invitations(
    session: Session,
    number: int,
    result: InvitationResult,
    *,
    register_root: str,
    randomness_value: str,
    randomness_published_at: datetime,
    at: datetime,
) -> None:
    invitation_draw(session, number).perform(
        result,
        panel=number,
        register_root=register_root,
        algorithm=stage1.ALGORITHM,
        randomness_value=randomness_value,
        randomness_published_at=randomness_published_at,
        at=at,
    )


def close_pool(session: Session, number: int, pool: Pool, *, pool_root: str, at: datetime) -> None:
    panel(session, number)
    if invitation_draw(session, number).performed is None:
        raise NotYet(
            f"The invitations of panel {number} have not been drawn: the pool of volunteers "
            "answers those letters, so it closes after the invitation draw."
        )
    volunteers = session.get(VolunteerPool, VolunteerPool.stream_for(number))
    volunteers.close(
        panel=number, pool_root=pool_root, pool_size=len(pool), counts=pool_counts(pool), at=at
    )


def announce_panel_draw(
    session: Session,
    number: int,
    *,
    pool: Pool,
    quotas: Sequence[Quota],
    portfolio: Portfolio,
    draw_id: str,
    randomness_source: str,
    randomness_after: datetime | None = None,
    at: datetime,
) -> None:
    seats = panel(session, number).require().seats
    if portfolio.panel_size != seats:
        raise NotAllowed(
            f"Panel {number} was convened with {seats} seats; the portfolio's panels have "
            f"{portfolio.panel_size} members."
        )
    closed = session.get(VolunteerPool, VolunteerPool.stream_for(number))
    session.get(PanelDraw, PanelDraw.stream_for(number)).announce(
        panel=number,
        pool=closed,
        pool_data=pool,
        quotas=quotas,
        portfolio=portfolio,
        draw_id=draw_id,
        randomness_source=randomness_source,
        randomness_after=randomness_after,
        at=at,
    )


def panel_draw(session: Session, number: int) -> PanelDraw:
    """Panel ``number``'s stage-2 draw, announced or not."""
    return session.get(PanelDraw, PanelDraw.stream_for(number))


def perform_panel_draw(
    session: Session,
    number: int,
    result: PanelResult,
    *,
    portfolio: Portfolio,
    pool_root: str,
    quota_digest: str,
    randomness_value: str,
    randomness_published_at: datetime,
    at: datetime,
) -> None:
    """Record the panel the public value picks from ``portfolio``, which must be the panel
    ``result`` names; the pool, quotas and portfolio are those the caller drew with."""
    if not 0 <= result.index < portfolio.size or (
        tuple(sorted(result.selected)) != tuple(sorted(portfolio.panels[result.index]))
    ):
        raise ResultMismatch(
            "selected members", f"panel {result.index} of the portfolio", "a different set"
        )
    panel_draw(session, number).perform(
        result,
        panel=number,
        pool_root=pool_root,
        quota_digest=quota_digest,
        portfolio_digest=portfolio_digest(portfolio),
        algorithm=portfolio.algorithm,
        randomness_value=randomness_value,
        randomness_published_at=randomness_published_at,
        at=at,
    )


def draw_theme_group(
    session: Session,
    number: int,
    *,
    public_value: str,
    randomness_source: str,
    randomness_published_at: datetime,
    draw_id: str,
    at: datetime,
) -> None:
    """Draw panel ``number``'s theme group from panel ``number - 1``'s seated members."""
    size = session.charter().theme_group_size
    seated = _seated_before(session, number)
    session.get(ThemeGroup, ThemeGroup.for_panel(number).id).draw(
        panel=number,
        seated=seated,
        public_value=public_value,
        randomness_source=randomness_source,
        randomness_published_at=randomness_published_at,
        draw_id=draw_id,
        size=size,
        at=at,
    )


def volunteer_theme_group(
    session: Session, number: int, volunteers: Sequence[str], *, at: datetime
) -> None:
    """Form panel ``number``'s theme group from volunteers of panel ``number - 1``."""
    size = session.charter().theme_group_size
    seated = _seated_before(session, number)
    session.get(ThemeGroup, ThemeGroup.for_panel(number).id).volunteer(
        panel=number, seated=seated, volunteers=volunteers, size=size, at=at
    )


def _seated_before(session: Session, number: int) -> list[str]:
    previous = panel(session, number - 1) if number > 1 else None
    if previous is None:
        return []
    if not previous.ever_seated:
        raise NotYet(f"Panel {number - 1} was never seated: it has no members to form a group.")
    return sorted(previous.members)
