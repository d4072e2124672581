"""Text search over recommendations: the one meaning of the board's ``q``, on the web page and
in the JSON API alike.

A recommendation matches when every word of the search is somewhere in its reference
(``PANEL/NUMBER`` or the assembly's own, such as ``SD-E2``), one of its titles, its text or its
supporting statement, in any language, any case and with or without accents: French and Dutch
readers type ``ecocide`` for "écocide" and ``ideeen`` for "ideeën". The stored status rows keep
that haystack, folded, in a column (``words``), so that the board reads only the rows that can
match; the same function decides for a fold in memory.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from projections.status import RecommendationStatus


def folded(text: str) -> str:
    """``text`` without accents and case: decomposed (NFKD), combining marks dropped, case
    folded (so "Écocide" and "ECOCIDE" are both "ecocide", and "ß" is "ss").

    No character below U+0300 is a combining mark, so only the runs beyond it are looked at
    one character at a time: every stored row is folded when the read model is rebuilt."""
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():
        decomposed = _BEYOND_LATIN.sub(_without_marks, decomposed)
    return decomposed.casefold()


_BEYOND_LATIN = re.compile("[^\x00-\u02ff]+")


def _without_marks(run: re.Match[str]) -> str:
    return "".join(char for char in run.group() if not unicodedata.combining(char))


def words_of(search: str) -> tuple[str, ...]:
    """The words of a search, folded; none for an empty or blank one."""
    return tuple(folded(search).split())


def haystack(rec: RecommendationStatus) -> str:
    """What a search looks in: the references, every title, text and supporting statement,
    folded."""
    found = (
        f"{rec.panel}/{rec.number}",
        rec.reference or "",
        *rec.title.values(),
        *rec.text.values(),
        *rec.supporting.values(),
    )
    return folded("\n".join(found))


def matches(rec: RecommendationStatus, words: Sequence[str]) -> bool:
    """Whether every word (folded, as ``words_of`` gives them) is in ``haystack(rec)``."""
    if not words:
        return True
    found = haystack(rec)
    return all(word in found for word in words)
