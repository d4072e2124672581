"""The public web page and JSON API (issue: a web page and JSON API): FastAPI, pages rendered on
the server with Jinja2, on the same ledger as the command line. ``create_app`` is the one way in.
"""

from web.app import create_app

__all__ = ["create_app"]
