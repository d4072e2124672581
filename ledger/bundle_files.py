"""What every part of a bundle shares: the names of its files, its formats, its two errors and
the bounded readers of its small files (docs/format.md 18)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ledger.bounded import MAX_DOCUMENT_BYTES
from ledger.errors import LedgerError
from tlog.bounded import MAX_DEPTH, deeper_than, read_bounded
from tlog.receipt import BadProof

BUNDLE_FORMAT = "assembly-ledger/bundle@v1"
BUNDLE_FORMAT_STORED_BODIES = "assembly-ledger/bundle@v2"  # v1, and lines that carry "body"
# v2, and every file covered by the manifest the log key signs, the rules carried as data
BUNDLE_FORMAT_COVERED = "assembly-ledger/bundle@v3"
OLDER_FORMATS = (BUNDLE_FORMAT, BUNDLE_FORMAT_STORED_BODIES)
BUNDLE_FILE, CHECKPOINT_FILE, ENTRIES_FILE, SIGNERS_FILE, SCHEMAS_DIR = (
    "bundle.json",
    "checkpoint.txt",
    "entries.jsonl",
    "signers.json",
    "schemas",
)
MANIFEST_FILE, POLICY_FILE = "manifest.txt", "policy.json"


class BadBundle(BadProof):
    """A bundle that does not prove what it claims (a failed verification: exit 1)."""

    def sentence(self) -> str:
        return f"The bundle does not verify: {self.reason}."


class BundleSetupError(LedgerError):
    """A folder, key or state file the bundle commands cannot use (a usage problem, not a
    failure)."""


def read_document(folder: Path, name: str) -> bytes:
    """The bytes of one of the bundle's small files, refused beyond ``MAX_DOCUMENT_BYTES``."""
    try:
        data = read_bounded(folder / name, MAX_DOCUMENT_BYTES)
    except OSError as exc:
        raise BadBundle(f"its {name} cannot be read ({exc.strerror})") from None
    if data is None:
        size = MAX_DOCUMENT_BYTES // (1024 * 1024)
        raise BadBundle(f"its {name} is larger than {size} MiB, far larger than it can be")
    return data


def read_json(folder: Path, name: str) -> Any:
    """One of the bundle's JSON files, parsed after its depth was bounded."""
    data = read_document(folder, name)
    if deeper_than(data):
        raise BadBundle(f"its {name} nests deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(data)
    except ValueError:
        raise BadBundle(f"its {name} is not JSON") from None


def write_json(path: Path, value: object) -> None:
    """Write a bundle's JSON file as people read it: indented, members sorted, UTF-8."""
    path.write_text(
        json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
