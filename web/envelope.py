"""How the server reads a submission's envelope before anything else looks at it: it must say
it is JSON (else 415), arrive whole within ``BODY_SECONDS`` (else 408) and within the size
limit (else 413), and name no key twice in any object (else 400), since two parsers may keep
different values of a duplicated key and the server must read what the client meant."""

from __future__ import annotations

import asyncio

from fastapi import HTTPException, Request

from ledger.canonical import duplicated_key

BODY_SECONDS = 30.0  # a client that takes longer to send its submission is cut off
JSON = "application/json"


class DuplicateKey(ValueError):
    """An object of the envelope names one key twice."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def sentence(self) -> str:
        return (
            f"The submission names the key {self.key[:40]!r} twice in one object: give each "
            "key once."
        )


def check_json_type(request: Request) -> None:
    """Refuse (415) a body that does not say it is JSON (``application/json``, any charset)."""
    declared = request.headers.get("content-type", "")
    media_type = declared.partition(";")[0].strip().lower()
    if media_type != JSON:
        shown = declared[:60] or "none"
        raise HTTPException(
            415, detail=f"A submission is sent as {JSON}, not as {shown}: set its Content-Type."
        )


async def read_body(
    request: Request, *, limit: int, too_large: HTTPException, seconds: float = BODY_SECONDS
) -> bytes:
    """The request body, refused with ``too_large`` as soon as it is known to exceed ``limit``
    bytes, and with 408 if it has not all arrived within ``seconds``."""
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise too_large

    async def whole() -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    try:
        return await asyncio.wait_for(whole(), timeout=seconds)
    except TimeoutError:
        raise HTTPException(
            408,
            detail=f"The submission did not arrive within {seconds:g} seconds: send it "
            "again over a faster connection, or fewer events at a time.",
        ) from None


def check_unique_keys(raw: bytes) -> None:
    """Raise ``DuplicateKey`` if an object of the JSON in ``raw`` names a key twice (JSON that
    does not parse is left for the schema's own parser to describe)."""
    key = duplicated_key(raw)
    if key is not None:
        raise DuplicateKey(key)
