"""Every published drand round of the shared vectors (``vectors/drand/beacons.json``, drand's
``default`` and ``quicknet`` chains, with corruption probes) gives its expected answer: a valid
beacon verifies and yields drand's randomness; a probe fails with a sentence."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.draws.drand import (
    KNOWN_CHAINS,
    KNOWN_GROUPS,
    Beacon,
    Chain,
    info_hash,
    read_chain,
    verify_beacon,
)
from domain.draws.errors import BadBeacon, BeaconRefused
from tests.shared_vectors import absent, shared_vectors

SUITE = shared_vectors() / "drand" / "beacons.json"


def _suite() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SUITE.read_text(encoding="utf-8"))
    return document


def _cases() -> list[Any]:
    if not SUITE.is_file():
        return absent(SUITE)
    return [pytest.param(case, id=case["desc"]) for case in _suite()["cases"]]


def _chain(name: str) -> Chain:
    """The vectors' chain, with its genesis and hash from drand's published chain information."""
    written = _suite()["chains"][name]
    known = KNOWN_CHAINS[name]
    assert (written["scheme"], written["public_key"]) == (known.scheme, known.public_key)
    assert written["period_seconds"] == known.period_seconds
    assert written.get("chain_hash", known.chain_hash) == known.chain_hash
    return known


def _beacon(case: dict[str, Any]) -> Beacon:
    return Beacon(case["round"], case["signature"], case["previous_signature"] or None)


@pytest.mark.parametrize("case", _cases())
def test_each_vector_gives_its_expected_answer(case: dict[str, Any] | None) -> None:
    assert case is not None, f"the shared drand vectors are not at {SUITE}"
    chain, beacon = _chain(case["chain"]), _beacon(case)
    if case["valid"]:
        verify_beacon(chain, beacon)
        assert beacon.randomness() == case["randomness"]
    else:
        with pytest.raises(BeaconRefused, match=f"round {case['round']} does not verify") as no:
            verify_beacon(chain, beacon)
        assert no.value.sentence().endswith("for the announced round.")


def test_the_suite_has_valid_rounds_and_probes_of_both_chains() -> None:
    if not SUITE.is_file():
        pytest.skip(f"{SUITE} is absent")
    seen = {(case["chain"], case["valid"]) for case in _suite()["cases"]}
    assert seen == {("default", True), ("default", False), ("quicknet", True), ("quicknet", False)}


def _published_info(name: str) -> dict[str, Any]:
    """The chain's ``/info`` as drand publishes it, from the constants a draw announces."""
    chain, (group_hash, beacon_id) = KNOWN_CHAINS[name], KNOWN_GROUPS[name]
    return {
        "public_key": chain.public_key,
        "period": chain.period_seconds,
        "genesis_time": chain.genesis_time,
        "hash": chain.chain_hash,
        "groupHash": group_hash,
        "schemeID": chain.scheme,
        "metadata": {"beaconID": beacon_id},
    }


@pytest.mark.parametrize("name", sorted(KNOWN_CHAINS))
def test_each_known_chain_hash_is_drands_hash_of_its_own_fields(name: str) -> None:
    """The chain hash binds the period, genesis time, public key and group: computed as drand
    does, it gives quicknet's hash as the vectors hold it, so the formula is right, and then the
    default chain's, which the vectors do not hold, so its genesis time is right too."""
    chain, (group_hash, beacon_id) = KNOWN_CHAINS[name], KNOWN_GROUPS[name]
    fields = {"public_key": chain.public_key, "group_hash": group_hash, "beacon_id": beacon_id}
    computed = info_hash(
        period_seconds=chain.period_seconds, genesis_time=chain.genesis_time, **fields
    )
    assert computed == chain.chain_hash
    if SUITE.is_file():
        written = _suite()["chains"][name]
        assert written["public_key"] == chain.public_key
        assert written["period_seconds"] == chain.period_seconds
        if "chain_hash" in written:  # quicknet's: the formula is drand's
            assert written["chain_hash"] == computed
    assert read_chain(_published_info(name)) == chain
    moved = info_hash(
        period_seconds=chain.period_seconds, genesis_time=chain.genesis_time + 1, **fields
    )
    assert moved != chain.chain_hash


@pytest.mark.parametrize("field", ["genesis_time", "period", "groupHash", "metadata"])
def test_a_chain_whose_hash_is_not_that_of_its_fields_is_refused(field: str) -> None:
    info = _published_info("quicknet")
    info[field] = {
        "genesis_time": info["genesis_time"] + 3,
        "period": 30,
        "groupHash": "00" * 32,
        "metadata": {"beaconID": "default"},
    }[field]
    with pytest.raises(BadBeacon, match="is not the hash of the chain's own fields"):
        read_chain(info)


@pytest.mark.parametrize(("field", "value"), [("period", 2**32), ("genesis_time", 2**63)])
def test_a_chain_whose_numbers_do_not_fit_drands_fields_is_refused_in_a_sentence(
    field: str, value: int
) -> None:
    with pytest.raises(BadBeacon, match=f"is not a whole number from 1 to {value - 1}"):
        read_chain({**_published_info("quicknet"), field: value})
