"""Fixtures shared by the command tests: the small assembly built once through ``assembly``
(``tests.features.cycle``), and a private copy of it per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.features.cycle import CHARTER, Template, copy_of, ok, shared_template
from tests.features.forked import assembly
from tests.served import Monitored, monitored_ledger


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    """The session's small assembly: panel 1 drawn and seated, recommendations adopted."""
    return shared_template(tmp_path_factory)


@pytest.fixture
def folder(template: Template, tmp_path: Path) -> Path:
    """A private copy of the assembly with panel 1 seated."""
    return copy_of(template.seated, tmp_path / "assembly")


@pytest.fixture
def logged(folder: Path) -> Path:
    """The small assembly with a log key enrolled and its verifier key saved as log.vkey."""
    ok(assembly("keys", "new", "--key", "log.key", cwd=folder))
    enrol = ("keys", "enrol", "log.key.pub", "--role", "log", "--name", "Log operator (test)")
    ok(assembly(*enrol, "--key", CHARTER, cwd=folder))
    (folder / "log.vkey").write_text(ok(assembly("vkey", cwd=folder)).stdout)
    return folder


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Monitored:
    """The monitor tests' ledger, checkpointed and served (``tests.served``), built once per
    module."""
    return monitored_ledger(tmp_path_factory, tmp_path_factory.mktemp("base") / "ledger")


@pytest.fixture
def copy(base: Monitored, tmp_path: Path) -> Path:
    """A private copy of the monitor tests' ledger folder, for a test to serve and change."""
    return copy_of(base.folder, tmp_path / "server")
