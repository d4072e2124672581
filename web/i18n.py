"""The pages' languages: French, Dutch and English, from hand-written Babel catalogues.

The catalogues are the ``.po`` files in ``web/locales/LANG/LC_MESSAGES/``, read once per process
with Babel and compiled in memory, so that no compiled ``.mo`` file is kept in the repository
beside its source. Message ids are the English sentences; an empty English ``msgstr`` falls back
to its id. A page's language is the ``lang`` query parameter when it names one of ours, else the
best match of the browser's Accept-Language, else French (the assembly's first language).

Dates, moments, counts and percentages are written as each language's readers write them
(CLDR conventions, through Babel); ``day_element`` and ``moment_element`` wrap a date or a moment
in an HTML ``<time>`` element whose ``datetime`` attribute keeps the ISO form for machines.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import copy
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.core import Locale, negotiate_locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import NumberPattern, format_decimal
from babel.support import Translations
from markupsafe import Markup, escape

LANGUAGES = ("fr", "nl", "en")
DEFAULT = "fr"
LOCALES = Path(__file__).parent / "locales"
# The CLDR locale whose conventions each language's dates and numbers follow. Brussels is the
# model, so French and Dutch are written the Belgian way. English is British (en_GB) rather than
# plain "en", which is American: en_GB puts the day before the month and uses a 24-hour clock,
# as the French and Dutch pages do, so the three versions of a page read alike.
REGIONS = {"fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}

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
    "postponed": "postponed, no date",
    "not_applicable": "not applicable",
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
# The roles of the keys that sign entries (domain/roles.py), as a reader names them: a signer is
# shown as "name (role)", and the role in words is the page's, not the code.
ROLES = {
    "charter": "the charter's keeper",
    "secretariat": "the secretariat",
    "government": "the government",
    "commission": "the follow-up commission",
    "log": "the log operator",
}
# How each value of the three axes reads at a glance: the tone of its chip. The chip always
# carries the value's words; the tone only adds colour (never colour alone).
TONES = {
    "good": ("accepted", "already_in_place", "completed", "agrees"),
    "partial": ("accepted_in_part", "completed_modified", "in_progress", "under_study"),
    "bad": ("rejected", "abandoned", "disputes", "stalled", "not_competent"),
}
LANGUAGE_NAMES = {"fr": "Français", "nl": "Nederlands", "en": "English"}
LANGUAGE_IN = {"fr": "in French", "nl": "in Dutch", "en": "in English"}  # message ids


def colon(lang: str) -> str:
    """A colon after a label as ``lang`` writes it (French puts a narrow no-break space
    before it)."""
    return "\u202f:" if lang == "fr" else ":"


def semicolon(lang: str) -> str:
    """A semicolon between the parts of a list as ``lang`` writes it (French, as before a
    colon, puts a narrow no-break space before it)."""
    return "\u202f;" if lang == "fr" else ";"


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


def role_label(lang: str, role: str) -> str:
    """The role of a signing key in words in ``lang`` (the code when it is not one of ours)."""
    english = ROLES.get(role)
    return role if english is None else translations(lang).gettext(english)


def signer_label(lang: str, shown: str | None) -> str:
    """A signer as the read models name it ("The government (test) (government)") with its
    role in words in ``lang``: "The government (test) (le gouvernement)"."""
    if not shown:
        return ""
    name, found, role = shown.rpartition(" (")
    if not found or not role.endswith(")") or role[:-1] not in ROLES:
        return shown
    return f"{name} ({role_label(lang, role[:-1])})"


def tone(value: str) -> str:
    """The tone of a value's chip: good, partial, bad, or waiting (anything not yet settled)."""
    return next((name for name, values in TONES.items() if value in values), "waiting")


@lru_cache(maxsize=256)  # a board shows three on each of its hundred rows, from a few values
def chip(lang: str, value: str) -> Markup:
    """A value of an axis as a chip, in ``lang``: its words always, its tone as colour besides
    (never colour alone)."""
    return Markup('<span class="chip chip-{}">{}</span>').format(tone(value), label(lang, value))


def localized(texts: Mapping[str, str], lang: str) -> tuple[str, str | None]:
    """The text in ``lang`` when it has one, else in the first language it has, and in that case
    the language it is shown in (so the page can say so)."""
    if texts.get(lang):
        return texts[lang], None
    for other in (*LANGUAGES, *sorted(texts)):
        if texts.get(other):
            return texts[other], other
    return "", None


def in_language(texts: Mapping[str, str], lang: str) -> Markup:
    """``localized`` as HTML: the text, escaped and isolated (``bdi``), with a ``lang`` when it
    is shown in another language than the page's, so that a screen reader reads it in its own."""
    text, other = localized(texts, lang)
    if other is None:
        return isolated(text)
    return Markup('<bdi lang="{}">{}</bdi>').format(other, text)


def in_original(
    text: str, language: str | None, translations: Mapping[str, str], lang: str
) -> Markup:
    """A text signed in ``language`` (None: not recorded) with its ``translations``, as HTML: in
    the page's language when it has one, else the original, with a ``lang`` when its language
    is known and not the page's; empty when the text chosen is."""
    if lang != language and translations.get(lang, "").strip():
        return isolated(translations[lang])
    if not text.strip():
        return Markup("")
    if language is None:
        return escape(text)  # as signed; its element's dir="auto" isolates it
    if language == lang:
        return isolated(text)
    return Markup('<bdi lang="{}">{}</bdi>').format(language, text)


def said_in(payload: Mapping[str, Any], name: str, lang: str) -> Markup:
    """Text ``name`` of an answer (justification, planned_measures) or a verdict (reasons) in
    the page's language when it is translated into it, else in its original (``in_original``):
    an answer's translations hold both its texts, a verdict's its reasons."""
    translations = {
        code: str(other.get(name, "") if isinstance(other, Mapping) else other)
        for code, other in (payload.get("translations") or {}).items()
    }
    return in_original(str(payload.get(name) or ""), payload.get("language"), translations, lang)


def said_lang(payload: Mapping[str, Any], name: str, lang: str) -> str | None:
    """The language ``said_in`` shows text ``name`` in when it is not the page's (so the page
    can say "only in French"), else None (the page's language, or not recorded)."""
    translated = (payload.get("translations") or {}).get(lang)
    if isinstance(translated, Mapping):
        translated = translated.get(name, "")
    if lang == payload.get("language") or str(translated or "").strip():
        return None
    if not str(payload.get(name) or "").strip():
        return None
    found = payload.get("language")
    return found if isinstance(found, str) and found else None


def isolated(text: object) -> Markup:
    """Text written by a user, escaped, in a ``<bdi>`` element: its direction (a name in Arabic
    or Hebrew, say) is its own, and cannot reorder the page's sentence around it."""
    return Markup("<bdi>{}</bdi>").format("" if text is None else text)


@cache
def locale_of(lang: str) -> Locale:
    """The Babel locale of ``lang`` (parsed once: Babel would parse the name on every call)."""
    return Locale.parse(REGIONS[lang])


@lru_cache(maxsize=4096)  # a board repeats the same few due dates on every row
def format_day(lang: str, day: date | str) -> str:
    """``day`` (a date, or ISO text such as 2026-03-31) written in full in ``lang``:
    31 mars 2026, 31 maart 2026, 31 March 2026; in French the first of a month is 1er."""
    day = as_day(day)
    return format_date(day, _day_pattern(lang, day), locale=locale_of(lang))


@lru_cache(maxsize=4096)  # a trail's moments are shown again on every read of its page
def format_moment(lang: str, moment: datetime | str) -> str:
    """``moment`` (a datetime, or ISO text as the ledger stores it) written in full in ``lang``,
    to the second, in UTC and saying so: 31 March 2026, 09:05:07 UTC.

    UTC and not Brussels time, because the ledger's days are UTC days (``as_of`` reads to
    midnight UTC): in Brussels time, an entry recorded late on the 31st would read as the 1st."""
    moment = as_moment(moment)
    locale = locale_of(lang)
    pattern = "long"
    if _day_pattern(lang, moment.astimezone(UTC).date()) != "long":
        time = locale.time_formats["long"].pattern
        pattern = str(locale.datetime_formats["long"]).format(time, _FIRST_OF_MONTH)
    return format_datetime(moment, pattern, tzinfo=UTC, locale=locale)


_FIRST_OF_MONTH = "d'er' MMMM y"  # French: 1er août 2026


def _day_pattern(lang: str, day: date) -> str:
    """Babel's long date, but for the first of a month in French: 1er août 2026, not 1 août
    (CLDR's French long date has no ordinal)."""
    return _FIRST_OF_MONTH if lang == "fr" and day.day == 1 else "long"


def format_number(lang: str, count: int) -> str:
    """A whole number, its digits grouped as ``lang`` groups them: 142 856, 142.856, 142,856."""
    return format_decimal(count, locale=locale_of(lang))


def format_percent(lang: str, share: Decimal) -> str:
    """A share (0.125 for an eighth) as a percentage with one decimal, written as ``lang``
    writes it: 12,5 % in French, 12,5% in Dutch, 12.5% in English."""
    return str(one_decimal_percent(lang).apply(share, locale_of(lang)))


@cache
def one_decimal_percent(lang: str) -> NumberPattern:
    """The percent pattern of ``lang``'s locale, with exactly one decimal."""
    cldr: NumberPattern = locale_of(lang).percent_formats[None]
    pattern = copy(cldr)  # the locale's own pattern is shared: change a copy
    pattern.frac_prec = (1, 1)
    return pattern


@lru_cache(maxsize=4096)  # a page writes the same few days many times, and each page again
def day_element(lang: str, day: date | str) -> Markup:
    """``day`` as an HTML ``<time>`` element: ISO in its ``datetime`` attribute, for machines,
    and written in full in ``lang`` as its text, for people."""
    found = as_day(day)
    text = format_day(lang, found)
    return Markup('<time datetime="{}">{}</time>').format(found.isoformat(), text)


@lru_cache(maxsize=4096)  # a trail's moments, on every read of its page
def moment_element(lang: str, moment: datetime | str) -> Markup:
    """``moment`` as an HTML ``<time>`` element: ISO in UTC in its ``datetime`` attribute, to
    the millisecond (HTML allows no finer), and written in full in ``lang`` as its text."""
    found = as_moment(moment).astimezone(UTC)
    machine = found.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
    text = format_moment(lang, found)
    return Markup('<time datetime="{}">{}</time>').format(machine, text)


def as_day(day: date | str) -> date:
    """``day`` as a date (ISO text is parsed; a datetime is not a day, and is refused)."""
    if isinstance(day, datetime):
        raise AssertionError(f"{day!r} is a moment, not a day: give its .date()")
    return day if isinstance(day, date) else date.fromisoformat(day)


def as_moment(moment: datetime | str) -> datetime:
    """``moment`` as a datetime with a time zone (ISO text is parsed; the ledger's always has
    one, so a moment without a zone is a bug of ours)."""
    found = moment if isinstance(moment, datetime) else datetime.fromisoformat(moment)
    if found.tzinfo is None:
        raise AssertionError(f"{moment!r} has no time zone")
    return found
