"""Every published drand round of the shared vectors (``vectors/drand/beacons.json``, drand's
``default`` and ``quicknet`` chains, with corruption probes) gives its expected answer: a valid
beacon verifies and yields drand's randomness; a probe fails with a sentence."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.draws.drand import KNOWN_CHAINS, Beacon, Chain, verify_beacon
from domain.draws.errors import BeaconRefused
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
