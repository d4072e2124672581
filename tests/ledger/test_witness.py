"""The witness (``ledger/witness.py``; its state directory, ``ledger/witness_store.py``):
c2sp.org/tlog-witness add-checkpoint, offline."""

from __future__ import annotations

import json
import multiprocessing
import os
import stat
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tlog.checkpoint import Checkpoint, format_checkpoint, parse_checkpoint, verify_cosignature
from tlog.merkle import MemoryNodes, consistency_proof, leaf_hash, root
from tlog.note import COSIGNATURE_V1, SignerKey, parse_note, sign_note
from tlog.witness import (
    AddCheckpoint,
    Conflict,
    InconsistentProof,
    MalformedRequest,
    NoWitness,
    OldSizeTooLarge,
    RootMismatch,
    SizeMismatch,
    UnknownOrigin,
    UntrustedSignature,
    WitnessSetupConflict,
    WitnessState,
    WitnessStorageError,
    add_checkpoint,
    format_add_checkpoint,
    format_cosignatures,
    parse_add_checkpoint,
    trust_log,
)
from tlog.witness_store import STATE_FILE, cosign_in, init_witness, load_witness

ORIGIN = "example.com/assembly-log"
LOG_KEY = SignerKey(ORIGIN, bytes(range(32)))
OTHER_KEY = SignerKey(ORIGIN, bytes(range(1, 33)))
WITNESS = SignerKey("witness.example/w1", bytes([7]) * 32, COSIGNATURE_V1)
NOW = 1_700_000_000

# c2sp.org/tlog-witness, section add-checkpoint: the example request body, byte for byte.
SPEC_REQUEST = (
    "old 20852014\n"
    "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
    "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
    "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
    "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
    "\n"
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5"
    "/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "\u2014 example.com/behind-the-sofa opLqBQsREYCgu6xQkYQwJr9fo45a62DN9EdmHXnZdXNqlcVGlCum2Wks+49"
    "/V6267UEjw6QUXTS5Rovnzv++qbSzm9Q=\n"
).encode()


class Log:
    """A log in memory over deterministic leaf hashes; ``fork`` names a diverging history."""

    def __init__(self, size: int, *, fork: str = "", fork_at: int = 0, key: SignerKey = LOG_KEY):
        leaves = [
            leaf_hash(f"entry {i}{fork if i >= fork_at else ''}".encode()) for i in range(size)
        ]
        self.nodes = MemoryNodes(leaves)
        self.key = key

    def checkpoint(self, size: int) -> Checkpoint:
        return Checkpoint(ORIGIN, size, root(size, self.nodes))

    def signed(self, size: int) -> bytes:
        return sign_note(format_checkpoint(self.checkpoint(size)), [self.key])

    def request(self, old: int, new: int) -> AddCheckpoint:
        proof = consistency_proof(old, new, self.nodes) if old else []
        return AddCheckpoint(old, tuple(proof), self.signed(new))


LOG = Log(16)


def fresh() -> WitnessState:
    return trust_log(WitnessState(WITNESS), ORIGIN, [LOG_KEY.verifier_key])


def witnessed(size: int) -> WitnessState:
    state, _ = add_checkpoint(fresh(), LOG.request(0, size), now=NOW)
    return state


# --- the request body ------------------------------------------------------------------------


def test_the_spec_example_request_parses_and_formats_back_byte_for_byte() -> None:
    request = parse_add_checkpoint(SPEC_REQUEST)
    assert request.old_size == 20852014
    assert len(request.proof) == 4
    assert all(len(hashed) == 32 for hashed in request.proof)
    assert parse_checkpoint(parse_note(request.checkpoint).text).size == 20852163
    assert format_add_checkpoint(request) == SPEC_REQUEST


def test_a_first_request_has_no_proof_lines_and_a_blank_line_before_the_checkpoint() -> None:
    body = format_add_checkpoint(LOG.request(0, 3))
    assert body.startswith(b"old 0\n\n" + format_checkpoint(LOG.checkpoint(3)).encode() + b"\n")


@given(
    old=st.integers(min_value=0, max_value=2**64 - 1),
    proof=st.lists(st.binary(min_size=32, max_size=32), max_size=63),
    note=st.binary(),
)
def test_any_request_round_trips(old: int, proof: list[bytes], note: bytes) -> None:
    request = AddCheckpoint(old, tuple(proof), note)
    assert parse_add_checkpoint(format_add_checkpoint(request)) == request


@given(st.binary())
def test_any_bytes_are_refused_as_malformed_or_format_back_to_themselves(body: bytes) -> None:
    try:
        request = parse_add_checkpoint(body)
    except MalformedRequest as error:
        assert error.status == 400
    else:
        assert format_add_checkpoint(request) == body


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (b"old 0\n", "no blank line before the checkpoint"),
        (b"old 01\n\nx", "'old 01' is not 'old' and a decimal size"),
        (b"older 1\n\nx", "'older 1' is not 'old'"),
        (b"old -1\n\nx", "'old -1' is not 'old'"),
        (b"old 1\nAAAA\n\nx", "the proof line 'AAAA' is not the base64 of a 32-byte hash"),
        (b"old 1\n" + b"A" * 43 + b"B\n\nx", "is not the base64 of a 32-byte hash"),
        ("old 1\n\u00e9\n\nx".encode(), "not ASCII"),
        (b"old 1\n" + (b"A" * 43 + b"=\n") * 64 + b"\nx", "64 proof lines, more than 63"),
    ],
)
def test_a_malformed_body_is_a_bad_request(body: bytes, match: str) -> None:
    with pytest.raises(MalformedRequest, match=match) as caught:
        parse_add_checkpoint(body)
    assert caught.value.sentence().endswith("(400 Bad Request).")


def test_the_response_is_one_cosignature_line_per_cosignature() -> None:
    _, cosignature = add_checkpoint(fresh(), LOG.request(0, 3), now=NOW)
    body = format_cosignatures([cosignature])
    assert body.decode().startswith("\u2014 witness.example/w1 ")
    assert body.endswith(b"\n") and body.count(b"\n") == 1
    # The spec's way to read a response: append it to the checkpoint and open the note.
    note = parse_note(LOG.signed(3) + body)
    assert note.signatures[-1] == cosignature.note_signature()


# --- accepted --------------------------------------------------------------------------------


def test_a_first_checkpoint_from_old_size_zero_with_no_proof_is_cosigned() -> None:
    state, cosignature = add_checkpoint(fresh(), LOG.request(0, 5), now=NOW)
    verify_cosignature(LOG.checkpoint(5), cosignature, WITNESS.verifier_key)
    assert cosignature.timestamp == NOW
    log = state.logs[ORIGIN]
    assert (log.size, log.root_hash) == (5, LOG.checkpoint(5).root_hash)
    assert log.checkpoint == LOG.signed(5).decode()


def test_consistent_growth_is_cosigned_and_advances_the_state() -> None:
    for old, new in [(5, 6), (6, 8), (8, 13)]:
        state, cosignature = add_checkpoint(witnessed(old), LOG.request(old, new), now=NOW + 1)
        verify_cosignature(LOG.checkpoint(new), cosignature, WITNESS.verifier_key)
        assert state.logs[ORIGIN].size == new
        assert state.logs[ORIGIN].root_hash == LOG.checkpoint(new).root_hash


def test_the_same_checkpoint_again_is_cosigned_and_changes_nothing() -> None:
    state = witnessed(5)
    again, cosignature = add_checkpoint(state, LOG.request(5, 5), now=NOW + 60)
    assert again is state
    verify_cosignature(LOG.checkpoint(5), cosignature, WITNESS.verifier_key)
    assert cosignature.timestamp == NOW + 60


def test_signatures_from_unknown_keys_are_ignored() -> None:
    stranger = SignerKey("stranger.example/log", bytes([9]) * 32)
    note = sign_note(format_checkpoint(LOG.checkpoint(4)), [stranger, LOG_KEY])
    state, _ = add_checkpoint(fresh(), AddCheckpoint(0, (), note), now=NOW)
    assert state.logs[ORIGIN].size == 4


# --- refused, in the spec's order ------------------------------------------------------------


def test_an_unknown_origin_is_not_found() -> None:
    other = Checkpoint("example.org/other-log", 1, LOG.checkpoint(1).root_hash)
    note = sign_note(format_checkpoint(other), [SignerKey("example.org/other-log", bytes(32))])
    with pytest.raises(
        UnknownOrigin, match=r"does not know the log 'example.org/other-log'.*\(404 Not Found\)\."
    ) as caught:
        add_checkpoint(fresh(), AddCheckpoint(0, (), note), now=NOW)
    assert caught.value.status == 404


def test_a_checkpoint_signed_only_by_another_key_is_forbidden() -> None:
    request = Log(16, key=OTHER_KEY).request(0, 3)
    with pytest.raises(
        UntrustedSignature,
        match=r"is not signed by a key the witness trusts: none of its signatures is by a "
        r"trusted key \(403 Forbidden\)\.",
    ) as caught:
        add_checkpoint(fresh(), request, now=NOW)
    assert caught.value.status == 403


def test_a_bad_signature_under_the_trusted_key_id_is_forbidden() -> None:
    signed = bytearray(LOG.signed(3))
    signed[-10] = ord("A") if signed[-10] != ord("A") else ord("B")
    with pytest.raises(UntrustedSignature, match=r"does not verify \(403 Forbidden\)\."):
        add_checkpoint(fresh(), AddCheckpoint(0, (), bytes(signed)), now=NOW)


def test_a_malformed_checkpoint_is_a_bad_request() -> None:
    with pytest.raises(MalformedRequest, match="its checkpoint note is malformed"):
        add_checkpoint(fresh(), AddCheckpoint(0, (), b"not a note\n"), now=NOW)
    text = f"{ORIGIN}\n007\n{'A' * 43}=\n"
    with pytest.raises(MalformedRequest, match="its checkpoint is malformed: the tree size '007'"):
        add_checkpoint(fresh(), AddCheckpoint(0, (), sign_note(text, [LOG_KEY])), now=NOW)


def test_an_old_size_larger_than_the_checkpoint_is_a_bad_request() -> None:
    request = replace(LOG.request(0, 5), old_size=6)
    with pytest.raises(
        OldSizeTooLarge,
        match=r"The old size 6 is larger than the checkpoint's size 5 \(400 Bad Request\)\.",
    ):
        add_checkpoint(witnessed(6), request, now=NOW)


def test_an_old_size_other_than_the_witness_size_is_a_conflict_that_reports_its_size() -> None:
    with pytest.raises(
        SizeMismatch,
        match=rf"The witness last cosigned {ORIGIN} at size 5, not 3; send the request again "
        r"with old 5 \(409 Conflict\)\.",
    ) as caught:
        add_checkpoint(witnessed(5), LOG.request(3, 8), now=NOW)
    assert (caught.value.status, caught.value.witness_size) == (409, 5)
    assert caught.value.response_body() == "5\n"


def test_a_proof_that_does_not_verify_is_unprocessable() -> None:
    request = LOG.request(5, 8)
    broken = replace(request, proof=(bytes(32), *request.proof[1:]))
    with pytest.raises(
        InconsistentProof,
        match=rf"does not show that {ORIGIN} at size 8 extends the checkpoint the witness "
        r"cosigned at size 5 \(422 Unprocessable Entity\)\.",
    ) as caught:
        add_checkpoint(witnessed(5), broken, now=NOW)
    assert caught.value.status == 422


@pytest.mark.parametrize(("old", "proof"), [(0, (bytes(32),)), (5, (bytes(32),))])
def test_a_proof_where_none_is_due_is_unprocessable(old: int, proof: tuple[bytes, ...]) -> None:
    state = witnessed(old) if old else fresh()
    request = AddCheckpoint(old, proof, LOG.signed(5))
    with pytest.raises(InconsistentProof):
        add_checkpoint(state, request, now=NOW)


def test_a_fork_sharing_a_prefix_then_diverging_is_unprocessable() -> None:
    forked = Log(16, fork=" (rewritten)", fork_at=4)
    assert forked.checkpoint(4) == LOG.checkpoint(4)
    state = witnessed(6)
    with pytest.raises(InconsistentProof, match=r"\(422 Unprocessable Entity\)"):
        add_checkpoint(state, forked.request(6, 10), now=NOW)
    # Its own proof is sound: only the witness's memory of size 6 gives it away.
    assert add_checkpoint(witnessed(4), forked.request(4, 10), now=NOW)[0].logs[ORIGIN].size == 10


def test_a_fork_at_the_size_already_cosigned_is_a_conflict() -> None:
    forked = Log(16, fork=" (rewritten)", fork_at=4)
    with pytest.raises(RootMismatch, match=r"has another root hash .* forked \(409 Conflict\)\."):
        add_checkpoint(witnessed(6), forked.request(6, 6), now=NOW)


@pytest.mark.parametrize(
    ("old", "refusal"), [(8, OldSizeTooLarge), (5, SizeMismatch), (0, SizeMismatch)]
)
def test_a_rollback_to_a_smaller_size_is_refused_whatever_the_old_size(
    old: int, refusal: type[Exception]
) -> None:
    state = witnessed(8)
    request = AddCheckpoint(
        old, tuple(consistency_proof(old, 5, LOG.nodes)) if 0 < old <= 5 else (), LOG.signed(5)
    )
    with pytest.raises(refusal):
        add_checkpoint(state, request, now=NOW)
    assert state.logs[ORIGIN].size == 8


def test_a_request_breaking_several_rules_is_refused_for_the_first_in_the_spec_order() -> None:
    state = witnessed(5)
    forged = Log(16, key=OTHER_KEY)
    stranger = SignerKey("example.org/other-log", bytes(32))
    unknown = sign_note(
        format_checkpoint(replace(LOG.checkpoint(3), origin=stranger.name)), [stranger]
    )
    cases = [
        (AddCheckpoint(9, (bytes(32),), unknown), UnknownOrigin),  # and too large, and no proof
        (AddCheckpoint(9, (bytes(32),), forged.signed(3)), UntrustedSignature),  # and too large
        (AddCheckpoint(4, (bytes(32),), LOG.signed(3)), OldSizeTooLarge),  # and not 5
        (AddCheckpoint(3, (bytes(32),), LOG.signed(8)), SizeMismatch),  # and a bad proof
    ]
    for request, refusal in cases:
        with pytest.raises(refusal):
            add_checkpoint(state, request, now=NOW)


def test_the_timestamp_of_a_cosignature_is_never_zero() -> None:
    with pytest.raises(AssertionError, match="not 0"):
        add_checkpoint(fresh(), LOG.request(0, 1), now=0)


# --- trusting logs ---------------------------------------------------------------------------


def test_trusting_a_log_again_with_the_same_keys_changes_nothing() -> None:
    state = fresh()
    assert trust_log(state, ORIGIN, [LOG_KEY.verifier_key]) is state


def test_trusting_other_keys_for_a_known_origin_is_refused() -> None:
    with pytest.raises(
        WitnessSetupConflict,
        match=rf"The witness is not changed: it already trusts other keys for {ORIGIN}\.",
    ):
        trust_log(fresh(), ORIGIN, [OTHER_KEY.verifier_key])


def test_a_log_key_must_be_a_note_key() -> None:
    with pytest.raises(WitnessSetupConflict, match=r"Ed25519 keys \(type 0x01\)"):
        trust_log(fresh(), "example.org/x", [WITNESS.verifier_key])


# --- the state directory ---------------------------------------------------------------------


def make(directory: Path) -> WitnessState:
    return init_witness(
        directory,
        name=WITNESS.name,
        origin=ORIGIN,
        log_keys=[LOG_KEY.verifier_key],
        seed=WITNESS.seed,
    )


def test_init_makes_the_key_file_private_and_the_state_plain_json(tmp_path: Path) -> None:
    directory = tmp_path / "witness"
    state = make(directory)
    assert state.cosigner == WITNESS
    assert stat.S_IMODE(os.stat(directory / "cosigner.key").st_mode) == 0o600
    data = json.loads((directory / STATE_FILE).read_text())
    assert data["witness"] == WITNESS.verifier_key.text()
    assert data["logs"][ORIGIN] == {
        "keys": [LOG_KEY.verifier_key.text()],
        "size": 0,
        "root_hash": "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
        "checkpoint": None,
    }
    assert load_witness(directory) == state


def test_init_again_adds_an_origin_and_keeps_the_key(tmp_path: Path) -> None:
    make(tmp_path)
    other = SignerKey("example.org/other-log", bytes([3]) * 32)
    state = init_witness(
        tmp_path,
        name=WITNESS.name,
        origin=other.name,
        log_keys=[other.verifier_key],
        seed=bytes([8]) * 32,
    )
    assert state.cosigner == WITNESS
    assert set(load_witness(tmp_path).logs) == {ORIGIN, other.name}


def test_init_again_refuses_another_name_or_other_keys(tmp_path: Path) -> None:
    make(tmp_path)
    before = (tmp_path / STATE_FILE).read_bytes()
    with pytest.raises(WitnessSetupConflict, match=r"is witness\.example/w1, not w2"):
        init_witness(tmp_path, name="w2", origin=ORIGIN, log_keys=[], seed=bytes(32))
    with pytest.raises(WitnessSetupConflict, match="already trusts other keys"):
        init_witness(
            tmp_path,
            name=WITNESS.name,
            origin=ORIGIN,
            log_keys=[OTHER_KEY.verifier_key],
            seed=bytes(32),
        )
    assert (tmp_path / STATE_FILE).read_bytes() == before


def test_cosigning_in_a_directory_saves_the_new_checkpoint(tmp_path: Path) -> None:
    make(tmp_path)
    cosign_in(tmp_path, LOG.request(0, 5), now=NOW)
    cosignature = cosign_in(tmp_path, LOG.request(5, 9), now=NOW + 1)
    verify_cosignature(LOG.checkpoint(9), cosignature, WITNESS.verifier_key)
    log = load_witness(tmp_path).logs[ORIGIN]
    assert (log.size, log.checkpoint) == (9, LOG.signed(9).decode())
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_refused_request_leaves_the_state_file_as_it_was(tmp_path: Path) -> None:
    make(tmp_path)
    cosign_in(tmp_path, LOG.request(0, 5), now=NOW)
    before = (tmp_path / STATE_FILE).read_bytes()
    with pytest.raises(SizeMismatch):
        cosign_in(tmp_path, LOG.request(3, 9), now=NOW)
    assert (tmp_path / STATE_FILE).read_bytes() == before


def test_a_directory_without_a_witness_says_so(tmp_path: Path) -> None:
    with pytest.raises(NoWitness, match="holds no witness; make one with `assembly witness init`"):
        load_witness(tmp_path)
    with pytest.raises(NoWitness):
        cosign_in(tmp_path, LOG.request(0, 1), now=NOW)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda data: data.update(version=2), "not a version 1 witness state"),
        (lambda data: data.update(witness="x"), "its witness key is not the one in cosigner.key"),
        (lambda data: data["logs"][ORIGIN].update(size=1.0), "no floats"),
        (lambda data: data["logs"][ORIGIN].update(size=7), "a size or root but no checkpoint"),
        (lambda data: data["logs"][ORIGIN].update(extra=1), "does not have exactly keys, size"),
        (lambda data: data["logs"][ORIGIN].update(keys=["nope"]), "verifier key 'nope'"),
    ],
)
def test_a_damaged_state_file_is_refused_with_its_path(
    tmp_path: Path, change: Any, match: str
) -> None:
    make(tmp_path)
    data = json.loads((tmp_path / STATE_FILE).read_text())
    change(data)
    (tmp_path / STATE_FILE).write_text(json.dumps(data))
    with pytest.raises(WitnessStorageError, match=match) as caught:
        load_witness(tmp_path)
    assert str(tmp_path / STATE_FILE) in caught.value.sentence()


def test_a_stored_checkpoint_must_match_its_size_and_root(tmp_path: Path) -> None:
    make(tmp_path)
    cosign_in(tmp_path, LOG.request(0, 5), now=NOW)
    data = json.loads((tmp_path / STATE_FILE).read_text())
    data["logs"][ORIGIN]["checkpoint"] = LOG.signed(6).decode()
    (tmp_path / STATE_FILE).write_text(json.dumps(data))
    with pytest.raises(WitnessStorageError, match="is not the one its size and root say"):
        load_witness(tmp_path)


# --- two processes on one directory ----------------------------------------------------------

ROUNDS = 6
_FORK = multiprocessing.get_context("fork")


def _race(
    directory: str, old: int, target: int, barrier: Any, results: Any, *, retry: bool
) -> None:
    """Send old -> target once both racers are ready; with ``retry``, act as a witness client:
    on a 409 retry from the witness's size unless that is already as large as the target."""
    barrier.wait()
    while True:
        try:
            cosign_in(Path(directory), LOG.request(old, target), now=NOW)
        except Conflict as conflict:
            if retry and conflict.witness_size < target:
                old = conflict.witness_size
                continue
            results.put((target, "conflict", conflict.witness_size))
            return
        results.put((target, "cosigned", target))
        return


def _run_race(directory: Path, targets: tuple[int, int], *, retry: bool) -> list[Any]:
    barrier, results = _FORK.Barrier(2), _FORK.Queue()
    racers = [
        _FORK.Process(
            target=_race,
            args=(str(directory), 4, target, barrier, results),
            kwargs={"retry": retry},
        )
        for target in targets
    ]
    for racer in racers:
        racer.start()
    outcomes = [results.get(timeout=60) for _ in racers]
    for racer in racers:
        racer.join(timeout=60)
        assert racer.exitcode == 0
    return sorted(outcomes)


def _witness_at_four(directory: Path) -> None:
    make(directory)
    cosign_in(directory, LOG.request(0, 4), now=NOW)


@pytest.mark.slow
def test_of_two_racing_requests_from_one_old_size_exactly_one_is_cosigned(tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        directory = tmp_path / str(round_)
        _witness_at_four(directory)
        outcomes = _run_race(directory, (6, 9), retry=False)
        cosigned = [size for _, outcome, size in outcomes if outcome == "cosigned"]
        conflicts = [size for _, outcome, size in outcomes if outcome == "conflict"]
        assert len(cosigned) == 1 and conflicts == cosigned  # the loser sees the winner's size
        assert load_witness(directory).logs[ORIGIN].size == cosigned[0]


@pytest.mark.slow
def test_racing_witness_clients_never_roll_the_witness_back(tmp_path: Path) -> None:
    for round_ in range(ROUNDS):
        directory = tmp_path / str(round_)
        _witness_at_four(directory)
        outcomes = _run_race(directory, (6, 9), retry=True)
        assert (9, "cosigned", 9) in outcomes
        assert outcomes[0] in [(6, "cosigned", 6), (6, "conflict", 9)]
        log = load_witness(directory).logs[ORIGIN]
        assert (log.size, log.root_hash) == (9, LOG.checkpoint(9).root_hash)
