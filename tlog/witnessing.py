"""The log's side of witnessing: a policy naming the witnesses and the quorum, and the client
that sends a checkpoint with its consistency proof to each (c2sp.org/tlog-witness over HTTP).

A policy file, in the style of Sigsum's and C2SP's policies (one statement a line, ``#`` starts
a comment)::

    witness witness.example/w1 witness.example/w1+8d66cf3f+BASE64 http://127.0.0.1:8181
    witness witness.example/w2 witness.example/w2+1b2c3d4e+BASE64 http://127.0.0.1:8182
    quorum 2

``witness NAME KEY URL``: the witness's name, its cosignature verifier key (type 0x04, in the
``name+hexid+base64`` form, named NAME) and its submission prefix (the request goes to
``URL/add-checkpoint``). ``quorum N``: how many of them must cosign a checkpoint before it is
served as witnessed, 1 to the number of witnesses.

The client remembers, per witness, the size it last had cosigned, so a request carries the
consistency proof from there. A witness that answers 409 gives its own size: the request is sent
once more from that size. A cosignature counts only once it verifies with the policy's key.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tlog.checkpoint import Checkpoint, cosigned_by, parse_checkpoint
from tlog.errors import TlogError
from tlog.note import (
    COSIGNATURE_V1,
    NoteError,
    NoteSignature,
    VerifierKey,
    parse_note,
    parse_signature_line,
    parse_verifier_key,
)
from tlog.witness import AddCheckpoint, format_add_checkpoint
from tlog.witness_http import ADD_CHECKPOINT

Prove = Callable[[int, int], Sequence[bytes]]
MAX_ANSWER = 64 * 1024


class PolicyError(TlogError):
    """A witness policy that cannot be used; the sentence names the line."""

    def __init__(self, where: str, problem: str, line: int | None = None) -> None:
        super().__init__(where, problem, line)
        self.where, self.problem, self.line = where, problem, line

    def sentence(self) -> str:
        at = f"Line {self.line} of the" if self.line else "The"
        return f"{at} witness policy {self.where} cannot be used: {self.problem}."


@dataclass(frozen=True)
class Witness:
    """A witness as the policy names it: its name, its cosignature key and its URL."""

    name: str
    key: VerifierKey
    url: str

    @property
    def endpoint(self) -> str:
        return self.url.rstrip("/") + ADD_CHECKPOINT


@dataclass(frozen=True)
class Policy:
    """The witnesses a log sends its checkpoints to, and how many must cosign."""

    witnesses: tuple[Witness, ...]
    quorum: int

    @property
    def keys(self) -> list[VerifierKey]:
        return [witness.key for witness in self.witnesses]


def parse_policy(text: str, *, where: str = "file") -> Policy:
    """Read a policy (module docstring); ``where`` names it in errors."""
    witnesses: list[Witness] = []
    quorum: int | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        words = raw.split("#", 1)[0].split()
        if not words:
            continue
        if words[0] == "witness" and len(words) == 4:
            witnesses.append(_witness(where, number, *words[1:]))
        elif words[0] == "quorum" and len(words) == 2 and words[1].isdigit():
            quorum = int(words[1])
        else:
            problem = f"{raw.strip()!r} is not 'witness NAME KEY URL' nor 'quorum N'"
            raise PolicyError(where, problem, number)
    names = [witness.name for witness in witnesses]
    if len(set(names)) != len(names):
        raise PolicyError(where, "it names a witness twice")
    if quorum is None or not 1 <= quorum <= len(witnesses):
        raise PolicyError(where, f"its quorum must be 1 to {len(witnesses)} (the witnesses named)")
    return Policy(tuple(witnesses), quorum)


def _witness(where: str, line: int, name: str, key_text: str, url: str) -> Witness:
    try:
        key = parse_verifier_key(key_text)
    except NoteError as error:
        raise PolicyError(where, error.sentence().rstrip("."), line) from None
    if key.name != name or key.signature_type != COSIGNATURE_V1:
        problem = f"the key is not a cosignature key (type 0x04) named {name}"
        raise PolicyError(where, problem, line)
    if not url.startswith(("http://", "https://")):
        raise PolicyError(where, f"{url!r} is not an http or https URL", line)
    return Witness(name, key, url)


@dataclass
class Gathered:
    """What the witnesses answered for one checkpoint: valid cosignature lines, and why the
    others did not cosign (by witness name)."""

    cosignatures: list[NoteSignature] = field(default_factory=list)
    cosigned_by: list[str] = field(default_factory=list)
    refusals: dict[str, str] = field(default_factory=dict)


def gather_cosignatures(
    policy: Policy,
    note: bytes,
    checkpoint: Checkpoint,
    prove: Prove,
    *,
    sizes: MutableMapping[str, int] | None = None,
    timeout: float = 10.0,
) -> Gathered:
    """Send the signed checkpoint ``note`` to every witness of the policy at once, with the
    consistency proof ``prove(old, new)`` from the size each last cosigned (``sizes``, updated),
    and keep the cosignatures that verify."""
    known: MutableMapping[str, int] = {} if sizes is None else sizes
    gathered = Gathered()
    with ThreadPoolExecutor(max_workers=len(policy.witnesses)) as pool:
        answers = list(
            pool.map(
                lambda w: _ask(w, note, checkpoint, prove, known.get(w.name, 0), timeout),
                policy.witnesses,
            )
        )
    for witness, (lines, problem, size) in zip(policy.witnesses, answers, strict=True):
        if size is not None:
            known[witness.name] = size
        valid = cosigned_by(checkpoint, lines, [witness.key])
        if valid:
            gathered.cosignatures += [line for line in lines if line.names(witness.key)][:1]
            gathered.cosigned_by.append(witness.name)
        else:
            gathered.refusals[witness.name] = problem or "its answer holds no valid cosignature"
    return gathered


def _ask(
    witness: Witness, note: bytes, checkpoint: Checkpoint, prove: Prove, old: int, timeout: float
) -> tuple[list[NoteSignature], str | None, int | None]:
    """Ask one witness, once more from its own size after a 409; return the signature lines it
    sent, the problem if it did not cosign, and the size it has now (None: not known)."""
    for _ in range(2):
        if old > checkpoint.size:
            return [], f"it has cosigned size {old}, larger than {checkpoint.size}", old
        proof = tuple(prove(old, checkpoint.size)) if 0 < old < checkpoint.size else ()
        body = format_add_checkpoint(AddCheckpoint(old, proof, note))
        status, content_type, answer = _post(witness.endpoint, body, timeout)
        if status == 200:
            return _lines(answer), None, checkpoint.size
        if status == 409 and content_type.startswith("text/x.tlog.size"):
            told = answer.decode("ascii", "replace").strip()
            if told.isdigit() and int(told) != old:
                old = int(told)
                continue
        first = (answer.decode("utf-8", "replace").strip().splitlines() or [""])[0]
        problem = f"HTTP {status}: {first}" if status else first
        return [], problem, old if status == 409 else None
    return [], "it answered 409 twice", old


def _post(url: str, body: bytes, timeout: float) -> tuple[int, str, bytes]:
    """POST ``body``; return status, content type and at most ``MAX_ANSWER`` bytes of the
    answer (status 0: the witness could not be reached, the body says why)."""
    request = urllib.request.Request(url, data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            content_type = response.headers.get("Content-Type", "")
            return int(response.status), content_type, response.read(MAX_ANSWER)
    except urllib.error.HTTPError as error:
        content_type = error.headers.get("Content-Type", "") if error.headers else ""
        return error.code, content_type, error.read(MAX_ANSWER)
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", None) or error
        return 0, "", f"cannot reach {url}: {reason}".encode()


def _lines(answer: bytes) -> list[NoteSignature]:
    """The note signature lines of a 200 answer; lines that do not parse are ignored."""
    found = []
    for line in answer.decode("utf-8", "replace").splitlines():
        try:
            found.append(parse_signature_line(line))
        except NoteError:
            continue
    return found


def cosigners(note: bytes, policy: Policy) -> list[str]:
    """The names of the policy's witnesses whose cosignature on the signed checkpoint ``note``
    verifies."""
    parsed = parse_note(note)
    checkpoint = parse_checkpoint(parsed.text)
    return [key.name for key in cosigned_by(checkpoint, parsed.signatures, policy.keys)]


def quorum_met(policy: Policy, cosigned: Sequence[str] | Mapping[str, object]) -> bool:
    """Tell whether the witnesses named in ``cosigned`` reach the policy's quorum."""
    names = {witness.name for witness in policy.witnesses}
    return len(names & set(cosigned)) >= policy.quorum
