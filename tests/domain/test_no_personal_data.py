"""Personal data never enters the ledger (docs/design.md 5): names, addresses and birth dates
stay in the secretariat's identities file, while the draws run on pseudonyms, salted commitments and
counts; a pool file that carries a name is refused before anything is committed."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from cli import draw_work, synthetic
from domain import commands, draw_steps
from domain.charter import Chartered
from domain.draws import BadDrawFile, read_pool
from domain.panel import Convened, WithdrawalReason
from tests.domain.conftest import PUBLIC_VALUE, SOURCE, THEME, Office, seated_members, step

CHARTER = Chartered(
    name="Assembly", region="Brussels-Capital", languages=("fr", "nl"), theme_group_size=5
)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as source:
        return list(csv.DictReader(source))


def run_the_draws(office: Office, folder: Path) -> None:
    """Panel 1 from a synthetic register and pool, through the draw files, then panel 2's
    theme group; the pool's identities are written beside it, as the secretariat keeps them."""
    register, pool, quotas = (folder / name for name in ("register.csv", "pool.csv", "q.csv"))
    synthetic.write_register(register, addresses=200, seed=3)
    synthetic.write_pool(pool, size=100, seed=3, identities_path=folder / "identities.csv")
    synthetic.write_quotas(quotas, panel_size=12, slack_percent=50)
    secretariat = "secretariat"
    office.do("charter", step(commands.write_charter, CHARTER))
    panel = Convened(number=1, theme=THEME, seats=12, theme_chosen_by="government")
    office.do(secretariat, step(commands.convene, panel))
    office.do(
        secretariat,
        step(
            draw_work.announce_invitations,
            1,
            register,
            letters=40,
            randomness_source=SOURCE,
            draw_id="panel-1/stage-1",
        ),
    )
    published = office.clock.advance(days=2)
    office.do(
        secretariat,
        step(
            draw_work.perform_invitations,
            1,
            register,
            salts_file=None,
            randomness_value=PUBLIC_VALUE,
            randomness_published_at=published,
            invitations_out=folder / "invitations.csv",
        ),
    )
    office.do(secretariat, step(draw_work.close_pool, 1, pool, quotas_file=quotas))
    office.do(
        secretariat,
        step(
            draw_work.announce_panel_draw,
            1,
            pool_file=pool,
            quotas_file=quotas,
            portfolio_out=folder / "portfolio.json",
            portfolio_size=10,
            panel_size=12,
            algorithm="legacy",
            randomness_source=SOURCE,
            draw_id="panel-1/stage-2",
        ),
    )
    published = office.clock.advance(days=2)
    office.do(
        secretariat,
        step(
            draw_work.perform_panel_draw,
            1,
            pool_file=pool,
            quotas_file=quotas,
            portfolio_file=folder / "portfolio.json",
            randomness_value=PUBLIC_VALUE,
            randomness_published_at=published,
        ),
    )
    office.do(secretariat, step(commands.seat, 1))
    members = seated_members(office)
    reserve = next(row["pseudonym"] for row in read_rows(pool) if row["pseudonym"] not in members)
    office.do(secretariat, step(commands.withdraw, 1, members[0], WithdrawalReason.HEALTH))
    office.do(secretariat, step(commands.replace, 1, members[0], reserve))
    office.do(secretariat, step(commands.conclude, 1, date(2026, 6, 30)))
    office.do(
        secretariat,
        step(
            draw_steps.draw_theme_group,
            2,
            public_value=PUBLIC_VALUE,
            randomness_source=SOURCE,
            randomness_published_at=office.clock(),
            draw_id="panel-2/theme-group",
        ),
    )


def test_no_name_address_or_birth_date_reaches_the_ledger(office: Office, tmp_path: Path) -> None:
    run_the_draws(office, tmp_path)
    identities = read_rows(tmp_path / "identities.csv")
    assert len(identities) == 100
    bodies = [entry.body.decode("utf-8") for entry in office.ledger.entries()]
    ledger_text = "\n".join(bodies)
    types = [entry.event["type"] for entry in office.ledger.entries()]
    assert "assembly.draw.panel_performed" in types and "assembly.theme.group_formed" in types
    # The ledger does speak of these people, by pseudonym only.
    assert sum(row["pseudonym"] in ledger_text for row in identities) >= 12
    for row in identities:
        for field in ("name", "address", "birth_date"):
            value = row[field]
            assert value and not any(value in body for body in bodies), (field, value)
    for row in identities:
        street = row["address"].split(",")[0]
        assert street not in ledger_text
        assert row["name"].split()[-1] not in ledger_text


def test_a_pool_file_with_names_is_refused_and_nothing_is_written(
    chartered: Office, tmp_path: Path
) -> None:
    pool, identities = tmp_path / "pool.csv", tmp_path / "identities.csv"
    synthetic.write_pool(pool, size=20, seed=5, identities_path=identities)
    names = {row["pseudonym"]: row["name"] for row in read_rows(identities)}
    rows = read_rows(pool)
    named = tmp_path / "named.csv"
    with named.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, [*rows[0], "name"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({**row, "name": names[row["pseudonym"]]} for row in rows)
    chartered.do(
        "secretariat",
        step(
            commands.convene,
            Convened(number=1, theme=THEME, seats=12, theme_chosen_by="government"),
        ),
    )
    chartered.refuses(
        "secretariat",
        step(draw_work.close_pool, 1, named),
        BadDrawFile,
        match=r"named\.csv, line 1: column 'name' holds personal data, which stays off the draw "
        "files: keep only the pseudonym and the feature columns",
    )
    assert not draw_work.salts_path(named).exists()
    assert [path.name for path in tmp_path.iterdir() if path.suffix == ".salts"] == []


@pytest.mark.parametrize("column", ["birth_date", "Date of Birth", "e-mail", "national_number"])
def test_other_personal_columns_are_refused_as_well(tmp_path: Path, column: str) -> None:
    path = tmp_path / "pool.csv"
    path.write_text(f"pseudonym,gender,{column}\nP-000001,woman,x\n", encoding="utf-8")
    with pytest.raises(BadDrawFile, match=f"column '{column}' holds personal data"):
        read_pool(path)
