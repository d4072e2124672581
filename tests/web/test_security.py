"""Every response carries the security headers (pages, API, feed, tiles, proofs and every kind
of error); the pages need no inline style or script, so the policy needs no ``unsafe-inline``;
only the public URL's host and the listening address are answered, and absolute links start
with the public URL whatever the Host header says; the interactive API docs are off unless
asked for."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.web.conftest import Built, serving
from tests.web.test_pages import page
from web import create_app
from web.context import NotAPublicUrl, public_url_of
from web.docs import digest
from web.feed import ATOM

TEMPLATES = Path(__file__).parents[2] / "web" / "templates"


def secured(response: Response, *, scripts: str = "'none'") -> Response:
    """``response``, once its security headers are checked (``scripts``: the pages carrying
    the monitor's script run the server's own, ``web.monitor``)."""
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    for directive in (
        "default-src 'self'",
        f"script-src {scripts}",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "object-src 'none'",
    ):
        assert directive in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    return response


def checkpoint_size(client: TestClient) -> int:
    return int(client.get("/api/checkpoint").text.splitlines()[1])


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/recommendations/1/1", 200),
        ("/static/style.css", 200),
        ("/api/status", 200),
        ("/api/feed.atom", 200),
        ("/api/checkpoint", 200),
        ("/api/proofs/0", 200),
        ("/openapi.json", 200),
        ("/api/submissions", 200),
        ("/recommendations/1/99", 404),
        ("/no/such/page", 404),
        ("/api/recommendations/1/99", 404),
        ("/?as_of=9999-12-31", 400),
        ("/api/status?at_seq=-1", 422),
    ],
)
def test_every_kind_of_response_carries_the_security_headers(
    client: TestClient, path: str, status: int
) -> None:
    scripts = "'self'" if path == "/recommendations/1/1" else "'none'"
    assert secured(client.get(path), scripts=scripts).status_code == status


def test_a_tile_carries_the_security_headers(client: TestClient) -> None:
    size = checkpoint_size(client)
    tile = secured(client.get(f"/api/tiles/tile/0/000.p/{size}"))
    assert tile.status_code == 200 and len(tile.content) == 32 * size


def test_a_refused_submission_carries_the_security_headers(client: TestClient) -> None:
    refused = client.post("/api/submissions", content=b"{}", headers={"content-type": "text/plain"})
    assert secured(refused).status_code == 415


def test_a_server_error_carries_the_security_headers(built: Built) -> None:
    app = serving(built.ledger)

    @app.get("/broken")
    def broken() -> None:
        raise RuntimeError("a bug of ours")

    with TestClient(app, raise_server_exceptions=False) as client:
        failed = secured(client.get("/broken"))
    assert failed.status_code == 500 and failed.text == "Internal Server Error"


def test_a_request_naming_an_unknown_host_is_refused_with_the_headers(client: TestClient) -> None:
    refused = secured(client.get("/", headers={"host": "attacker.example"}))
    assert refused.status_code == 400


def test_the_listening_address_is_answered_besides_the_public_host(built: Built) -> None:
    app = create_app(built.ledger, public_url="https://ledger.example.org", listening="testserver")
    client = TestClient(app)
    assert client.get("/healthz").status_code == 200
    assert client.get("/healthz", headers={"host": "ledger.example.org"}).status_code == 200
    assert client.get("/healthz", headers={"host": "other.example.org"}).status_code == 400


def test_the_feed_links_start_with_the_public_url_and_not_the_host_header(built: Built) -> None:
    app = create_app(built.ledger, public_url="https://ledger.example.org/", listening="testserver")
    root = ET.fromstring(TestClient(app).get("/api/feed.atom").content)
    ns = {"a": ATOM}
    assert root.findtext("a:id", namespaces=ns) == "https://ledger.example.org/api/feed.atom"
    links = [link.get("href", "") for link in root.iter(f"{{{ATOM}}}link")]
    assert links and all(link.startswith("https://ledger.example.org/") for link in links)


def test_browsers_are_told_to_keep_to_tls_only_with_an_https_public_url(built: Built) -> None:
    plain = TestClient(serving(built.ledger)).get("/healthz")
    assert "strict-transport-security" not in plain.headers
    app = create_app(built.ledger, public_url="https://testserver")
    tls = TestClient(app).get("/healthz")
    assert tls.headers["strict-transport-security"] == "max-age=31536000"


@pytest.mark.parametrize(
    "url",
    ["ledger.example.org", "ftp://ledger.example.org", "https://", "https://a.org/?x=1",
     "https://a.org/#top", "https://user:pw@a.org", "https://a.org:port", "javascript:alert(1)"],
)  # fmt: skip
def test_a_public_url_that_cannot_start_a_link_is_refused_with_a_sentence(url: str) -> None:
    with pytest.raises(NotAPublicUrl) as refused:
        public_url_of(url)
    assert refused.value.sentence() == (
        f"{url!r} is not a public URL such as https://ledger.example.org: give http:// or "
        "https://, a host, and no query."
    )


@pytest.mark.parametrize("name", sorted(path.name for path in TEMPLATES.glob("*.html")))
def test_no_template_holds_an_inline_style_or_script(name: str) -> None:
    html = (TEMPLATES / name).read_text()
    assert not re.search(r"<script|<style|\sstyle=|\son[a-z]+=|javascript:", html, re.IGNORECASE)


def test_the_interactive_docs_are_off_by_default_and_the_schema_is_served(
    client: TestClient,
) -> None:
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    assert client.get("/openapi.json").json()["info"]["title"]


def test_the_docs_asked_for_load_a_pinned_swagger_and_run_only_its_own_script(
    built: Built,
) -> None:
    docs = TestClient(serving(built.ledger, api_docs=True)).get("/docs")
    assert docs.status_code == 200
    policy = docs.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    [inline] = re.findall(r"<script>(.*?)</script>", docs.text, re.DOTALL)
    assert f"'sha256-{digest(inline)}'" in policy
    sources = re.findall(r'(?:src|href)="(https://[^"]+)"', docs.text)
    assert sources and all(re.search(r"@\d+\.\d+\.\d+/", source) for source in sources)


def test_a_path_that_names_no_page_is_a_404_page_in_the_reader_language(
    client: TestClient,
) -> None:
    found = page(client, "/no/such/page?lang=nl", 404)
    assert found.lang == "nl" and "Er is geen pagina op /no/such/page." in found.words
    assert "There is no page at /x" in page(client, "/x", 404, **{"accept-language": "en"}).words
    api = client.get("/api/no/such/thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
