"""The draws' rules: announce before perform, exactly as announced, randomness after, once."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from typing import Any

import pytest

from domain.draws import (
    AlreadyRecorded,
    AnnouncementMismatch,
    DrawRefused,
    InvitationDraw,
    NoPreviousPanel,
    NotAnnounced,
    NotAPanelMember,
    PanelDraw,
    PanelOutcome,
    Pool,
    PoolNotClosed,
    Portfolio,
    Quota,
    RandomnessInFuture,
    RandomnessTooEarly,
    Register,
    ResultMismatch,
    ThemeGroup,
    VolunteerPool,
    WrongGroupSize,
    commitment_root,
    draw_invitations,
    draw_panel,
    portfolio_digest,
    quota_digest,
)
from domain.draws.stage2 import pool_counts
from domain.events import Recorded, decode
from tests.domain.draws.conftest import (
    ANNOUNCED_AT,
    PERFORMED_AT,
    PUBLIC_VALUE,
    PUBLISHED_AT,
    SOURCE,
    InvitationCase,
    PanelCase,
)

DRAW_ID = "test-assembly/panel-1/stage-2"


def closed_pool(pool: Pool, salts: list[bytes]) -> VolunteerPool:
    aggregate = VolunteerPool.for_panel(1)
    root = commitment_root(pool.records(), salts).hex()
    aggregate.close(
        panel=1,
        pool_root=root,
        pool_size=len(pool),
        counts=pool_counts(pool),
        at=ANNOUNCED_AT - timedelta(days=1),
    )
    return aggregate


def announced_draw(
    pool: Pool, salts: list[bytes], quotas: list[Quota], portfolio: Portfolio
) -> PanelDraw:
    draw = PanelDraw.for_panel(1)
    draw.announce(
        panel=1,
        pool=closed_pool(pool, salts),
        pool_data=pool,
        quotas=quotas,
        portfolio=portfolio,
        draw_id=DRAW_ID,
        randomness_source=SOURCE,
        at=ANNOUNCED_AT,
    )
    return draw


def perform(draw: PanelDraw, case: PanelCase, **changes: object) -> None:
    root = bytes.fromhex(case.announced.pool_root)
    result = draw_panel(
        case.portfolio,
        case.pool,
        case.quotas,
        public_value=PUBLIC_VALUE,
        pool_root=root,
        draw_id=DRAW_ID,
    )
    arguments: dict[str, object] = {
        "panel": 1,
        "pool_root": root.hex(),
        "quota_digest": quota_digest(case.quotas),
        "portfolio_digest": portfolio_digest(case.portfolio),
        "algorithm": case.portfolio.algorithm,
        "randomness_value": PUBLIC_VALUE,
        "randomness_published_at": PUBLISHED_AT,
        "at": PERFORMED_AT,
        **changes,
    }
    draw.perform(result, **arguments)  # type: ignore[arg-type]


@pytest.fixture
def draw(panel_case: PanelCase) -> PanelDraw:
    return announced_draw(
        panel_case.pool, panel_case.salts, panel_case.quotas, panel_case.portfolio
    )


def test_a_panel_draw_cannot_be_performed_before_it_is_announced(panel_case: PanelCase) -> None:
    with pytest.raises(NotAnnounced, match=r"The panel draw of panel 1 has not been announced"):
        perform(PanelDraw.for_panel(1), panel_case)


def test_a_panel_draw_cannot_be_announced_before_the_pool_is_closed(panel_case: PanelCase) -> None:
    with pytest.raises(PoolNotClosed, match=r"The volunteer pool of panel 1 is not closed"):
        PanelDraw.for_panel(1).announce(
            panel=1,
            pool=VolunteerPool.for_panel(1),
            pool_data=panel_case.pool,
            quotas=panel_case.quotas,
            portfolio=panel_case.portfolio,
            draw_id=DRAW_ID,
            randomness_source=SOURCE,
            at=ANNOUNCED_AT,
        )


def test_the_portfolio_must_come_from_the_closed_pool(panel_case: PanelCase) -> None:
    elsewhere = dataclasses.replace(panel_case.portfolio, pool_root="cd" * 32)
    with pytest.raises(
        AnnouncementMismatch, match=r"The pool commitment root differs from the announced"
    ):
        announced_draw(panel_case.pool, panel_case.salts, panel_case.quotas, elsewhere)


def test_a_panel_draw_is_announced_once(draw: PanelDraw, panel_case: PanelCase) -> None:
    with pytest.raises(AlreadyRecorded, match=r"The panel draw announcement of panel 1 is already"):
        draw.announce(
            panel=1,
            pool=closed_pool(panel_case.pool, panel_case.salts),
            pool_data=panel_case.pool,
            quotas=panel_case.quotas,
            portfolio=panel_case.portfolio,
            draw_id=DRAW_ID,
            randomness_source=SOURCE,
            at=ANNOUNCED_AT,
        )


@pytest.mark.parametrize(
    ("field", "value", "name"),
    [
        ("pool_root", "ef" * 32, "pool commitment root"),
        ("quota_digest", "sha256:" + "0" * 64, "quota digest"),
        ("portfolio_digest", "sha256:" + "1" * 64, "portfolio digest"),
        ("algorithm", "maximin", "algorithm"),
    ],
)
def test_a_panel_draw_is_performed_exactly_as_announced(
    draw: PanelDraw, panel_case: PanelCase, field: str, value: str, name: str
) -> None:
    with pytest.raises(AnnouncementMismatch, match=rf"The {name} differs from the announced one"):
        perform(draw, panel_case, **{field: value})


def test_the_public_value_must_be_published_after_the_announcement(
    draw: PanelDraw, panel_case: PanelCase
) -> None:
    with pytest.raises(
        RandomnessTooEarly, match=r"published at 2025-03-01T09:00:00\+00:00, not after"
    ):
        perform(draw, panel_case, randomness_published_at=ANNOUNCED_AT)
    with pytest.raises(RandomnessInFuture, match=r"after the draw itself"):
        perform(draw, panel_case, at=PUBLISHED_AT - timedelta(minutes=1))


def test_a_result_from_another_public_value_is_refused(
    draw: PanelDraw, panel_case: PanelCase
) -> None:
    with pytest.raises(
        ResultMismatch, match=r"The seed given .* is not what the announced draw yields"
    ):
        perform(draw, panel_case, randomness_value="another value")


def test_an_announced_publication_time_binds_the_performance(panel_case: PanelCase) -> None:
    draw = PanelDraw.for_panel(1)
    with pytest.raises(RandomnessTooEarly):
        draw.announce(
            panel=1,
            pool=closed_pool(panel_case.pool, panel_case.salts),
            pool_data=panel_case.pool,
            quotas=panel_case.quotas,
            portfolio=panel_case.portfolio,
            draw_id=DRAW_ID,
            randomness_source=SOURCE,
            at=ANNOUNCED_AT,
            randomness_after=ANNOUNCED_AT,
        )
    draw.announce(
        panel=1,
        pool=closed_pool(panel_case.pool, panel_case.salts),
        pool_data=panel_case.pool,
        quotas=panel_case.quotas,
        portfolio=panel_case.portfolio,
        draw_id=DRAW_ID,
        randomness_source=SOURCE,
        at=ANNOUNCED_AT,
        randomness_after=PUBLISHED_AT,
    )
    with pytest.raises(RandomnessTooEarly, match=r"not after the announcement at 2025-03-08"):
        perform(draw, panel_case, randomness_published_at=PUBLISHED_AT - timedelta(hours=1))


def test_a_panel_draw_is_performed_once_and_survives_a_reload(
    draw: PanelDraw, panel_case: PanelCase
) -> None:
    perform(draw, panel_case)
    with pytest.raises(AlreadyRecorded, match=r"The panel draw of panel 1 is already recorded"):
        perform(draw, panel_case)
    history = [
        Recorded(
            decode(p.event.TYPE, p.event.SCHEMA, p.event.to_payload()), n + 1, n, p.occurred_at, "k"
        )
        for n, p in enumerate(draw.collect())
    ]
    loaded = PanelDraw.load(PanelDraw.stream_for(1), history)
    assert loaded.version == 2
    assert loaded.performed == draw.performed


def has_float(value: object) -> bool:
    if isinstance(value, dict):
        return any(has_float(item) for item in value.values())
    if isinstance(value, list):
        return any(has_float(item) for item in value)
    return isinstance(value, float)


def test_payloads_hold_no_floats_and_stay_far_below_64_kib(
    panel_case: PanelCase, invitation_case: InvitationCase
) -> None:
    events = [
        panel_case.announced,
        panel_case.performed,
        invitation_case.announced,
        invitation_case.performed,
    ]
    for event in events:
        text = json.dumps(event.to_payload(), sort_keys=True)
        assert len(text.encode()) < 16 * 1024
        assert not has_float(json.loads(text)), event.TYPE
        assert decode(event.TYPE, event.SCHEMA, event.to_payload()) == event


def test_a_pool_is_closed_once_with_small_cells_hidden(pool: Pool, pool_salts: list[bytes]) -> None:
    aggregate = closed_pool(pool, pool_salts)
    assert aggregate.closed is not None
    assert aggregate.closed.suppressed_below == 5
    assert all(c.count is None or c.count == 0 or c.count >= 5 for c in aggregate.closed.counts)
    with pytest.raises(AlreadyRecorded, match=r"The volunteer pool of panel 1 is already recorded"):
        aggregate.close(panel=1, pool_root="ab" * 32, pool_size=1, counts={}, at=ANNOUNCED_AT)


def invitation(register: Register, salts: list[bytes]) -> tuple[InvitationDraw, str]:
    draw = InvitationDraw.for_panel(1)
    root = commitment_root(register.records(), salts).hex()
    draw.announce(
        panel=1,
        draw_id="stage-1",
        register_root=root,
        addresses_per_municipality=register.counts(),
        letters=200,
        randomness_source=SOURCE,
        at=ANNOUNCED_AT,
    )
    return draw, root


def test_an_invitation_draw_follows_its_announcement(invitation_case: InvitationCase) -> None:
    case = invitation_case
    result = draw_invitations(
        case.register,
        case.announced.letters_per_municipality,
        public_value=PUBLIC_VALUE,
        register_root=bytes.fromhex(case.announced.register_root),
        draw_id="stage-1",
    )
    with pytest.raises(
        NotAnnounced, match=r"The invitation draw of panel 1 has not been announced"
    ):
        InvitationDraw.for_panel(1).perform(
            result,
            panel=1,
            register_root=case.announced.register_root,
            algorithm=case.announced.algorithm,
            randomness_value=PUBLIC_VALUE,
            randomness_published_at=PUBLISHED_AT,
            at=PERFORMED_AT,
        )
    draw, root = invitation(case.register, case.salts)
    with pytest.raises(AlreadyRecorded, match=r"The invitation draw announcement of panel 1"):
        draw.announce(
            panel=1,
            draw_id="stage-1",
            register_root=root,
            addresses_per_municipality=case.register.counts(),
            letters=200,
            randomness_source=SOURCE,
            at=ANNOUNCED_AT,
        )
    with pytest.raises(AnnouncementMismatch, match=r"The register commitment root differs"):
        draw.perform(
            result,
            panel=1,
            register_root="00" * 32,
            algorithm=case.announced.algorithm,
            randomness_value=PUBLIC_VALUE,
            randomness_published_at=PUBLISHED_AT,
            at=PERFORMED_AT,
        )
    with pytest.raises(AnnouncementMismatch, match=r"The algorithm differs from the announced one"):
        draw.perform(
            result,
            panel=1,
            register_root=root,
            algorithm="my-own-shuffle",
            randomness_value=PUBLIC_VALUE,
            randomness_published_at=PUBLISHED_AT,
            at=PERFORMED_AT,
        )
    with pytest.raises(RandomnessTooEarly, match=r"not after the announcement"):
        draw.perform(
            result,
            panel=1,
            register_root=root,
            algorithm=case.announced.algorithm,
            randomness_value=PUBLIC_VALUE,
            randomness_published_at=ANNOUNCED_AT - timedelta(days=1),
            at=PERFORMED_AT,
        )
    draw.perform(
        result,
        panel=1,
        register_root=root,
        algorithm=case.announced.algorithm,
        randomness_value=PUBLIC_VALUE,
        randomness_published_at=PUBLISHED_AT,
        at=PERFORMED_AT,
    )
    assert draw.performed is not None
    assert draw.performed.selected_root == result.selected_root.hex()


SEATED = [f"P-{n:06d}" for n in range(1, 101)]


def test_a_theme_group_is_drawn_once_from_the_previous_panel() -> None:
    group = ThemeGroup.for_panel(2)
    group.draw(
        panel=2,
        seated=SEATED,
        public_value="Euro Millions 5 12 19 33 41",
        randomness_source=SOURCE,
        randomness_published_at=PUBLISHED_AT,
        draw_id="theme-2",
        at=PERFORMED_AT,
    )
    assert group.formed is not None
    assert group.formed.formed_by == "drawn"
    assert group.formed.from_panel == 1
    assert len(group.formed.pseudonyms) == 25
    assert set(group.formed.pseudonyms) <= set(SEATED)
    with pytest.raises(AlreadyRecorded, match=r"The theme group of panel 2 is already recorded"):
        group.volunteer(panel=2, seated=SEATED, volunteers=SEATED[:25], at=PERFORMED_AT)


def test_a_volunteered_theme_group_has_the_charters_number_of_members() -> None:
    with pytest.raises(WrongGroupSize, match=r"must have 25 distinct members .* not 20"):
        ThemeGroup.for_panel(3).volunteer(
            panel=3, seated=SEATED, volunteers=SEATED[:20], at=PERFORMED_AT
        )
    with pytest.raises(NotAPanelMember, match=r"P-000777 is not a seated member of panel 2"):
        ThemeGroup.for_panel(3).volunteer(
            panel=3, seated=SEATED, volunteers=[*SEATED[:24], "P-000777"], at=PERFORMED_AT
        )
    group = ThemeGroup.for_panel(3)
    group.volunteer(panel=3, seated=SEATED, volunteers=SEATED[:10], size=10, at=PERFORMED_AT)
    assert group.formed is not None
    assert (group.formed.formed_by, group.formed.size, group.formed.seed) == (
        "volunteered",
        10,
        None,
    )


def test_the_first_panel_has_no_theme_group() -> None:
    with pytest.raises(
        NoPreviousPanel, match=r"the first panel's theme is chosen by the government"
    ):
        ThemeGroup.for_panel(1).volunteer(
            panel=1, seated=SEATED, volunteers=SEATED[:25], at=PERFORMED_AT
        )


def _outcome(case: PanelCase) -> PanelOutcome:
    """What the ledger keeps of the panel ``case``'s draw picks, without pool or portfolio."""
    result = draw_panel(
        case.portfolio,
        case.pool,
        case.quotas,
        public_value=PUBLIC_VALUE,
        pool_root=bytes.fromhex(case.announced.pool_root),
        draw_id=DRAW_ID,
    )
    return PanelOutcome(result.seed, result.index, result.selected, result.achieved, result.summary)


def _record(draw: PanelDraw, case: PanelCase, outcome: PanelOutcome) -> None:
    draw.perform(
        outcome,
        panel=1,
        pool_root=case.announced.pool_root,
        quota_digest=quota_digest(case.quotas),
        portfolio_digest=portfolio_digest(case.portfolio),
        algorithm=case.portfolio.algorithm,
        randomness_value=PUBLIC_VALUE,
        randomness_published_at=PUBLISHED_AT,
        at=PERFORMED_AT,
    )


def test_the_recorded_outcome_alone_records_what_the_whole_result_records(
    panel_case: PanelCase,
) -> None:
    from_result = announced_draw(
        panel_case.pool, panel_case.salts, panel_case.quotas, panel_case.portfolio
    )
    perform(from_result, panel_case)
    from_outcome = announced_draw(
        panel_case.pool, panel_case.salts, panel_case.quotas, panel_case.portfolio
    )
    _record(from_outcome, panel_case, _outcome(panel_case))
    assert from_outcome.performed == from_result.performed


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            lambda o: dataclasses.replace(o, achieved=dict(reversed(list(o.achieved.items())))),
            "The strata counted given",
        ),
        (
            lambda o: dataclasses.replace(
                o, summary=dataclasses.replace(o.summary, mean_ppm=o.summary.mean_ppm + 1)
            ),
            r"The mean selection probability \(ppm\) given",
        ),
        (
            lambda o: dataclasses.replace(o, selected=(o.selected[0],) * len(o.selected)),
            "The number of distinct members given",
        ),
        (
            lambda o: dataclasses.replace(o, achieved=dict.fromkeys(o.achieved, 99)),
            "outside the quota",
        ),
    ],
)
def test_a_recorded_outcome_that_the_announcement_rules_out_is_refused(
    draw: PanelDraw, panel_case: PanelCase, change: Any, words: str
) -> None:
    with pytest.raises(DrawRefused, match=words):
        _record(draw, panel_case, change(_outcome(panel_case)))
    assert draw.performed is None
