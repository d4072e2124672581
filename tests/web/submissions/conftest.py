"""Fixtures of the submission tests: a private copy of the small assembly of
``tests.features.cycle`` (panel 1 seated) for each test, and the web application over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli.context import open_ledger
from tests.features.cycle import LEDGER, Template, copy_of, shared_template
from tests.web.conftest import serving


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The session's small assembly (built once, whichever module asks first)."""
    return shared_template(tmp_path_factory)


@pytest.fixture
def folder(template: Template, tmp_path: Path) -> Path:
    """A private copy of the small assembly, panel 1 seated."""
    return copy_of(template.seated, tmp_path / "assembly")


@pytest.fixture
def client(folder: Path) -> Iterator[TestClient]:
    """The web application over the copy's ledger."""
    with TestClient(serving(str(folder / LEDGER))) as test_client:
        yield test_client


def state(folder: Path) -> tuple[int, str]:
    """The ledger's entry count and head: what a refused submission leaves unchanged."""
    book = open_ledger(str(folder / LEDGER))
    try:
        return book.count(), str(book.head())
    finally:
        book.close()


def identity_of(folder: Path) -> str:
    """The identity of the copy's ledger, which a signature for it names."""
    book = open_ledger(str(folder / LEDGER))
    try:
        return book.identity()
    finally:
        book.close()
