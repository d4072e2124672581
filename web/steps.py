"""The domain step that decides each event type a client may submit (``web.submissions``).

Each step is called with the decoded event and its time, against the server's own state, and
must decide exactly the submitted events. Most steps are the local command's own. The draws'
local commands read published files (register, pool, quota table, portfolio) that the server
does not hold; their steps replay every rule that the ledger and the event's own values allow:

- theme group drawn or volunteered: the whole step (the previous panel's seated members are on
  the ledger, the public value in the event), so the members must be those the seed picks.
- invitation draw announced: the whole step; the register root commits to the counts given
  (not checked here: that needs the register and its salts).
- invitation draw performed: after the announcement, as announced, with a value published
  after it; seed from that value, the register root and the draw id; as many addresses as
  letters. Not checked here: that the selected root is that of the addresses the seed picks
  from the register.
- pool closed: after the letters went out, once; counts that can be what hiding small cells
  leaves of a pool of that size. Not checked here: the root, size and counts of the pool file.
- panel draw announced: on the closed pool, once, for the panel's seats, with a quota table a
  panel can meet and a value to come after it. Not checked here: that the portfolio's panels
  come from the pool and meet the quotas (its file is not sent).
- panel draw performed: after the announcement, as announced (pool, quotas, portfolio digest,
  algorithm), value published after it; seed, picked index, panel size, counts per quota line
  within the quotas, mean selection probability. Not checked here: that the members are the
  portfolio's panel at that index and that the probabilities come from the portfolio.

What is not checked here, anyone checks with ``assembly draw verify`` from the published files.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain import commands, draw_steps
from domain.charter import Chartered, CommissionMemberRecorded
from domain.correction import CorrectionRecorded, MeetingHeld
from domain.deliberation import BriefingPublished, ReportSubmitted, SessionHeld, VoteHeld
from domain.draws import (
    InvitationAnnounced,
    InvitationOutcome,
    InvitationPerformed,
    PanelAnnounced,
    PanelOutcome,
    PanelPerformed,
    PoolClosed,
    PortfolioTerms,
    ProbabilitySummary,
    Quota,
    ThemeGroupFormed,
)
from domain.errors import NotAllowed
from domain.events import Event
from domain.government import (
    Assessed,
    DeadlineResumed,
    DeadlineSuspended,
    ImplementationReported,
    ResponsibilityTransferred,
)
from domain.groups import GroupDefined
from domain.labels import PortfolioNamed, StratumNamed
from domain.panel import Concluded, Convened, MemberReplaced, MemberWithdrew, Seated
from domain.process import Session
from domain.recommendation import Adopted, HandedOver
from domain.responses import Responded
from domain.statement import StatementGiven

Step = Callable[[Session, Any, datetime], object]


def announce_invitations(s: Session, e: InvitationAnnounced, at: datetime) -> None:
    draw_steps.announce_invitations(
        s,
        e.panel,
        register_root=e.register_root,
        addresses_per_municipality=e.addresses_per_municipality,
        letters=e.letters,
        draw_id=e.draw_id,
        randomness_source=e.randomness_source,
        at=at,
        drand=e.drand,
    )


def perform_invitations(s: Session, e: InvitationPerformed, at: datetime) -> None:
    outcome = InvitationOutcome(
        seed=bytes.fromhex(e.seed),
        selected_root=bytes.fromhex(e.selected_root),
        selected_count=e.selected_count,
        letters_per_municipality=e.selected_per_municipality,
    )
    draw_steps.perform_invitations(
        s,
        e.panel,
        outcome,
        register_root=e.register_root,
        randomness_value=e.randomness_value,
        randomness_published_at=e.randomness_published_at,
        at=at,
        beacon=e.drand,
    )


def close_pool(s: Session, e: PoolClosed, at: datetime) -> None:
    counts = {(cell.feature, cell.value): cell.count for cell in e.counts}
    draw_steps.close_pool_counts(
        s, e.panel, pool_root=e.pool_root, pool_size=e.pool_size, counts=counts, at=at
    )


def announce_panel(s: Session, e: PanelAnnounced, at: datetime) -> None:
    quotas = [Quota(q.feature, q.value, q.min, q.max, q.population_ppm) for q in e.quotas]
    terms = PortfolioTerms(
        digest=e.portfolio_digest,
        size=e.portfolio_size,
        panel_size=e.panel_size,
        algorithm=e.algorithm,
        solver=e.solver,
        versions=e.versions,
        seed=e.library_seed,
    )
    draw_steps.announce_panel_terms(
        s,
        e.panel,
        quotas=quotas,
        portfolio=terms,
        draw_id=e.draw_id,
        randomness_source=e.randomness_source,
        randomness_after=e.randomness_after,
        at=at,
        drand=e.drand,
    )


def perform_panel(s: Session, e: PanelPerformed, at: datetime) -> None:
    achieved: dict[tuple[str, str], int] = {}
    for cell in e.achieved:
        if cell.count is None:
            raise NotAllowed(
                f"The performed panel draw hides the count of {cell.feature}={cell.value}: "
                "give the panel's count for every line of the quota table."
            )
        achieved[cell.feature, cell.value] = cell.count
    summary = e.probability
    outcome = PanelOutcome(
        seed=bytes.fromhex(e.seed),
        index=e.panel_index,
        selected=tuple(e.selected),
        achieved=achieved,
        summary=ProbabilitySummary(
            summary.min_ppm, summary.max_ppm, summary.mean_ppm, summary.zero_count
        ),
    )
    draw_steps.record_panel_draw(
        s,
        e.panel,
        outcome,
        pool_root=e.pool_root,
        quota_digest=e.quota_digest,
        portfolio_digest=e.portfolio_digest,
        algorithm=e.algorithm,
        randomness_value=e.randomness_value,
        randomness_published_at=e.randomness_published_at,
        at=at,
        beacon=e.drand,
    )


def form_theme_group(s: Session, e: ThemeGroupFormed, at: datetime) -> None:
    if e.formed_by == "volunteered":
        draw_steps.volunteer_theme_group(s, e.panel, e.pseudonyms, at=at)
        return
    if (
        e.randomness_value is None
        or e.randomness_source is None
        or e.randomness_published_at is None
        or e.draw_id is None
    ):
        raise NotAllowed(
            f"The theme group of panel {e.panel} is said to be drawn but does not name its "
            "draw id, public value, its source and when it was published: give all four."
        )
    draw_steps.draw_theme_group(
        s,
        e.panel,
        public_value=e.randomness_value,
        randomness_source=e.randomness_source,
        randomness_published_at=e.randomness_published_at,
        draw_id=e.draw_id,
        at=at,
    )


STEPS: dict[type[Event], Step] = {
    Chartered: lambda s, e, at: commands.write_charter(s, e, at=at),
    Convened: lambda s, e, at: commands.convene(s, e, at=at),
    Seated: lambda s, e, at: commands.seat(s, e.number, at=at),
    MemberWithdrew: lambda s, e, at: commands.withdraw(s, e.number, e.pseudonym, e.reason, at=at),
    MemberReplaced: lambda s, e, at: commands.replace(
        s, e.number, e.withdrawn, e.replacement, at=at
    ),
    Concluded: lambda s, e, at: commands.conclude(s, e.number, e.on, at=at),
    Responded: lambda s, e, at: commands.respond(s, e, at=at),
    StatementGiven: lambda s, e, at: commands.give_statement(s, e, at=at),
    ImplementationReported: lambda s, e, at: commands.report(s, e, at=at),
    ResponsibilityTransferred: lambda s, e, at: commands.transfer(s, e, at=at),
    DeadlineSuspended: lambda s, e, at: commands.suspend(s, e.since, e.reason, at=at),
    DeadlineResumed: lambda s, e, at: commands.resume(s, e.on, at=at),
    Assessed: lambda s, e, at: commands.assess(s, e, at=at),
    CommissionMemberRecorded: lambda s, e, at: commands.record_member(s, e, at=at),
    GroupDefined: lambda s, e, at: commands.define_group(s, e, at=at),
    PortfolioNamed: lambda s, e, at: commands.name_portfolio(s, e, at=at),
    StratumNamed: lambda s, e, at: commands.name_stratum(s, e, at=at),
    Adopted: lambda s, e, at: commands.adopt(s, e, at=at),
    HandedOver: lambda s, e, at: commands.hand_over(s, e.panel, e.number, e.on, at=at),
    MeetingHeld: lambda s, e, at: commands.hold_review(s, e, at=at),
    BriefingPublished: lambda s, e, at: commands.add_evidence(s, e, at=at),
    ReportSubmitted: lambda s, e, at: commands.add_evidence(s, e, at=at),
    SessionHeld: lambda s, e, at: commands.hold_session(s, e, at=at),
    VoteHeld: lambda s, e, at: commands.record_vote(s, e, at=at),
    CorrectionRecorded: lambda s, e, at: commands.correct(
        s, e.supersedes, reason=e.reason, replacement=e.replacement, at=at
    ),
    InvitationAnnounced: announce_invitations,
    InvitationPerformed: perform_invitations,
    PoolClosed: close_pool,
    PanelAnnounced: announce_panel,
    PanelPerformed: perform_panel,
    ThemeGroupFormed: form_theme_group,
}
