"""``assembly serve --witnesses POLICY``: the policy ``checkpoint --witnesses`` reads, checked
before the server starts and handed to every worker, whose pages and keys then name its
witnesses."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.cli.test_serve_workers import serving
from tests.features.cycle import LEDGER, copy_of, shared_template
from tests.runner import assembly
from tests.web.test_witness_policy import POLICY, WITNESSES


def test_serve_refuses_a_policy_it_cannot_use_before_it_starts(tmp_path: Path) -> None:
    policy = tmp_path / "witnesses.policy"
    policy.write_text(POLICY.replace("quorum 2", "quorum 4"))
    done = assembly("serve", "--witnesses", str(policy), "--ledger", str(tmp_path / "none.db"))
    assert done.code == 2, done
    assert f"The witness policy {policy} cannot be used: its quorum must be 1 to 3" in done.stderr
    assert "Traceback" not in done.stderr


def test_every_worker_serves_the_policys_witnesses(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    folder = copy_of(shared_template(tmp_path_factory).seated, tmp_path / "assembly")
    (folder / "witnesses.policy").write_text(POLICY)
    options = ("--workers", "2", "--witnesses", "witnesses.policy")
    keys = [w.verifier_key.text() for w in WITNESSES]
    with serving(str(folder / LEDGER), folder, *options) as (url, log):
        # a connection each, so that both workers answer some
        answers = [httpx.get(f"{url}/monitor/keys", timeout=30).text for _ in range(6)]
        page = httpx.get(f"{url}/verify?lang=en", timeout=30).text
    assert all(answer.splitlines()[-3:] == keys for answer in answers), answers
    assert all(key in page for key in keys)  # named on /verify, from the policy
    assert log.read_text().count("Started server process") == 2, log.read_text()
