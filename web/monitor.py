"""Every reader a monitor (issue 20.4): the script that checks, in the reader's browser, what
``/verify`` and a recommendation's page show (``web/static/monitor/monitor.js``).

The pages work without it: the script fills a status line the server renders hidden, in the
page's language (its sentences travel as the line's ``data-`` attributes). It checks the
checkpoint's signature and cosignatures with WebCrypto's Ed25519, computes the root from the
tiles, proves the page's entries included from the tiles, and checks the new checkpoint extends
the last one this browser saw, which it keeps in ``localStorage`` (and nothing else).

When the server has a witness policy (``assembly serve --witnesses``), the script is given the
witnesses' keys with the log's and the quorum: a checkpoint fewer of them cosigned, or with a
cosignature that does not verify, is a failure it names; ``/verify`` names them in words.

The two pages that carry it are served with a policy that lets the server's own scripts run
(``script-src 'self'``), each pinned by its Subresource Integrity; every other page keeps the
public policy of ``web.security``, which runs none.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from markupsafe import Markup

from ledger import Ledger
from tlog.witnessing import Policy
from web.asked import Asked
from web.context import opened
from web.page_data import recommendation_data, verify_data
from web.security import POLICY as PUBLIC_POLICY

router = APIRouter()
SCRIPT = Path(__file__).parent / "static" / "monitor" / "monitor.js"
POLICY = PUBLIC_POLICY.replace("script-src 'none'", "script-src 'self'")
KEYS = "/monitor/keys"


@cache
def script() -> bytes:
    """The monitor's script as the package holds it, read once."""
    return SCRIPT.read_bytes()


@cache
def script_tag() -> Markup:
    """The page's script element, pinned to the file's bytes (hashed once per process)."""
    from web.desk import integrity  # web.desk renders through web.pages, which imports this

    return Markup('<script type="module" src="/monitor/static/monitor.js" integrity="{}">'
                  "</script>").format(integrity(script()))  # fmt: skip


def witnesses_of(request: Request) -> Policy | None:
    """The witness policy the server was started with, if any."""
    policy: Policy | None = request.app.state.witnesses
    return policy


def with_monitor(
    data: dict[str, Any],
    witnesses: Policy | None,
    *,
    keys: list[str] | None = None,
    seqs: list[int] | None = None,
) -> dict[str, Any]:
    """A page's data with what its monitor snippet needs: the script, the verifier keys (none:
    the script asks ``/monitor/keys``), the quorum of witnesses and the entries to prove."""
    monitor = {
        "script": script_tag(),
        "keys": [*keys, *witness_keys(witnesses)] if keys is not None else [],
        "quorum": witnesses.quorum if witnesses else 0,
        "witnesses": len(witnesses.witnesses) if witnesses else 0,
        "seqs": seqs or [],
    }
    return data | {"monitor": monitor}


def witness_keys(witnesses: Policy | None) -> list[str]:
    """The policy's cosignature verifier keys, in the form the policy gives them."""
    return [witness.key.text() for witness in witnesses.witnesses] if witnesses else []


def verify_page_data(book: Ledger, asked: Asked, *, witnesses: Policy | None) -> dict[str, Any]:
    """``/verify``'s data, the witnesses and quorum it names, and its monitor's."""
    data = verify_data(book, asked) | {"witnesses": witnesses}
    return with_monitor(data, witnesses, keys=data["keys"])


def recommendation_page_data(
    book: Ledger, asked: Asked, *, ref: tuple[str, str], witnesses: Policy | None
) -> dict[str, Any]:
    """A recommendation page's data and its monitor's: the entries of its audit trail."""
    data = recommendation_data(book, asked, ref=ref)
    return with_monitor(data, witnesses, seqs=[line.seq for line in data["trail"]])


def monitored(page: Response) -> Response:
    """A page that carries the monitor's script, with the policy that lets it run."""
    if page.status_code == 200:
        page.headers["Content-Security-Policy"] = POLICY
    return page


@router.get("/monitor/static/monitor.js", include_in_schema=False)
def monitor_script() -> Response:
    """The monitor's script."""
    return Response(script(), media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get(KEYS, include_in_schema=False)
def keys(request: Request) -> Response:
    """The log's verifier keys, one a line, as ``/verify`` shows them, then the witnesses' of the
    server's policy (for the script of pages that do not show them)."""
    with opened(request.app.state.settings) as book:
        found = [*log_keys(book), *witness_keys(witnesses_of(request))]
    return PlainTextResponse("".join(f"{key}\n" for key in found))


def log_keys(book: Ledger) -> list[str]:
    """The log's verifier keys, as ``assembly vkey`` prints them."""
    keys: list[str] = verify_data(book, Asked("en", KEYS, {}))["keys"]
    return keys
