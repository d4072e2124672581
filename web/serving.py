"""The application as each of several server processes makes it: uvicorn's workers start
from an import string, so ``assembly serve --workers N`` hands them its settings in the
environment (``SETTINGS``, JSON) and each worker calls ``from_environment``.

Each server process, the one of ``assembly serve`` as each worker, keeps the answers it sent,
by ETag (``kept_app``, ``web.caching.Kept``): a page asked again while nothing it depends on has
moved is sent again without being read or rendered."""

from __future__ import annotations

import json
import os
from typing import Any

from fastapi import FastAPI

from web.app import create_app
from web.caching import Kept

SETTINGS = "ASSEMBLY_SERVE_SETTINGS"
FACTORY = "web.serving:from_environment"  # what uvicorn imports in each worker


def settings_json(ledger: str, **options: Any) -> str:
    """What ``from_environment`` reads: ``create_app``'s arguments, as JSON."""
    return json.dumps({"ledger": ledger, **options})


def kept_app(ledger: str, **options: Any) -> FastAPI:
    """The application a server process runs: ``create_app``'s, keeping the answers it sent."""
    app = create_app(ledger, **options)
    app.state.kept = Kept()
    return app


def from_environment() -> FastAPI:
    """The application with the arguments ``assembly serve`` left in ``SETTINGS``."""
    given = json.loads(os.environ[SETTINGS])
    return kept_app(given.pop("ledger"), **given)
