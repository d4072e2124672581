"""Text search over recommendations: the one meaning of the board's ``q``, on the web page and
in the JSON API alike.

A recommendation matches when every word of the search is somewhere in its reference
(``PANEL/NUMBER``), one of its titles or its text, in any language and any case. The stored
status rows keep that haystack, case folded, in a column (``words``), so that the board reads
only the rows that can match; the same function decides for a fold in memory.
"""

from __future__ import annotations

from collections.abc import Sequence

from projections.status import RecommendationStatus


def words_of(search: str) -> tuple[str, ...]:
    """The words of a search, case folded; none for an empty or blank one."""
    return tuple(search.casefold().split())


def haystack(rec: RecommendationStatus) -> str:
    """What a search looks in: the reference, every title and every text, case folded."""
    found = (f"{rec.panel}/{rec.number}", *rec.title.values(), *rec.text.values())
    return "\n".join(found).casefold()


def matches(rec: RecommendationStatus, words: Sequence[str]) -> bool:
    """Whether every word (case folded, as ``words_of`` gives them) is in ``haystack(rec)``."""
    if not words:
        return True
    found = haystack(rec)
    return all(word in found for word in words)
