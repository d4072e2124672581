"""A draw on a drand round submitted to a shared server: the server replays the round fixed at
the announcement and checks the beacon against the announced chain, as the command line does,
and the ledger it wrote verifies with ``assembly draw verify``."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from cli import draw_work, remote
from ledger import Signer
from tests.drand_chain import beacon_json, chain_info, own_chain, sign
from tests.features.cycle import last_events, ok
from tests.features.forked import assembly
from tests.web.submissions.test_draw_submissions import run_stages, secretariat

__all__ = ["secretariat"]  # the fixture, shared with the other draws submitted


def test_letters_drawn_on_a_drand_round_through_the_server_verify(
    client: TestClient, folder: Path, secretariat: Signer
) -> None:
    run_stages(client, secretariat, folder, 2)  # panel 2's theme group drawn, panel 2 convened
    chain = own_chain(datetime.now(UTC) - timedelta(hours=1))
    (folder / "chain.json").write_text(json.dumps(chain_info(chain)), encoding="utf-8")
    number = chain.first_round_after(datetime.now(UTC) + timedelta(seconds=3))
    source = draw_work.PublicSource.read(None, str(folder / "chain.json"), number)
    remote.act(
        client,
        secretariat,
        lambda s, when: draw_work.announce_invitations(
            s,
            2,
            folder / "register.csv",
            letters=40,
            randomness_source=source,
            draw_id="panel-2-invitations",
            salts_out=folder / "register-2.salts",
            at=when,
        ),
    )
    # The draw can be performed only once its round is out: nothing to await but the clock.
    time.sleep(max(0.0, (chain.round_time(number) - datetime.now(UTC)).total_seconds()) + 0.2)
    beacon = folder / "beacon.json"
    beacon.write_text(json.dumps(beacon_json(sign(chain, number))), encoding="utf-8")
    remote.act(
        client,
        secretariat,
        lambda s, when: draw_work.perform_invitations(
            s,
            2,
            folder / "register.csv",
            salts_file=folder / "register-2.salts",
            beacon_file=beacon,
            invitations_out=None,
            at=when,
        ),
    )
    announced, performed = last_events(folder, 2)
    assert announced["drand"]["round"] == performed["drand"]["round"] == number
    verified = ok(
        assembly(
            *("draw", "verify", "--panel", "2", "--stage", "invitations"),
            *("--register", "register.csv", "--salts", "register-2.salts"),
            cwd=folder,
        )
    )
    assert f"the beacon of drand round {number}" in verified.stdout
