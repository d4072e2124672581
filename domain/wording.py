"""Pydantic's validation errors in words: which field, and what it allows.

One place for the sentence a refused value gets, whether it came from a command-line option
(``cli.writing.model``) or from a stored payload (``domain.events.first_problem``): pydantic's
own messages quote regular expressions ("String should match pattern '^[a-z]...'"), which say
nothing to most readers and lose their brackets in a terminal that reads them as markup.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import ErrorDetails

from domain.codes import IN_WORDS


def field_name(error: ErrorDetails, *, whole: str = "payload") -> str:
    """The dotted path of the field an error is about (``whole`` if none)."""
    return ".".join(str(part) for part in error["loc"]) or whole


def allowed(error: ErrorDetails) -> str:
    """What the field allows, in words (pydantic's message when no better words are known)."""
    kind, context = error["type"], error.get("ctx") or {}
    given = _given(error.get("input"))
    if kind == "string_pattern_mismatch":
        pattern = str(context.get("pattern", ""))
        words = IN_WORDS.get(pattern, f"text of the form {pattern}")
        return f"{given}is not allowed: it must be {words}"
    if kind == "string_too_short":
        least = context.get("min_length", 1)
        return "must not be empty" if least == 1 else f"must be at least {least} characters long"
    if kind == "string_too_long":
        return f"must be at most {context.get('max_length')} characters long"
    if kind in ("enum", "literal_error"):
        return f"{given}is not allowed: it must be one of {context.get('expected')}"
    if kind == "greater_than_equal":
        return f"{given}is too small: it must be {context.get('ge')} or more"
    if kind == "less_than_equal":
        return f"{given}is too large: it must be {context.get('le')} or less"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a field of this record"
    return f"{given}is not allowed: {error['msg'][:1].lower()}{error['msg'][1:]}"


def _given(value: Any) -> str:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return f"{value!r} "
    return ""
