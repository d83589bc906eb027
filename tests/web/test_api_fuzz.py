"""Schemathesis against the API's own OpenAPI schema, in process (security requirement 11).

Every operation gets about TAUT_FUZZ_EXAMPLES examples (default 50): positive and negative data,
with the ids of real objects of the token's clinic and with arbitrary ids. The checks: no 5xx,
every status is documented, every body matches its schema, and invalid data is rejected.
Runs inside the pytest-django `db` transaction, so the append-only audit triggers are respected.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client as HttpClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    negative_data_rejection,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from taut.access import services as access
from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.api.v1 import api
from taut.web.wsgi import application
from tests.factories import ClinicWorld
from tests.web.routes import FAST_HASHERS, ROUTES, object_id, send

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("TAUT_FUZZ_EXAMPLES", "50"))
PATH_PARAM = re.compile(r"\{(\w+)\}")
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, negative_data_rejection]
OPERATIONS = sorted((method.upper(), path) for path, ops in api.get_openapi_schema()["paths"].items() for method in ops)


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.MEDIA_ROOT = tmp_path / "media"  # the pinned photos and videos
    # cases that negate the Authorization header are 401s by design; they must not trip the
    # address lock for invalid tokens in the middle of a run (its own test: test_login_throttle.py)
    settings.TAUT_TOKEN_FAILED_LIMIT = 10**6


@pytest.fixture
def schema(db: Any) -> Iterator[Any]:
    """The served schema, called through the WSGI app inside the test's transaction.

    Like Django's test client, keep the request signals from closing the test's connection.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
        # unknown query parameters are ignored by design (HTTP caches and proxies add them)
        loaded.config.generation.update(allow_extra_parameters=False)
        yield loaded
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_fuzz_covers_every_operation(schema: Any) -> None:
    """The fuzzed operations are exactly the operations schemathesis finds in the served schema."""
    found = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert len(found) >= 12
    assert found == set(OPERATIONS)


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_operation_survives_fuzzing(method: str, path: str, schema: Any, clinic_a: ClinicWorld) -> None:
    """Generated valid and invalid requests never cause a 5xx, an undocumented status, a body that
    breaks the schema, or acceptance of invalid data."""
    with clinic_scope(clinic_a.clinic):
        _, token = access.do_create_token(clinic_a.users[Role.PRACTITIONER], clinic_a.clinic, "fuzz")
    headers = {"Authorization": f"Bearer {token}"}
    operation = schema[path][method]
    pinned: list[int] = []  # statuses of the cases sent with the real ids
    # every id in the path pinned to a real record of the token's clinic (a client, its visit, a
    # consent, a photo, a video, an intake link, a submitted intake, a knowledge-base entry ...),
    # built by the permission table's own builders; random ids alone would only reach the 404 path
    real = {name: object_id(clinic_a, name, Role.PRACTITIONER) for name in PATH_PARAM.findall(path)}
    if method == "GET":  # a record to read: filed first through the API's own write at that path
        for write in [r for r in ROUTES if r.channel == "api" and "/api/v1" + r.api_path == path]:
            if write.method in ("PUT", "POST") and write.payload is not None:
                seeded = send(HttpClient(headers=headers), write, write.url(clinic_a, Role.PRACTITIONER),
                              write.body(clinic_a, Role.PRACTITIONER))  # fmt: skip
                assert 200 <= seeded.status_code < 300, seeded.content
        # Django's test client connects close_old_connections again after its request; keep it
        # from closing the test's connection during the WSGI calls below (the schema fixture
        # connects it again at the end)
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=real or None),
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if method != "GET":
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=real or None))
    seen: list[int] = []

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def run(case: Any) -> None:
        # a case that breaks the Authorization header itself is sent as generated (and must get 401)
        auth = None if schema.is_security_param_negated(case) else headers
        response = case.call_and_validate(headers=auth, checks=CHECKS)
        seen.append(response.status_code)
        sent = {k: str(v) for k, v in (case.path_parameters or {}).items()}
        if real and sent == {k: str(v) for k, v in real.items()}:
            pinned.append(response.status_code)

    run()
    assert len(seen) >= min(EXAMPLES, 10), f"only {len(seen)} requests were sent"
    assert all(s < 500 for s in seen)
    if real:  # the pinned ids reached the operation itself, not only its 404
        assert any(s != 404 for s in pinned), f"no case with the real ids {real} got past the lookup: {pinned}"
