"""Population shares in the quota file (``population_ppm``): read, written, recorded in the
panel draw's announcement (schema 2), upcast from schema 1, and checked by the verification."""

from __future__ import annotations

import dataclasses
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.draws import (
    BadDrawFile,
    DrawMismatch,
    PanelDraw,
    Pool,
    Portfolio,
    Quota,
    VolunteerPool,
    commitment_root,
    digest_file,
    quota_digest,
    read_quotas,
    verify_panel_draw,
    write_quotas,
)
from domain.draws.events import PanelAnnounced
from domain.draws.stage2 import pool_counts
from domain.events import decode
from tests.domain.draws.conftest import ANNOUNCED_AT, SOURCE, PanelCase

# Rounded shares of the synthetic population (cli/synthetic/population.py), in millionths.
SHARES = {
    ("age_band", "16-34"): 345_000,
    ("age_band", "35-59"): 400_000,
    ("age_band", "60+"): 255_000,
    ("education", "low"): 300_000,
    ("education", "middle"): 320_000,
    ("education", "high"): 380_000,
    ("gender", "female"): 515_000,
    ("gender", "male"): 485_000,
}


def with_shares(quotas: list[Quota]) -> list[Quota]:
    return [dataclasses.replace(q, population_ppm=SHARES[q.feature, q.value]) for q in quotas]


def test_a_quota_file_with_population_shares_reads_back_with_the_file_digest(
    tmp_path: Path, quotas: list[Quota]
) -> None:
    table = with_shares(quotas)
    path = tmp_path / "quotas.csv"
    write_quotas(path, table)
    assert path.read_text().splitlines()[0] == "feature,value,min,max,population_ppm"
    assert read_quotas(path) == table
    assert digest_file(path) == quota_digest(table)


def test_an_old_quota_file_loads_with_the_shares_unknown_and_keeps_its_digest(
    tmp_path: Path,
) -> None:
    path = tmp_path / "quotas.csv"
    path.write_text("feature,value,min,max\ngender,female,5,7\ngender,male,5,7\n")
    table = read_quotas(path)
    assert [q.population_ppm for q in table] == [None, None]
    assert quota_digest(table) == digest_file(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "feature,value,min,max,population\n",
            r"line 1: the header must be exactly 'feature,value,min,max', optionally followed "
            r"by ',population_ppm'",
        ),
        (
            "feature,value,min,max,population_ppm\ngender,female,5,7,\n",
            r"line 2: population_ppm '' is not a whole number of millionths from 0 to 1,000,000",
        ),
        (
            "feature,value,min,max,population_ppm\ngender,female,5,7,51.5\n",
            r"line 2: population_ppm '51.5' is not a whole number",
        ),
        (
            "feature,value,min,max,population_ppm\ngender,female,5,7,1000001\n",
            r"line 2: population_ppm '1000001' is not a whole number",
        ),
        (
            "feature,value,min,max,population_ppm\ngender,female,5,7\n",
            r"line 2: expected 5 fields, found 4",
        ),
        (
            "feature,value,min,max,population_ppm\n"
            "gender,female,5,7,515000\ngender,male,5,7,486000\n",
            r"line 3: the population shares of gender add up to 1,001,000 millionths, more than "
            r"1,000,000",
        ),
    ],
)
def test_a_malformed_population_share_names_file_and_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "quotas.csv"
    path.write_text(text)
    with pytest.raises(BadDrawFile, match=message):
        read_quotas(path)


NAMES = st.text(st.characters(categories=("L", "N", "P", "S")), min_size=1, max_size=10)


@given(
    st.lists(
        st.tuples(NAMES, NAMES, st.integers(0, 50), st.integers(0, 50), st.integers(0, 100_000)),
        min_size=1,
        max_size=10,
        unique_by=lambda row: (row[0], row[1]),
    )
)
def test_any_quota_table_with_shares_survives_a_round_trip(
    rows: list[tuple[str, str, int, int, int]],
) -> None:
    table = [Quota(f, v, min(a, b), max(a, b), share) for f, v, a, b, share in rows]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "quotas.csv"
        write_quotas(path, table)
        assert read_quotas(path) == table
        assert digest_file(path) == quota_digest(table)


def test_a_table_with_a_share_on_some_lines_only_is_a_bug(quotas: list[Quota]) -> None:
    mixed = [dataclasses.replace(quotas[0], population_ppm=1), *quotas[1:]]
    with pytest.raises(AssertionError, match=r"on every line or on none"):
        quota_digest(mixed)


def announce(
    pool: Pool, salts: list[bytes], table: list[Quota], portfolio: Portfolio
) -> tuple[PanelAnnounced, Portfolio]:
    """Panel 1's draw announced with ``table``, and the portfolio committed with it (the same
    panels: they meet the same bounds)."""
    portfolio = dataclasses.replace(portfolio, quota_digest=quota_digest(table))
    root = commitment_root(pool.records(), salts).hex()
    closed = VolunteerPool.for_panel(1)
    closed.close(
        panel=1, pool_root=root, pool_size=len(pool), counts=pool_counts(pool), at=ANNOUNCED_AT
    )
    draw = PanelDraw.for_panel(1)
    draw.announce(
        panel=1,
        pool=closed,
        pool_data=pool,
        quotas=table,
        portfolio=portfolio,
        draw_id="test-assembly/panel-1/stage-2",
        randomness_source=SOURCE,
        at=ANNOUNCED_AT,
    )
    assert draw.announced is not None
    return draw.announced, portfolio


def test_the_announcement_records_each_lines_population_share_in_ppm(
    panel_case: PanelCase,
) -> None:
    table = with_shares(panel_case.quotas)
    announced, _ = announce(panel_case.pool, panel_case.salts, table, panel_case.portfolio)
    assert PanelAnnounced.SCHEMA >= 2  # schema 2 added the shares
    recorded = announced.to_payload()["quotas"]
    assert [(q["feature"], q["value"], q["population_ppm"]) for q in recorded] == [
        (q.feature, q.value, SHARES[q.feature, q.value]) for q in panel_case.quotas
    ]


def test_a_draw_announced_with_shares_verifies_and_a_changed_share_is_named(
    panel_case: PanelCase, tmp_path: Path
) -> None:
    table = with_shares(panel_case.quotas)
    announced, portfolio = announce(panel_case.pool, panel_case.salts, table, panel_case.portfolio)
    performed = panel_case.performed.model_copy(
        update={
            "quota_digest": announced.quota_digest,
            "portfolio_digest": announced.portfolio_digest,
        }
    )
    verify_panel_draw(announced, performed, panel_case.pool, panel_case.salts, table, portfolio)

    path = tmp_path / "quotas.csv"
    write_quotas(path, table)
    lines = path.read_text().splitlines()
    first = table[0]
    line, share = (
        f"{first.feature},{first.value},{first.min},{first.max}",
        SHARES[first.feature, first.value],
    )
    lines[1] = f"{line},{share - 1}"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        DrawMismatch,
        match=re.escape(
            f"Line 2 of the quota file does not match: the record says {line},{share}, "
            f"the files give {line},{share - 1};"
        ),
    ):
        verify_panel_draw(
            announced, performed, panel_case.pool, panel_case.salts, read_quotas(path), portfolio
        )


def test_a_schema_1_announcement_is_upcast_with_no_shares_and_still_verifies(
    panel_case: PanelCase, tmp_path: Path
) -> None:
    payload = panel_case.announced.to_payload()
    lines = [{k: v for k, v in line.items() if k != "population_ppm"} for line in payload["quotas"]]
    old = {**payload, "quotas": lines}
    upcast = decode(PanelAnnounced.TYPE, 1, old)
    assert isinstance(upcast, PanelAnnounced)
    assert [line.population_ppm for line in upcast.quotas] == [None] * len(panel_case.quotas)
    assert upcast == panel_case.announced
    path = tmp_path / "quotas.csv"
    write_quotas(path, panel_case.quotas)
    assert path.read_text().splitlines()[0] == "feature,value,min,max"
    verify_panel_draw(
        upcast,
        panel_case.performed,
        panel_case.pool,
        panel_case.salts,
        read_quotas(path),
        panel_case.portfolio,
    )
