"""drand beacons: a public value nobody in the process controls, checkable offline (docs/format.md).

A drand chain (the League of Entropy's ``default`` and ``quicknet``) publishes, every ``period``
seconds from ``genesis_time``, a round: a BLS12-381 threshold signature of the round number.
Round ``r`` is published at ``genesis_time + (r - 1) * period``. What is signed depends on the
chain's scheme (drand's ``crypto/schemes.go``):

- ``pedersen-bls-chained`` (``default``): public key on G1, signature on G2; message
  ``SHA-256(previous_signature || r as 8 bytes big-endian)``, hashed to G2 with the DST
  ``BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_``.
- ``bls-unchained-g1-rfc9380`` (``quicknet``): public key on G2, signature on G1; message
  ``SHA-256(r as 8 bytes big-endian)``, hashed to G1 (RFC 9380) with the DST
  ``BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_``.

The beacon's randomness is ``SHA-256(signature)``, written as 64 lowercase hex digits: that text
is the draw's public value, turned into a seed as any other (``commit.draw_seed``). The check is
``e(signature, g2) == e(H(message), public key)`` (or its mirror on the other group), computed
with py-arkworks-bls12381, which also refuses points off the curve or outside the subgroup.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.draws.errors import (
    AnnouncementMismatch,
    BadBeacon,
    BeaconRefused,
    RandomnessTooEarly,
    ResultMismatch,
)
from domain.draws.events import DrandBeacon, DrandRound

CHAINED = "pedersen-bls-chained"
UNCHAINED_G1 = "bls-unchained-g1-rfc9380"
SCHEMES = (CHAINED, UNCHAINED_G1)
DST = {
    CHAINED: b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_",
    UNCHAINED_G1: b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_",
}
# Bytes of a compressed point: G1 48, G2 96; the public key is on the other group.
_SIGNATURE_BYTES = {CHAINED: 96, UNCHAINED_G1: 48}
_KEY_BYTES = {CHAINED: 48, UNCHAINED_G1: 96}


@dataclass(frozen=True)
class Chain:
    """A drand chain as its ``/info`` publishes it: what a draw fixes at its announcement."""

    chain_hash: str
    public_key: str
    scheme: str
    genesis_time: int
    period_seconds: int

    def round_time(self, number: int) -> datetime:
        """When round ``number`` is published."""
        seconds = self.genesis_time + (number - 1) * self.period_seconds
        return datetime.fromtimestamp(seconds, UTC)

    def first_round_after(self, moment: datetime) -> int:
        """The first round published strictly after ``moment``."""
        elapsed = (moment - self.round_time(1)) // timedelta(seconds=self.period_seconds)
        return max(1, int(elapsed) + 2)


@dataclass(frozen=True)
class Beacon:
    """One round of a chain, as drand's ``/public/{round}`` returns it."""

    round: int
    signature: str
    previous_signature: str | None = None

    def randomness(self) -> str:
        """The beacon's randomness as drand derives it: SHA-256(signature), in hex."""
        return hashlib.sha256(bytes.fromhex(self.signature)).hexdigest()


def info_hash(
    *, period_seconds: int, genesis_time: int, public_key: str, group_hash: str, beacon_id: str
) -> str:
    """A chain's hash as drand computes it from its ``/info`` (``chain.Info.Hash``): SHA-256 of
    the period in seconds (4 bytes big-endian), the genesis time (8 bytes big-endian, signed),
    the public key, the group file's hash and, for any beacon but ``default``, the beacon's id."""
    message = struct.pack(">Iq", period_seconds, genesis_time)
    message += bytes.fromhex(public_key) + bytes.fromhex(group_hash)
    if beacon_id not in ("", "default"):
        message += beacon_id.encode("utf-8")
    return hashlib.sha256(message).hexdigest()


KNOWN_CHAINS = {
    "default": Chain(
        chain_hash="8990e7a9aaed2ffed73dbd7092123d6f289930540d7651336225dc172e51b2ce",
        public_key="868f005eb8e6e4ca0a47c8a77ceaa5309a47978a7c71bc5cce96366b5d7a5699"
        "37c529eeda66c7293784a9402801af31",
        scheme=CHAINED,
        genesis_time=1595431050,
        period_seconds=30,
    ),
    "quicknet": Chain(
        chain_hash="52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
        public_key="83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c"
        "8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb"
        "5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
        scheme=UNCHAINED_G1,
        genesis_time=1692803367,
        period_seconds=3,
    ),
}


# The group hash and beacon id of each known chain, as its /info publishes them: with the other
# fields they give its chain hash (``info_hash``), which is how the figures above are checked.
KNOWN_GROUPS = {
    "default": ("176f93498eac9ca337150b46d21dd58673ea4e3581185f869672e59fa4cb390a", "default"),
    "quicknet": ("f477d5c89f21a17c863a7f937c6a6d15859414d2be09cd448d4279af331c5d3e", "quicknet"),
}


def _hex(value: object, what: str, size: int | None = None) -> str:
    """``value`` as lowercase hex of ``size`` bytes, or ``BadBeacon`` naming ``what``."""
    if not isinstance(value, str):
        raise BadBeacon(f"{what} is not text")
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise BadBeacon(f"{what} is not hexadecimal") from None
    if size is not None and len(raw) != size:
        raise BadBeacon(f"{what} has {len(raw)} bytes, not {size}")
    return raw.hex()


def _whole(value: object, what: str, bits: int = 63) -> int:
    """``value`` as a whole number from 1 that fits drand's field of ``bits`` bits (unsigned;
    63 for a signed 64-bit one), or ``BadBeacon`` naming ``what``."""
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value < 2**bits:
        raise BadBeacon(f"{what} is not a whole number from 1 to {2**bits - 1}")
    return value


def read_chain(info: Mapping[str, Any]) -> Chain:
    """A chain from drand's ``/info`` JSON (``public_key``, ``period``, ``genesis_time``,
    ``hash``, ``schemeID``); a missing or malformed field is a ``BadBeacon``, and so is a chain
    hash that is not drand's hash of those fields when the ``groupHash`` (and, beyond the
    ``default`` beacon, ``metadata.beaconID``) it covers are given."""
    scheme = info.get("schemeID", CHAINED)
    if scheme not in SCHEMES:
        raise BadBeacon(f"the chain's scheme {scheme!r} is not one of {', '.join(SCHEMES)}")
    chain = Chain(
        chain_hash=_hex(info.get("hash"), "the chain hash", 32),
        public_key=_hex(info.get("public_key"), "the chain's public key", _KEY_BYTES[scheme]),
        scheme=scheme,
        genesis_time=_whole(info.get("genesis_time"), "the chain's genesis time"),
        period_seconds=_whole(info.get("period"), "the chain's period", 32),
    )
    if "groupHash" in info:
        metadata = info.get("metadata")
        beacon_id = metadata.get("beaconID", "") if isinstance(metadata, Mapping) else ""
        if not isinstance(beacon_id, str):
            raise BadBeacon("the chain's beacon id is not text")
        computed = info_hash(
            period_seconds=chain.period_seconds,
            genesis_time=chain.genesis_time,
            public_key=chain.public_key,
            group_hash=_hex(info["groupHash"], "the chain's group hash", 32),
            beacon_id=beacon_id,
        )
        if computed != chain.chain_hash:
            raise BadBeacon(
                f"the chain hash {chain.chain_hash} is not the hash of the chain's own fields "
                f"(period, genesis time, public key, group hash, beacon id give {computed})"
            )
    return chain


def read_beacon(data: Mapping[str, Any], chain: Chain) -> Beacon:
    """A beacon of ``chain`` from drand's ``/public/{round}`` JSON (``round``, ``signature``,
    ``previous_signature`` on a chained scheme, ``randomness`` checked when given)."""
    size = _SIGNATURE_BYTES[chain.scheme]
    previous = None
    if chain.scheme == CHAINED:
        previous = _hex(data.get("previous_signature"), "the previous signature", size)
    beacon = Beacon(
        round=_whole(data.get("round"), "the round"),
        signature=_hex(data.get("signature"), "the signature", size),
        previous_signature=previous,
    )
    given = data.get("randomness")
    if given is not None and _hex(given, "the randomness") != beacon.randomness():
        raise BadBeacon("the randomness given is not SHA-256 of the signature")
    return beacon


def message(chain: Chain, beacon: Beacon) -> bytes:
    """The bytes the chain signed for this round (before hashing to the curve)."""
    number = beacon.round.to_bytes(8, "big")
    if chain.scheme == CHAINED:
        return hashlib.sha256(bytes.fromhex(beacon.previous_signature or "") + number).digest()
    return hashlib.sha256(number).digest()


def verify_beacon(chain: Chain, beacon: Beacon) -> None:
    """Raise ``BeaconRefused`` unless ``beacon`` carries the chain's signature of its round."""
    # Imported here: the library is needed only when a beacon is checked.
    from py_arkworks_bls12381 import GT, G1Point, G2Point

    if chain.scheme not in SCHEMES:
        raise BeaconRefused(beacon.round, f"the scheme {chain.scheme!r} is not supported")
    dst = DST[chain.scheme]
    try:
        signed = message(chain, beacon)
        signature = bytes.fromhex(beacon.signature)
        key = bytes.fromhex(chain.public_key)
        if chain.scheme == CHAINED:
            left = GT.pairing(G1Point(), G2Point.from_compressed_bytes(signature))
            right = GT.pairing(
                G1Point.from_compressed_bytes(key), G2Point.hash_to_curve(signed, dst)
            )
        else:
            left = GT.pairing(G1Point.from_compressed_bytes(signature), G2Point())
            right = GT.pairing(
                G1Point.hash_to_curve(signed, dst), G2Point.from_compressed_bytes(key)
            )
    except ValueError:
        raise BeaconRefused(
            beacon.round,
            "a signature or the public key is not a compressed point of the curve in hex",
        ) from None
    if left != right:
        raise BeaconRefused(beacon.round, "the signature is not the chain's for this round")


def fixed_round(chain: Chain, number: int) -> DrandRound:
    """What an announcement records of a drand round: the chain and the round's number."""
    return DrandRound(
        chain_hash=chain.chain_hash,
        public_key=chain.public_key,
        scheme=chain.scheme,  # type: ignore[arg-type]  # one of SCHEMES, as read_chain checks
        genesis_time=chain.genesis_time,
        period_seconds=chain.period_seconds,
        round=number,
    )


def recorded_beacon(chain: Chain, beacon: Beacon) -> DrandBeacon:
    """What a performed draw records of the beacon: its chain, round and signatures."""
    return DrandBeacon(
        chain_hash=chain.chain_hash,
        round=beacon.round,
        signature=beacon.signature,
        previous_signature=beacon.previous_signature,
    )


def chain_of(fixed: DrandRound) -> Chain:
    """The chain an announcement fixed."""
    return Chain(
        fixed.chain_hash, fixed.public_key, fixed.scheme, fixed.genesis_time, fixed.period_seconds
    )


def check_round_after(fixed: DrandRound, announced_at: datetime) -> None:
    """Raise unless the fixed round is published after the announcement."""
    published = chain_of(fixed).round_time(fixed.round)
    if published <= announced_at:
        raise RandomnessTooEarly(published.isoformat(), announced_at.isoformat())


def check_drand_draw(
    fixed: DrandRound | None,
    beacon: DrandBeacon | None,
    *,
    randomness_value: str,
    randomness_published_at: datetime,
) -> None:
    """Raise unless a draw's public value is the announced round's beacon, verified against
    the announced chain, its randomness the value and its round's time the publication time
    (nothing to check when the draw named its value in words)."""
    if fixed is None and beacon is None:
        return
    if fixed is None or beacon is None:
        words, drand_round = "a value named in words", "a drand beacon"
        announced, given = (words, drand_round) if fixed is None else (drand_round, words)
        raise AnnouncementMismatch("randomness source", announced, given)
    if beacon.chain_hash != fixed.chain_hash:
        raise AnnouncementMismatch("drand chain", fixed.chain_hash, beacon.chain_hash)
    if beacon.round != fixed.round:
        raise AnnouncementMismatch("drand round", fixed.round, beacon.round)
    chain = chain_of(fixed)
    signed = Beacon(beacon.round, beacon.signature, beacon.previous_signature)
    verify_beacon(chain, signed)
    if randomness_value != signed.randomness():
        raise ResultMismatch("public value", signed.randomness(), randomness_value)
    published = chain.round_time(fixed.round)
    if randomness_published_at != published:
        raise ResultMismatch(
            "publication time", published.isoformat(), randomness_published_at.isoformat()
        )
