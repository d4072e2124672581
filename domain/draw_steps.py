"""The draws as steps of the process: each loads the panel and the draw's streams and lets the
aggregates of ``domain.draws`` check the order (docs/design.md 5): invitations announced, then
performed; the pool closed after the letters went out; the panel draw announced on the closed
pool, then performed; the panel seated from it; the next theme group formed from the seated
members, in the charter's number.

Where a step reads published files (the pool, the quota table, the portfolio), it checks them
and hands what it commits to a step that takes only those values (``close_pool_counts``,
``announce_panel_terms``, ``record_panel_draw``): the one a server replays from the ledger."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    stage1,
)
from domain.draws.events import DrandBeacon, DrandRound
from domain.draws.portfolio import PortfolioTerms, portfolio_terms
from domain.draws.stage1 import InvitationOutcome
from domain.draws.stage2 import PanelOutcome, Stratum, pool_counts, suppress_small
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
    drand: DrandRound | None = None,
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
        drand=drand,
    )


def invitation_draw(session: Session, number: int) -> InvitationDraw:
    """Panel ``number``'s invitation draw, announced or not."""
    return session.get(InvitationDraw, InvitationDraw.stream_for(number))


def perform_invitations(
    session: Session,
    number: int,
    result: InvitationResult | InvitationOutcome,
    *,
    register_root: str,
    randomness_value: str,
    randomness_published_at: datetime,
    at: datetime,
    beacon: DrandBeacon | None = None,
) -> None:
    invitation_draw(session, number).perform(
        result,
        panel=number,
        register_root=register_root,
        algorithm=stage1.ALGORITHM,
        randomness_value=randomness_value,
        randomness_published_at=randomness_published_at,
        at=at,
        beacon=beacon,
    )


def close_pool(session: Session, number: int, pool: Pool, *, pool_root: str, at: datetime) -> None:
    """Close panel ``number``'s pool: commit to its root and publish its counts per stratum,
    small cells hidden."""
    close_pool_counts(
        session,
        number,
        pool_root=pool_root,
        pool_size=len(pool),
        counts=suppress_small(pool_counts(pool)),
        at=at,
    )


def close_pool_counts(
    session: Session,
    number: int,
    *,
    pool_root: str,
    pool_size: int,
    counts: Mapping[Stratum, int | None],
    at: datetime,
) -> None:
    """Close panel ``number``'s pool with its root, size and counts as published."""
    panel(session, number)
    if invitation_draw(session, number).performed is None:
        raise NotYet(
            f"The invitations of panel {number} have not been drawn: the pool of volunteers "
            "answers those letters, so it closes after the invitation draw."
        )
    volunteers = session.get(VolunteerPool, VolunteerPool.stream_for(number))
    volunteers.close_published(
        panel=number, pool_root=pool_root, pool_size=pool_size, counts=counts, at=at
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
    drand: DrandRound | None = None,
) -> None:
    """Announce panel ``number``'s draw with a portfolio checked against the pool file and the
    quota table (``PanelDraw.announce``)."""
    _check_seats(session, number, portfolio.panel_size)
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
        drand=drand,
    )


def announce_panel_terms(
    session: Session,
    number: int,
    *,
    quotas: Sequence[Quota],
    portfolio: PortfolioTerms,
    draw_id: str,
    randomness_source: str,
    randomness_after: datetime | None = None,
    at: datetime,
    drand: DrandRound | None = None,
) -> None:
    """Announce panel ``number``'s draw from the terms of its portfolio, whose file is not
    at hand: every rule but the check of the portfolio's panels (``PanelDraw.announce_terms``)."""
    _check_seats(session, number, portfolio.panel_size)
    closed = session.get(VolunteerPool, VolunteerPool.stream_for(number))
    session.get(PanelDraw, PanelDraw.stream_for(number)).announce_terms(
        panel=number,
        pool=closed,
        quotas=quotas,
        portfolio=portfolio,
        draw_id=draw_id,
        randomness_source=randomness_source,
        randomness_after=randomness_after,
        at=at,
        drand=drand,
    )


def convened_seats(session: Session, number: int) -> int:
    """The seats panel ``number`` was convened with: the size of every panel its draw offers."""
    return panel(session, number).require().seats


def _check_seats(session: Session, number: int, panel_size: int) -> None:
    seats = convened_seats(session, number)
    if panel_size != seats:
        raise NotAllowed(
            f"Panel {number} was convened with {seats} seats; the portfolio's panels have "
            f"{panel_size} members."
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
    beacon: DrandBeacon | None = None,
) -> None:
    """Record the panel the public value picks from ``portfolio``, which must be the panel
    ``result`` names; the pool, quotas and portfolio are those the caller drew with."""
    if not 0 <= result.index < portfolio.size or (
        tuple(sorted(result.selected)) != tuple(sorted(portfolio.panels[result.index]))
    ):
        raise ResultMismatch(
            "selected members", f"panel {result.index} of the portfolio", "a different set"
        )
    terms = portfolio_terms(portfolio)
    record_panel_draw(
        session,
        number,
        result,
        pool_root=pool_root,
        quota_digest=quota_digest,
        portfolio_digest=terms.digest,
        algorithm=terms.algorithm,
        randomness_value=randomness_value,
        randomness_published_at=randomness_published_at,
        at=at,
        beacon=beacon,
    )


def record_panel_draw(
    session: Session,
    number: int,
    result: PanelResult | PanelOutcome,
    *,
    pool_root: str,
    quota_digest: str,
    portfolio_digest: str,
    algorithm: str,
    randomness_value: str,
    randomness_published_at: datetime,
    at: datetime,
    beacon: DrandBeacon | None = None,
) -> None:
    """Record the panel the public value picks, by the announced commitments: every rule but
    the check that ``result`` is the portfolio's panel at its index (``PanelDraw.perform``)."""
    panel_draw(session, number).perform(
        result,
        panel=number,
        pool_root=pool_root,
        quota_digest=quota_digest,
        portfolio_digest=portfolio_digest,
        algorithm=algorithm,
        randomness_value=randomness_value,
        randomness_published_at=randomness_published_at,
        at=at,
        beacon=beacon,
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
    seated = _seated_before(session, number, at=at)
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
    seated = _seated_before(session, number, at=at)
    session.get(ThemeGroup, ThemeGroup.for_panel(number).id).volunteer(
        panel=number, seated=seated, volunteers=volunteers, size=size, at=at
    )


def _seated_before(session: Session, number: int, *, at: datetime) -> list[str]:
    previous = panel(session, number - 1) if number > 1 else None
    if previous is None:
        return []
    if not previous.ever_seated:
        raise NotYet(f"Panel {number - 1} was never seated: it has no members to form a group.")
    previous.check_seated_by(f"The theme group of panel {number}", at)
    return sorted(previous.members)
