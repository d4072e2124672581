"""Which role may write which family of events (docs/design.md 3.3).

A plain table: the composition root hands it to the ledger as its role policy, so the domain
does not depend on the ledger's types. ``family.*`` matches every event type of a family.
"""

from __future__ import annotations

from enum import StrEnum

CORRECTION = "assembly.correction.recorded"


class Role(StrEnum):
    """The roles a key can be enrolled with: the keys of ``ROLE_GRANTS``, named once for the
    command line's choices."""

    CHARTER = "charter"
    SECRETARIAT = "secretariat"
    GOVERNMENT = "government"
    COMMISSION = "commission"
    LOG = "log"


ROLE_GRANTS: dict[str, tuple[str, ...]] = {
    "charter": ("assembly.charter.*", "assembly.commission.member_recorded", CORRECTION),
    "secretariat": (
        "assembly.panel.*",
        "assembly.draw.*",
        "assembly.pool.*",
        "assembly.evidence.*",
        "assembly.deliberation.*",
        "assembly.recommendation.*",
        "assembly.review.*",
        "assembly.theme.*",
        CORRECTION,
    ),
    "government": ("assembly.government.*", CORRECTION),
    "commission": ("assembly.commission.*", CORRECTION),
    "log": (),
}
