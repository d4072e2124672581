"""The pages' languages: French, Dutch and English, from hand-written Babel catalogues.

The catalogues are the ``.po`` files in ``web/locales/LANG/LC_MESSAGES/``, read once per process
with Babel and compiled in memory, so that no compiled ``.mo`` file is kept in the repository
beside its source. Message ids are the English sentences; an empty English ``msgstr`` falls back
to its id. A page's language is the ``lang`` query parameter when it names one of ours, else the
best match of the browser's Accept-Language, else French (the assembly's first language).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.core import negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("fr", "nl", "en")
DEFAULT = "fr"
LOCALES = Path(__file__).parent / "locales"

# The words of the three status axes, as the domain spells them, with their English labels
# (the message ids of the catalogues).
LABELS = {
    "awaiting_response": "awaiting response",
    "accepted": "accepted",
    "accepted_in_part": "accepted in part",
    "already_in_place": "already in place",
    "under_study": "under study",
    "not_competent": "not competent",
    "rejected": "rejected",
    "not_started": "not started",
    "in_progress": "in progress",
    "stalled": "stalled",
    "completed": "completed",
    "completed_modified": "completed with changes",
    "abandoned": "abandoned",
    "none": "no verdict yet",
    "agrees": "agrees",
    "disputes": "disputes",
    "insufficient_information": "insufficient information",
    "high": "high",
    "medium": "medium",
    "low": "low",
    "government": "the government",
    "theme_group": "the theme group of the previous panel",
    "drawn": "drawn by lot",
    "volunteered": "volunteers",
    "suppressed": "suppressed (small cell)",
    "unknown": "unknown",
}
LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}
LANGUAGE_IN = {"fr": "in French", "nl": "in Dutch", "en": "in English"}  # message ids


@cache
def translations(lang: str) -> Translations:
    """The compiled catalogue of ``lang`` (one of ``LANGUAGES``), read once per process."""
    if lang not in LANGUAGES:
        raise AssertionError(f"no catalogue for {lang!r}")
    with (LOCALES / lang / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale=lang)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def choose(asked: str | None, accept_language: str | None) -> str:
    """The page's language: ``asked`` if it is one of ours, else the browser's best, else French."""
    if asked in LANGUAGES:
        return asked
    found = negotiate_locale(preferred(accept_language or ""), LANGUAGES, sep="-")
    return found if found in LANGUAGES else DEFAULT


def preferred(header: str) -> list[str]:
    """The languages of an Accept-Language header, the most wanted first (q=0 dropped)."""
    ranked = []
    for place, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0  # a malformed weight counts as not wanted
        if tag and tag != "*" and weight > 0:
            ranked.append((-weight, place, tag))
    return [tag for _, _, tag in sorted(ranked)]


def label(lang: str, value: str) -> str:
    """The label of one value of an axis (or of how a theme was chosen), in ``lang``."""
    english = LABELS.get(value)
    return value if english is None else translations(lang).gettext(english)


def localized(texts: Mapping[str, str], lang: str) -> tuple[str, str | None]:
    """The text in ``lang`` when it has one, else in the first language it has, and in that case
    the language it is shown in (so the page can say so)."""
    if texts.get(lang):
        return texts[lang], None
    for other in (*LANGUAGES, *sorted(texts)):
        if texts.get(other):
            return texts[other], other
    return "", None
