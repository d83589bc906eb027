"""Unparsable request bodies get the API's JSON error shape, never Django's HTML page (issue 10,
item 6), and the OpenAPI description of PATCH bodies agrees with what they accept (item 7)."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest
from django.test import Client as HttpClient

from taut.access.models import Role
from taut.api.v1 import api
from tests.factories import ClinicWorld
from tests.web.routes import FAST_HASHERS

pytestmark = pytest.mark.django_db

SCHEMA = api.get_openapi_schema()
WRITES = sorted(  # every operation that reads a body
    (method.upper(), path) for path, ops in SCHEMA["paths"].items() for method, op in ops.items() if "requestBody" in op
)
BODIES = {
    "multipart without boundary": ("multipart/form-data", b"--\r\n"),
    "multipart with an empty boundary": ("multipart/form-data; boundary=", b"--\r\n"),
    "multipart with a broken part": ("multipart/form-data; boundary=xyz", b"--xyz\r\nnot a part"),
    "json that does not parse": ("application/json", b'{"given_name": '),
    "form in an unknown charset": ("application/x-www-form-urlencoded; charset=no-such-charset", b"a=b"),
}


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _url(path: str, world: ClinicWorld) -> str:
    ids = {"client_id": world.client.pk, "visit_id": world.visit.pk, "consent_id": world.consent.pk}
    return re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)


@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize("kind", sorted(BODIES))
def test_unparsable_body_gets_the_json_error_shape(
    method: str, path: str, kind: str, clinic_a: ClinicWorld, api_as: Any, caplog: Any
) -> None:
    """Any write operation answers an unparsable body with a 400 (or its usual 4xx) in the JSON
    error shape, and logs no traceback."""
    http: HttpClient = api_as(clinic_a, Role.PRACTITIONER)
    content_type, data = BODIES[kind]
    with caplog.at_level(logging.WARNING):
        response = http.generic(method, _url(path, clinic_a), data, content_type=content_type)
    assert 400 <= response.status_code < 500, response.status_code
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    errors = response.json()["errors"]
    assert errors
    assert all(set(e) == {"type", "loc", "msg"} for e in errors)
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


def test_multipart_without_boundary_to_an_upload_is_a_400(clinic_a: ClinicWorld, api_as: Any) -> None:
    """The probe's case: the posture upload with no boundary gets 400 and a message saying what to fix."""
    http: HttpClient = api_as(clinic_a, Role.PRACTITIONER)
    url = f"/api/v1/clients/{clinic_a.client.pk}/visits/{clinic_a.visit.pk}/posture"
    response = http.generic("POST", url, b"--\r\n", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "multipart" in response.json()["errors"][0]["msg"].lower()


# PATCH bodies ----------------------------------------------------------------------------------


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return dict(SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[-1]])
    return schema


def _patch_bodies() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for path, ops in SCHEMA["paths"].items():
        if "patch" in ops:
            content = ops["patch"]["requestBody"]["content"]["application/json"]["schema"]
            out.append((path, ops["patch"]["operationId"], _resolve(content)))
    return out


def _nullable(prop: dict[str, Any]) -> bool:
    return prop.get("type") == "null" or any(
        option.get("type") == "null" for option in prop.get("anyOf", []) + prop.get("oneOf", [])
    )


def test_patch_schemas_declare_no_nullable_field() -> None:
    """The served description of every PATCH body says what the API does: a field is left out to
    keep its value; null is not a value of any field (and no field has a default of null)."""
    served = json.loads(HttpClient().get("/api/v1/openapi.json").content)
    assert served["paths"].keys() == SCHEMA["paths"].keys()
    bodies = _patch_bodies()
    assert len(bodies) >= 2
    for _, operation, body in bodies:
        assert not body.get("required"), operation
        for name, prop in body["properties"].items():
            assert not _nullable(prop), f"{operation}: {name} is declared nullable"
            assert prop.get("default", "absent") is not None, f"{operation}: {name} defaults to null"


@pytest.mark.parametrize("field", ["given_name", "email", "date_of_birth", "sex"])
def test_null_in_a_client_patch_is_refused_with_the_field_named(field: str, clinic_a: ClinicWorld, api_as: Any) -> None:
    """null is refused with 422 naming the field, as the description says; nothing changes."""
    http: HttpClient = api_as(clinic_a, Role.PRACTITIONER)
    url = f"/api/v1/clients/{clinic_a.client.pk}"
    before = http.get(url).json()
    response = http.patch(url, json.dumps({field: None}), content_type="application/json")
    assert response.status_code == 422
    assert any(field in e["loc"] for e in response.json()["errors"])
    assert http.get(url).json() == before


def test_true_or_false_is_not_a_number_in_a_request_body() -> None:
    """Request bodies (schemas built on Strict) refuse JSON true/false in a number field (pydantic
    alone reads true as 1), and still take true/false where the field is a yes/no."""
    from taut.api.homecare import ItemIn
    from taut.api.schemas import Strict

    with pytest.raises(ValueError, match=r"not true or false|valid integer"):
        ItemIn(exercise="chin_tuck", sets=True)
    assert ItemIn(exercise="chin_tuck", sets=3).sets == 3

    class Mixed(Strict):
        amount: float | None = None
        agreed: bool | None = None

    assert Mixed(agreed=True).agreed is True
    with pytest.raises(ValueError, match="not true or false"):
        Mixed(amount=True)
