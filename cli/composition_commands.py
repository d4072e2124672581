"""Placeholder: the composition read command is being written."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the composition command to ``app`` (none yet)."""
