"""``tlog.witness_http``: the C2SP tlog-witness add-checkpoint endpoint, byte for byte, its
status codes and content types, and the evidence of every fork it refuses."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.ledger.test_witness import LOG, LOG_KEY, ORIGIN, SPEC_REQUEST, WITNESS, Log
from tlog.checkpoint import cosigned_by, parse_checkpoint
from tlog.note import SignerKey, parse_note, parse_signature_line
from tlog.witness import AddCheckpoint, format_add_checkpoint
from tlog.witness_evidence import EVIDENCE_DIR, EVIDENCE_FORMAT, read_evidence
from tlog.witness_http import WitnessServer
from tlog.witness_store import init_witness

VECTORS = Path(__file__).parents[1] / "vectors" / "c2sp-examples.json"
FORKED = Log(16, fork=" (rewritten)", fork_at=4)
SOFA = "example.com/behind-the-sofa"


@pytest.fixture
def directory(tmp_path: Path) -> Path:
    witness = tmp_path / "witness"
    init_witness(
        witness,
        name=WITNESS.name,
        origin=ORIGIN,
        log_keys=[LOG_KEY.verifier_key],
        seed=WITNESS.seed,
    )
    return witness


@pytest.fixture
def url(directory: Path) -> Iterator[str]:
    server = WitnessServer(directory, ("127.0.0.1", 0))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def exchange(
    url: str, body: bytes, *, method: str = "POST", headers: dict[str, str] | None = None
) -> tuple[int, str, bytes]:
    """Send one request; return the status, the content type and the body."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request(method, parts.path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def send(url: str, request: AddCheckpoint) -> tuple[int, str, bytes]:
    return exchange(url, format_add_checkpoint(request))


# --- the spec's bytes ------------------------------------------------------------------------


def test_a_cosigned_checkpoint_is_answered_200_with_one_cosignature_line_that_verifies(
    url: str,
) -> None:
    status, content_type, body = send(url, LOG.request(0, 6))
    assert (status, content_type) == (200, "text/plain; charset=utf-8")
    lines = body.decode().splitlines(keepends=True)
    assert len(lines) == 1 and lines[0].startswith(f"\u2014 {WITNESS.name} ")
    # The spec's way to read the answer: append it to the checkpoint and verify the note.
    note = parse_note(LOG.signed(6) + body)
    checkpoint = parse_checkpoint(note.text)
    assert cosigned_by(checkpoint, note.signatures, [WITNESS.verifier_key]) == [
        WITNESS.verifier_key
    ]


def test_the_spec_example_response_lines_read_and_format_back_byte_for_byte() -> None:
    case = next(
        c for c in json.loads(VECTORS.read_text())["cases"] if c["name"] == "tlog-witness-response"
    )
    response = case["message"][len(case["text"]) + 1 :].encode()
    assert response.startswith("\u2014 witness.example/w1 ".encode())
    lines = response.decode().splitlines()
    assert len(lines) == 3
    assert "".join(parse_signature_line(line).line() for line in lines).encode() == response


def test_the_spec_example_request_is_answered_404_by_a_witness_that_does_not_know_its_log(
    url: str,
) -> None:
    status, content_type, body = exchange(url, SPEC_REQUEST)
    assert (status, content_type) == (404, "text/plain; charset=utf-8")
    assert f"does not know the log {SOFA!r}".encode() in body


def test_the_spec_example_request_is_answered_403_when_no_signature_is_by_a_trusted_key(
    directory: Path, url: str
) -> None:
    other = SignerKey(SOFA, bytes(range(2, 34)))
    init_witness(
        directory, name=WITNESS.name, origin=SOFA, log_keys=[other.verifier_key], seed=b"\0" * 32
    )
    status, _, body = exchange(url, SPEC_REQUEST)
    assert status == 403
    assert b"none of its signatures is by a trusted key (403 Forbidden)" in body


# --- refusals ----------------------------------------------------------------------------------


def test_an_old_size_other_than_the_witness_size_is_409_with_its_size_as_text_x_tlog_size(
    directory: Path, url: str
) -> None:
    assert send(url, LOG.request(0, 6))[0] == 200
    assert send(url, LOG.request(0, 8)) == (409, "text/x.tlog.size", b"6\n")
    assert send(url, LOG.request(6, 8))[0] == 200
    assert read_evidence(directory) == []  # a client that is behind is no fork


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"old 01\n\n" + LOG.signed(6), 400),  # leading zero
        (b"old 7\n\n" + LOG.signed(6), 400),  # old size above the checkpoint's
        (b"no blank line", 400),
    ],
)
def test_a_malformed_request_is_400(url: str, body: bytes, status: int) -> None:
    assert exchange(url, body)[0] == status


def test_only_a_post_to_add_checkpoint_is_answered(url: str) -> None:
    assert exchange(url, b"", method="GET")[0] == 405
    assert exchange(url.replace("/add-checkpoint", "/other"), b"old 0\n\n")[0] == 404
    too_long = {"Content-Length": str(2 * 1024 * 1024)}
    assert exchange(url, b"", headers=too_long)[0] == 413


# --- evidence of forks -------------------------------------------------------------------------


def test_a_fork_whose_proof_fails_is_422_and_its_evidence_is_kept_once(
    directory: Path, url: str
) -> None:
    assert send(url, LOG.request(0, 6))[0] == 200
    status, _, body = send(url, FORKED.request(6, 10))
    assert status == 422
    assert b"does not show that" in body
    send(url, FORKED.request(6, 10))  # the same request again: one file
    (kept,) = read_evidence(directory)
    assert (kept.origin, kept.status, kept.cosigned_size, kept.refused_size) == (ORIGIN, 422, 6, 10)
    data = json.loads(kept.path.read_text())
    assert data["format"] == EVIDENCE_FORMAT
    # Self-contained: both checkpoints signed by the log, and the proof as sent.
    assert data["cosigned"]["checkpoint"].encode() == LOG.signed(6)
    assert data["refused"]["checkpoint"].encode() == FORKED.signed(10)
    assert data["refused"]["old_size"] == 6 and len(data["refused"]["proof"]) > 0
    assert kept.path.parent == directory / EVIDENCE_DIR


def test_a_fork_at_the_size_cosigned_is_409_and_its_evidence_is_kept(
    directory: Path, url: str
) -> None:
    assert send(url, LOG.request(0, 6))[0] == 200
    assert send(url, FORKED.request(6, 6)) == (409, "text/x.tlog.size", b"6\n")
    (kept,) = read_evidence(directory)
    assert (kept.status, kept.cosigned_size, kept.refused_size) == (409, 6, 6)
    assert "forked" in kept.reason


def test_a_checkpoint_not_signed_by_the_log_leaves_no_evidence(directory: Path, url: str) -> None:
    assert send(url, LOG.request(0, 6))[0] == 200
    stranger = Log(16, fork=" (rewritten)", fork_at=4, key=SignerKey(ORIGIN, bytes(range(3, 35))))
    assert send(url, stranger.request(6, 10))[0] == 403
    assert read_evidence(directory) == []
