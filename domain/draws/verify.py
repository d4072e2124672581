"""Re-run a recorded draw from the published files, without any solver (docs/design.md 5).

``verify_*`` functions raise the first mismatch (a typed error naming the file or field, and
the line where one can be named) and otherwise return a report of what they recomputed. A
commitment root only says *that* a register or pool file changed, not where: the counts per
municipality are checked first so a changed line is at least narrowed to its municipality.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from domain.draws import stage1, stage2
from domain.draws.commit import commitment_root, draw_seed
from domain.draws.drand import check_drand_draw
from domain.draws.errors import AnnouncementMismatch, DrawMismatch
from domain.draws.events import (
    InvitationAnnounced,
    InvitationPerformed,
    PanelAnnounced,
    PanelPerformed,
    QuotaLine,
)
from domain.draws.files import Pool, Portfolio, Quota, Register, quota_digest
from domain.draws.portfolio import portfolio_digest


@dataclass(frozen=True)
class InvitationReport:
    """What stage 1 verification recomputed."""

    register_size: int
    letters_per_municipality: dict[str, int]
    seed: str
    selected_root: str
    indices: tuple[int, ...]


@dataclass(frozen=True)
class PanelReport:
    """What stage 2 verification recomputed, with every volunteer's selection probability."""

    panel_index: int
    selected: tuple[str, ...]
    achieved: dict[stage2.Stratum, int]
    probabilities: dict[str, int]
    summary: stage2.ProbabilitySummary


def _same(field: str, announced: object, performed: object) -> None:
    if announced != performed:
        raise AnnouncementMismatch(field, announced, performed)


def _check_public_value(
    announced: InvitationAnnounced | PanelAnnounced, performed: InvitationPerformed | PanelPerformed
) -> None:
    """The public value is the beacon of the announced drand round, when one was announced."""
    check_drand_draw(
        announced.drand,
        performed.drand,
        randomness_value=performed.randomness_value,
        randomness_published_at=performed.randomness_published_at,
    )


def _first_difference(what: str, recorded: Mapping[str, int], computed: Mapping[str, int]) -> None:
    for key in sorted(set(recorded) | set(computed)):
        if recorded.get(key) != computed.get(key):
            raise DrawMismatch(f"{what} {key}", recorded.get(key, 0), computed.get(key, 0))


def _check_root(
    what: str, recorded: str, records: Iterable[Sequence[str]], count: int, salts: Sequence[bytes]
) -> None:
    if len(salts) != count:
        raise DrawMismatch(
            f"The number of salts (lines of the {what} salts file)", count, len(salts)
        )
    root = commitment_root(records, salts).hex()
    if root != recorded:
        raise DrawMismatch(f"The commitment root of the {what} file and its salts", recorded, root)


def verify_invitation_draw(
    announced: InvitationAnnounced,
    performed: InvitationPerformed,
    register: Register,
    salts: Sequence[bytes],
) -> InvitationReport:
    """Check stage 1 from the register and salts files; raise the first mismatch."""
    # 1. The draw performed is the one announced.
    _same("panel", announced.panel, performed.panel)
    _same("draw id", announced.draw_id, performed.draw_id)
    _same("register commitment root", announced.register_root, performed.register_root)
    _same("algorithm", announced.algorithm, performed.algorithm)
    _same("randomness source", announced.randomness_source, performed.randomness_source)
    _check_public_value(announced, performed)
    # 2. The register is the committed one.
    counts = register.counts()
    _first_difference("The number of addresses in", announced.addresses_per_municipality, counts)
    _check_root("register", announced.register_root, register.records(), len(register), salts)
    # 3. The letters follow from the counts.
    letters = stage1.allocate_letters(counts, announced.letters)
    _first_difference("The letters for", announced.letters_per_municipality, letters)
    # 4. The seed follows from the public value, the selection from the seed.
    root = bytes.fromhex(announced.register_root)
    seed = draw_seed(performed.randomness_value, root, announced.draw_id)
    if seed.hex() != performed.seed:
        raise DrawMismatch("The seed", performed.seed, seed.hex())
    result = stage1.draw_invitations(
        register,
        letters,
        public_value=performed.randomness_value,
        register_root=root,
        draw_id=announced.draw_id,
    )
    _first_difference(
        "The addresses drawn in",
        performed.selected_per_municipality,
        result.letters_per_municipality,
    )
    selected_root = result.selected_root.hex()
    if selected_root != performed.selected_root:
        raise DrawMismatch(
            "The root of the addresses drawn", performed.selected_root, selected_root
        )
    return InvitationReport(len(register), letters, seed.hex(), selected_root, result.indices)


def _quota_fields(quota: QuotaLine | Quota) -> tuple[object, ...]:
    """A quota line's fields as the quota file writes them (the share only when it has one)."""
    fields = (quota.feature, quota.value, quota.min, quota.max)
    return fields if quota.population_ppm is None else (*fields, quota.population_ppm)


def _check_quotas(announced: PanelAnnounced, quotas: Sequence[Quota]) -> None:
    recorded = [_quota_fields(q) for q in announced.quotas]
    given = [_quota_fields(q) for q in quotas]
    for line, (was, now) in enumerate(zip(recorded, given, strict=False), start=2):
        if was != now:
            raise DrawMismatch(
                f"Line {line} of the quota file", ",".join(map(str, was)), ",".join(map(str, now))
            )
    if len(recorded) != len(given):
        raise DrawMismatch(
            "The number of lines of the quota file", len(recorded) + 1, len(given) + 1
        )
    digest = quota_digest(quotas)
    if digest != announced.quota_digest:
        raise DrawMismatch("The quota file digest", announced.quota_digest, digest)


def _check_portfolio(
    announced: PanelAnnounced, pool: Pool, quotas: Sequence[Quota], portfolio: Portfolio
) -> None:
    digest = portfolio_digest(portfolio)
    if digest != announced.portfolio_digest:
        raise DrawMismatch("The portfolio file digest", announced.portfolio_digest, digest)
    if portfolio.size != announced.portfolio_size:
        raise DrawMismatch(
            "The number of panels in the portfolio", announced.portfolio_size, portfolio.size
        )
    for field, recorded, written in (
        ("pool root", announced.pool_root, portfolio.pool_root),
        ("quota digest", announced.quota_digest, portfolio.quota_digest),
        ("panel size", announced.panel_size, portfolio.panel_size),
        ("algorithm", announced.algorithm, portfolio.algorithm),
    ):
        if recorded != written:
            raise DrawMismatch(f"The {field} written in the portfolio", recorded, written)
    strata = pool.strata()
    for index, panel in enumerate(portfolio.panels):
        stage2.check_panel(index, panel, strata, quotas, announced.panel_size)


def verify_panel_draw(
    announced: PanelAnnounced,
    performed: PanelPerformed,
    pool: Pool,
    salts: Sequence[bytes],
    quotas: Sequence[Quota],
    portfolio: Portfolio,
) -> PanelReport:
    """Check stage 2 from the pool, salts, quota and portfolio files; raise the first mismatch."""
    # 1. The draw performed is the one announced.
    _same("panel", announced.panel, performed.panel)
    _same("draw id", announced.draw_id, performed.draw_id)
    _same("pool commitment root", announced.pool_root, performed.pool_root)
    _same("quota digest", announced.quota_digest, performed.quota_digest)
    _same("portfolio digest", announced.portfolio_digest, performed.portfolio_digest)
    _same("algorithm", announced.algorithm, performed.algorithm)
    _same("randomness source", announced.randomness_source, performed.randomness_source)
    _check_public_value(announced, performed)
    # 2. The quota table, the pool and the portfolio are the committed ones.
    _check_quotas(announced, quotas)
    if len(pool) != announced.pool_size:
        raise DrawMismatch(
            "The number of volunteers in the pool file", announced.pool_size, len(pool)
        )
    _check_root("pool", announced.pool_root, pool.records(), len(pool), salts)
    # 3. Every panel of the portfolio has the size, meets every quota, draws from the pool.
    _check_portfolio(announced, pool, quotas, portfolio)
    # 4. The seed follows from the public value, the panel from the seed.
    seed = draw_seed(
        performed.randomness_value, bytes.fromhex(announced.pool_root), announced.draw_id
    )
    if seed.hex() != performed.seed:
        raise DrawMismatch("The seed", performed.seed, seed.hex())
    index = stage2.pick_index(seed, portfolio.size)
    if index != performed.panel_index:
        raise DrawMismatch("The picked panel number", performed.panel_index, index)
    picked = portfolio.panels[index]
    extra = sorted(set(performed.selected) - set(picked))
    missing = sorted(set(picked) - set(performed.selected))
    if extra or missing or len(performed.selected) != len(picked):
        raise DrawMismatch(
            f"The list of selected pseudonyms (panel {index} of the portfolio)",
            ", ".join(extra) or "a repeated pseudonym",
            ", ".join(missing) or "distinct pseudonyms",
        )
    # 5. What is recorded about the panel and the pool follows from the files.
    achieved = stage2.panel_counts(picked, pool.strata(), quotas)
    recorded = {(c.feature, c.value): c.count for c in performed.achieved}
    for (feature, value), count in achieved.items():
        if recorded.get((feature, value)) != count:
            raise DrawMismatch(
                f"The achieved count of {feature}={value}", recorded.get((feature, value)), count
            )
    if len(recorded) != len(achieved):
        raise DrawMismatch("The number of achieved counts", len(recorded), len(achieved))
    probabilities = stage2.selection_probabilities(portfolio, pool)
    summary = stage2.summarise(probabilities, portfolio)
    shown = performed.probability
    recorded_summary = stage2.ProbabilitySummary(
        shown.min_ppm, shown.max_ppm, shown.mean_ppm, shown.zero_count
    )
    if recorded_summary != summary:
        raise DrawMismatch("The selection probability summary", recorded_summary, summary)
    return PanelReport(index, picked, achieved, probabilities, summary)
