"""The names people read for codes: portfolios, strata and recommendation groups, per language.

A pure fold over the few events that name them (``domain.labels``, ``domain.groups``), read by
type from the ledger: there are tens of them, not thousands, so no table keeps them. A page or
``show`` asks for the label in its reader's language and falls back on the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from domain.events import Recorded
from domain.groups import GroupDefined
from domain.labels import PortfolioNamed, StratumNamed
from ledger import Ledger
from projections.status import RecommendationStatus, recorded

TYPES = (PortfolioNamed.TYPE, StratumNamed.TYPE, GroupDefined.TYPE)


@dataclass(frozen=True)
class Names:
    """Labels per language of portfolios, strata (``(stratum, value)``, value None for the
    stratum itself) and groups (with their level word and parent)."""

    portfolios: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    strata: Mapping[tuple[str, str | None], Mapping[str, str]] = field(default_factory=dict)
    groups: Mapping[str, GroupDefined] = field(default_factory=dict)

    def portfolio(self, code: str, lang: str) -> str:
        """The portfolio's name in ``lang``, else in any language it has, else its code."""
        return _label(self.portfolios.get(code, {}), lang) or code

    def stratum(self, stratum: str, value: str | None, lang: str) -> str:
        """The name of a stratum or one of its values in ``lang``, else its code."""
        return _label(self.strata.get((stratum, value), {}), lang) or (value or stratum)

    def group(self, code: str, lang: str) -> str:
        """The group's title in ``lang``, else in any language it has, else its code."""
        found = self.groups.get(code)
        return (_label(found.title, lang) if found else "") or code


def fold(events: Iterable[Recorded]) -> Names:
    """The names given by ``events`` (each named once: the domain refuses a second naming)."""
    portfolios: dict[str, Mapping[str, str]] = {}
    strata: dict[tuple[str, str | None], Mapping[str, str]] = {}
    groups: dict[str, GroupDefined] = {}
    for item in events:
        event = item.event
        if isinstance(event, PortfolioNamed):
            portfolios[event.portfolio] = MappingProxyType(dict(event.labels))
        elif isinstance(event, StratumNamed):
            strata[(event.stratum, event.value)] = MappingProxyType(dict(event.labels))
        elif isinstance(event, GroupDefined):
            groups[event.code] = event
    return Names(MappingProxyType(portfolios), MappingProxyType(strata), MappingProxyType(groups))


def names_in(book: Ledger, *, up_to: int | None = None) -> Names:
    """The names in ``book``, as they stood after entry ``up_to`` (default: all)."""
    found = [
        item
        for entry in book.recorder.read_types(*TYPES)
        if (up_to is None or entry.seq <= up_to) and (item := recorded(entry)) is not None
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


def first_words(text: str) -> str:
    """The first words of a text, for a recommendation without a title of its own."""
    words = text.split()
    return " ".join(words[:FIRST_WORDS]) + (" …" if len(words) > FIRST_WORDS else "")


def paragraphs(text: str) -> list[str]:
    """A text's paragraphs: the parts between blank lines, each stripped, none empty."""
    parts = re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n"))
    return [part.strip() for part in parts if part.strip()]
