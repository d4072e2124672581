"""A bundle's manifest (format v3, docs/format.md 18): every file of the bundle by SHA-256, in a
signed note the log key signs, so that no file of a bundle is trusted on its own word.

The note's text (C2SP signed-note, the key named by the log's origin, as a checkpoint is)::

    assembly-ledger/bundle-manifest@v1
    checkpoint <hex SHA-256 of the checkpoint's note text>
    <hex SHA-256 of the file> <path>
    ...

one line per file, paths (``/`` between folders) in ascending order of their bytes. Every file
of the folder is listed except the manifest itself and ``checkpoint.txt``: the checkpoint is a
signed note of its own, to which witnesses add cosignatures after the export, so the manifest
names its text (what the log signed), not its bytes. The first line cannot be a checkpoint's
origin followed by a tree size, so the log key's signature of one is never read as the other.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from ledger.bundle_files import CHECKPOINT_FILE, MANIFEST_FILE, BadBundle, read_document
from tlog.note import NoteError, SignerKey, VerifierKey, open_note, parse_note, sign_note

MANIFEST_HEADER = "assembly-ledger/bundle-manifest@v1"
_ELEMENT = r"(?!\.{1,2}(?:/|$))[A-Za-z0-9._-]+"
_PATH = re.compile(rf"{_ELEMENT}(?:/{_ELEMENT})*")
_LINE = re.compile(r"([0-9a-f]{64}) (.+)")
_UNLISTED = frozenset({MANIFEST_FILE, CHECKPOINT_FILE})


def sign_manifest(folder: Path, log_key: SignerKey) -> None:
    """Write ``manifest.txt`` for every other file of ``folder``, signed with the log key."""
    lines = [MANIFEST_HEADER, f"checkpoint {_checkpoint_digest(folder)}"]
    for path in files_of(folder):
        if not _PATH.fullmatch(path):
            raise AssertionError(f"the bundle's file {path!r} has a name a manifest cannot list")
        lines.append(f"{_digest(folder / path)} {path}")
    (folder / MANIFEST_FILE).write_bytes(sign_note("\n".join(lines) + "\n", [log_key]))


def check_manifest(
    folder: Path, keys: Sequence[VerifierKey], *, later: Iterable[str] = ()
) -> dict[str, str]:
    """Check that the log key signed the manifest, that it names this checkpoint, lists every
    file of the folder and nothing more, and that each file but ``later`` has its digest;
    return every file's digest by path (the caller checks ``later`` once it has read them)."""
    try:
        text = open_note(read_document(folder, MANIFEST_FILE), keys).text
    except NoteError as exc:
        why = exc.sentence().rstrip(".")
        raise BadBundle(
            f"its {MANIFEST_FILE} does not open with the log's verifier key: "
            f"{why[:1].lower()}{why[1:]}"
        ) from None
    checkpoint, listed = _listed(text)
    if checkpoint != _checkpoint_digest(folder):
        raise BadBundle(f"its {MANIFEST_FILE} was signed for another checkpoint")
    present = set(files_of(folder))
    for path in sorted(present - set(listed)):
        raise BadBundle(f"it holds {path}, a file its {MANIFEST_FILE} does not list")
    for path in sorted(set(listed) - present):
        raise BadBundle(f"{path}, which its {MANIFEST_FILE} lists, is missing")
    deferred = set(later)
    for path, digest in sorted(listed.items()):
        if path not in deferred:
            check_digest(folder, path, digest)
    return listed


def check_digest(folder: Path, path: str, digest: str) -> None:
    """Raise BadBundle unless the file at ``path`` has the SHA-256 its manifest lists."""
    if _digest(folder / path) != digest:
        raise BadBundle(f"its {path} is not the file its {MANIFEST_FILE} signs (another SHA-256)")


def files_of(folder: Path) -> list[str]:
    """Every file of the folder but the manifest and the checkpoint, as manifest paths, in the
    manifest's order; a link or anything else that is not a plain file is refused."""
    found = []
    for parent, folders, names in os.walk(folder, followlinks=False):
        here = Path(parent)
        for name in (*folders, *names):
            if (here / name).is_symlink():
                raise BadBundle(f"it holds {(here / name).relative_to(folder)}, a link")
        for name in names:
            path = (here / name).relative_to(folder).as_posix()
            if not (here / name).is_file():
                raise BadBundle(f"it holds {path}, which is not a plain file")
            if path not in _UNLISTED:
                found.append(path)
    return sorted(found, key=str.encode)


def _listed(text: str) -> tuple[str, dict[str, str]]:
    """The manifest's checkpoint digest and its lines as path -> digest, checked in form."""
    header, *lines = text.removesuffix("\n").split("\n")
    if header != MANIFEST_HEADER or not lines or not lines[0].startswith("checkpoint "):
        raise BadBundle(f"its {MANIFEST_FILE} is not a manifest ({MANIFEST_HEADER})")
    listed: dict[str, str] = {}
    previous = b""
    for line in lines[1:]:
        matched = _LINE.fullmatch(line)
        if matched is None or not _PATH.fullmatch(matched[2]):
            raise BadBundle(f"its {MANIFEST_FILE} has the line {line!r}, not a digest and a path")
        if matched[2].encode() <= previous:
            raise BadBundle(f"its {MANIFEST_FILE} does not list its paths once each, in order")
        previous = matched[2].encode()
        listed[matched[2]] = matched[1]
    return lines[0].removeprefix("checkpoint "), listed


def _checkpoint_digest(folder: Path) -> str:
    try:
        text = parse_note(read_document(folder, CHECKPOINT_FILE)).text
    except NoteError as exc:
        raise BadBundle(f"its {CHECKPOINT_FILE} is not a signed note: {exc.sentence()}") from None
    return hashlib.sha256(text.encode()).hexdigest()


def _digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
