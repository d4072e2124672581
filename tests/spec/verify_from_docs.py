"""A bundle verifier written from docs/format.md alone: the standard library and `cryptography`,
nothing of this project's code. It checks steps 1 to 8 of section 18.6 and says why it refuses.

    python verify_from_docs.py BUNDLE --vkey VKEY      exit 0: verified; 1: refused; 2: usage

Its point is the specification's: if this file needs to know something the page does not say,
the page has a gap. The section each check follows is named beside it.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import sys
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# The rules this verifier knows for bundle format v3 (section 18.4, copied from the page).
RULES: dict[str, Any] = {
    "format": "assembly-ledger/policy@v1",
    "ledger_types": {
        "prefix": "ledger.",
        "role": "charter",
        "types": ["ledger.identity.declared", "ledger.signer.enrolled", "ledger.signer.revoked"],
    },
    "roles": {
        "charter": [
            "assembly.charter.*",
            "assembly.commission.member_recorded",
            "assembly.correction.recorded",
        ],
        "commission": ["assembly.commission.*", "assembly.correction.recorded"],
        "government": ["assembly.correction.recorded", "assembly.government.*"],
        "log": [],
        "secretariat": [
            "assembly.correction.recorded",
            "assembly.deliberation.*",
            "assembly.draw.*",
            "assembly.evidence.*",
            "assembly.panel.*",
            "assembly.pool.*",
            "assembly.recommendation.*",
            "assembly.review.*",
            "assembly.theme.*",
        ],
    },
    "streams": {
        "identity": "00000000-0000-0000-0000-000049444e54",
        "name": "uuid5(namespace, UTF-8 name)",
        "namespace": "5b0f3d1e-8a57-4c1e-9d0a-61c2a55e3b7a",
        "signer": {"key_id_bytes": 12, "suffix": "5349474e"},
        "signer_versions": {"1": "ledger.signer.enrolled", "2": "ledger.signer.revoked"},
    },
    "validity": {
        "compared": "occurred_at, as timestamp strings",
        "valid_from": "inclusive",
        "valid_until": "exclusive; null: no end",
    },
}
FORMATS = ("assembly-ledger/bundle@v3", "assembly-ledger/bundle@v2", "assembly-ledger/bundle@v1")
ENROLLED, REVOKED, DECLARED = (
    "ledger.signer.enrolled",
    "ledger.signer.revoked",
    "ledger.identity.declared",
)
MAX_LINE, MAX_FILE, MAX_DEPTH, MAX_INT = 88_408, 16 * 1024 * 1024, 64, 2**53 - 1
TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z")
TYPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
HEX32, HEX64 = re.compile(r"[0-9a-f]{32}"), re.compile(r"[0-9a-f]{64}")
ELEMENT = r"(?!\.{1,2}(?:/|$))[A-Za-z0-9._-]+"
PATH = re.compile(rf"{ELEMENT}(?:/{ELEMENT})*")
DASH = "\u2014 "


class Refused(Exception):
    """Why the bundle does not verify."""


# --- section 1: canonical JSON (RFC 8785) ------------------------------------------------------


def jcs(value: Any) -> bytes:
    """The RFC 8785 form of a value of the ledger (no floats; integers within 2^53 - 1)."""
    return _jcs(value).encode("utf-8")


def _jcs(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        if abs(value) > MAX_INT:
            raise Refused(f"the integer {value} is out of range")
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # escapes as ES6 JSON.stringify does
    if isinstance(value, list):
        return "[" + ",".join(_jcs(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda key: key.encode("utf-16-be"))
        return "{" + ",".join(f"{_jcs(key)}:{_jcs(value[key])}" for key in keys) + "}"
    raise Refused(f"{type(value).__name__} is not allowed in canonical JSON")


def deeper_than(data: bytes, limit: int = MAX_DEPTH) -> bool:
    """Section 20: nesting is bounded before parsing (brackets inside strings do not count)."""
    depth, inside, escaped = 0, False, False
    for byte in data:
        if inside:
            escaped, inside = (False, True) if escaped else (byte == 0x5C, byte != 0x22)
        elif byte == 0x22:
            inside = True
        elif byte in b"[{":
            depth += 1
            if depth > limit:
                return True
        elif byte in b"]}":
            depth -= 1
    return False


def parse_json(data: bytes, what: str) -> Any:
    if deeper_than(data):
        raise Refused(f"{what} nests deeper than {MAX_DEPTH} levels")

    def no_floats(text: str) -> Any:
        raise Refused(f"{what} holds a float ({text})")

    def once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        if len({key for key, _ in pairs}) != len(pairs):
            raise Refused(f"{what} repeats a member")
        return dict(pairs)

    try:
        return json.loads(data, parse_float=no_floats, object_pairs_hook=once)
    except ValueError:
        raise Refused(f"{what} is not JSON") from None


def is_timestamp(value: object) -> bool:
    """Section 2: the fixed form, naming a real moment."""
    if not isinstance(value, str) or not TIMESTAMP.fullmatch(value):
        return False
    try:
        datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ")
    except ValueError:
        return False
    return True


def b64(value: object, what: str) -> bytes:
    """Canonical base64: decodes strictly and encodes back to the same text."""
    try:
        raw = base64.b64decode(value if isinstance(value, str) else "!", validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if not raw or base64.b64encode(raw).decode() != value:
        raise Refused(f"{what} is not canonical base64")
    return raw


def ed25519_ok(public: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


# --- section 14: signed notes and verifier keys ------------------------------------------------


class VerifierKey:
    """``<name>+<key id, 8 hex>+<base64(0x01 || public key)>``, split at its first two ``+``."""

    def __init__(self, text: str) -> None:
        name, _, rest = text.strip().partition("+")
        hexid, _, encoded = rest.partition("+")
        raw = b64(encoded, "the verifier key")
        if not name or len(raw) != 33 or raw[0] != 0x01 or not re.fullmatch(r"[0-9a-f]{8}", hexid):
            raise Refused("the verifier key is not name+hexid+base64(0x01 || Ed25519 key)")
        self.name, self.public = name, raw[1:]
        self.key_id = hashlib.sha256(name.encode() + b"\n\x01" + self.public).digest()[:4]
        if self.key_id.hex() != hexid:
            raise Refused("the verifier key's id does not match its name and key")


def open_note(data: bytes, key: VerifierKey, what: str) -> str:
    """The note's text, once a signature by ``key`` is there and every one by it verifies."""
    try:
        decoded = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(f"{what} is not UTF-8") from None
    if re.search(r"[\x00-\x09\x0b-\x1f]", decoded):
        raise Refused(f"{what} holds a control character")
    split = decoded.rfind("\n\n")
    if split < 0 or not decoded.endswith("\n"):
        raise Refused(f"{what} is not a signed note")
    text, lines = decoded[: split + 1], decoded[split + 2 : -1].split("\n")
    if len(lines) > 100:
        raise Refused(f"{what} has more than 100 signatures")
    found = 0
    for line in lines:
        if not line.startswith(DASH):
            raise Refused(f"{what} has a line that is not a signature after its blank line")
        name, _, encoded = line[len(DASH) :].partition(" ")
        raw = b64(encoded, f"a signature of {what}")
        if name == key.name and raw[:4] == key.key_id:
            if not ed25519_ok(key.public, raw[4:], text.encode()):
                raise Refused(f"the log key's signature of {what} does not verify")
            found += 1
    if not found:
        raise Refused(f"{what} has no signature by the log key")
    return text


# --- the bundle --------------------------------------------------------------------------------


def read(folder: Path, name: str) -> bytes:
    path = folder / name
    if not path.is_file() or path.stat().st_size > MAX_FILE:
        raise Refused(f"{name} is missing or larger than 16 MiB")
    return path.read_bytes()


def verify(folder: Path, key: VerifierKey) -> str:
    """Steps 1 to 8 of section 18.6; return a sentence saying what was verified."""
    # 1. the checkpoint (sections 14, 15)
    checkpoint_text = open_note(read(folder, "checkpoint.txt"), key, "checkpoint.txt")
    origin, size_text, root_text, *_ = [*checkpoint_text.split("\n"), "", "", ""]
    if not origin or origin != key.name or not re.fullmatch(r"0|[1-9][0-9]*", size_text):
        raise Refused("checkpoint.txt is not a checkpoint of the log")
    size, root = int(size_text), b64(root_text, "the checkpoint's root hash")
    # 2. bundle.json
    label = parse_json(read(folder, "bundle.json"), "bundle.json")
    if not isinstance(label, dict) or label.get("format") not in FORMATS:
        raise Refused("bundle.json names no known format")
    if (label.get("origin"), label.get("size")) != (origin, size):
        raise Refused("bundle.json names another origin or size than the checkpoint")
    covered = label["format"] == FORMATS[0]
    if covered and set(label) != {"format", "origin", "size"}:
        raise Refused("bundle.json holds other members")
    # 3. the manifest (18.3); 4. the rules (18.4)
    listed: dict[str, str] = {}
    if covered or (folder / "manifest.txt").exists():
        listed = check_manifest(folder, key, checkpoint_text)
    rules = RULES
    if covered:
        rules = parse_json(read(folder, "policy.json"), "policy.json")
        if rules != RULES:
            raise Refused("policy.json holds other rules than this verifier's for format v3")
    # 5, 6: the entries (18.2, section 12)
    leaves, signers = check_entries(folder / "entries.jsonl", size, rules)
    if listed and sha256_file(folder / "entries.jsonl") != listed["entries.jsonl"]:
        raise Refused("entries.jsonl is not the file the manifest lists")
    # 7. the tree head (section 13)
    if tree_head(leaves) != root:
        raise Refused("the entries' tree head is not the root the checkpoint signs")
    # 8. signers.json (18.5)
    if parse_json(read(folder, "signers.json"), "signers.json") != signers:
        raise Refused("signers.json does not list the signers the entries enrol")
    cover = f"{len(listed)} files covered by the manifest" if listed else "older format"
    return f"verified {origin}: {size} entries, {len(signers)} signers, {cover}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_manifest(folder: Path, key: VerifierKey, checkpoint_text: str) -> dict[str, str]:
    """Section 18.3, steps 1 to 5 (the digest of entries.jsonl is checked after the entries)."""
    text = open_note(read(folder, "manifest.txt"), key, "manifest.txt")
    lines = text[:-1].split("\n")
    if lines[0] != "assembly-ledger/bundle-manifest@v1" or len(lines) < 2:
        raise Refused("manifest.txt is not a bundle manifest")
    if lines[1] != "checkpoint " + hashlib.sha256(checkpoint_text.encode()).hexdigest():
        raise Refused("manifest.txt names another checkpoint")
    listed: dict[str, str] = {}
    for line in lines[2:]:
        digest, _, path = line.partition(" ")
        if not HEX64.fullmatch(digest) or not PATH.fullmatch(path):
            raise Refused(f"manifest.txt has the line {line!r}")
        if listed and path.encode() <= list(listed)[-1].encode():
            raise Refused("manifest.txt does not list its paths once each, in order")
        listed[path] = digest
    present = set()
    for parent, folders, names in os.walk(folder):
        for name in folders + names:
            found = Path(parent, name)
            relative = found.relative_to(folder).as_posix()
            if found.is_symlink() or not (found.is_dir() or found.is_file()):
                raise Refused(f"{relative} is a link or not a plain file")
            if found.is_file() and relative not in ("manifest.txt", "checkpoint.txt"):
                present.add(relative)
    if present != set(listed):
        unlisted, missing = sorted(present - set(listed)), sorted(set(listed) - present)
        raise Refused(f"files not listed: {unlisted}; listed files missing: {missing}")
    for path, digest in listed.items():
        if path != "entries.jsonl" and sha256_file(folder / path) != digest:
            raise Refused(f"{path} is not the file the manifest lists")
    return listed


# --- section 12: the entries -------------------------------------------------------------------


class Ledger:
    """What the walk has seen so far: signers, streams' versions, the identity."""

    def __init__(self, rules: dict[str, Any]) -> None:
        self.rules = rules
        self.signers: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []
        self.versions: dict[str, int] = {}
        self.identity: str | None = None
        self.seen_v2 = False
        self.prev = b"\x00" * 32

    def may_write(self, role: str, event_type: str) -> bool:
        """Sections 8 and 9, from the rules."""
        ledger_types = self.rules["ledger_types"]
        if event_type.startswith(ledger_types["prefix"]):
            return bool(role == ledger_types["role"])
        patterns = self.rules["roles"].get(role, [])
        return any(
            event_type.startswith(p[:-1]) if p.endswith(".*") else p == event_type for p in patterns
        )

    def signer_stream(self, key_id: str) -> str:
        signer = self.rules["streams"]["signer"]
        return str(uuid.UUID(key_id[: 2 * signer["key_id_bytes"]] + signer["suffix"]))


def check_entries(
    path: Path, size: int, rules: dict[str, Any]
) -> tuple[list[bytes], list[dict[str, Any]]]:
    ledger, leaves = Ledger(rules), []
    if not path.is_file():
        raise Refused("entries.jsonl is missing")
    with path.open("rb") as handle:
        for seq, line in enumerate(iter(lambda: handle.readline(MAX_LINE + 1), b"")):
            try:
                leaves.append(check_line(ledger, seq, line))
            except Refused as refused:
                raise Refused(f"entry {seq}: {refused}") from None
    if len(leaves) != size:  # section 18.6 step 6
        raise Refused(f"entries.jsonl holds {len(leaves)} entries, the checkpoint {size}")
    if not leaves:
        raise Refused("the ledger has no entry 0")
    return leaves, [ledger.signers[key_id] for key_id in ledger.order]


def check_line(ledger: Ledger, seq: int, line: bytes) -> bytes:
    """One line (18.2, 18.6 step 5), then section 12 steps 1 to 11; return its leaf hash."""
    if len(line) > MAX_LINE or not line.endswith(b"\n"):
        raise Refused("the line is too long or has no final newline")
    entry = parse_json(line[:-1], "the line")
    if not isinstance(entry, dict) or jcs(entry) != line[:-1]:
        raise Refused("the line is not a canonical JSON object")
    rest = {"hash", "prev", "recorded_at", "seq", "sig"}
    if set(entry) == rest | {"event"} and isinstance(entry["event"], dict):
        body = jcs(entry["event"])
    elif set(entry) == rest | {"body"}:
        body = b64(entry["body"], "body")
        if body.startswith(b'{"ledger":"') or jcs(parse_json(body, "the body")) == body:
            raise Refused("only a v1 body that is not canonical travels as bytes")
    else:
        raise Refused("the line does not hold the members of section 18.2")
    if entry["seq"] != seq or type(entry["seq"]) is not int:  # 12.1
        raise Refused("its seq is not its line number minus 1")
    for name in ("prev", "hash"):
        if not isinstance(entry[name], str) or not HEX64.fullmatch(entry[name]):
            raise Refused(f"{name} is not 64 lower-case hex digits")
    sig = b64(entry["sig"], "sig")
    if bytes.fromhex(entry["prev"]) != ledger.prev:  # 12.2
        raise Refused("prev is not the hash of the entry before")
    if not is_timestamp(entry["recorded_at"]):  # 12.3
        raise Refused("recorded_at is not a timestamp")
    entry_bytes = (  # section 7
        b'{"event":' + body + b',"prev":"' + entry["prev"].encode() + b'","recorded_at":"'
        + entry["recorded_at"].encode() + b'","seq":' + str(seq).encode() + b',"sig":"'
        + entry["sig"].encode() + b'"}'
    )  # fmt: skip
    leaf = hashlib.sha256(b"\x00" + entry_bytes).digest()
    if leaf.hex() != entry["hash"]:  # 12.4
        raise Refused("the stored hash is not the entry's hash")
    event = parse_json(body, "the body")
    check_body(event, body)  # 12.5
    if event["occurred_at"] > entry["recorded_at"]:  # 12.6
        raise Refused("occurred_at is after recorded_at")
    if event["version"] != ledger.versions.get(event["stream"], 0) + 1:  # 12.7
        raise Refused("its version is not the next of its stream")
    signer = check_signer(ledger, seq, event)  # 12.8
    check_identity(ledger, seq, event, leaf)  # 12.9 (12.10: canonical, checked above)
    context = b"assembly-ledger/event/v2\n" if "ledger" in event else b"assembly-ledger/event/v1\n"
    if not ed25519_ok(signer, sig, context + body):  # 12.11
        raise Refused("the signature does not verify")
    ledger.versions[event["stream"]] = event["version"]
    ledger.prev = leaf
    return leaf


def check_body(event: Any, body: bytes) -> None:
    """Section 4."""
    members = {"occurred_at", "payload", "schema", "signer", "stream", "type", "version"}
    if not isinstance(event, dict) or set(event) not in (members, members | {"ledger"}):
        raise Refused("the body does not hold the members of a v1 or v2 body")
    if "ledger" in event and not (
        isinstance(event["ledger"], str) and HEX32.fullmatch(event["ledger"])
    ):
        raise Refused("the body's ledger is not 32 hex digits")  # fmt: skip
    if not is_timestamp(event["occurred_at"]) or not isinstance(event["payload"], dict):
        raise Refused("occurred_at or payload has the wrong form")
    for name in ("schema", "version"):
        if type(event[name]) is not int or event[name] < 1:
            raise Refused(f"{name} is not an integer of at least 1")
    if not isinstance(event["signer"], str) or not HEX32.fullmatch(event["signer"]):
        raise Refused("signer is not a key id")
    stream = event["stream"]
    if not isinstance(stream, str) or not re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", stream
    ):
        raise Refused("stream is not a UUID in lower-case text form")
    if not isinstance(event["type"], str) or not TYPE.fullmatch(event["type"]):
        raise Refused("type is not an event type")
    if len(body) > 65_024:
        raise Refused("the body is larger than 65,024 bytes")


def check_signer(ledger: Ledger, seq: int, event: dict[str, Any]) -> bytes:
    """Section 8; return the signer's public key."""
    kind, payload = event["type"], event["payload"]
    if (
        kind.startswith(ledger.rules["ledger_types"]["prefix"])
        and kind not in (ledger.rules["ledger_types"]["types"])
    ):
        raise Refused(f"{kind} is not an event type of the ledger")
    if seq == 0:
        if kind != ENROLLED or payload.get("role") != ledger.rules["ledger_types"]["role"]:
            raise Refused("entry 0 is not the charter key enrolling itself")
        enrol(ledger, seq, event)
        if ledger.order[0] != event["signer"]:
            raise Refused("entry 0 is not signed by the key it enrols")
    record = ledger.signers.get(event["signer"])
    if record is None:
        raise Refused("its signer is not enrolled")
    if record["revoked_seq"] is not None:
        raise Refused("its signer was revoked")
    until = record["valid_until"]
    if event["occurred_at"] < record["valid_from"] or (
        until is not None and event["occurred_at"] >= until
    ):
        raise Refused("its signer was not valid when it occurred")
    if not ledger.may_write(record["role"], kind):
        raise Refused(f"role {record['role']} may not write {kind}")
    suffix, prefix = (
        ledger.rules["streams"]["signer"]["suffix"],
        ledger.rules["ledger_types"]["prefix"],
    )
    if seq > 0 and not kind.startswith(prefix) and event["stream"].endswith(suffix):
        raise Refused("only enrolments and revocations go in a signer stream")
    if seq > 0 and kind == ENROLLED:
        enrol(ledger, seq, event)
    elif kind == REVOKED:
        revoke(ledger, seq, event)
    return base64.b64decode(record["public_key"])


def enrol(ledger: Ledger, seq: int, event: dict[str, Any]) -> None:
    payload = event["payload"]
    if set(payload) != {"public_key", "role", "name", "valid_from", "valid_until"}:
        raise Refused("the enrolment's payload has the wrong members")
    try:
        public = b64(payload["public_key"], "public_key")
    except Refused:
        public = b""
    if len(public) != 32:
        raise Refused("the enrolment does not hold a 32-byte key")
    key_id = hashlib.sha256(public).hexdigest()[:32]  # section 3
    if event["stream"] != ledger.signer_stream(key_id) or event["version"] != 1:
        raise Refused("an enrolment belongs at version 1 of its key's signer stream")
    if key_id in ledger.signers:
        raise Refused("the key is already enrolled")
    if payload["role"] not in ledger.rules["roles"]:
        raise Refused("the enrolment names an unknown role")
    if not isinstance(payload["name"], str) or not payload["name"].strip():
        raise Refused("the enrolment's name is blank")
    start, until = payload["valid_from"], payload["valid_until"]
    if not is_timestamp(start) or not (until is None or is_timestamp(until)):
        raise Refused("the enrolment's validity is not timestamps")
    if until is not None and until <= start:
        raise Refused("the enrolment's validity ends before it starts")
    ledger.signers[key_id] = {
        "key_id": key_id,
        "public_key": payload["public_key"],
        "role": payload["role"],
        "name": payload["name"],
        "valid_from": start,
        "valid_until": until,
        "enrolled_seq": seq,
        "revoked_seq": None,
        "revoked_at": None,
        "revocation_reason": None,
    }
    ledger.order.append(key_id)


def revoke(ledger: Ledger, seq: int, event: dict[str, Any]) -> None:
    payload = event["payload"]
    if set(payload) != {"key_id", "reason"} or payload["key_id"] not in ledger.signers:
        raise Refused("the revocation does not name an enrolled key")
    if event["stream"] != ledger.signer_stream(payload["key_id"]) or event["version"] != 2:
        raise Refused("a revocation belongs at version 2 of its key's signer stream")
    if not isinstance(payload["reason"], str) or not payload["reason"].strip():
        raise Refused("the revocation gives no reason")
    record = ledger.signers[payload["key_id"]]
    record.update(
        revoked_seq=seq, revoked_at=event["occurred_at"], revocation_reason=payload["reason"]
    )


def check_identity(ledger: Ledger, seq: int, event: dict[str, Any], leaf: bytes) -> None:
    """Section 6."""
    stream = ledger.rules["streams"]["identity"]
    if "ledger" not in event:
        if ledger.seen_v2:
            raise Refused("a v1 body after a v2 one")
        if event["type"] == DECLARED:
            raise Refused("a v1 identity declaration")
        if seq == 0:
            ledger.identity = leaf[:16].hex()
    else:
        if seq == 0:
            ledger.identity = event["ledger"]
        if event["ledger"] != ledger.identity:
            raise Refused("the body names another ledger")
        ledger.seen_v2 = True
    if (event["type"] == DECLARED) != (event["stream"] == stream):
        raise Refused("identity declarations go in their stream, and nothing else does")
    if event["type"] == DECLARED:
        payload = event["payload"]
        new = payload.get("ledger")
        if set(payload) != {"ledger", "reason"} or not isinstance(new, str):
            raise Refused("the declaration's payload has the wrong members")
        if not HEX32.fullmatch(new) or new == ledger.identity:
            raise Refused("the declared identity is not a new one of 32 hex digits")
        if not isinstance(payload["reason"], str) or not payload["reason"].strip():
            raise Refused("the declaration gives no reason")
        ledger.identity = new


# --- section 13: the tree head -----------------------------------------------------------------


def tree_head(leaves: list[bytes]) -> bytes:
    """MTH of RFC 9162 over the entries' hashes (already leaf hashes)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    split = 1 << ((len(leaves) - 1).bit_length() - 1)
    left, right = tree_head(leaves[:split]), tree_head(leaves[split:])
    return hashlib.sha256(b"\x01" + left + right).digest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--vkey", required=True, help="the log's verifier key, or a file of it")
    args = parser.parse_args(argv)
    text = Path(args.vkey).read_text() if Path(args.vkey).is_file() else args.vkey
    try:
        said = verify(args.bundle, VerifierKey(text))
    except Refused as refused:
        print(f"refused: {refused}", file=sys.stderr)
        return 1
    print(said)
    return 0


if __name__ == "__main__":
    sys.exit(main())
