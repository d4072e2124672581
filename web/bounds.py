"""The values a page's query and path may hold, read into their types within bounds.

A page reads its parameters by hand (``web.asked``, ``web.page_data``), so these functions are
its parser: each returns the value or raises a 400 (or 404) ``Problem`` whose sentence the page
shows in the reader's language. Only ASCII digits make a number (``str.isdigit`` also accepts
``²`` and other digits that ``int`` refuses), a number is at most ``MAX_INT`` (what SQLite and
PostgreSQL store), and a day lies between ``FIRST_DAY`` and ``LAST_DAY``, so that every date the
read side computes from it (the end of that day, a due date, days late) is a date. The API
applies the same bounds through FastAPI (``web.api``).
"""

from __future__ import annotations

import re
from datetime import date

from web.asked import Asked, Problem
from web.http import FIRST_DAY, LAST_DAY, MAX_INT, MAX_NUMBER

_NUMBER = re.compile(r"[0-9]{1,19}")  # ASCII digits only; MAX_INT has 19 of them
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SHOWN = 40  # characters of a refused value that its sentence repeats
LONGEST = 200  # characters of a search or a filter's value


def number(text: str, *, most: int = MAX_INT) -> int | None:
    """``text`` as a whole number from 0 to ``most``, or None if it is not one."""
    if _NUMBER.fullmatch(text) is None:
        return None
    found = int(text)
    return found if found <= most else None


def day(text: str) -> date:
    """``text`` as a day written YYYY-MM-DD within the bounds (else a 400 problem)."""
    found = None
    if _DAY.fullmatch(text):
        try:
            found = date.fromisoformat(text)
        except ValueError:
            found = None
    if found is None:
        raise Problem(400, "%(value)s is not a date such as 2026-03-31.", value=shown(text))
    if not FIRST_DAY <= found <= LAST_DAY:
        raise Problem(
            400,
            "%(value)s is not a day between %(first)s and %(last)s.",
            value=text,
            first=FIRST_DAY.isoformat(),
            last=LAST_DAY.isoformat(),
        )
    return found


def entry_number(text: str) -> int:
    """``text`` as an entry's seq (else a 400 problem)."""
    found = number(text)
    if found is None:
        raise Problem(400, "%(value)s is not an entry number such as 41.", value=shown(text))
    return found


def panel_number(text: str) -> int:
    """``text`` as a panel's number, from 1 to ``MAX_NUMBER`` (else a 400 problem)."""
    found = number(text, most=MAX_NUMBER)
    if not found:
        raise Problem(400, "%(value)s is not a panel number.", value=shown(text))
    return found


def bounded_text(text: str, name: str) -> str:
    """``text``, a search or a filter's value, if it is at most ``LONGEST`` characters and
    holds no control character (PostgreSQL cannot compare text holding a NUL)."""
    if len(text) > LONGEST:
        raise Problem(
            400, "%(name)s is at most %(limit)s characters long.", name=name, limit=LONGEST
        )
    if not text.isprintable():
        raise Problem(400, "%(name)s cannot hold a control character.", name=name)
    return text


def shown(text: str) -> str:
    """A refused value as a sentence repeats it: its start, without control characters."""
    clean = "".join(c if c.isprintable() else "\ufffd" for c in text)
    return clean if len(clean) <= SHOWN else clean[: SHOWN - 1] + "…"


def point_asked(asked: Asked) -> Asked:
    """``asked`` with its point in time read from the query (a 400 problem if malformed)."""
    as_of, at_seq = asked.query.get("as_of", ""), asked.query.get("at_seq", "")
    found_day = day(as_of) if as_of else None
    seq = entry_number(at_seq) if at_seq else None
    return Asked(asked.lang, asked.path, asked.query, found_day, seq)
