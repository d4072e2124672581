"""The draw files: strict readers naming file and line, canonical writers, round trips."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.draws import (
    BadDrawFile,
    Pool,
    Portfolio,
    Quota,
    Register,
    digest_file,
    make_pool,
    portfolio_digest,
    quota_digest,
    read_pool,
    read_portfolio,
    read_quotas,
    read_register,
    read_salts,
    write_pool,
    write_portfolio,
    write_quotas,
    write_register,
)
from tests.domain.draws.conftest import synthetic_register


def test_a_register_reads_back_what_was_written(tmp_path: Path) -> None:
    register = synthetic_register(500)
    path = tmp_path / "register.csv"
    write_register(path, register)
    assert read_register(path) == register
    assert sum(register.counts().values()) == 500


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,municipality\n", r"register.csv, line 1: the header must be exactly"),
        ("address_id,municipality\nA-1,Evere,x\n", r"line 2: expected 2 fields, found 3"),
        ("address_id,municipality\nA-1,Evere\nA-2,\n", r"line 3: municipality is empty"),
        ("address_id,municipality\nA-1, Evere\n", r"line 2: municipality ' Evere' has spaces"),
        ("address_id,municipality\nA-1,Ev\x1fere\n", r"line 2: municipality .* control character"),
        (
            "address_id,municipality\nA-1,Evere\nA-1,Jette\n",
            r"line 3: address_id A-1 repeats line 2",
        ),
    ],
)
def test_a_malformed_register_names_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "register.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadDrawFile, match=message):
        read_register(path)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "register.csv"
    path.write_bytes(b"address_id,municipality\nA-1,Forest\xff\n")
    with pytest.raises(BadDrawFile, match=r"register.csv: the file is not UTF-8"):
        read_register(path)


def test_a_pool_reads_back_what_was_written(
    tmp_path: Path, pool: Pool, quotas: list[Quota]
) -> None:
    path = tmp_path / "pool.csv"
    write_pool(path, pool)
    assert path.read_text().splitlines()[0] == "pseudonym,age_band,education,gender"
    assert read_pool(path, quotas=quotas) == pool


def test_the_pool_does_not_depend_on_the_order_of_its_columns(tmp_path: Path, pool: Pool) -> None:
    path = tmp_path / "pool.csv"
    lines = ["gender,pseudonym,education,age_band"]
    lines += [f"{r.values[2]},{r.pseudonym},{r.values[1]},{r.values[0]}" for r in pool.rows]
    path.write_text("\n".join(lines) + "\n")
    assert read_pool(path) == pool


@pytest.mark.parametrize("column", ["name", "Birth date", "address", "email", "national_number"])
def test_personal_data_columns_are_refused_in_the_pool_file(tmp_path: Path, column: str) -> None:
    path = tmp_path / "pool.csv"
    path.write_text(f"pseudonym,gender,{column}\nP-000001,female,x\n")
    with pytest.raises(
        BadDrawFile, match=r"line 1: column .* holds personal data, which stays off"
    ):
        read_pool(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("gender,age_band,education\n", r"line 1: the pool file needs a 'pseudonym' column"),
        ("pseudonym,gender,age_band,education,income\n", r"column 'income' is not a feature"),
        ("pseudonym,gender,age_band\n", r"line 1: the pool file has no column 'education'"),
        (
            "pseudonym,gender,age_band,education\nP-000001,female,16-34,low\nP-000002,x,60+,high\n",
            r"pool.csv, line 3: gender 'x' is not a value of the quota table",
        ),
        (
            "pseudonym,gender,age_band,education\nP 1,female,16-34,low\n",
            r"line 2: pseudonym 'P 1' is not 1-64 letters",
        ),
        (
            "pseudonym,gender,age_band,education\nP-1,female,16-34,low\nP-1,male,60+,low\n",
            r"line 3: pseudonym P-1 repeats line 2",
        ),
    ],
)
def test_a_malformed_pool_names_file_and_line(
    tmp_path: Path, quotas: list[Quota], text: str, message: str
) -> None:
    path = tmp_path / "pool.csv"
    path.write_text(text)
    with pytest.raises(BadDrawFile, match=message):
        read_pool(path, quotas=quotas)


def test_quotas_read_back_and_their_digest_is_the_file_digest(
    tmp_path: Path, quotas: list[Quota]
) -> None:
    path = tmp_path / "quotas.csv"
    write_quotas(path, quotas)
    assert read_quotas(path) == quotas
    assert digest_file(path) == quota_digest(quotas)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("feature,value,minimum,maximum\n", r"line 1: the header must be exactly"),
        ("feature,value,min,max\ngender,female,5,4\n", r"line 2: min 5 is greater than max 4"),
        ("feature,value,min,max\ngender,female,1.5,4\n", r"line 2: min '1.5' is not a whole"),
        ("feature,value,min,max\ngender,female,-1,4\n", r"line 2: min '-1' is not a whole"),
        ("feature,value,min,max\ngender,,1,4\n", r"line 2: value is empty"),
        (
            "feature,value,min,max\ngender,male,1,4\ngender,male,1,5\n",
            r"line 3: gender=male repeats",
        ),
    ],
)
def test_a_malformed_quota_file_names_file_and_line(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "quotas.csv"
    path.write_text(text)
    with pytest.raises(BadDrawFile, match=message):
        read_quotas(path)


NAMES = st.text(st.characters(categories=("L", "N", "P", "S")), min_size=1, max_size=10)
QUOTA_ROWS = st.lists(
    st.tuples(NAMES, NAMES, st.integers(0, 50), st.integers(0, 50)),
    max_size=12,
    unique_by=lambda row: (row[0], row[1]),
)


@given(QUOTA_ROWS)
def test_any_quota_table_survives_a_round_trip(rows: list[tuple[str, str, int, int]]) -> None:
    quotas = [Quota(f, v, min(a, b), max(a, b)) for f, v, a, b in rows]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "quotas.csv"
        write_quotas(path, quotas)
        assert read_quotas(path) == quotas
        assert digest_file(path) == quota_digest(quotas)


def test_a_pool_built_in_memory_is_checked_like_a_file(quotas: list[Quota]) -> None:
    with pytest.raises(BadDrawFile, match=r"pool, line 2: education 'none' is not a value"):
        make_pool(
            [{"pseudonym": "P-1", "gender": "male", "age_band": "60+", "education": "none"}],
            quotas=quotas,
        )


def test_a_portfolio_reads_back_and_its_digest_is_the_file_digest(
    tmp_path: Path, portfolio: Portfolio
) -> None:
    path = tmp_path / "portfolio.json"
    write_portfolio(path, portfolio)
    assert read_portfolio(path) == portfolio
    assert digest_file(path) == portfolio_digest(portfolio)
    assert path.read_bytes().startswith(
        b'{"algorithm":"legacy","format":"assembly-draw-portfolio/1",'
    )


def test_a_portfolio_not_in_canonical_form_is_refused(tmp_path: Path, portfolio: Portfolio) -> None:
    path = tmp_path / "portfolio.json"
    write_portfolio(path, portfolio)
    path.write_text(path.read_text().replace(",", ", ", 1))
    with pytest.raises(
        BadDrawFile, match=r"portfolio.json: the portfolio is not in canonical form"
    ):
        read_portfolio(path)


def test_a_portfolio_with_an_unsorted_panel_is_refused(
    tmp_path: Path, portfolio: Portfolio
) -> None:
    shuffled = dataclasses.replace(
        portfolio, panels=(tuple(reversed(portfolio.panels[0])), *portfolio.panels[1:])
    )
    path = tmp_path / "portfolio.json"
    write_portfolio(path, shuffled)
    with pytest.raises(BadDrawFile, match=r"panel 0 is not a sorted list of distinct pseudonyms"):
        read_portfolio(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{\n"format": ', r"portfolio.json, line 2: the portfolio is not JSON"),
        ('{"format":"x"}\n', r"portfolio.json: algorithm: Field required"),
        ('{"seed":1.5}\n', r"portfolio.json: "),
    ],
)
def test_a_malformed_portfolio_names_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "portfolio.json"
    path.write_text(text)
    with pytest.raises(BadDrawFile, match=message):
        read_portfolio(path)


def test_a_register_lists_counts_by_municipality_in_order() -> None:
    register = Register(["A-1", "A-2", "A-3"], ["Jette", "Evere", "Jette"])
    assert register.counts() == {"Evere": 1, "Jette": 2}


def test_a_missing_file_is_a_bad_draw_file(tmp_path: Path) -> None:
    with pytest.raises(BadDrawFile, match=r"missing.csv: the file cannot be read"):
        read_register(tmp_path / "missing.csv")
    with pytest.raises(BadDrawFile, match=r"missing.json: the file cannot be read"):
        read_portfolio(tmp_path / "missing.json")


READERS = {
    "register": read_register,
    "pool": read_pool,
    "quotas": read_quotas,
    "salts": read_salts,
    "portfolio": read_portfolio,
}
HEADERS = {
    "register": b"address_id,municipality\n",
    "pool": b"pseudonym,gender\n",
    "quotas": b"feature,value,min,max\n",
    "salts": b"salt\n",
    "portfolio": b'{"format":',
}


@pytest.mark.parametrize("kind", sorted(READERS))
@given(body=st.binary(max_size=200))
def test_any_bytes_either_parse_or_are_refused_as_a_bad_draw_file(kind: str, body: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{kind}.file"
        path.write_bytes(HEADERS[kind] + body)
        try:
            READERS[kind](path)
        except BadDrawFile as exc:
            assert exc.sentence().startswith(str(path))
