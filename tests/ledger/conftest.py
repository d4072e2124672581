"""Fixtures of the ledger's rule tests: one honest history per module, forged afresh per test."""

from __future__ import annotations

from typing import Any

import pytest

from tests.forgery import Forgery, history, rows_of


@pytest.fixture(scope="module")
def honest(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Any, ...]]:
    """The rows of an honest 14-entry history (tests/forgery.py), built once per module."""
    ledger = history(str(tmp_path_factory.mktemp("rules") / "ledger.db"))
    rows = rows_of(ledger)
    ledger.close()
    return rows


@pytest.fixture
def forged(honest: list[tuple[Any, ...]]) -> Forgery:
    """A forger's copy of the honest history, changed by the test."""
    return Forgery(honest)
