"""A transparency log, on its own: the RFC 9162 Merkle tree and its proofs, signed notes and
checkpoints (C2SP signed-note, tlog-checkpoint), receipts, static tiles (C2SP tlog-tiles) and
witnessing (C2SP tlog-cosignature, tlog-witness).

It knows nothing of events, event sourcing or assemblies: its leaves are bytes. ``ledger`` keeps
the signed store and feeds it leaves; an import-linter contract keeps the two apart.
"""
