"""Read models folded from the ledger (recommendation status, deadlines, audit trail)."""
