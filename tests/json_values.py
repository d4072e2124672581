"""Helpers over parsed JSON values shared by the canonical-form tests."""

from __future__ import annotations

from typing import Any


def has_float(value: Any) -> bool:
    """Tell whether a parsed JSON value holds a float anywhere (RFC 8785 bodies here hold none)."""
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(has_float(item) for item in value.values())
    if isinstance(value, list):
        return any(has_float(item) for item in value)
    return False
