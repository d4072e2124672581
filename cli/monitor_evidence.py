"""What the monitor found wrong, and the evidence file it leaves for anyone to check.

An evidence file is self-contained JSON (format ``assembly-ledger/monitor-evidence@v1``): the
kind of misbehaviour, one sentence, the signed checkpoints verbatim, and what ties the claim to
them (a consistency proof, entries' bytes with their inclusion proofs, the server's answer or
what its page shows).
It is written in the state folder's ``evidence/`` before the run ends with exit 1.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tlog.atomic import replace_file
from tlog.merkle import MemoryNodes, inclusion_proof
from tlog.receipt import BadProof

EVIDENCE_FORMAT = "assembly-ledger/monitor-evidence@v1"
EVIDENCE_DIR = "evidence"

FORK, ROLLBACK, CHANGED, UNSIGNED, ENTRY, ROOT, READ_MODEL, PAGE, WITNESS, ORIGIN = (
    "fork",
    "rollback",
    "entry-changed",
    "checkpoint-unsigned",
    "entry-does-not-verify",
    "entries-do-not-give-the-root",
    "read-model-disagrees",
    "page-disagrees",
    "witness-quorum-missing",
    "origin-changed",
)


class Misbehaviour(BadProof):
    """The server showed something its own signed log contradicts (exit 1, evidence written)."""

    def __init__(self, summary: str, evidence: Path) -> None:
        super().__init__(summary)
        self.summary = summary
        self.evidence = evidence

    def sentence(self) -> str:
        return f"Misbehaviour: {self.summary}; the evidence is in {self.evidence}."


class Found(Exception):
    """Misbehaviour seen while checking, before its evidence file is written."""

    def __init__(self, kind: str, summary: str, **details: Any) -> None:
        super().__init__(summary)
        self.kind, self.summary, self.details = kind, summary, details


def write_evidence(folder: Path, found: Found, *, server: str, notes: Sequence[bytes]) -> Path:
    """Write ``found`` with the signed checkpoints ``notes`` into ``folder/evidence``; return
    the file's path."""
    document = {
        "format": EVIDENCE_FORMAT,
        "kind": found.kind,
        "summary": found.summary[0].upper() + found.summary[1:] + ".",
        "server": server,
        "seen_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "checkpoints": [note.decode() for note in notes],
        **found.details,
    }
    data = (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()
    digest = hashlib.sha256(data).hexdigest()[:8]
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / EVIDENCE_DIR / f"{stamp}-{found.kind}-{digest}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, data)
    return path


def proven_entry(entries: Sequence[bytes], nodes: MemoryNodes, seq: int) -> dict[str, Any]:
    """An entry's bytes and its RFC 9162 inclusion proof in the tree of ``nodes``."""
    proof = inclusion_proof(seq, nodes.size, nodes)
    return {
        "seq": seq,
        "entry": entries[seq].decode(errors="replace"),
        "leaf": nodes.node(0, seq).hex(),
        "inclusion_proof": [b64(node) for node in proof],
    }


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
