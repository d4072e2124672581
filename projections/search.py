"""Text search over recommendations: the one meaning of the board's ``q``, on the web page and
in the JSON API alike.

A recommendation matches when every word of the search is somewhere in its reference
(``PANEL/NUMBER``), one of its titles or its text, in any language and any case. Titles and the
reference are at hand in the status; the text is read from the adoption entry only when they do
not already hold every word.
"""

from __future__ import annotations

from collections.abc import Mapping

from ledger import Ledger
from projections.status import RecommendationStatus


def words_of(search: str) -> list[str]:
    """The words of a search, case folded; none for an empty or blank one."""
    return search.casefold().split()


def matches(book: Ledger, rec: RecommendationStatus, words: list[str]) -> bool:
    """Whether every word is in the recommendation's reference, a title or its text."""
    if not words:
        return True
    known = " ".join((f"{rec.panel}/{rec.number}", *rec.title.values())).casefold()
    missing = [word for word in words if word not in known]
    if not missing:
        return True
    text = " ".join(full_text(book, rec).values()).casefold()
    return all(word in text for word in missing)


def full_text(book: Ledger, rec: RecommendationStatus) -> Mapping[str, str]:
    """The recommendation's text in each language, from its adoption entry."""
    found = book.recorder.read_entries(start=rec.adopted.seq, limit=1)
    text = found[0].event["payload"].get("text", {}) if found else {}
    return {str(lang): str(value) for lang, value in text.items()}
