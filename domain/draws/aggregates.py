"""The draws' aggregates: each command checks the rules of docs/design.md 5, then decides an event.

Order of every draw: announce (commitments, quota table, algorithm, randomness source) before
the public value exists; perform with exactly what was announced and a value published strictly
after the announcement. Commands take values already read and computed (files parsed, results
of ``stage1``, ``portfolio``, ``stage2``); they do no I/O. Where a command checks files, it then
hands the values it commits to a command that takes only those (``VolunteerPool.close_published``,
``PanelDraw.announce_terms``; ``perform`` takes a result or its recorded outcome), so a server that
holds the ledger but not the files replays the same rules. Streams: ``draw/invitation/{panel}``,
``pool/{panel}``, ``draw/panel/{panel}``, ``theme/{panel}``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Self

from domain.aggregate import Aggregate, stream_id
from domain.draws import events as ev
from domain.draws import files, stage1, stage2
from domain.draws.commit import draw_seed
from domain.draws.drand import check_drand_draw, check_round_after
from domain.draws.errors import (
    AlreadyRecorded,
    AnnouncementMismatch,
    DrawMismatch,
    NotAnnounced,
    PoolNotClosed,
    QuotaNotMet,
    RandomnessInFuture,
    RandomnessTooEarly,
    ResultMismatch,
)
from domain.draws.portfolio import PortfolioTerms, portfolio_terms
from domain.draws.theme import ThemeGroup
from domain.errors import DatedTooEarly
from domain.events import Event


def _same(field: str, expected: object, actual: object) -> None:
    if expected != actual:
        raise AnnouncementMismatch(field, expected, actual)


def _check_timing(published_at: datetime, announced_at: datetime, at: datetime) -> None:
    if published_at <= announced_at:
        raise RandomnessTooEarly(published_at.isoformat(), announced_at.isoformat())
    if published_at > at:
        raise RandomnessInFuture(published_at.isoformat(), at.isoformat())


def _check_stream(aggregate: Aggregate, name: str) -> None:
    if aggregate.id != stream_id(name):
        raise AssertionError(f"stream {aggregate.id} is not the stream of {name}")


class _PerPanel(Aggregate):
    """An aggregate with one stream per panel, named ``PREFIX/{panel}``."""

    PREFIX = ""

    @classmethod
    def stream_for(cls, panel: int) -> uuid.UUID:
        """The stream of this aggregate for a panel."""
        return stream_id(f"{cls.PREFIX}/{panel}")

    @classmethod
    def for_panel(cls, panel: int) -> Self:
        """A new, empty aggregate for a panel (load it from its stream to continue one)."""
        return cls(cls.stream_for(panel))


class InvitationDraw(_PerPanel):
    """Stage 1: announced once, then performed once."""

    PREFIX = "draw/invitation"

    def __init__(self, stream: uuid.UUID) -> None:
        super().__init__(stream)
        self.announced: ev.InvitationAnnounced | None = None
        self.announced_at: datetime | None = None
        self.performed: ev.InvitationPerformed | None = None

    def announce(
        self,
        *,
        panel: int,
        draw_id: str,
        register_root: str,
        addresses_per_municipality: Mapping[str, int],
        letters: int,
        randomness_source: str,
        at: datetime,
        drand: ev.DrandRound | None = None,
    ) -> None:
        """Commit to the register and the letters per municipality before the public value
        (a drand round, when named, published after the announcement)."""
        _check_stream(self, f"{self.PREFIX}/{panel}")
        if self.announced is not None:
            raise AlreadyRecorded("invitation draw announcement", panel)
        if drand is not None:
            check_round_after(drand, at)
        allocation = stage1.allocate_letters(addresses_per_municipality, letters)
        event = ev.InvitationAnnounced(
            panel=panel,
            draw_id=draw_id,
            register_root=register_root,
            register_size=sum(addresses_per_municipality.values()),
            addresses_per_municipality=dict(sorted(addresses_per_municipality.items())),
            letters=letters,
            letters_per_municipality=allocation,
            randomness_source=randomness_source,
            algorithm=stage1.ALGORITHM,
            drand=drand,
        )
        self.trigger(event, at=at)

    def perform(
        self,
        result: stage1.InvitationResult | stage1.InvitationOutcome,
        *,
        panel: int,
        register_root: str,
        algorithm: str,
        randomness_value: str,
        randomness_published_at: datetime,
        at: datetime,
        beacon: ev.DrandBeacon | None = None,
    ) -> None:
        """Record the addresses drawn with the public value, as announced (the announced drand
        round's ``beacon`` when the announcement named one)."""
        _check_stream(self, f"{self.PREFIX}/{panel}")
        announced, announced_at = self.announced, self.announced_at
        if announced is None or announced_at is None:
            raise NotAnnounced("invitation draw", panel)
        if self.performed is not None:
            raise AlreadyRecorded("invitation draw", panel)
        _same("register commitment root", announced.register_root, register_root)
        _same("algorithm", announced.algorithm, algorithm)
        _check_timing(randomness_published_at, announced_at, at)
        check_drand_draw(
            announced.drand,
            beacon,
            randomness_value=randomness_value,
            randomness_published_at=randomness_published_at,
        )
        seed = draw_seed(randomness_value, bytes.fromhex(register_root), announced.draw_id)
        if seed != result.seed:
            raise ResultMismatch("seed", seed.hex(), result.seed.hex())
        _same(
            "letters per municipality",
            announced.letters_per_municipality,
            result.letters_per_municipality,
        )
        if result.selected_count != announced.letters:
            raise ResultMismatch(
                "number of addresses drawn", announced.letters, result.selected_count
            )
        event = ev.InvitationPerformed(
            panel=announced.panel,
            draw_id=announced.draw_id,
            register_root=register_root,
            algorithm=algorithm,
            randomness_source=announced.randomness_source,
            randomness_value=randomness_value,
            randomness_published_at=randomness_published_at,
            seed=seed.hex(),
            selected_root=result.selected_root.hex(),
            selected_count=result.selected_count,
            selected_per_municipality=result.letters_per_municipality,
            drand=beacon,
        )
        self.trigger(event, at=at)

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if isinstance(event, ev.InvitationAnnounced):
            self.announced, self.announced_at = event, at
        elif isinstance(event, ev.InvitationPerformed):
            self.performed = event
        else:
            raise AssertionError(f"{event.TYPE} is not an event of an invitation draw")


class VolunteerPool(_PerPanel):
    """The volunteers who said yes: closed (committed) once."""

    PREFIX = "pool"

    def __init__(self, stream: uuid.UUID) -> None:
        super().__init__(stream)
        self.closed: ev.PoolClosed | None = None
        self.closed_at: datetime | None = None  # when it closed, for the rules of order

    def close(
        self,
        *,
        panel: int,
        pool_root: str,
        pool_size: int,
        counts: Mapping[stage2.Stratum, int],
        at: datetime,
        threshold: int = 5,
    ) -> None:
        """Commit to the pool; publish its counts per stratum with small cells hidden."""
        shown = stage2.suppress_small(counts, threshold)
        self.close_published(
            panel=panel,
            pool_root=pool_root,
            pool_size=pool_size,
            counts=shown,
            at=at,
            threshold=threshold,
        )

    def close_published(
        self,
        *,
        panel: int,
        pool_root: str,
        pool_size: int,
        counts: Mapping[stage2.Stratum, int | None],
        at: datetime,
        threshold: int = 5,
    ) -> None:
        """Commit to the pool with its counts as published, which must be what hiding the cells
        under ``threshold`` leaves of a pool of ``pool_size``."""
        _check_stream(self, f"{self.PREFIX}/{panel}")
        if self.closed is not None:
            raise AlreadyRecorded("volunteer pool", panel)
        stage2.check_published_counts(counts, pool_size, threshold)
        event = ev.PoolClosed(
            panel=panel,
            pool_root=pool_root,
            pool_size=pool_size,
            counts=[ev.StratumCount(feature=f, value=v, count=c) for (f, v), c in counts.items()],
            suppressed_below=threshold,
        )
        self.trigger(event, at=at)

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if not isinstance(event, ev.PoolClosed):
            raise AssertionError(f"{event.TYPE} is not an event of a volunteer pool")
        self.closed, self.closed_at = event, at


class PanelDraw(_PerPanel):
    """Stage 2: announced once the pool is closed, then performed once."""

    PREFIX = "draw/panel"

    def __init__(self, stream: uuid.UUID) -> None:
        super().__init__(stream)
        self.announced: ev.PanelAnnounced | None = None
        self.announced_at: datetime | None = None
        self.performed: ev.PanelPerformed | None = None
        self.performed_at: datetime | None = None  # when it was performed, for the seating

    def announce(
        self,
        *,
        panel: int,
        pool: VolunteerPool,
        pool_data: files.Pool,
        quotas: Sequence[files.Quota],
        portfolio: files.Portfolio,
        draw_id: str,
        randomness_source: str,
        at: datetime,
        randomness_after: datetime | None = None,
        drand: ev.DrandRound | None = None,
    ) -> None:
        """Check every panel of the portfolio against the closed pool's file and the quota
        table, then commit to the pool, the table and the portfolio (``announce_terms``)."""
        closed = self._closed_pool(panel, pool)
        _same("pool commitment root", closed.pool_root, portfolio.pool_root)
        if len(pool_data) != closed.pool_size:
            raise DrawMismatch("The pool size", closed.pool_size, len(pool_data))
        _same("quota digest", files.quota_digest(quotas), portfolio.quota_digest)
        strata = pool_data.strata()
        for index, members in enumerate(portfolio.panels):
            stage2.check_panel(index, members, strata, quotas, portfolio.panel_size)
        self.announce_terms(
            panel=panel,
            pool=pool,
            quotas=quotas,
            portfolio=portfolio_terms(portfolio),
            draw_id=draw_id,
            randomness_source=randomness_source,
            at=at,
            randomness_after=randomness_after,
            drand=drand,
        )

    def announce_terms(
        self,
        *,
        panel: int,
        pool: VolunteerPool,
        quotas: Sequence[files.Quota],
        portfolio: PortfolioTerms,
        draw_id: str,
        randomness_source: str,
        at: datetime,
        randomness_after: datetime | None = None,
        drand: ev.DrandRound | None = None,
    ) -> None:
        """Commit to the closed pool, a quota table some panel can meet and a portfolio by its
        terms; that the portfolio's panels meet the table is checked from its file only."""
        closed = self._closed_pool(panel, pool)
        if pool.closed_at is not None and at.date() < pool.closed_at.date():
            what = f"The announcement of panel {panel}'s draw"
            raise DatedTooEarly(what, at.date(), "the closing of its pool", pool.closed_at.date())
        stage2.check_quota_table(quotas, portfolio.panel_size)
        if randomness_after is not None and randomness_after <= at:
            raise RandomnessTooEarly(randomness_after.isoformat(), at.isoformat())
        if drand is not None:
            check_round_after(drand, at)
        event = ev.PanelAnnounced(
            panel=panel,
            draw_id=draw_id,
            pool_root=closed.pool_root,
            pool_size=closed.pool_size,
            quotas=[
                ev.QuotaLine(
                    feature=q.feature,
                    value=q.value,
                    min=q.min,
                    max=q.max,
                    population_ppm=q.population_ppm,
                )
                for q in quotas
            ],
            quota_digest=files.quota_digest(quotas),
            portfolio_digest=portfolio.digest,
            portfolio_size=portfolio.size,
            panel_size=portfolio.panel_size,
            algorithm=portfolio.algorithm,
            pick_algorithm=stage2.ALGORITHM,
            solver=portfolio.solver,
            versions=portfolio.versions,
            library_seed=portfolio.seed,
            randomness_source=randomness_source,
            randomness_after=randomness_after,
            drand=drand,
        )
        self.trigger(event, at=at)

    def _closed_pool(self, panel: int, pool: VolunteerPool) -> ev.PoolClosed:
        """The closed pool of ``panel``, for an announcement not yet made."""
        _check_stream(self, f"{self.PREFIX}/{panel}")
        if self.announced is not None:
            raise AlreadyRecorded("panel draw announcement", panel)
        closed = pool.closed
        if closed is None or pool.id != VolunteerPool.stream_for(panel):
            raise PoolNotClosed(panel)
        return closed

    def perform(
        self,
        result: stage2.PanelResult | stage2.PanelOutcome,
        *,
        panel: int,
        pool_root: str,
        quota_digest: str,
        portfolio_digest: str,
        algorithm: str,
        randomness_value: str,
        randomness_published_at: datetime,
        at: datetime,
        beacon: ev.DrandBeacon | None = None,
    ) -> None:
        """Record the panel picked by the public value, as announced (the announced drand
        round's ``beacon`` when the announcement named one)."""
        _check_stream(self, f"{self.PREFIX}/{panel}")
        announced, announced_at = self.announced, self.announced_at
        if announced is None or announced_at is None:
            raise NotAnnounced("panel draw", panel)
        if self.performed is not None:
            raise AlreadyRecorded("panel draw", panel)
        _same("pool commitment root", announced.pool_root, pool_root)
        _same("quota digest", announced.quota_digest, quota_digest)
        _same("portfolio digest", announced.portfolio_digest, portfolio_digest)
        _same("algorithm", announced.algorithm, algorithm)
        _check_timing(randomness_published_at, announced_at, at)
        if announced.randomness_after and randomness_published_at < announced.randomness_after:
            raise RandomnessTooEarly(
                randomness_published_at.isoformat(), announced.randomness_after.isoformat()
            )
        check_drand_draw(
            announced.drand,
            beacon,
            randomness_value=randomness_value,
            randomness_published_at=randomness_published_at,
        )
        seed = draw_seed(randomness_value, bytes.fromhex(pool_root), announced.draw_id)
        if seed != result.seed:
            raise ResultMismatch("seed", seed.hex(), result.seed.hex())
        index = stage2.pick_index(seed, announced.portfolio_size)
        if index != result.index:
            raise ResultMismatch("picked panel number", index, result.index)
        members = set(result.selected)
        if len(members) != len(result.selected) or len(members) != announced.panel_size:
            raise ResultMismatch("number of distinct members", announced.panel_size, len(members))
        _check_achieved(announced, index, result.achieved)
        summary = result.summary
        mean = stage2.mean_ppm(announced.panel_size, announced.pool_size)
        if summary.mean_ppm != mean:
            raise ResultMismatch("mean selection probability (ppm)", mean, summary.mean_ppm)
        if not summary.min_ppm <= mean <= summary.max_ppm:
            raise ResultMismatch(
                "lowest and highest selection probabilities (ppm)",
                f"two around the mean {mean}",
                f"{summary.min_ppm} and {summary.max_ppm}",
            )
        event = ev.PanelPerformed(
            panel=panel,
            draw_id=announced.draw_id,
            pool_root=pool_root,
            quota_digest=quota_digest,
            portfolio_digest=portfolio_digest,
            algorithm=algorithm,
            randomness_source=announced.randomness_source,
            randomness_value=randomness_value,
            randomness_published_at=randomness_published_at,
            seed=seed.hex(),
            panel_index=index,
            selected=list(result.selected),
            achieved=[
                ev.StratumCount(feature=f, value=v, count=c)
                for (f, v), c in result.achieved.items()
            ],
            probability=ev.ProbabilitySummary(
                min_ppm=summary.min_ppm,
                max_ppm=summary.max_ppm,
                mean_ppm=summary.mean_ppm,
                zero_count=summary.zero_count,
            ),
            drand=beacon,
        )
        self.trigger(event, at=at)

    def apply(self, event: Event, *, at: datetime, seq: int | None) -> None:
        if isinstance(event, ev.PanelAnnounced):
            self.announced, self.announced_at = event, at
        elif isinstance(event, ev.PanelPerformed):
            self.performed, self.performed_at = event, at
        else:
            raise AssertionError(f"{event.TYPE} is not an event of a panel draw")


def _check_achieved(
    announced: ev.PanelAnnounced, index: int, achieved: Mapping[stage2.Stratum, int]
) -> None:
    """Raise unless ``achieved`` counts the picked panel by each announced quota line, in the
    table's order, and every count meets its quota."""
    lines = [(quota.feature, quota.value) for quota in announced.quotas]
    if list(achieved) != lines:
        raise ResultMismatch(
            "strata counted",
            ", ".join(f"{f}={v}" for f, v in lines),
            ", ".join(f"{f}={v}" for f, v in achieved),
        )
    for quota in announced.quotas:
        count = achieved[quota.feature, quota.value]
        if not quota.min <= count <= quota.max:
            raise QuotaNotMet(index, quota.feature, quota.value, count, quota.min, quota.max)


__all__ = ["InvitationDraw", "PanelDraw", "ThemeGroup", "VolunteerPool"]
