"""Reading several streams, or entries at several seqs, in one statement gives what reading
them one by one gives, on both backends."""

from __future__ import annotations

from domain.roles import ROLE_GRANTS
from ledger import Ledger, RolePolicy, Signer
from ledger.signers import signer_stream


def test_several_streams_and_seqs_read_together_are_those_read_one_by_one(
    ledger_url: str,
) -> None:
    charter = Signer.generate()
    book = Ledger.create(ledger_url, RolePolicy(ROLE_GRANTS), charter, name="Charter")
    try:
        keys = [Signer.generate() for _ in range(3)]
        for n, key in enumerate(keys):
            book.enrol(charter, key.public_key, role="government", name=f"Office {n}")
        streams = [signer_stream(key.key_id) for key in (charter, *keys)]
        one_by_one = sorted((e for s in streams for e in book.stream(s)), key=lambda e: e.seq)
        assert book.streams(streams) == one_by_one
        assert book.streams(streams[1:3]) == [*book.stream(streams[1]), *book.stream(streams[2])]
        assert book.streams([]) == []
        everything = list(book.entries())
        assert book.entries_at({3, 0, 99}) == [everything[0], everything[3]]
        assert book.entries_at(set()) == []
    finally:
        book.close()
