"""What every response carries so that a browser handles it safely, and the hosts served.

Every response, a page, the API's JSON, the feed, a tile, a proof or an error (404, 400, a host
refused, a 500), has a Content-Security-Policy that allows only the server's own stylesheet and
no script at all (the pages need none; no ``unsafe-inline``), may not be framed, sends no
Referer to other sites, and may not be sniffed into another type. With a public URL in
``https``, Strict-Transport-Security tells browsers to come back over TLS only.

The server answers only for the host of its public URL and the address it listens on
(``TrustedHostMiddleware``): a request naming another ``Host`` is refused with a 400, so that
nothing the server writes can follow a Host header it does not own.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'none'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)
HSTS = "max-age=31536000"  # a year, as browsers' preload lists ask
WILDCARDS = ("0.0.0.0", "::", "")  # listening on every address names no host


def headers_for(public_url: str) -> dict[str, str]:
    """The security headers of every response of a server whose public URL is ``public_url``."""
    found = {
        "Content-Security-Policy": POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",  # frame-ancestors, for browsers that predate it
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if urlsplit(public_url).scheme == "https":
        found["Strict-Transport-Security"] = HSTS
    return found


def served_hosts(public_url: str, listening: str | None) -> list[str]:
    """The hosts a request may name: the public URL's and the listening address (if it is one)."""
    hosts = [urlsplit(public_url).hostname or ""]
    if listening is not None and listening not in WILDCARDS and listening not in hosts:
        hosts.append(listening)
    return [host for host in hosts if host]


class SecurityHeaders:
    """ASGI middleware adding ``headers`` to every response that does not set them itself."""

    def __init__(self, app: ASGIApp, *, headers: Mapping[str, str]) -> None:
        self.app = app
        self.headers = dict(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                found = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    found.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_secured)
