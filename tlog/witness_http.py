"""The witness over HTTP: c2sp.org/tlog-witness's ``POST <prefix>/add-checkpoint``.

The request body is the one ``tlog.witness`` reads; the answer is the spec's:

- 200 and the cosignature line (``text/plain; charset=utf-8``), once the checkpoint is saved;
- 409 and the witness's size and a newline (``text/x.tlog.size``) when the old size is not the
  one the witness last cosigned, or the checkpoint has its size and another root;
- 400 (malformed, or an old size above the checkpoint's), 403 (no trusted signature), 404
  (unknown origin) and 422 (the consistency proof fails), each with one sentence.

The state, its lock and the evidence of refused forks are the directory's (``tlog.witness_store``),
so the server and ``assembly witness cosign`` can share one witness. The standard library's
threading server is enough: a witness answers rarely, and each answer holds the directory's lock.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tlog.bounded import MAX_PROOF_BYTES
from tlog.errors import StorageError
from tlog.witness import Conflict, WitnessRefusal, format_cosignatures, parse_add_checkpoint
from tlog.witness_store import cosign_in, load_witness

ADD_CHECKPOINT = "/add-checkpoint"
SIZE_TYPE = "text/x.tlog.size"
TEXT_TYPE = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, content type and body."""

    status: int
    content_type: str
    body: bytes


def answer_add_checkpoint(directory: Path, body: bytes, *, now: int) -> Reply:
    """The witness's answer to an add-checkpoint request body, the state saved first."""
    try:
        cosignature = cosign_in(directory, parse_add_checkpoint(body), now=now)
    except Conflict as refusal:
        return Reply(refusal.status, SIZE_TYPE, refusal.response_body().encode())
    except WitnessRefusal as refusal:
        return Reply(refusal.status, TEXT_TYPE, f"{refusal.sentence()}\n".encode())
    except StorageError as error:
        return Reply(500, TEXT_TYPE, f"{error.sentence()}\n".encode())
    return Reply(200, TEXT_TYPE, format_cosignatures([cosignature]))


class WitnessServer(ThreadingHTTPServer):
    """An HTTP server for the witness in ``directory``, at ``prefix`` + ``/add-checkpoint``."""

    daemon_threads = True

    def __init__(self, directory: Path, address: tuple[str, int], *, prefix: str = "") -> None:
        load_witness(directory)  # refuse to listen for a directory that holds no witness
        self.directory = directory
        self.endpoint = prefix.rstrip("/") + ADD_CHECKPOINT
        super().__init__(address, _Handler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}{self.endpoint}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the spec recommends
    server: WitnessServer

    def do_POST(self) -> None:
        if self.path != self.server.endpoint:
            self._send(Reply(404, TEXT_TYPE, b"Not found: the witness answers add-checkpoint.\n"))
            return
        length = self.headers.get("Content-Length", "")
        if not length.isdigit():
            self._send(Reply(411, TEXT_TYPE, b"The request has no Content-Length.\n"))
            return
        if int(length) > MAX_PROOF_BYTES:
            self.close_connection = True  # the body is not read
            self._send(Reply(413, TEXT_TYPE, b"The request body is larger than 1 MiB.\n"))
            return
        body = self.rfile.read(int(length))
        self._send(answer_add_checkpoint(self.server.directory, body, now=int(time.time())))

    def do_GET(self) -> None:
        if self.path == self.server.endpoint:
            reply = Reply(405, TEXT_TYPE, b"add-checkpoint takes a POST.\n")
        else:
            reply = Reply(404, TEXT_TYPE, b"Not found: the witness answers add-checkpoint.\n")
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.status == 405:
            self.send_header("Allow", "POST")
        self.end_headers()
        self.wfile.write(reply.body)
