"""The translations of an answer's texts in a bulk file: columns ``justification_LANG`` and
``planned_measures_LANG`` beside the row's ``language`` (the language of ``justification`` and
``planned_measures``, the original the answer is signed with)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

ANSWER_TEXTS = ("justification", "planned_measures")
TRANSLATION_COLUMN = re.compile(r"(justification|planned_measures)_([a-z]{2})\Z")


def translation_columns(header: Sequence[str]) -> dict[str, tuple[str, str]]:
    """The bulk file's translation columns: column -> (field, language)."""
    found: dict[str, tuple[str, str]] = {}
    for column in header:
        match = TRANSLATION_COLUMN.match(column)
        if match:
            found[column] = (match[1], match[2])
    return found


def row_translations(
    row: Mapping[str, str | None], columns: Mapping[str, tuple[str, str]]
) -> dict[str, dict[str, str]]:
    """A row's translations, from its filled translation columns (a language with every cell
    empty has none)."""
    found: dict[str, dict[str, str]] = {}
    filled = [column for column in columns if (row.get(column) or "").strip()]
    for column in filled:
        name, code = columns[column]
        found.setdefault(code, dict.fromkeys(ANSWER_TEXTS, ""))[name] = row[column] or ""
    if filled and not (row.get("language") or "").strip():
        raise ValueError(
            f"{filled[0]}: a translation needs the row's language (the language of "
            "justification and planned_measures, such as fr)"
        )
    return found


def export_columns(translations: Sequence[Mapping[str, object]]) -> tuple[str, ...]:
    """The translation columns an export writes: each text in each language some answer is
    translated into, in the order of the languages' codes."""
    codes = sorted({code for each in translations for code in each})
    return tuple(f"{name}_{code}" for code in codes for name in ANSWER_TEXTS)
