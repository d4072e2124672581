"""A writer process for the concurrency and crash tests.

``python -m tests.writer URL MODE COUNT NAME`` appends COUNT events signed by the secretariat key
of the test world and prints one line per acknowledged append: ``ack SEQ HASH STREAM VERSION``,
flushed at once, so the parent knows exactly what was acknowledged. MODE ``own`` writes to a
stream of its own, ``shared`` to the one shared stream (retrying on version conflicts, printing
``conflict`` for each).
"""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime

from domain.roles import ROLE_GRANTS
from ledger import Ledger, NewEvent, RolePolicy, Signer
from ledger.errors import StreamVersionConflict

SHARED_STREAM = uuid.UUID("00000000-0000-4000-8000-00000000beef")


def main(url: str, mode: str, count: int, name: str) -> None:
    ledger = Ledger.open(url, RolePolicy(ROLE_GRANTS))
    signer = Signer.from_seed(bytes([2]) * 32)
    stream = SHARED_STREAM if mode == "shared" else uuid.uuid5(SHARED_STREAM, name)
    done = 0
    while done < count:
        version = len(ledger.stream(stream)) if mode == "shared" else done
        event = NewEvent(
            "assembly.panel.convened", {"writer": name, "n": done}, occurred_at=datetime.now(UTC)
        )
        try:
            [entry] = ledger.append_new(signer, stream, version, [event])
        except StreamVersionConflict:
            print("conflict", flush=True)
            continue
        print(f"ack {entry.seq} {entry.hash.hex()} {stream} {version + 1}", flush=True)
        done += 1
    ledger.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
