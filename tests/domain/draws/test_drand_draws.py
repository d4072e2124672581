"""A panel draw whose public value is a drand round: fixed at the announcement, performed with
its beacon, checked again by ``verify_panel_draw``; each changed part is refused in a sentence.
Stage 1 is drawn on a chain of the chained scheme, whose beacons sign the previous signature."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.draws import (
    AnnouncementMismatch,
    BadBeacon,
    BeaconRefused,
    InvitationDraw,
    PanelDraw,
    RandomnessTooEarly,
    ResultMismatch,
    VolunteerPool,
    commitment_root,
    draw_invitations,
    draw_panel,
    portfolio_digest,
    quota_digest,
    verify_invitation_draw,
    verify_panel_draw,
)
from domain.draws.drand import (
    CHAINED,
    Beacon,
    Chain,
    fixed_round,
    read_beacon,
    read_chain,
    recorded_beacon,
    verify_beacon,
)
from domain.draws.events import (
    DrandBeacon,
    InvitationAnnounced,
    InvitationPerformed,
    PanelAnnounced,
    PanelPerformed,
)
from domain.draws.stage2 import pool_counts
from tests.domain.draws.conftest import ANNOUNCED_AT, SOURCE, InvitationCase, PanelCase
from tests.drand_chain import beacon_json, chain_info, own_chain, sign

CHAIN = own_chain(ANNOUNCED_AT - timedelta(days=30), period=3)
ROUND = CHAIN.first_round_after(ANNOUNCED_AT + timedelta(minutes=10))
DRAW_ID = "test-assembly/panel-1/stage-2"


def _draw(case: PanelCase, *, chain: Chain = CHAIN, beacon: Beacon | None = None) -> PanelDraw:
    """Panel 1's draw announced with ``ROUND`` of ``chain`` and performed with ``beacon``
    (default: the round's own), the seed taken from the beacon's randomness."""
    root = commitment_root(case.pool.records(), case.salts)
    closed = VolunteerPool.for_panel(1)
    closed.close(
        panel=1,
        pool_root=root.hex(),
        pool_size=len(case.pool),
        counts=pool_counts(case.pool),
        at=ANNOUNCED_AT - timedelta(days=1),
    )
    draw = PanelDraw.for_panel(1)
    draw.announce(
        panel=1,
        pool=closed,
        pool_data=case.pool,
        quotas=case.quotas,
        portfolio=case.portfolio,
        draw_id=DRAW_ID,
        randomness_source=SOURCE,
        at=ANNOUNCED_AT,
        drand=fixed_round(chain, ROUND),
    )
    beacon = beacon or sign(chain, ROUND)
    value = beacon.randomness()
    result = draw_panel(
        case.portfolio, case.pool, case.quotas, public_value=value, pool_root=root, draw_id=DRAW_ID
    )
    draw.perform(
        result,
        panel=1,
        pool_root=root.hex(),
        quota_digest=quota_digest(case.quotas),
        portfolio_digest=portfolio_digest(case.portfolio),
        algorithm="legacy",
        randomness_value=value,
        randomness_published_at=chain.round_time(beacon.round),
        at=chain.round_time(beacon.round) + timedelta(hours=1),
        beacon=recorded_beacon(chain, beacon),
    )
    return draw


def _recorded(case: PanelCase) -> tuple[PanelAnnounced, PanelPerformed]:
    announced, performed = (pending.event for pending in _draw(case).collect())
    assert isinstance(announced, PanelAnnounced) and isinstance(performed, PanelPerformed)
    return announced, performed


def _verify(case: PanelCase, announced: PanelAnnounced, performed: PanelPerformed) -> None:
    verify_panel_draw(announced, performed, case.pool, case.salts, case.quotas, case.portfolio)


def test_a_draw_on_a_drand_round_records_the_beacon_and_verifies(panel_case: PanelCase) -> None:
    announced, performed = _recorded(panel_case)
    assert announced.drand is not None and announced.drand.round == ROUND
    assert performed.drand is not None and performed.drand.signature == sign(CHAIN, ROUND).signature
    assert performed.randomness_value == sign(CHAIN, ROUND).randomness()
    assert performed.randomness_published_at == CHAIN.round_time(ROUND)
    _verify(panel_case, announced, performed)


def test_a_round_published_before_or_at_the_announcement_is_refused(panel_case: PanelCase) -> None:
    for before in (timedelta(hours=1), timedelta(0)):
        # a chain whose round ROUND came out ``before`` the announcement
        genesis = ANNOUNCED_AT - before - (ROUND - 1) * timedelta(seconds=3)
        with pytest.raises(RandomnessTooEarly, match="not after the announcement"):
            _draw(panel_case, chain=own_chain(genesis, period=3))


def test_the_beacon_of_another_round_is_refused_at_the_draw(panel_case: PanelCase) -> None:
    with pytest.raises(
        AnnouncementMismatch,
        match=f"drand round differs from the announced one \\(announced {ROUND}",
    ):
        _draw(panel_case, beacon=sign(CHAIN, ROUND + 1))


def test_a_beacon_with_another_signature_is_refused_at_the_draw(panel_case: PanelCase) -> None:
    forged = dataclasses.replace(sign(CHAIN, ROUND), signature=sign(CHAIN, ROUND + 1).signature)
    with pytest.raises(BeaconRefused, match=f"round {ROUND} does not verify: the signature is"):
        _draw(panel_case, beacon=forged)


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ("signature", BeaconRefused, "does not verify: the signature is not the chain's"),
        ("round", AnnouncementMismatch, "The drand round differs from the announced one"),
        ("chain_hash", AnnouncementMismatch, "The drand chain differs from the announced one"),
        ("randomness_value", ResultMismatch, "The public value given"),
        ("randomness_published_at", ResultMismatch, "The publication time given"),
    ],
)
def test_a_changed_record_of_the_beacon_does_not_verify(
    panel_case: PanelCase, change: str, error: type[Exception], words: str
) -> None:
    announced, performed = _recorded(panel_case)
    assert performed.drand is not None
    other = sign(CHAIN, ROUND + 1)
    beacon: DrandBeacon = performed.drand
    changes: dict[str, object] = {}
    if change == "signature":
        beacon = beacon.model_copy(update={"signature": other.signature})
    elif change == "round":
        beacon = beacon.model_copy(update={"round": ROUND + 1})
    elif change == "chain_hash":
        beacon = beacon.model_copy(update={"chain_hash": "ab" * 32})
    elif change == "randomness_value":
        changes["randomness_value"] = other.randomness()
    else:
        changes["randomness_published_at"] = CHAIN.round_time(ROUND + 1)
    tampered = performed.model_copy(update={"drand": beacon, **changes})
    with pytest.raises(error, match=words) as refused:
        _verify(panel_case, announced, tampered)
    assert refused.value.sentence().endswith(".")  # type: ignore[attr-defined]


def test_another_chain_s_key_in_the_announcement_does_not_verify(panel_case: PanelCase) -> None:
    announced, performed = _recorded(panel_case)
    assert announced.drand is not None
    stranger = own_chain(ANNOUNCED_AT, scheme=CHAINED)  # a G1 key where quicknet's is on G2
    other_key = own_chain(ANNOUNCED_AT).public_key[:-2] + "00"  # not on the curve, or another
    for key in (stranger.public_key, other_key):
        fixed = announced.drand.model_copy(update={"public_key": key})
        with pytest.raises(BeaconRefused, match=f"round {ROUND} does not verify"):
            _verify(panel_case, announced.model_copy(update={"drand": fixed}), performed)


def test_a_draw_named_in_words_refuses_a_beacon_and_a_drand_draw_needs_one(
    panel_case: PanelCase,
) -> None:
    announced, performed = _recorded(panel_case)
    with pytest.raises(AnnouncementMismatch, match="announced a value named in words, given a"):
        _verify(panel_case, announced.model_copy(update={"drand": None}), performed)
    with pytest.raises(AnnouncementMismatch, match="announced a drand beacon, given a value"):
        _verify(panel_case, announced, performed.model_copy(update={"drand": None}))


def test_chain_and_beacon_files_are_read_as_drand_publishes_them() -> None:
    chained = own_chain(ANNOUNCED_AT, scheme=CHAINED)
    for chain in (CHAIN, chained):
        assert read_chain(chain_info(chain)) == chain
        beacon = sign(chain, 7)
        assert read_beacon(beacon_json(beacon), chain) == beacon
    with pytest.raises(BadBeacon, match="the randomness given is not SHA-256 of the signature"):
        read_beacon({**beacon_json(sign(CHAIN, 7)), "randomness": "00" * 32}, CHAIN)
    with pytest.raises(BadBeacon, match="the signature has 96 bytes, not 48"):
        read_beacon({"round": 7, "signature": "00" * 96}, CHAIN)
    with pytest.raises(BadBeacon, match="the previous signature is not text"):
        read_beacon({"round": 7, "signature": "00" * 96}, chained)
    with pytest.raises(BadBeacon, match="the round is not a whole number from 1"):
        read_beacon({"round": "7", "signature": "00" * 48}, CHAIN)
    with pytest.raises(BadBeacon, match="scheme 'bls-bn254' is not one of"):
        read_chain({**chain_info(CHAIN), "schemeID": "bls-bn254"})


def test_the_first_round_after_a_moment_is_published_strictly_after_it() -> None:
    for seconds in (0, 1, 2, 3, 299, 300, 301):
        moment = CHAIN.round_time(100) + timedelta(seconds=seconds)
        first = CHAIN.first_round_after(moment)
        assert CHAIN.round_time(first) > moment >= CHAIN.round_time(first - 1)
    before = CHAIN.round_time(1) - timedelta(days=1)
    assert CHAIN.first_round_after(before) == 1


def test_letters_drawn_on_a_round_of_a_chained_chain_verify_and_a_changed_link_does_not(
    invitation_case: InvitationCase,
) -> None:
    """Stage 1 on a chain of drand's ``default`` scheme: the beacon signs the previous signature
    too, which the record keeps and the verification checks."""
    chain = own_chain(ANNOUNCED_AT - timedelta(days=30), period=30, scheme=CHAINED)
    number = chain.first_round_after(ANNOUNCED_AT)
    beacon = sign(chain, number, previous="ab" * 96)
    register, salts = invitation_case.register, invitation_case.salts
    root = commitment_root(register.records(), salts)
    draw = InvitationDraw.for_panel(1)
    draw.announce(
        panel=1,
        draw_id="test-assembly/panel-1/stage-1",
        register_root=root.hex(),
        addresses_per_municipality=register.counts(),
        letters=200,
        randomness_source=SOURCE,
        at=ANNOUNCED_AT,
        drand=fixed_round(chain, number),
    )
    letters = invitation_case.announced.letters_per_municipality
    result = draw_invitations(
        register,
        letters,
        public_value=beacon.randomness(),
        register_root=root,
        draw_id="test-assembly/panel-1/stage-1",
    )
    draw.perform(
        result,
        panel=1,
        register_root=root.hex(),
        algorithm=invitation_case.announced.algorithm,
        randomness_value=beacon.randomness(),
        randomness_published_at=chain.round_time(number),
        at=chain.round_time(number) + timedelta(minutes=5),
        beacon=recorded_beacon(chain, beacon),
    )
    announced, performed = (pending.event for pending in draw.collect())
    assert isinstance(announced, InvitationAnnounced)
    assert isinstance(performed, InvitationPerformed) and performed.drand is not None
    assert performed.drand.previous_signature == "ab" * 96
    verify_invitation_draw(announced, performed, register, salts)
    link = performed.drand.model_copy(update={"previous_signature": "cd" * 96})
    with pytest.raises(BeaconRefused, match=f"round {number} does not verify: the signature"):
        verify_invitation_draw(
            announced, performed.model_copy(update={"drand": link}), register, salts
        )


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
_FIELDS = ("round", "signature", "previous_signature", "randomness")


@given(
    st.fixed_dictionaries({}, optional={name: _JSON | st.just("ab" * 48) for name in _FIELDS}),
    st.sampled_from([CHAIN, own_chain(ANNOUNCED_AT, scheme=CHAINED)]),
)
def test_any_json_is_a_beacon_or_refused_in_a_sentence(
    document: dict[str, object], chain: Chain
) -> None:
    try:
        beacon = read_beacon(document, chain)
    except BadBeacon as refused:
        assert refused.sentence().startswith("The drand chain or beacon cannot be read: ")
        return
    try:
        verify_beacon(chain, beacon)
    except BeaconRefused as refused:
        assert refused.sentence().startswith(f"The drand beacon of round {beacon.round} ")
