"""Editing a ledger's database behind its back, as an attacker with database access would."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import create_engine, text

from ledger.canonical import entry_hash
from ledger.storage import database_url


class Attacker:
    """Direct access to the tables, guards dropped first."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(database_url(url))
        self.postgres = self.engine.dialect.name == "postgresql"
        with self.engine.begin() as conn:
            for table in ("ledger_events", "ledger_entries"):
                if self.postgres:
                    conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
                else:
                    for op in ("update", "delete"):
                        conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{op}"))

    def close(self) -> None:
        self.engine.dispose()

    def run(self, sql: str, **params: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(text(sql), params)

    def entry(self, seq: int) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT x.seq, x.notification_id, x.prev, x.sig, x.recorded_at, x.hash, "
                    "e.state FROM ledger_entries x JOIN ledger_events e "
                    "ON e.id = x.notification_id WHERE x.seq = :seq"
                ),
                {"seq": seq},
            ).one()
        return {
            key: bytes(value) if isinstance(value, memoryview) else value
            for key, value in row._mapping.items()
        }

    def set_body(self, seq: int, body: bytes, *, rehash: bool = False) -> None:
        """Replace the stored event body of an entry (and, with rehash, its hash too)."""
        entry = self.entry(seq)
        self.run(
            "UPDATE ledger_events SET state = :state WHERE id = :id",
            state=body,
            id=entry["notification_id"],
        )
        if rehash:
            self.rechain_from(seq)

    def set_sig(self, seq: int, sig: bytes, *, rehash: bool = False) -> None:
        self.run("UPDATE ledger_entries SET sig = :sig WHERE seq = :seq", sig=sig, seq=seq)
        if rehash:
            self.rechain_from(seq)

    def rechain_from(self, seq: int) -> None:
        """Recompute prev and hash of every entry from ``seq`` on, as a careful attacker would."""
        prev = self.entry(seq - 1)["hash"] if seq > 0 else bytes(32)
        while True:
            try:
                entry = self.entry(seq)
            except Exception:
                return
            digest = entry_hash(
                seq=seq,
                prev=prev,
                body=entry["state"],
                sig=entry["sig"],
                recorded_at=entry["recorded_at"],
            )
            self.run(
                "UPDATE ledger_entries SET prev = :prev, hash = :hash WHERE seq = :seq",
                prev=prev,
                hash=digest,
                seq=seq,
            )
            prev, seq = digest, seq + 1

    def delete_entry(self, seq: int, *, with_event: bool) -> None:
        entry = self.entry(seq)
        self.run("DELETE FROM ledger_entries WHERE seq = :seq", seq=seq)
        if with_event:
            self.run("DELETE FROM ledger_events WHERE id = :id", id=entry["notification_id"])

    def delete_event(self, seq: int) -> None:
        entry = self.entry(seq)
        self.run("DELETE FROM ledger_events WHERE id = :id", id=entry["notification_id"])

    def swap(self, first: int, second: int) -> None:
        self.run("UPDATE ledger_entries SET seq = -1 WHERE seq = :a", a=first)
        self.run("UPDATE ledger_entries SET seq = :a WHERE seq = :b", a=first, b=second)
        self.run("UPDATE ledger_entries SET seq = :b WHERE seq = -1", b=second)

    def insert_event(self, *, stream: uuid.UUID, version: int, topic: str, body: bytes) -> int:
        """Insert a raw event row and return its notification id."""
        stream_value: Any = stream if self.postgres else stream.bytes
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO ledger_events (originator_id, originator_version, topic, state) "
                    "VALUES (:o, :v, :t, :s)"
                ),
                {"o": stream_value, "v": version, "t": topic, "s": body},
            )
            return int(conn.execute(text("SELECT MAX(id) FROM ledger_events")).scalar_one())

    def append_forged(
        self,
        *,
        body: bytes,
        sig: bytes,
        stream: uuid.UUID,
        version: int,
        topic: str,
        recorded_at: str,
    ) -> int:
        """Append a well-chained entry for a forged event at the end; return its seq."""
        with self.engine.connect() as conn:
            head = conn.execute(
                text("SELECT seq, hash FROM ledger_entries ORDER BY seq DESC LIMIT 1")
            ).one()
        notification_id = self.insert_event(stream=stream, version=version, topic=topic, body=body)
        seq, prev = head.seq + 1, bytes(head.hash)
        digest = entry_hash(seq=seq, prev=prev, body=body, sig=sig, recorded_at=recorded_at)
        self.run(
            "INSERT INTO ledger_entries (seq, notification_id, prev, sig, recorded_at, hash) "
            "VALUES (:seq, :n, :prev, :sig, :r, :h)",
            seq=seq,
            n=notification_id,
            prev=prev,
            sig=sig,
            r=recorded_at,
            h=digest,
        )
        return seq
