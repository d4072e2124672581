"""Steps shared by the feature files (features/): thin, state passed through fixtures."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, then, when

from ledger import Ledger
from ledger.errors import AppendRefused, RoleNotAllowed, SignerRevoked
from tests.conftest import World
from tests.runner import Result, assembly
from tests.tamper import Attacker


@pytest.fixture
def ledger_url(tmp_path: Path) -> str:
    """Features run on the embedded default, a SQLite file (the contract suite covers the rest)."""
    return str(tmp_path / "assembly.db")


@pytest.fixture
def outcome() -> dict[str, object]:
    return {}


@given("a ledger with a charter key, a secretariat key and a government key")
def given_a_ledger(world: World) -> World:
    return world


@given(parsers.parse("the secretariat has recorded {count:d} events"))
def secretariat_records(world: World, count: int) -> None:
    stream = uuid.uuid4()
    for version in range(count):
        world.append(world.secretariat, stream, version, world.event(number=version))
    world.ledger.close()


@given(
    parsers.parse("an attacker with database access changed one byte of the event at seq {seq:d}")
)
def change_one_byte(world: World, seq: int) -> None:
    attacker = Attacker(world.url)
    body = attacker.entry(seq)["state"]
    attacker.set_body(seq, body.replace(b'"number":', b'"number":9', 1))
    attacker.close()


@given(
    parsers.parse(
        "an attacker with database access deleted the entry at seq {seq:d} and re-chained the rest"
    )
)
def delete_and_rechain(world: World, seq: int) -> None:
    attacker = Attacker(world.url)
    top = world.ledger.count() - 1
    attacker.delete_entry(seq, with_event=True)
    for later in range(seq + 1, top + 1):
        attacker.run(
            "UPDATE ledger_entries SET seq = :new WHERE seq = :old", new=later - 1, old=later
        )
    attacker.rechain_from(seq)
    attacker.close()


@given(parsers.parse("an attacker with database access deleted the last {count:d} entries"))
def delete_tail(world: World, count: int) -> None:
    attacker = Attacker(world.url)
    top = world.ledger.count() - 1
    for seq in range(top, top - count, -1):
        attacker.delete_entry(seq, with_event=True)
    attacker.close()


@given("the journalist saved the head after verifying")
def save_head(world: World, tmp_path: Path) -> None:
    assert (
        assembly("verify", "--ledger", world.url, "--head-file", str(tmp_path / "head")).code == 0
    )


@given("the charter revoked the government key")
def revoke_government(world: World) -> None:
    world.ledger.revoke(world.charter, world.government.key_id, reason="the minister left office")


@when("the journalist runs assembly verify", target_fixture="result")
def run_verify(world: World) -> Result:
    return assembly("verify", "--ledger", world.url, "--format", "json")


@when("the journalist runs assembly verify with the saved head", target_fixture="result")
def run_verify_with_head(world: World, tmp_path: Path) -> Result:
    return assembly("verify", "--ledger", world.url, "--head-file", str(tmp_path / "head"))


@when(parsers.parse("the {office} appends a response"))
def append_response(world: World, office: str, outcome: dict[str, object]) -> None:
    signer = {"government": world.government, "secretariat": world.secretariat}[office]
    try:
        world.append(
            signer,
            uuid.uuid4(),
            0,
            world.event("assembly.government.responded", position="accepted"),
        )
    except AppendRefused as refusal:
        outcome["refusal"] = refusal


@then("the command succeeds")
def command_succeeds(result: Result) -> None:
    assert result.code == 0, result.stderr


@then(parsers.parse("it reports {count:d} entries"))
def reports_entries(result: Result, count: int) -> None:
    assert f'"entries": {count}' in result.stdout


@then(parsers.parse("verification fails at seq {seq:d}"))
def fails_at(result: Result, seq: int) -> None:
    assert result.code == 1, result
    assert f"Verification failed at seq {seq}:" in result.stderr


@then(parsers.parse("the ledger holds {count:d} entries"))
def ledger_holds(world: World, count: int) -> None:
    reopened = Ledger.open(world.url, world.ledger.policy)
    assert reopened.count() == count
    reopened.close()


@then("the append is refused because the role may not write it")
def refused_for_role(outcome: dict[str, object]) -> None:
    assert isinstance(outcome.get("refusal"), RoleNotAllowed)


@then("the append is refused because the key was revoked")
def refused_for_revocation(outcome: dict[str, object]) -> None:
    assert isinstance(outcome.get("refusal"), SignerRevoked)


# The process features (secretariat, government, commission) run the CLI on a copy of a small
# assembly; their steps live beside it.
from tests.features.steps_process import *  # noqa: E402, F403
