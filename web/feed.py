"""The Atom feed (RFC 4287) of the government's newest answers and the commission's verdicts.

What a journalist subscribes to: one entry per answer or verdict recorded in the ledger, newest
first (by seq, which is the order the ledger recorded them in), at most ``LIMIT``. Each entry's
id names the ledger entry by its hash, as an RFC 6920 ``ni`` URI (``ni:///sha-256;`` and the
hash in base64url): the registered scheme for naming a thing by its digest, so the id is the
same on every server and can be checked against a receipt, where a ``urn:sha256:`` would use an
unregistered URN namespace and a ``tag:`` URI an authority the ledger does not have. ``updated``
is when the ledger recorded the entry, ``published`` when its author signed it; the link leads to
the recommendation's page. The XML is written as the standard library's ElementTree writes it.

The feed is written in the language asked for (``?lang=``: the titles and the values in the
pages' words, English when none is asked, as feed readers send no Accept-Language), and exists
for the whole assembly, for one portfolio (the minister answerable) and for one recommendation,
so that a reader follows only what concerns them.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ledger.canonical import format_time
from projections.names import shown_title
from projections.status import RecommendationStatus, Said
from projections.view import View
from web.i18n import colon, label, localized, translations

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"
LIMIT = 50
TITLE = "Government answers and commission verdicts"
# Characters XML 1.0 cannot hold, even escaped: a justification may contain them, the feed may not.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Statement:
    """One answer or verdict of a recommendation, as the feed lists it."""

    rec: RecommendationStatus
    said: Said
    kind: str  # "answer" or "verdict"


@dataclass(frozen=True)
class Item:
    """One feed entry, ready to write."""

    hash: bytes
    title: str
    link: str
    updated: datetime
    published: datetime
    author: str
    summary: str


def newest(view: View, *, limit: int = LIMIT) -> list[Statement]:
    """The newest answers and verdicts in the view, newest first, at most ``limit``."""
    found = [
        Statement(rec, said, kind)
        for rec in view.state.recommendations.values()
        for kind, saids in (("answer", rec.answers), ("verdict", rec.verdicts))
        for said in saids
    ]
    found.sort(key=lambda item: -item.said.change.seq)
    return found[:limit]


def title(lang: str, name: str | None = None) -> str:
    """The feed's title in ``lang``: of the whole assembly, or of ``name`` (a portfolio or a
    recommendation) alone."""
    gettext = translations(lang).gettext
    if name is None:
        return gettext(TITLE)
    return gettext(TITLE + ": %(name)s") % {"name": name}


def titled(rec: RecommendationStatus, lang: str) -> str:
    """The recommendation's title in ``lang`` if it has one, else as the command line shows it."""
    own, _ = localized(rec.title, lang)
    return own if own.strip() else shown_title(rec)


def named(rec: RecommendationStatus, lang: str) -> str:
    """The recommendation as a feed of its own is named: its reference and title."""
    return f"{rec.panel}/{rec.number} {titled(rec, lang)}"


def item(view: View, found: Statement, *, entry_hash: bytes, link: str, lang: str = "en") -> Item:
    """The feed entry of one answer or verdict, whose ledger entry has hash ``entry_hash``,
    its title in ``lang``."""
    rec, said, payload = found.rec, found.said, found.said.payload
    name = titled(rec, lang)
    gettext = translations(lang).gettext
    if found.kind == "answer":
        what = gettext("the government's answer (review %(review)s): %(position)s") % {
            "review": payload["review"],
            "position": label(lang, str(payload["position"])),
        }
        summary = payload.get("justification") or payload.get("planned_measures") or ""
    else:
        what = gettext("the commission's verdict: %(verdict)s") % {
            "verdict": label(lang, str(payload["verdict"]))
        }
        summary = payload.get("reasons") or ""
    change = said.change
    return Item(
        hash=entry_hash,
        title=f"{rec.panel}/{rec.number} {name}{colon(lang)} {what}",
        link=link,
        updated=change.recorded or change.at,
        published=change.at,
        author=view.signer(change) or change.signer,
        summary=str(summary),
    )


def entry_id(entry_hash: bytes) -> str:
    """The ``ni`` URI (RFC 6920) of a ledger entry's SHA-256 hash."""
    return "ni:///sha-256;" + base64.urlsafe_b64encode(entry_hash).decode().rstrip("=")


def atom(
    items: Sequence[Item],
    *,
    feed_id: str,
    self_url: str,
    updated: datetime,
    name: str = TITLE,
    lang: str = "en",
) -> bytes:
    """The feed as an Atom document (UTF-8, with its XML declaration), titled ``name`` and
    written in ``lang`` (``xml:lang``)."""
    # Unqualified names under a default namespace declared on the root: what Atom documents
    # look like. Written as the standard library's ElementTree writes this tree, byte for byte
    # (tests compare), at a tenth of its cost: serialising was most of a feed's time.
    parts = [
        "<?xml version='1.0' encoding='utf-8'?>\n",
        f'<feed xmlns="{ATOM}" xml:lang="{_attribute(lang)}">',
        _element("id", feed_id),
        _element("title", name),
        _element("updated", format_time(updated)),
        f'<link rel="self" href="{_attribute(self_url)}" type="{MEDIA_TYPE}" />',
        f"<author>{_element('name', 'The assembly ledger')}</author>",
    ]
    for found in items:
        parts += (
            "<entry>",
            _element("id", entry_id(found.hash)),
            _element("title", found.title),
            _element("updated", format_time(found.updated)),
            _element("published", format_time(found.published)),
            f'<link rel="alternate" href="{_attribute(found.link)}" type="text/html" />',
            f"<author>{_element('name', found.author)}</author>",
            _element("summary", found.summary) if found.summary else "",
            "</entry>",
        )
    parts.append("</feed>")
    return "".join(parts).encode("utf-8", "xmlcharrefreplace")  # as ElementTree encodes


def _element(name: str, text: str) -> str:
    """An element holding ``text``, what XML cannot hold replaced, escaped as character data."""
    text = _NOT_XML.sub("\ufffd", text)
    if not text:
        return f"<{name} />"
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<{name}>{text}</{name}>"


def _attribute(value: str) -> str:
    """``value`` escaped for an attribute in double quotes, as ElementTree escapes it."""
    for raw, escaped in _IN_ATTRIBUTES:
        value = value.replace(raw, escaped)
    return value


_IN_ATTRIBUTES = (
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ('"', "&quot;"),
    ("\r", "&#13;"),
    ("\n", "&#10;"),
    ("\t", "&#09;"),
)
