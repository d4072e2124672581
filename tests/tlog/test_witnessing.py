"""``tlog.witnessing``: the witness policy file, and the log's client gathering cosignatures."""

from __future__ import annotations

import pytest

from tests.ledger.test_witness import LOG, WITNESS
from tlog.note import SignerKey
from tlog.witnessing import PolicyError, parse_policy

W1 = WITNESS.verifier_key.text()
W2 = SignerKey("witness.example/w2", bytes([8]) * 32, WITNESS.signature_type).verifier_key.text()


def policy_text(quorum: str = "quorum 2") -> str:
    return (
        "# witnesses of the assembly's log\n"
        f"witness witness.example/w1 {W1} http://127.0.0.1:8181\n"
        f"witness witness.example/w2 {W2} https://w2.example/prefix/  # a comment\n"
        f"{quorum}\n"
    )


def test_a_policy_names_witnesses_with_their_key_and_url_and_a_quorum() -> None:
    policy = parse_policy(policy_text())
    assert policy.quorum == 2
    assert [w.name for w in policy.witnesses] == ["witness.example/w1", "witness.example/w2"]
    assert policy.witnesses[1].endpoint == "https://w2.example/prefix/add-checkpoint"
    assert policy.keys[0] == WITNESS.verifier_key


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (policy_text("quorum 3"), r"quorum must be 1 to 2"),
        (policy_text("quorum 0"), r"quorum must be 1 to 2"),
        (policy_text(""), r"quorum must be 1 to 2"),
        (
            policy_text("quorum two"),
            r"^Line 4 of the witness policy witnesses.policy cannot be used: 'quorum two' is not",
        ),
        (f"witness witness.example/w9 {W1} http://x\nquorum 1\n", r"1 .* named witness.example/w9"),
        (f"witness witness.example/w1 {W1} ftp://x\nquorum 1\n", r"'ftp://x' is not an http"),
        (
            f"witness witness.example/w1 {W1} http://a\n" * 2 + "quorum 1\n",
            r"names a witness twice",
        ),
        ("witness witness.example/w1 not-a-key http://x\nquorum 1\n", r"^Line 1 of"),
        (
            f"witness {LOG.key.name} {LOG.key.verifier_key.text()} http://x\nquorum 1\n",
            r"not a cosignature key \(type 0x04\)",
        ),
    ],
)
def test_a_policy_that_cannot_be_used_is_refused_with_its_line(text: str, match: str) -> None:
    with pytest.raises(PolicyError, match=match):
        parse_policy(text, where="witnesses.policy")
