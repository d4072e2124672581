"""``assembly monitor`` takes up where its last run ended: a second run over a grown log verifies
only the new entries, yet still catches an old entry changed behind the server and a read model
edited to disagree; a state of an earlier release walks every entry once more, and the walk the
release before kept (``walk.json``, format v1) is taken up; a state that cannot be read is a
sentence."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

import cli.monitor as monitor_module
from cli.errors import UsageProblem
from cli.monitor import Watched, monitor
from cli.monitor_evidence import Misbehaviour
from cli.monitor_state import STATE_FORMAT, WALK_FORMAT_V1, load_state, save_state
from domain.roles import ROLE_GRANTS
from ledger.keys import load_signer
from ledger.policy import RolePolicy
from ledger.verify import Walked, verify_rows
from tests.cli.test_monitor import change_behind_the_server, evidence
from tests.features.cycle import LEDGER
from tests.served import Monitored, checkpoint, refuse, served
from tests.tamper import Attacker
from tlog.checkpoint import Checkpoint, format_checkpoint
from tlog.merkle import leaf_hash
from tlog.note import SignerKey, parse_verifier_key, sign_note
from tlog.tiles import encode_bundle

POLICY = RolePolicy(ROLE_GRANTS)


@pytest.fixture
def walked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The seqs of the entries the monitor's walk checks, run after run."""
    seen: list[int] = []

    def counting(batches: Iterable[Sequence[Any]], *args: Any, **kwargs: Any) -> Walked:
        def counted() -> Iterator[Sequence[Any]]:
            for rows in batches:
                seen.extend(row[0] for row in rows)
                yield rows

        return verify_rows(counted(), *args, **kwargs)

    monkeypatch.setattr("cli.monitor_entries.verify_rows", counting)
    return seen


def walk_head(state: Path) -> dict[str, Any]:
    """The first line of the walk a run kept: all but the fold's rows."""
    head: dict[str, Any] = json.loads((state / "walk.jsonl").read_bytes().split(b"\n", 1)[0])
    return head


def as_v1(state: Path) -> None:
    """The walk kept, written again as the release before wrote it (``walk.json``: one JSON
    document, the fold's rows as strings in it), in place of ``walk.jsonl``."""
    lines = (state / "walk.jsonl").read_text().split("\n")
    document = json.loads(lines[0]) | {"format": WALK_FORMAT_V1}
    document["fold"]["recommendations"] = lines[1:-1]
    (state / "walk.json").write_text(json.dumps(document, separators=(",", ":")) + "\n")
    (state / "walk.jsonl").unlink()


def run(url: str, state: Path, vkey: str | None = None, *, pages: str = "changed") -> Watched:
    key = None if vkey is None else parse_verifier_key(vkey)
    return monitor(url, state, POLICY, vkey=key, workers=0, pages=pages)


def test_a_second_run_over_a_grown_log_verifies_only_the_new_entries(
    base: Monitored, copy: Path, tmp_path: Path, walked: list[int]
) -> None:
    state = tmp_path / "monitor"
    with served(copy) as url:
        first = run(url, state, base.vkey)
        assert walked == list(range(first.checkpoint.size))
        refuse(copy, "1/2")
        checkpoint(copy)
        walked.clear()
        second = run(url, state)
        again = run(url, state)  # nothing new: nothing walked
    size = second.checkpoint.size
    assert size > first.checkpoint.size
    assert walked == list(range(first.checkpoint.size, size))
    assert second.verified == second.new_entries == size - first.checkpoint.size
    assert second.recommendations == first.recommendations  # every one compared, still
    assert (again.verified, again.new_entries, again.pages) == (0, 0, 0)
    assert again.recommendations == first.recommendations
    document = walk_head(state)
    assert document["size"] == size and document["walk"]["seq"] == size
    assert document["fold"]["recommendations"] == first.recommendations


def test_a_state_of_the_earlier_release_walks_every_entry_once_more(
    base: Monitored, copy: Path, tmp_path: Path, walked: list[int]
) -> None:
    state = tmp_path / "monitor"
    with served(copy) as url:
        first = run(url, state, base.vkey)
        (state / "walk.jsonl").unlink()  # what an earlier release left: no walk
        walked.clear()
        second = run(url, state)
        walked.clear()
        third = run(url, state)
    assert second.verified == first.checkpoint.size
    assert third.verified == 0 and walked == []


def test_the_walk_the_release_before_kept_is_taken_up_and_replaced(
    base: Monitored, copy: Path, tmp_path: Path, walked: list[int]
) -> None:
    state = tmp_path / "monitor"
    with served(copy) as url:
        first = run(url, state, base.vkey)
        kept = (state / "walk.jsonl").read_bytes()
        as_v1(state)
        walked.clear()
        again = run(url, state)  # nothing new: the walk of v1 taken up, nothing walked
        assert again.verified == 0 and walked == []
        assert again.recommendations == first.recommendations
        assert (state / "walk.jsonl").read_bytes() == kept
        assert not (state / "walk.json").exists()
        as_v1(state)
        refuse(copy, "1/2")
        checkpoint(copy)
        grown = run(url, state)  # the new entries alone, folded from the walk of v1
    assert walked == list(range(first.checkpoint.size, grown.checkpoint.size))
    assert grown.recommendations == first.recommendations


def test_a_walk_without_pages_left_for_later_as_an_earlier_release_wrote_it_is_taken_up(
    base: Monitored, copy: Path, tmp_path: Path, walked: list[int]
) -> None:
    state = tmp_path / "monitor"
    with served(copy) as url:
        run(url, state, base.vkey)
        as_v1(state)
        document = json.loads((state / "walk.json").read_text())
        assert document.pop("pages_later") == []
        (state / "walk.json").write_text(json.dumps(document))
        walked.clear()
        again = run(url, state)
    assert again.verified == 0 and walked == []


def test_an_old_entry_changed_behind_the_server_is_caught_after_the_log_grew(
    base: Monitored, copy: Path, tmp_path: Path
) -> None:
    state = tmp_path / "monitor"
    with served(copy) as url:
        run(url, state, base.vkey)
        seq = change_behind_the_server(copy)
        refuse(copy, "1/2")
        checkpoint(copy)
        with pytest.raises(Misbehaviour) as caught:
            run(url, state)
    # The tree of the tiles holds the changed leaf: the old root is not a prefix of the new.
    assert caught.value.summary.startswith("the log forked: its checkpoint of ")
    assert "(the consistency proof from the tiles fails)" in caught.value.summary
    found = evidence(state)
    assert found["kind"] == "fork" and found["consistency_proof"]
    assert found["first_differing_seq"] == seq
    assert '"rejected"' in found["entry_seen"]


def test_a_read_model_edited_to_disagree_is_caught_by_a_resumed_run(
    base: Monitored, copy: Path, tmp_path: Path, walked: list[int]
) -> None:
    state = tmp_path / "monitor"
    with served(copy) as url:
        first = run(url, state, base.vkey)
        attacker = Attacker(f"sqlite:///{copy / LEDGER}")
        attacker.run(  # 1/1, which no new entry touches
            "UPDATE projection_recommendations SET position = 'accepted', detail = "
            """replace(detail, '"position":"rejected"', '"position":"accepted"') """
            "WHERE panel = 1 AND number = 1"
        )
        attacker.close()
        refuse(copy, "1/2")
        checkpoint(copy)
        walked.clear()
        with pytest.raises(Misbehaviour) as caught:
            run(url, state)
    assert walked and walked[0] == first.checkpoint.size  # the old entries were not walked again
    assert caught.value.summary.startswith(
        "the server's board says position 'accepted' for recommendation 1/1 where its entries "
        "give 'rejected'"
    )
    found = evidence(state)
    assert found["kind"] == "read-model-disagrees"
    assert any('"position":"rejected"' in entry["entry"] for entry in found["entries"])


def test_a_walk_that_cannot_be_read_is_a_sentence(
    base: Monitored, copy: Path, tmp_path: Path
) -> None:
    state = tmp_path / "monitor"
    with served(copy) as url:
        run(url, state, base.vkey)
        kept = (state / "walk.jsonl").read_bytes()
        unreadable = r"cannot be read as assembly-ledger/monitor-walk@v2; give another"
        for broken in (
            b'{"format": "assembly-ledger/monitor-walk@v2"}\n',
            kept[: kept.rindex(b"\n", 0, -1) + 1],  # its last row cut off
            kept + b"{}\n",  # a row more than the first line says
            b"x" + kept,  # its first line not JSON
        ):
            (state / "walk.jsonl").write_bytes(broken)
            with pytest.raises(UsageProblem, match=unreadable):
                run(url, state)
        (state / "walk.jsonl").write_bytes(kept)
        as_v1(state)
        (state / "walk.json").write_text('{"format": "assembly-ledger/monitor-walk@v1"}')
        with pytest.raises(
            UsageProblem, match=r"cannot be read as assembly-ledger/monitor-walk@v1"
        ):
            run(url, state)
        (state / "monitor.json").write_text("{")
        with pytest.raises(
            UsageProblem, match=r"cannot be read as assembly-ledger/monitor-state@v1; give another"
        ):
            run(url, state)


def test_a_walk_of_another_checkpoint_is_set_aside(
    base: Monitored, copy: Path, tmp_path: Path, walked: list[int]
) -> None:
    state = tmp_path / "monitor"
    with served(copy) as url:
        first = run(url, state, base.vkey)
        kept = (state / "walk.jsonl").read_bytes()
        refuse(copy, "1/2")
        checkpoint(copy)
        run(url, state)
        # A run stopped after writing its entries and walk, before its checkpoint: the next
        # run finds the walk of the older checkpoint beside the newer one.
        (state / "walk.jsonl").write_bytes(kept.replace(b'"size":', b'"size":1', 1))
        walked.clear()
        again = run(url, state)
    assert again.verified == again.checkpoint.size > first.checkpoint.size


def test_a_state_of_another_log_is_a_sentence_not_a_misbehaviour(
    base: Monitored, copy: Path, tmp_path: Path
) -> None:
    other = SignerKey("other.example/log", bytes([6]) * 32)
    state = tmp_path / "monitor"
    state.mkdir()
    text = format_checkpoint(Checkpoint(other.name, 1, leaf_hash(b"an entry of another log")))
    document = {"format": STATE_FORMAT, "vkey": other.verifier_key.text(),
                "checkpoint": sign_note(text, [other]).decode()}  # fmt: skip
    (state / "monitor.json").write_text(json.dumps(document))
    (state / "entries.bundle").write_bytes(encode_bundle([b"an entry of another log"]))
    with served(copy) as url, pytest.raises(UsageProblem) as refused:
        run(url, state)
    assert refused.value.sentence() == (
        f"{state} follows the log other.example/log, and {url} serves the log "
        f"{base.vkey.split('+')[0]}: give another --state folder for it."
    )
    assert not (state / "evidence").exists()


def remember(state: Path, key: SignerKey, origin: str) -> None:
    """A state that follows the log ``origin`` under ``key``: one entry, its checkpoint."""
    state.mkdir()
    text = format_checkpoint(Checkpoint(origin, 1, leaf_hash(b"an entry of another log")))
    document = {"format": STATE_FORMAT, "vkey": key.verifier_key.text(),
                "checkpoint": sign_note(text, [key]).decode()}  # fmt: skip
    (state / "monitor.json").write_text(json.dumps(document))
    (state / "entries.bundle").write_bytes(encode_bundle([b"an entry of another log"]))


def test_a_checkpoint_of_another_log_not_signed_by_the_key_of_its_name_is_misbehaviour(
    base: Monitored, copy: Path, tmp_path: Path
) -> None:
    name = base.vkey.split("+")[0]  # the log's key remembered is one of the name it signs with
    state = tmp_path / "monitor"
    remember(state, SignerKey(name, bytes([6]) * 32), "other.example/log")
    with served(copy) as url, pytest.raises(Misbehaviour) as caught:
        run(url, state)
    assert caught.value.summary.startswith("the checkpoint served does not open with the log's key")
    assert evidence(state)["kind"] == "checkpoint-unsigned"


def test_a_checkpoint_of_another_log_signed_by_the_log_key_is_misbehaviour(
    base: Monitored, copy: Path, tmp_path: Path
) -> None:
    name = base.vkey.split("+")[0]
    state = tmp_path / "monitor"
    remember(state, SignerKey(name, load_signer(copy / "log.key").seed), "other.example/log")
    with served(copy) as url, pytest.raises(Misbehaviour) as caught:
        run(url, state)
    assert caught.value.summary == (
        f"the log's key signs a checkpoint of the log {name}, where it signed one of the log "
        "other.example/log before"
    )
    found = evidence(state)
    assert found["kind"] == "origin-changed" and len(found["checkpoints"]) == 2


def test_the_walk_kept_reads_back_as_it_was_written(
    base: Monitored, copy: Path, tmp_path: Path
) -> None:
    state = tmp_path / "monitor"
    with served(copy) as url:
        run(url, state, base.vkey)
    remembered = load_state(state)
    assert remembered is not None and remembered.resumed is not None
    again = tmp_path / "again"
    # Written anew from what was read, every record serialized again (nothing kept as read).
    save_state(again, remembered.vkey, remembered.note, remembered.entries, remembered.resumed)
    for name in ("monitor.json", "entries.bundle", "walk.jsonl"):
        assert (again / name).read_bytes() == (state / name).read_bytes(), name
    assert remembered.resumed.reached.seq == remembered.checkpoint.size
    assert remembered.resumed.fold.recommendations


def test_a_run_reads_its_state_back_and_checks_with_the_collector_paused(
    base: Monitored, copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The state read back and everything a run makes live to its end: the cyclic garbage
    collector, which would walk them all again at each collection, waits until the run ends
    (reading back the state of 200,000 entries set off seven collections, 2 s)."""
    state = tmp_path / "monitor"
    collecting: list[tuple[str, bool]] = []
    for name in ("load_state", "check_entries", "save_state"):
        real = getattr(monitor_module, name)

        def noted(*args: Any, _name: str = name, _real: Any = real, **kwargs: Any) -> Any:
            collecting.append((_name, gc.isenabled()))
            return _real(*args, **kwargs)

        monkeypatch.setattr(monitor_module, name, noted)
    with served(copy) as url:
        run(url, state, base.vkey)
        refuse(copy, "1/2")
        checkpoint(copy)
        again = run(url, state)
    assert again.verified > 0 and gc.isenabled()
    assert [name for name, _ in collecting] == ["load_state", "check_entries", "save_state"] * 2
    assert not any(enabled for _, enabled in collecting)
