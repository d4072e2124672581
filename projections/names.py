"""The names people read for codes: portfolios, strata and recommendation groups, per language.

A pure fold over the few events that name them (``domain.labels``, ``domain.groups``) and the
charter (for its languages), read by type from the ledger: there are tens of them, not
thousands, so no table keeps them. A page asks for the label in its reader's language, the
command line in the charter's first language; both fall back on the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from domain.charter import Chartered
from domain.events import Recorded
from domain.groups import GroupDefined
from domain.labels import PortfolioNamed, StratumNamed
from ledger import Ledger
from ledger.history import counted_before
from projections.status import RecommendationStatus, recorded

TYPES = (PortfolioNamed.TYPE, StratumNamed.TYPE, GroupDefined.TYPE, Chartered.TYPE)


@dataclass(frozen=True)
class Names:
    """Labels per language of portfolios, strata (``(stratum, value)``, value None for the
    stratum itself) and groups (with their level word and parent)."""

    portfolios: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    strata: Mapping[tuple[str, str | None], Mapping[str, str]] = field(default_factory=dict)
    groups: Mapping[str, GroupDefined] = field(default_factory=dict)
    languages: tuple[str, ...] = ()  # the charter's, in its order (none before the charter)

    @property
    def first_language(self) -> str:
        """The language the command line prints labels in: the charter's first ("fr" before
        there is a charter; any label is shown before the code all the same)."""
        return self.languages[0] if self.languages else "fr"

    def portfolio(self, code: str, lang: str) -> str:
        """The portfolio's name in ``lang``, else in any language it has, else its code."""
        return _label(self.portfolios.get(code, {}), lang) or code

    def stratum(self, stratum: str, value: str | None, lang: str) -> str:
        """The name of a stratum or one of its values in ``lang``, else its code."""
        return _label(self.strata.get((stratum, value), {}), lang) or (value or stratum)

    def stratum_labels(self, stratum: str, value: str | None) -> dict[str, str]:
        """Every label of a stratum or one of its values, by language (none: not named)."""
        return dict(self.strata.get((stratum, value), {}))

    def group(self, code: str, lang: str) -> str:
        """The group's title in ``lang``, else in any language it has, else its code."""
        found = self.groups.get(code)
        return (_label(found.title, lang) if found else "") or code


def fold(events: Iterable[Recorded]) -> Names:
    """The names given by ``events`` (each named once: the domain refuses a second naming)."""
    portfolios: dict[str, Mapping[str, str]] = {}
    strata: dict[tuple[str, str | None], Mapping[str, str]] = {}
    groups: dict[str, GroupDefined] = {}
    languages: tuple[str, ...] = ()
    for item in events:
        event = item.event
        if isinstance(event, PortfolioNamed):
            portfolios[event.portfolio] = MappingProxyType(dict(event.labels))
        elif isinstance(event, StratumNamed):
            strata[(event.stratum, event.value)] = MappingProxyType(dict(event.labels))
        elif isinstance(event, GroupDefined):
            groups[event.code] = event
        elif isinstance(event, Chartered):
            languages = tuple(event.languages)
    return Names(
        MappingProxyType(portfolios), MappingProxyType(strata), MappingProxyType(groups), languages
    )


def names_in(book: Ledger, *, up_to: int | None = None, until: datetime | None = None) -> Names:
    """The names in ``book`` as they stood after entry ``up_to`` and before the moment
    ``until`` (by the day the ledger recorded them, or for history recorded after the fact
    the day their authors gave: ``ledger.history.counted_before``; default: all)."""
    history = book.history_before() if until is not None else None  # read only if needed
    found = [
        item
        for entry in book.entries_of_types(*TYPES)
        if (up_to is None or entry.seq <= up_to)
        and counted_before(entry.recorded_at, entry.body, until, history)
        and (item := recorded(entry)) is not None
    ]
    return fold(found)


def _label(texts: Mapping[str, str], lang: str) -> str:
    if texts.get(lang, "").strip():
        return texts[lang]
    return next((text for text in texts.values() if text.strip()), "")


FIRST_WORDS = 12


def shown_ref(rec: RecommendationStatus) -> str:
    """PANEL/NUMBER and the assembly's own reference beside it (titles repeat; these do not)."""
    own = f"{rec.panel}/{rec.number}"
    return f"{own} {rec.reference}" if rec.reference else own


def shown_title(rec: RecommendationStatus) -> str:
    """The title the command line and the API show: in French if it has one, else in its first
    language; for a recommendation without a title of its own, the first words of its text."""
    own = rec.title.get("fr") or next((text for text in rec.title.values() if text.strip()), "")
    if own.strip():
        return own
    return first_words(rec.text.get("fr") or next(iter(rec.text.values()), ""))


def first_words(text: str) -> str:
    """The first words of a text, for a recommendation without a title of its own."""
    words = text.split()
    return " ".join(words[:FIRST_WORDS]) + (" …" if len(words) > FIRST_WORDS else "")


def paragraphs(text: str) -> list[str]:
    """A text's paragraphs: the parts between blank lines, each stripped, none empty."""
    parts = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n"))
    return [part.strip() for part in parts if part.strip()]
