"""The interactive API documentation (Swagger UI at /docs), served only with ``--api-docs``.

Swagger UI is not part of this package: its page loads the script and stylesheet from a public
CDN, so a third party's code runs on the server's origin. It is therefore off by default (the
schema itself, /openapi.json, is always served). When an operator turns it on, the versions are
pinned rather than floating, and the page has its own Content-Security-Policy: scripts from that
one pinned package and the page's one inline script, named by its hash, and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
SWAGGER = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.17.14/"
_INLINE = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def swagger_page() -> HTMLResponse:
    """The Swagger UI page on /openapi.json, with the policy that lets only it run."""
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="Citizens' assembly ledger: API",
        swagger_js_url=SWAGGER + "swagger-ui-bundle.js",
        swagger_css_url=SWAGGER + "swagger-ui.css",
        swagger_favicon_url="data:,",
    )
    html = bytes(page.body).decode("utf-8")
    hashes = " ".join(f"'sha256-{digest(script)}'" for script in _INLINE.findall(html))
    policy = "; ".join(
        (
            "default-src 'self'",
            f"script-src {SWAGGER} {hashes}",
            f"style-src 'self' {SWAGGER}",
            "img-src 'self' data:",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        )
    )
    return HTMLResponse(html, headers={"Content-Security-Policy": policy})


def digest(script: str) -> str:
    """The CSP source hash of an inline script's text (CSP level 2, base64 of its SHA-256)."""
    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


@router.get("/docs")
def swagger() -> HTMLResponse:
    """Swagger UI on this server's API."""
    return swagger_page()
