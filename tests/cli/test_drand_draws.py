"""A panel drawn on a drand round through ``assembly``: announced with the chain and a round
published after the announcement, performed with the round's beacon (drand's JSON), re-checked
by ``assembly draw verify``; a changed signature, round or chain fails it with one sentence.

The chain is the tests' own (``tests.drand_chain``): drand's published rounds are all older
than any announcement made now. Its round comes out a few seconds after the announcement, which
the module waits for once; each test works on its own copy.
"""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.draws.drand import KNOWN_CHAINS, Chain
from tests.drand_chain import beacon_json, chain_info, own_chain, sign
from tests.features.cycle import (
    ALGORITHM,
    LEDGER,
    PANEL_FILES,
    PORTFOLIO_SIZE,
    SEATS,
    Template,
    as_secretariat,
    close_pool,
    copy_of,
    entries,
    last_events,
    ok,
    one_sentence,
    verify_draw,
)
from tests.runner import Result
from tests.tamper import Attacker

# Time for the announcement (a portfolio of 20 panels) to be recorded before the round is out,
# on a loaded machine.
MARGIN = timedelta(seconds=12)
ANNOUNCED, PERFORMED = "assembly.draw.panel_announced", "assembly.draw.panel_performed"


def _perform(folder: Path, *extra: str) -> Result:
    return as_secretariat(folder, "draw", "perform", "panel", "--panel", "1", *PANEL_FILES, *extra)


def _write(path: Path, document: dict[str, Any]) -> str:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path.name


@pytest.fixture(scope="module")
def drand_draw(
    template: Template, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, Chain, int]:
    """Panel 1's draw announced on a round of the tests' chain (a copy kept), then performed."""
    folder = copy_of(template.invited, tmp_path_factory.mktemp("drand") / "assembly")
    ok(close_pool(folder))
    chain = own_chain(datetime.now(UTC) - timedelta(hours=1))
    number = chain.first_round_after(datetime.now(UTC) + MARGIN)
    said = ok(
        as_secretariat(
            folder,
            *("draw", "announce", "panel", "--panel", "1", "--pool", "pool.csv"),
            *("--quotas", "quotas.csv", "--portfolio", "portfolio.json"),
            *("--size", str(PORTFOLIO_SIZE), "--seats", str(SEATS), "--algorithm", ALGORITHM),
            *("--drand-chain", _write(folder / "chain.json", chain_info(chain))),
            *("--drand-round", str(number)),
        )
    )
    assert f"The public value will be drand round {number} of the chain" in said.stdout
    announced = copy_of(folder, folder.with_name("announced"))
    # The draw can be performed only once its round is out: nothing to await but the clock.
    time.sleep(max(0.0, (chain.round_time(number) - datetime.now(UTC)).total_seconds()) + 0.2)
    _write(folder / "beacon.json", beacon_json(sign(chain, number)))
    ok(_perform(folder, "--beacon", "beacon.json"))
    return folder, announced, chain, number


@pytest.fixture
def drawn(drand_draw: tuple[Path, Path, Chain, int], tmp_path: Path) -> Path:
    return copy_of(drand_draw[0], tmp_path / "assembly")


@pytest.fixture
def announced(drand_draw: tuple[Path, Path, Chain, int], tmp_path: Path) -> Path:
    return copy_of(drand_draw[1], tmp_path / "assembly")


def test_the_draw_records_the_round_and_its_beacon_and_verifies(
    drawn: Path, drand_draw: tuple[Path, Path, Chain, int]
) -> None:
    _, _, chain, number = drand_draw
    announcement, draw = last_events(drawn, 2)
    assert announcement["drand"] == {
        "chain_hash": chain.chain_hash,
        "public_key": chain.public_key,
        "scheme": "bls-unchained-g1-rfc9380",
        "genesis_time": chain.genesis_time,
        "period_seconds": 1,
        "round": number,
    }
    assert (
        announcement["randomness_source"]
        == f"drand, round {number} of the chain {chain.chain_hash}"
    )
    beacon = sign(chain, number)
    assert draw["drand"]["signature"] == beacon.signature
    assert draw["randomness_value"] == beacon.randomness()
    verified = verify_draw(drawn, "panel", "--format", "json")
    assert verified.code == 0, verified.stderr
    assert json.loads(verified.stdout)["drand_round"] == number
    said = verify_draw(drawn, "panel")
    assert f"the beacon of drand round {number} of the chain {chain.chain_hash}" in said.stdout


def _tamper(folder: Path, event_type: str, change: Any) -> None:
    """Rewrite the payload of the last entry of ``event_type``, as an attacker with the
    database would; ``change`` edits the payload in place."""
    attacker = Attacker(str(folder / LEDGER))
    try:
        for seq in range(entries(folder) - 1, -1, -1):
            state = json.loads(attacker.entry(seq)["state"])
            if state["type"] == event_type:
                change(state["payload"])
                attacker.set_body(seq, json.dumps(state, separators=(",", ":")).encode())
                return
        raise AssertionError(f"no {event_type} entry")
    finally:
        attacker.close()


def test_a_changed_signature_round_or_chain_fails_draw_verify_in_one_sentence(
    drawn: Path, tmp_path: Path, drand_draw: tuple[Path, Path, Chain, int]
) -> None:
    _, _, chain, number = drand_draw
    other = sign(chain, number + 1)
    quicknet = KNOWN_CHAINS["quicknet"]
    cases = {
        "signature": (
            0,
            lambda p: p["drand"].update(signature=other.signature),
            f"drand beacon of round {number} does not verify: the signature is not",
        ),
        "round": (
            0,
            lambda p: p["drand"].update(round=number + 1),
            f"The drand round differs from the announced one (announced {number}, given",
        ),
        "beacon's chain": (
            0,
            lambda p: p["drand"].update(chain_hash=quicknet.chain_hash),
            "The drand chain differs from the announced one",
        ),
        "announced chain": (
            1,
            lambda p: p["drand"].update(
                public_key=quicknet.public_key, chain_hash=quicknet.chain_hash
            ),
            "The drand chain differs from the announced one",
        ),
        "announced key": (
            1,
            lambda p: p["drand"].update(public_key=quicknet.public_key),
            f"drand beacon of round {number} does not verify",
        ),
    }
    for name, (announcement, change, words) in cases.items():
        folder = copy_of(drawn, tmp_path / re.sub(r"\W", "-", name))
        _tamper(folder, ANNOUNCED if announcement else PERFORMED, change)
        failed = verify_draw(folder, "panel")
        one_sentence(failed, 1, words)
        assert "The draw does not verify" in failed.stderr, name


def test_a_beacon_of_another_round_or_with_another_signature_is_refused(
    announced: Path, drand_draw: tuple[Path, Path, Chain, int]
) -> None:
    _, _, chain, number = drand_draw
    before = entries(announced)
    earlier = _write(announced / "earlier.json", beacon_json(sign(chain, number - 1)))
    refused = _perform(announced, "--beacon", earlier)
    one_sentence(refused, 3, "The drand round differs from the announced one")
    forged = {**beacon_json(sign(chain, number)), "signature": sign(chain, number - 1).signature}
    del forged["randomness"]
    refused = _perform(announced, "--beacon", _write(announced / "forged.json", forged))
    one_sentence(refused, 3, f"drand beacon of round {number} does not verify")
    assert entries(announced) == before


def test_a_drand_draw_takes_its_beacon_and_a_lottery_value_is_refused(announced: Path) -> None:
    lottery = _perform(
        announced, "--randomness-value", "1 2 3", "--published-at", datetime.now(UTC).isoformat()
    )
    one_sentence(lottery, 2, "give its beacon with --beacon FILE")
    (announced / "bad.json").write_text("{not json", encoding="utf-8")
    one_sentence(_perform(announced, "--beacon", "bad.json"), 2, "is not a readable JSON file")


def test_a_round_needs_its_chain_and_by_default_comes_a_minute_after_the_announcement(
    tmp_path: Path, template: Template
) -> None:
    folder = copy_of(template.invited, tmp_path / "assembly")
    ok(close_pool(folder))
    result = as_secretariat(
        folder,
        *("draw", "announce", "panel", "--panel", "1", "--pool", "pool.csv"),
        *("--quotas", "quotas.csv", "--drand-round", "5"),
    )
    one_sentence(result, 2, "--drand-round needs --drand-chain")
    nothing = as_secretariat(
        folder,
        *("draw", "announce", "panel", "--panel", "1", "--pool", "pool.csv"),
        *("--quotas", "quotas.csv"),
    )
    one_sentence(nothing, 2, "Name the public randomness to come")
    before = datetime.now(UTC)
    ok(
        as_secretariat(
            folder,
            *("draw", "announce", "panel", "--panel", "1", "--pool", "pool.csv"),
            *("--quotas", "quotas.csv", "--size", str(PORTFOLIO_SIZE), "--algorithm", ALGORITHM),
            *("--drand-chain", "quicknet"),
        )
    )
    after = datetime.now(UTC)
    [announcement] = last_events(folder)
    quicknet = KNOWN_CHAINS["quicknet"]
    assert announcement["drand"]["chain_hash"] == quicknet.chain_hash
    published = quicknet.round_time(announcement["drand"]["round"])
    assert before + timedelta(minutes=1) < published <= after + timedelta(minutes=1, seconds=3)
