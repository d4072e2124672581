"""A verifier written from docs/format.md alone (``verify_from_docs.py``: the standard library
and ``cryptography``) checks the demo's bundle, and refuses it tampered, as the project's own
verifier does (issue 18, part 4). The rules the page prints are the code's, so the page cannot
drift from what bundles carry.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cli.context import role_policy
from ledger import Ledger
from ledger.bundle import BadBundle, check_bundle, export_bundle
from ledger.errors import VerificationFailed
from ledger.keys import load_signer
from ledger.manifest import sign_manifest
from ledger.rules import policy_data
from ledger.tree import latest_checkpoint
from tests.features.forked import assembly
from tests.spec import verify_from_docs
from tlog.note import SignerKey, parse_verifier_key

VERIFIER = Path(verify_from_docs.__file__)
FORMAT = Path(__file__).parents[2] / "docs" / "format.md"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's ledger, keys and files, and its bundle (``bundle``) signed with its log key."""
    folder = tmp_path_factory.mktemp("demo")
    made = assembly(
        *("demo", "--ledger", "demo.db", "--out", "files", "--pool-size", "200"),
        *("--portfolio-size", "10", "--algorithm", "legacy"),
        cwd=folder,
    )
    assert made.code == 0, made.stderr
    export = ("export", "bundle", "bundle", "--ledger", "demo.db", "--key", "files/keys/log.key")
    exported = assembly(*export, cwd=folder)
    assert exported.code == 0, exported.stderr
    return folder


@pytest.fixture
def bundle(demo: Path, tmp_path: Path) -> Path:
    """A private copy of the demo's bundle."""
    return Path(shutil.copytree(demo / "bundle", tmp_path / "bundle"))


def independent(folder: Path, demo: Path) -> subprocess.CompletedProcess[str]:
    """Run the verifier written from the page, in a process of its own, outside the project."""
    vkey = str(demo / "files" / "log.vkey")
    return subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(folder), "--vkey", vkey],
        capture_output=True,
        text=True,
        cwd=folder.parent,
        check=False,
    )


def ours(folder: Path, demo: Path) -> None:
    vkey = parse_verifier_key((demo / "files" / "log.vkey").read_text().strip())
    check_bundle(folder, [vkey], role_policy())


def log_key(demo: Path, origin: str) -> SignerKey:
    return SignerKey(origin, load_signer(demo / "files" / "keys" / "log.key").seed)


def test_the_verifier_imports_only_the_standard_library_and_cryptography() -> None:
    tree = ast.parse(VERIFIER.read_text(encoding="utf-8"))
    imported = {
        (node.module or "" if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    allowed = set(sys.stdlib_module_names) | {"__future__", "cryptography"}
    assert imported and imported <= allowed, imported - allowed


def test_the_rules_the_page_prints_are_the_ones_bundles_carry_and_the_verifier_holds() -> None:
    section = FORMAT.read_text(encoding="utf-8").split("### 18.4 ", 1)[1]
    printed = json.loads(re.search(r"```json\n(.*?)```", section, re.DOTALL)[1])  # type: ignore[index]
    assert printed == policy_data(role_policy()) == verify_from_docs.RULES


def test_the_verifier_from_the_page_checks_the_demos_bundle(demo: Path) -> None:
    done = independent(demo / "bundle", demo)
    assert done.returncode == 0, done.stderr
    listed = len((demo / "bundle" / "manifest.txt").read_text().split("\n\n")[0].splitlines())
    assert done.stdout.startswith("verified demo.assembly.example/ledger: ")
    assert done.stdout.endswith(f" signers, {listed - 2} files covered by the manifest\n")
    ours(demo / "bundle", demo)


def test_the_verifier_from_the_page_checks_a_bundle_of_the_older_format(
    demo: Path, tmp_path: Path
) -> None:
    ledger = Ledger.open(f"sqlite:///{demo / 'demo.db'}", role_policy())
    try:
        issued = latest_checkpoint(ledger.recorder)
        assert issued is not None
        export_bundle(ledger, issued, tmp_path / "old", files={"README.md": b"# old\n"})
    finally:
        ledger.close()
    done = independent(tmp_path / "old", demo)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(", older format\n")


def edit_readme(folder: Path, demo: Path) -> None:
    readme = folder / "README.md"
    readme.write_text(readme.read_text().replace("never from this folder", "from log.vkey here"))


def edit_schema(folder: Path, demo: Path) -> None:
    schema = next((folder / "schemas").glob("assembly.government.responded.*.json"))
    schema.write_text(schema.read_text().replace('"type": "object"', '"type": "array"', 1))


def add_label_member(folder: Path, demo: Path) -> None:
    label = json.loads((folder / "bundle.json").read_text())
    (folder / "bundle.json").write_text(json.dumps({**label, "vkey": "log.vkey"}))


def plant_vkey(folder: Path, demo: Path) -> None:
    (folder / "log.vkey").write_text("demo.assembly.example/ledger+00000000+AQ==\n")


def plant_schema(folder: Path, demo: Path) -> None:
    (folder / "schemas" / "assembly.extra.v1.json").write_text("{}\n")


def remove_schema(folder: Path, demo: Path) -> None:
    next((folder / "schemas").glob("ledger.signer.revoked.*.json")).unlink()


def remove_manifest(folder: Path, demo: Path) -> None:
    (folder / "manifest.txt").unlink()


def change_entry(folder: Path, demo: Path) -> None:
    lines = (folder / "entries.jsonl").read_bytes().split(b"\n")
    lines[9] = lines[9].replace(b'"schema":1', b'"schema":9', 1)
    (folder / "entries.jsonl").write_bytes(b"\n".join(lines))


def loosen_rules_and_sign(folder: Path, demo: Path) -> None:
    rules = json.loads((folder / "policy.json").read_text())
    rules["roles"]["secretariat"].append("assembly.government.*")
    (folder / "policy.json").write_text(json.dumps(rules, indent=2, sort_keys=True) + "\n")
    sign_manifest(folder, log_key(demo, "demo.assembly.example/ledger"))


def nest_deep(folder: Path, demo: Path) -> None:
    with (folder / "entries.jsonl").open("ab") as lines:
        lines.write(b"[" * 100_000 + b"]" * 100_000 + b"\n")


def long_line(folder: Path, demo: Path) -> None:
    with (folder / "entries.jsonl").open("ab") as lines:
        lines.write(b'{"event":"' + b"x" * 50_000_000 + b'"}\n')


TAMPERINGS: dict[str, Callable[[Path, Path], None]] = {
    "an edited README": edit_readme,
    "an edited schema": edit_schema,
    "a member added to bundle.json": add_label_member,
    "a planted log.vkey": plant_vkey,
    "a planted schema": plant_schema,
    "a schema removed": remove_schema,
    "the manifest removed": remove_manifest,
    "a changed entry": change_entry,
    "rules loosened, the manifest signed again by the log": loosen_rules_and_sign,
    "a line nested 100,000 deep": nest_deep,
    "a line of 50 MB": long_line,
}


@pytest.mark.parametrize("tamper", TAMPERINGS.values(), ids=TAMPERINGS.keys())
def test_both_verifiers_refuse_a_tampered_bundle(
    tamper: Callable[[Path, Path], None], bundle: Path, demo: Path
) -> None:
    tamper(bundle, demo)
    done = independent(bundle, demo)
    assert done.returncode == 1, done.stdout
    assert done.stderr.startswith("refused: ") and done.stderr.count("\n") == 1, done.stderr
    with pytest.raises((BadBundle, VerificationFailed)):
        ours(bundle, demo)


def test_the_verifier_from_the_page_accepts_the_pages_worked_example() -> None:
    section = FORMAT.read_text(encoding="utf-8").split("## 21. Worked example", 1)[1]
    blocks = re.findall(r"```\n(.*?)\n```", section, re.DOTALL)
    entry = json.loads(next(block for block in blocks if block.startswith('{"event":')))
    documented = next(block for block in blocks if re.fullmatch(r"[0-9a-f]{64}", block))
    line = verify_from_docs.jcs({**entry, "hash": documented}) + b"\n"
    walk = verify_from_docs.Ledger(verify_from_docs.RULES)
    assert verify_from_docs.check_line(walk, 0, line).hex() == documented
    assert walk.identity == "0123456789abcdef0123456789abcdef"
    with pytest.raises(verify_from_docs.Refused, match="the signature does not verify"):
        forged = {**entry, "sig": entry["sig"][:2] + ("A" if entry["sig"][2] != "A" else "B")}
        forged["sig"] += entry["sig"][3:]
        entry_bytes = verify_from_docs.jcs(forged)
        digest = hashlib.sha256(b"\x00" + entry_bytes).hexdigest()
        fresh = verify_from_docs.Ledger(verify_from_docs.RULES)
        verify_from_docs.check_line(
            fresh, 0, verify_from_docs.jcs({**forged, "hash": digest}) + b"\n"
        )


def test_both_verifiers_accept_a_bundle_an_earlier_release_wrote(tmp_path: Path) -> None:
    vectors = Path(__file__).parents[1] / "vectors"
    vkey_text = (vectors / "bundle-v1.vkey").read_text().strip()
    examined = check_bundle(vectors / "bundle-v1", [parse_verifier_key(vkey_text)], role_policy())
    assert (examined.format, examined.covered, examined.checkpoint.size) == (
        "assembly-ledger/bundle@v1",
        None,
        6,
    )
    done = subprocess.run(
        [sys.executable, "-I", str(VERIFIER), str(vectors / "bundle-v1"), "--vkey", vkey_text],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (
        0,
        "verified test.assembly.example/ledger: 6 entries, 3 signers, older format\n",
    )
