"""Texts in the charter's languages: a title or a theme per language code."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from domain.errors import NotAllowed

Texts = dict[str, str]


def check_texts(what: str, texts: Mapping[str, str], languages: Iterable[str]) -> None:
    """Raise unless ``texts`` is in at least one of ``languages`` and in no other."""
    allowed = tuple(languages)
    filled = {code for code, text in texts.items() if text.strip()}
    if not filled:
        raise NotAllowed(
            f"{what} needs a text in at least one of the charter's languages "
            f"({', '.join(allowed)})."
        )
    stray = sorted(set(texts) - set(allowed))
    if stray:
        raise NotAllowed(
            f"{what} has a text in {', '.join(stray)}, which is not one of the charter's "
            f"languages ({', '.join(allowed)})."
        )
