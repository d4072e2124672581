"""Where the public conformance suites beside the checkout are: ``ASSEMBLY_SHARED_VECTORS``, or
``../shared/vectors`` next to the repository (``.ci/run`` sets the variable for its clone)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import IN_CI


def shared_vectors() -> Path:
    """The shared vectors folder, configured or beside the repository."""
    configured = os.environ.get("ASSEMBLY_SHARED_VECTORS")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2] / "shared" / "vectors"


def absent(folder: Path) -> list[object]:
    """One case standing for a missing suite: skipped on a developer's machine, run (and
    failing) under CI=true, so a CI run never passes without the shared vectors."""
    marks = (
        ()
        if IN_CI
        else (pytest.mark.skip(reason=f"{folder} is absent; set ASSEMBLY_SHARED_VECTORS"),)
    )
    return [pytest.param(None, id="suite-absent", marks=marks)]
