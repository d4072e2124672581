"""The signed, hash-chained event store and its verification. Knows nothing of assemblies.

Public names: ``Ledger`` (open, create, append), ``NewEvent``, ``SignedEvent``, ``Entry``,
``Head``, ``Signer``, ``PublicKey``, ``RolePolicy``, ``verification_report`` and the errors in
``ledger.errors``.
"""

from ledger.entry import Entry, Head, NewEvent, SignedEvent, sign_events
from ledger.keys import PublicKey, Signer, load_signer
from ledger.ledger import Ledger
from ledger.policy import CHARTER_ROLE, RolePolicy
from ledger.verify import Report, verification_report

__all__ = [
    "CHARTER_ROLE",
    "Entry",
    "Head",
    "Ledger",
    "NewEvent",
    "PublicKey",
    "Report",
    "RolePolicy",
    "SignedEvent",
    "Signer",
    "load_signer",
    "sign_events",
    "verification_report",
]
