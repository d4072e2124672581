"""The evidence a witness keeps of every fork it refused.

c2sp.org/tlog-witness lets a witness log a request whose checkpoint is signed by the log but
that it refuses, "as it might be proof of log misbehavior". This witness keeps every such
refusal that shows two histories under one log key: a checkpoint at the size it already
cosigned with another root (409), or a checkpoint whose consistency proof from the one it
cosigned does not hold (422). Each is one JSON file in ``evidence/`` of the witness's
directory, self-contained: both signed checkpoints, the old size and the proof lines exactly as
sent, so anyone holding the log's verifier key can check the log signed both and that they
cannot be one history. The file is named by the hash of the request, so a request sent again
is kept once.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from tlog.atomic import replace_file
from tlog.checkpoint import parse_checkpoint
from tlog.note import parse_note
from tlog.witness import AddCheckpoint, LogState, WitnessRefusal, WitnessStorageError

EVIDENCE_DIR = "evidence"
EVIDENCE_FORMAT = "assembly-ledger/witness-evidence@v1"


@dataclass(frozen=True)
class Evidence:
    """One refused fork, as kept: who refused what, and the two checkpoints that disagree."""

    path: Path
    origin: str
    status: int
    reason: str
    received_at: int
    cosigned_size: int
    cosigned_checkpoint: str | None
    refused_size: int
    refused_checkpoint: str
    old_size: int
    proof: tuple[str, ...]


def keep_evidence(
    directory: Path, known: LogState, request: AddCheckpoint, refusal: WitnessRefusal, *, now: int
) -> Path:
    """Write the evidence that ``request`` (refused) and ``known`` (what the witness cosigned)
    are two histories, and return its path; the same request refused again keeps its file."""
    checkpoint = parse_checkpoint(parse_note(request.checkpoint).text)  # checked: it was signed
    origin, size = checkpoint.origin, checkpoint.size
    body = {
        "format": EVIDENCE_FORMAT,
        "origin": origin,
        "status": refusal.status,
        "reason": refusal.reason(),
        "received_at": now,
        "cosigned": {"size": known.size, "checkpoint": known.checkpoint},
        "refused": {
            "old_size": request.old_size,
            "size": size,
            "proof": [base64.b64encode(h).decode() for h in request.proof],
            "checkpoint": request.checkpoint.decode("utf-8"),
        },
    }
    digest = hashlib.sha256(
        json.dumps(body["refused"], sort_keys=True).encode() + origin.encode()
    ).hexdigest()
    folder = directory / EVIDENCE_DIR
    path = folder / f"{_slug(origin)}-{size}-{digest[:16]}.json"
    if path.exists():
        return path
    text = json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    try:
        folder.mkdir(exist_ok=True)
        replace_file(path, text.encode())
    except OSError as error:
        raise WitnessStorageError(path, error.strerror or str(error)) from None
    return path


def read_evidence(directory: Path) -> list[Evidence]:
    """The evidence kept in the witness's directory, oldest first (none: an empty list)."""
    folder = directory / EVIDENCE_DIR
    if not folder.is_dir():
        return []
    found = [_read(path) for path in sorted(folder.glob("*.json"))]
    return sorted(found, key=lambda evidence: (evidence.received_at, evidence.path.name))


def _read(path: Path) -> Evidence:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != EVIDENCE_FORMAT:
            raise ValueError(f"it is not {EVIDENCE_FORMAT}")
        cosigned, refused = data["cosigned"], data["refused"]
        return Evidence(
            path,
            str(data["origin"]),
            int(data["status"]),
            str(data["reason"]),
            int(data["received_at"]),
            int(cosigned["size"]),
            cosigned["checkpoint"],
            int(refused["size"]),
            str(refused["checkpoint"]),
            int(refused["old_size"]),
            tuple(str(line) for line in refused["proof"]),
        )
    except OSError as error:
        raise WitnessStorageError(path, error.strerror or str(error)) from None
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise WitnessStorageError(path, f"it is not witness evidence ({error})") from None


def _slug(origin: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]+", "_", origin)[:80]
