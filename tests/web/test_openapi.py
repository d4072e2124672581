"""The OpenAPI schema holds: schemathesis generates requests for every operation it documents
(valid and invalid parameters alike) and sends them to the application in-process, over the
API tests' ledger; no response may be a server error, nor fall outside the schema (an
undocumented status, media type, header or body).

One test per operation of ``web.api`` and ``web.submissions`` (random bodies cannot carry a
valid signature, so no generated submission is ever written), listed from the application's
own schema (making the application opens no
ledger). The schema under test is loaded from the running application's ``/openapi.json``
in a fixture: schemathesis's lazy pytest loader (``from_fixture``) does not run under this
project's pytest, so each test drives hypothesis itself, 20 examples per operation.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.web.conftest import serving
from tests.web.test_api import published
from web import api, create_app, proofs, submissions

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
OURS = {  # as OpenAPI writes them: {index}, not {index:path}
    re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
    for router in (api.router, proofs.router, submissions.router)
    for route in router.routes
    if isinstance(route, APIRoute)
}
OPERATIONS = [
    (method.upper(), path)
    for path, methods in create_app("never-opened.db").openapi()["paths"].items()
    if path in OURS
    for method in methods
]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> schemathesis.BaseSchema:
    """The application's own schema, loaded from its ``/openapi.json``, on the API ledger."""
    app = serving(published(tmp_path_factory).ledger)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_the_api_documents_every_route_it_serves() -> None:
    paths = {path for _, path in OPERATIONS}
    assert {
        "/api/status", "/api/recommendations/{panel}/{number}", "/api/overdue",
        "/api/panels/{panel}/composition", "/api/dashboard", "/api/checkpoint",
        "/api/checkpoints/{size}", "/api/proofs/{seq}", "/api/proofs/consistency",
        "/api/tiles/checkpoint", "/api/tiles/tile/{level}/{index}",
        "/api/tiles/tile/entries/{index}", "/api/feed.atom",
    } <= paths  # fmt: skip


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_every_response_is_what_the_schema_says(
    api_schema: schemathesis.BaseSchema, method: str, path: str
) -> None:
    operation = api_schema[path][method]
    modes = [GenerationMode.POSITIVE]
    if operation.path_parameters or operation.query:  # else nothing can be made invalid
        modes.append(GenerationMode.NEGATIVE)
    cases = st.one_of([operation.as_strategy(generation_mode=mode) for mode in modes])

    @given(case=cases)
    @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
    def responds_within_the_schema(case: schemathesis.Case[Any]) -> None:
        case.call_and_validate(checks=CHECKS)

    responds_within_the_schema()
