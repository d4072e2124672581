"""The public web page and JSON API (issue: a web page and JSON API): FastAPI, pages rendered on
the server with Jinja2, on the same ledger as the command line. ``create_app`` is the one way in.

The application is imported when ``create_app`` is first asked for, not with the package: the
command line's exports and bundle checks use a few of its modules (the query a board export
answers, the press report's words) and should not pay for FastAPI and every page to do so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from web.app import create_app

        return create_app
    raise AttributeError(f"module 'web' has no attribute {name!r}")
