"""The ledger's rules as data (docs/format.md 9, 10, 18): the role table, the event types only
the charter role writes, the streams' naming and the validity bounds, written into a bundle as
``policy.json`` and read back from it.

A verifier checks that a bundle's rules equal its own before it uses them: a bundle carries its
rules so that a reader sees them, never so that it can loosen them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from ledger.identity import IDENTITY_DECLARED, IDENTITY_STREAM
from ledger.policy import CHARTER_ROLE, LEDGER_PREFIX, RolePolicy
from ledger.signers import ENROLLED, REVOKED, signer_stream

POLICY_FORMAT = "assembly-ledger/policy@v1"
_SIGNER_STREAM_SUFFIX = signer_stream("00" * 16).hex[24:]


def policy_data(policy: RolePolicy) -> dict[str, Any]:
    """The rules a verifier of ``policy`` applies, as the JSON object of docs/format.md 18."""
    return {
        "format": POLICY_FORMAT,
        "roles": {role: sorted(policy.patterns(role)) for role in policy.roles},
        "ledger_types": {
            "prefix": LEDGER_PREFIX,
            "role": CHARTER_ROLE,
            "types": sorted((ENROLLED, REVOKED, IDENTITY_DECLARED)),
        },
        "streams": {
            "namespace": None if policy.namespace is None else str(policy.namespace),
            "name": "uuid5(namespace, UTF-8 name)",
            "signer": {"key_id_bytes": 12, "suffix": _SIGNER_STREAM_SUFFIX},
            "signer_versions": {"1": ENROLLED, "2": REVOKED},
            "identity": str(IDENTITY_STREAM),
        },
        "validity": {
            "valid_from": "inclusive",
            "valid_until": "exclusive; null: no end",
            "compared": "occurred_at, as timestamp strings",
        },
    }


def policy_of(data: Mapping[str, Any]) -> RolePolicy:
    """The role policy a bundle's rules describe (read once they equal the verifier's own)."""
    namespace = data["streams"]["namespace"]
    return RolePolicy(data["roles"], namespace=None if namespace is None else uuid.UUID(namespace))
