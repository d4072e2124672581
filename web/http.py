"""What the API's modules share: bounds on numbers, and how routes answering bytes are
documented in the OpenAPI schema."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import Response

from web import models

MAX_INT = 2**63 - 1  # the largest integer SQLite and PostgreSQL store
MAX_NUMBER = 2**31 - 1  # the largest panel or recommendation number (INTEGER in the read models)
# Text a filter compares in the database: PostgreSQL cannot hold a NUL, so no control character.
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"
# The days the ledger can be read at: the end of the last is still a date, and so is every due
# date and count of days the read side computes from one.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)

Responses = dict[int | str, dict[str, Any]]
NotFound: Responses = {404: {"model": models.Problem, "description": "Not in the ledger."}}
TryLater: Responses = {  # a read at a past point (as_of, at_seq) that found no free turn
    503: {
        "model": models.Problem,
        "description": "Busy reading the ledger at other past points; retry after the "
        "Retry-After seconds.",
    }
}


def raw(media_type: str, description: str, *, missing: bool = True) -> Responses:
    """The OpenAPI responses of a route answering bytes of ``media_type``, and 404 as JSON.

    Such a route declares ``response_class=Response``: FastAPI would otherwise document its
    404 in the route's own media type.
    """
    schema = {"type": "string", "format": "binary"} if "octet" in media_type else {"type": "string"}
    found: Responses = {
        200: {"description": description, "content": {media_type: {"schema": schema}}}
    }
    return {**found, **(NotFound if missing else {})}


class OctetStream(Response):
    media_type = "application/octet-stream"
