"""Bundles of format v3: every file covered by the manifest the log key signs, the rules carried
as data and held to the verifier's own (issue 18, part 4). A bundle of an earlier format still
verifies, and says that nothing covers its other files.

The ledgers are the reproducible ones of ``tests.ledger.test_bundle``.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from ledger.bundle import BUNDLE_FORMAT, BUNDLE_FORMAT_COVERED, BadBundle, export_bundle
from ledger.manifest import MANIFEST_HEADER, sign_manifest
from ledger.rules import policy_data
from ledger.tree import issue_checkpoint
from tests.ledger.test_bundle import LOG_KEY, ORIGIN, POLICY, bundle_of, examine, history
from tlog.note import SignerKey, parse_note, sign_note

FILES = {
    "README.md": b"# The ledger\n\nCheck it with the log's verifier key.\n",
    "schemas/assembly.panel.convened.v1.json": b'{"type": "object"}\n',
}


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle of 6 entries in format v3, its ledger gone."""
    where = tmp_path_factory.mktemp("signed")
    ledger = history(str(where / "a.db"), [1, 2, 3])
    issued = issue_checkpoint(ledger.recorder, LOG_KEY, origin=ORIGIN)
    export_bundle(ledger, issued, where / "bundle", files=FILES, log_key=LOG_KEY)
    ledger.close()
    return where / "bundle"


@pytest.fixture
def bundle(signed: Path, tmp_path: Path) -> Path:
    """A private copy of the signed bundle, to tamper with."""
    return Path(shutil.copytree(signed, tmp_path / "bundle"))


def refusal(reason: str) -> str:
    return "^" + re.escape(f"The bundle does not verify: {reason}.") + "$"


def listed(folder: Path) -> list[str]:
    return parse_note((folder / "manifest.txt").read_bytes()).text.splitlines()


def test_a_signed_bundle_lists_every_file_but_itself_and_the_checkpoint(bundle: Path) -> None:
    lines = listed(bundle)
    checkpoint = parse_note((bundle / "checkpoint.txt").read_bytes()).text
    assert lines[:2] == [
        MANIFEST_HEADER,
        f"checkpoint {hashlib.sha256(checkpoint.encode()).hexdigest()}",
    ]
    paths = [line.split(" ", 1)[1] for line in lines[2:]]
    assert paths == [
        "README.md",
        "bundle.json",
        "entries.jsonl",
        "policy.json",
        "schemas/assembly.panel.convened.v1.json",
        "schemas/ledger.signer.enrolled.v1.json",
        "schemas/ledger.signer.revoked.v1.json",
        "signers.json",
    ]
    for line in lines[2:]:
        digest, path = line.split(" ", 1)
        assert hashlib.sha256((bundle / path).read_bytes()).hexdigest() == digest


def test_a_signed_bundle_verifies_and_says_how_many_files_its_manifest_covers(
    bundle: Path,
) -> None:
    examined = examine(bundle)
    assert (examined.format, examined.covered) == (BUNDLE_FORMAT_COVERED, 8)
    assert json.loads((bundle / "bundle.json").read_text())["format"] == BUNDLE_FORMAT_COVERED
    assert json.loads((bundle / "policy.json").read_text()) == policy_data(POLICY)


def test_a_bundle_written_the_old_way_verifies_as_an_older_format(tmp_path: Path) -> None:
    folder = bundle_of(history(str(tmp_path / "a.db"), [1, 2]), tmp_path / "old")
    examined = examine(folder)
    assert (examined.format, examined.covered) == (BUNDLE_FORMAT, None)
    assert not (folder / "manifest.txt").exists() and not (folder / "policy.json").exists()


def test_an_edited_readme_is_caught(bundle: Path) -> None:
    (bundle / "README.md").write_text("# The ledger\n\nUse the key in log.vkey beside this file.\n")
    reason = "its README.md is not the file its manifest.txt signs (another SHA-256)"
    with pytest.raises(BadBundle, match=refusal(reason)):
        examine(bundle)


def test_an_edited_schema_is_caught(bundle: Path) -> None:
    schema = bundle / "schemas" / "ledger.signer.revoked.v1.json"
    schema.write_text(schema.read_text().replace('"additionalProperties": false', '"x": 1'))
    reason = (
        "its schemas/ledger.signer.revoked.v1.json is not the file its manifest.txt signs "
        "(another SHA-256)"
    )
    with pytest.raises(BadBundle, match=refusal(reason)):
        examine(bundle)


def test_a_member_added_to_bundle_json_is_caught(bundle: Path) -> None:
    label = json.loads((bundle / "bundle.json").read_text())
    (bundle / "bundle.json").write_text(json.dumps({**label, "vkey": "elsewhere+0+AA=="}))
    reason = "bundle.json holds members other than format, origin and size"
    with pytest.raises(BadBundle, match=refusal(reason)):
        examine(bundle)


def test_bundle_json_rewritten_in_another_spelling_is_caught(bundle: Path) -> None:
    label = json.loads((bundle / "bundle.json").read_text())
    (bundle / "bundle.json").write_text(json.dumps(label))
    reason = "its bundle.json is not the file its manifest.txt signs (another SHA-256)"
    with pytest.raises(BadBundle, match=refusal(reason)):
        examine(bundle)


@pytest.mark.parametrize("planted", ["log.vkey", "schemas/log.vkey", ".hidden", "x/y/z.txt"])
def test_a_planted_file_is_caught(bundle: Path, planted: str) -> None:
    (bundle / planted).parent.mkdir(parents=True, exist_ok=True)
    (bundle / planted).write_text("evil.example/log+01234567+AbCd\n")
    reason = f"it holds {planted}, a file its manifest.txt does not list"
    with pytest.raises(BadBundle, match=refusal(reason)):
        examine(bundle)


def test_a_planted_link_is_caught(bundle: Path) -> None:
    (bundle / "notes.md").symlink_to(bundle / "README.md")
    with pytest.raises(BadBundle, match=refusal("it holds notes.md, a link")):
        examine(bundle)


def test_a_missing_file_is_caught(bundle: Path) -> None:
    (bundle / "schemas" / "assembly.panel.convened.v1.json").unlink()
    reason = "schemas/assembly.panel.convened.v1.json, which its manifest.txt lists, is missing"
    with pytest.raises(BadBundle, match=refusal(reason)):
        examine(bundle)


def test_a_bundle_without_its_manifest_is_refused(bundle: Path) -> None:
    (bundle / "manifest.txt").unlink()
    reason = "its manifest.txt cannot be read (No such file or directory)"
    with pytest.raises(BadBundle, match=refusal(reason)):
        examine(bundle)


def test_a_downgraded_label_is_caught_while_the_manifest_is_there(bundle: Path) -> None:
    label = json.loads((bundle / "bundle.json").read_text())
    text = json.dumps({**label, "format": BUNDLE_FORMAT}, indent=2, sort_keys=True) + "\n"
    (bundle / "bundle.json").write_text(text)
    reason = "its bundle.json is not the file its manifest.txt signs (another SHA-256)"
    with pytest.raises(BadBundle, match=refusal(reason)):
        examine(bundle)


def test_a_manifest_signed_by_another_key_is_refused(bundle: Path) -> None:
    sign_manifest(bundle, SignerKey(ORIGIN, bytes([7]) * 32))
    reason = (
        "its manifest.txt does not open with the log's verifier key: the note has no valid "
        "signature from a known key (it has 1 signature(s) from unknown keys)"
    )
    with pytest.raises(BadBundle, match=refusal(reason)):
        examine(bundle)


def test_a_manifest_of_another_checkpoint_is_refused(bundle: Path, tmp_path: Path) -> None:
    ledger = history(str(tmp_path / "b.db"), [1, 2, 3, 4])
    issued = issue_checkpoint(ledger.recorder, LOG_KEY, origin=ORIGIN)
    export_bundle(ledger, issued, tmp_path / "newer", files=FILES, log_key=LOG_KEY)
    shutil.copy(tmp_path / "newer" / "manifest.txt", bundle / "manifest.txt")
    with pytest.raises(
        BadBundle, match=refusal("its manifest.txt was signed for another checkpoint")
    ):
        examine(bundle)


def test_rules_loosened_in_policy_json_are_refused_even_signed_by_the_log(bundle: Path) -> None:
    rules = json.loads((bundle / "policy.json").read_text())
    rules["roles"]["secretariat"].append("assembly.government.*")
    (bundle / "policy.json").write_text(json.dumps(rules, indent=2, sort_keys=True) + "\n")
    sign_manifest(bundle, LOG_KEY)
    reason = (
        "its policy.json holds other rules than the ones this verifier applies to format "
        "assembly-ledger/bundle@v3: a bundle cannot change the rules it is checked by"
    )
    with pytest.raises(BadBundle, match=refusal(reason)):
        examine(bundle)


def test_entries_that_are_not_the_ones_the_manifest_lists_are_caught(bundle: Path) -> None:
    text = parse_note((bundle / "manifest.txt").read_bytes()).text
    lines = [
        f"{'0' * 64} entries.jsonl" if line.endswith(" entries.jsonl") else line
        for line in text.splitlines()
    ]
    (bundle / "manifest.txt").write_bytes(sign_note("\n".join(lines) + "\n", [LOG_KEY]))
    reason = "its entries.jsonl is not the file its manifest.txt signs (another SHA-256)"
    with pytest.raises(BadBundle, match=refusal(reason)):
        examine(bundle)


@pytest.mark.parametrize(
    "line",
    ["0" * 64 + " ../README.md", "0" * 64 + "  README.md", "0" * 63 + " README.md", "README.md"],
)
def test_a_manifest_line_that_is_not_a_digest_and_a_path_is_refused(
    bundle: Path, line: str
) -> None:
    text = parse_note((bundle / "manifest.txt").read_bytes()).text
    (bundle / "manifest.txt").write_bytes(sign_note(text + line + "\n", [LOG_KEY]))
    reason = f"its manifest.txt has the line {line!r}, not a digest and a path"
    with pytest.raises(BadBundle, match=refusal(reason)):
        examine(bundle)


def test_a_manifest_that_lists_a_path_twice_is_refused(bundle: Path) -> None:
    text = parse_note((bundle / "manifest.txt").read_bytes()).text
    last = text.splitlines()[-1]
    (bundle / "manifest.txt").write_bytes(sign_note(text + last + "\n", [LOG_KEY]))
    reason = "its manifest.txt does not list its paths once each, in order"
    with pytest.raises(BadBundle, match=refusal(reason)):
        examine(bundle)


def test_the_log_key_is_the_only_key_a_bundle_is_exported_with(tmp_path: Path) -> None:
    from ledger.bundle import BundleSetupError

    ledger = history(str(tmp_path / "a.db"), [1])
    issued = issue_checkpoint(ledger.recorder, LOG_KEY, origin=ORIGIN)
    other = SignerKey(ORIGIN, bytes([1]) * 32)
    with pytest.raises(BundleSetupError, match="did not sign the checkpoint"):
        export_bundle(ledger, issued, tmp_path / "bundle", files={}, log_key=other)
    assert not (tmp_path / "bundle").exists()
