"""A drand chain of the tests' own, with a synthetic secret key that signs any round.

The League of Entropy's published rounds (the shared vectors) are all in the past, so a draw
announced now cannot name one; this chain signs as quicknet does (``bls-unchained-g1-rfc9380``:
signature on G1, public key on G2, message SHA-256 of the round) or as the default chain does
(``pedersen-bls-chained``), from a genesis the test chooses, so a draw can name a round published
seconds after its announcement and be performed with its beacon.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from py_arkworks_bls12381 import G1Point, G2Point, Scalar

from domain.draws.drand import CHAINED, DST, UNCHAINED_G1, Beacon, Chain, info_hash, message

SECRET = Scalar(20_261_205_0001)
GROUP_HASH = hashlib.sha256(b"the tests' own drand group").hexdigest()
BEACON_ID = "tests"


def own_chain(genesis: datetime, *, period: int = 1, scheme: str = UNCHAINED_G1) -> Chain:
    """A chain whose round 1 is published at ``genesis`` and one more every ``period`` seconds."""
    key = bytes(((G1Point() if scheme == CHAINED else G2Point()) * SECRET).to_compressed_bytes())
    fields = {"genesis_time": int(genesis.timestamp()), "period_seconds": period}
    return Chain(
        chain_hash=info_hash(
            public_key=key.hex(), group_hash=GROUP_HASH, beacon_id=BEACON_ID, **fields
        ),
        public_key=key.hex(),
        scheme=scheme,
        **fields,
    )


def sign(chain: Chain, number: int, previous: str | None = None) -> Beacon:
    """The chain's beacon of round ``number`` (a chained scheme signs ``previous`` too)."""
    if chain.scheme == CHAINED:
        previous = previous or "00" * 96
    unsigned = Beacon(number, "", previous)
    signed = message(chain, unsigned)
    point = G2Point if chain.scheme == CHAINED else G1Point
    signature = point.hash_to_curve(signed, DST[chain.scheme]) * SECRET
    return Beacon(number, bytes(signature.to_compressed_bytes()).hex(), previous)


def chain_info(chain: Chain) -> dict[str, Any]:
    """The chain as drand's ``/info`` answers."""
    return {
        "public_key": chain.public_key,
        "period": chain.period_seconds,
        "genesis_time": chain.genesis_time,
        "hash": chain.chain_hash,
        "schemeID": chain.scheme,
        "groupHash": GROUP_HASH,
        "metadata": {"beaconID": BEACON_ID},
    }


def beacon_json(beacon: Beacon) -> dict[str, Any]:
    """The beacon as drand's ``/public/{round}`` answers."""
    answer: dict[str, Any] = {
        "round": beacon.round,
        "randomness": beacon.randomness(),
        "signature": beacon.signature,
    }
    if beacon.previous_signature is not None:
        answer["previous_signature"] = beacon.previous_signature
    return answer
