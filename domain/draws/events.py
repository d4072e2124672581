"""The draws' events: what the ledger keeps of each draw (docs/design.md 4 and 5).

Every payload names the panel the draw is for. Roots are 64 lowercase hex digits (a Merkle tree
hash), file digests ``sha256:<hex>``, probabilities integers in millionths (ppm), times RFC 3339
with a zone. No payload holds a list of 10,000 addresses: stage 1 keeps the Merkle root of the
selected indices and the counts per municipality, so every entry stays far below 64 KiB.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from domain.events import Event, register, upcaster

Panel = Annotated[int, Field(ge=1)]
Root = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Digest = Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]
Text = Annotated[str, Field(min_length=1, max_length=500)]
Count = Annotated[int, Field(ge=0)]
Ppm = Annotated[int, Field(ge=0, le=1_000_000)]
Hex = Annotated[str, Field(pattern=r"^[0-9a-f]{2,384}$")]
Whole = Annotated[int, Field(ge=1)]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StratumCount(_Part):
    """People with feature = value; ``None`` when the cell is too small to publish."""

    feature: Text
    value: Text
    count: Count | None


class QuotaLine(_Part):
    """One line of the quota table, with the value's population share if the table gives it."""

    feature: Text
    value: Text
    min: Count
    max: Count
    population_ppm: Ppm | None = None


class ProbabilitySummary(_Part):
    """Selection probabilities over the pool, from the portfolio, in ppm."""

    min_ppm: Ppm
    max_ppm: Ppm
    mean_ppm: Ppm
    zero_count: Count


class DrandRound(_Part):
    """A drand round fixed at the announcement: its chain, as drand's ``/info`` gives it, and the
    round, published after the announcement (``domain.draws.drand``)."""

    chain_hash: Root
    public_key: Hex
    scheme: Literal["pedersen-bls-chained", "bls-unchained-g1-rfc9380"]
    genesis_time: Whole
    period_seconds: Whole
    round: Whole


class DrandBeacon(_Part):
    """The announced round's beacon, which anyone checks against the announced chain's key."""

    chain_hash: Root
    round: Whole
    signature: Hex
    previous_signature: Hex | None = None


def _no_drand(payload: dict[str, Any]) -> dict[str, Any]:
    """Before drand rounds, a draw's public value was named in words only."""
    return {**payload, "drand": None}


@register
class InvitationAnnounced(Event):
    """Stage 1 announced: the register is committed before the public value exists.
    Schema 2 added the drand round the value will be (None for a value named in words)."""

    TYPE = "assembly.draw.invitation_announced"
    SCHEMA = 2

    panel: Panel
    draw_id: Text
    register_root: Root
    register_size: Count
    addresses_per_municipality: dict[str, Count]
    letters: Count
    letters_per_municipality: dict[str, Count]
    randomness_source: Text
    algorithm: Text
    drand: DrandRound | None = None


upcaster(InvitationAnnounced.TYPE, 1)(_no_drand)


@register
class InvitationPerformed(Event):
    """Stage 1 performed: the public value, the seed, and the addresses drawn (as a root).
    Schema 2 added the drand beacon of the announced round (None for a value named in words)."""

    TYPE = "assembly.draw.invitation_performed"
    SCHEMA = 2

    panel: Panel
    draw_id: Text
    register_root: Root
    algorithm: Text
    randomness_source: Text
    randomness_value: Text
    randomness_published_at: AwareDatetime
    seed: Root
    selected_root: Root
    selected_count: Count
    selected_per_municipality: dict[str, Count]
    drand: DrandBeacon | None = None


upcaster(InvitationPerformed.TYPE, 1)(_no_drand)


@register
class PoolClosed(Event):
    """The volunteers who said yes, committed; small cells of the counts are hidden."""

    TYPE = "assembly.pool.closed"

    panel: Panel
    pool_root: Root
    pool_size: Count
    counts: list[StratumCount]
    suppressed_below: Count


@register
class PanelAnnounced(Event):
    """Stage 2 announced: pool, quotas and portfolio committed before the public value.
    Schema 2 added each quota line's population share (ppm, or None when the table has none),
    schema 3 the drand round the value will be (None for a value named in words)."""

    TYPE = "assembly.draw.panel_announced"
    SCHEMA = 3

    panel: Panel
    draw_id: Text
    pool_root: Root
    pool_size: Count
    quotas: list[QuotaLine]
    quota_digest: Digest
    portfolio_digest: Digest
    portfolio_size: Annotated[int, Field(ge=1)]
    panel_size: Annotated[int, Field(ge=1)]
    algorithm: Text
    pick_algorithm: Text
    solver: Text
    versions: dict[str, Text]
    library_seed: Annotated[int, Field(ge=1)]
    randomness_source: Text
    randomness_after: AwareDatetime | None = None
    drand: DrandRound | None = None


@upcaster(PanelAnnounced.TYPE, 1)
def _panel_announced_v1(payload: dict[str, Any]) -> dict[str, Any]:
    """Schema 1's quota tables had no population shares: an old announcement gave none."""
    lines = [{**line, "population_ppm": None} for line in payload["quotas"]]
    return {**payload, "quotas": lines}


upcaster(PanelAnnounced.TYPE, 2)(_no_drand)


@register
class PanelPerformed(Event):
    """Stage 2 performed: the panel picked from the portfolio by the public value.
    Schema 2 added the drand beacon of the announced round (None for a value named in words)."""

    TYPE = "assembly.draw.panel_performed"
    SCHEMA = 2

    panel: Panel
    draw_id: Text
    pool_root: Root
    quota_digest: Digest
    portfolio_digest: Digest
    algorithm: Text
    randomness_source: Text
    randomness_value: Text
    randomness_published_at: AwareDatetime
    seed: Root
    panel_index: Count
    selected: list[Text]
    achieved: list[StratumCount]
    probability: ProbabilitySummary
    drand: DrandBeacon | None = None


upcaster(PanelPerformed.TYPE, 1)(_no_drand)


@register
class ThemeGroupFormed(Event):
    """The citizens of the previous panel who choose this panel's theme, and how."""

    TYPE = "assembly.theme.group_formed"

    panel: Panel
    from_panel: Panel
    formed_by: Literal["drawn", "volunteered"]
    size: Annotated[int, Field(ge=1)]
    pseudonyms: list[Text]
    draw_id: Text | None = None
    randomness_source: Text | None = None
    randomness_value: Text | None = None
    randomness_published_at: AwareDatetime | None = None
    seed: Root | None = None
