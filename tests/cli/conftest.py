"""Fixtures shared by the command tests: the small assembly built once through ``assembly``
(``tests.features.cycle``), and a private copy of it per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.features.cycle import Template, copy_of, shared_template


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The session's small assembly: panel 1 drawn and seated, recommendations adopted."""
    return shared_template(tmp_path_factory)


@pytest.fixture
def folder(template: Template, tmp_path: Path) -> Path:
    """A private copy of the assembly with panel 1 seated."""
    return copy_of(template.seated, tmp_path / "assembly")
