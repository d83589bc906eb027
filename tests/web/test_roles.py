"""The permission table covers every route, each role gets what the table says, and front desk
never receives or sets clinical fields (security requirement 4)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from taut.access.capabilities import CAPABILITIES
from taut.access.scoping import unscoped
from taut.api.v1 import api
from taut.clients.models import CLINICAL_FIELDS, Client, Visit
from tests.factories import CLINICAL_MARKER, ClinicWorld, make_clinic
from tests.web.routes import (
    API_ROUTES,
    FAST_HASHERS,
    FRONT_DESK,
    PRACTITIONER,
    ROLES,
    ROUTES,
    WEB_ROUTES,
    Route,
    by_id,
    content,
    http_for,
    send,
    snapshot,
)

pytestmark = pytest.mark.django_db
ALL_CLINICAL = {f for fields in CLINICAL_FIELDS.values() for f in fields}


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str | None]]:
    """Each pattern with its full name ("clients:client_detail"); every app's names are namespaced."""
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _patterns(p, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}" if p.name else None


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


# The table covers everything ----------------------------------------------------------------


def test_every_url_pattern_has_a_row() -> None:
    """Each URL pattern of the resolver has at least one row in tests/web/routes.py."""
    web_names = {r.name for r in WEB_ROUTES}
    api_names = {r.name for r in API_ROUTES}
    missing = []
    for pattern, name in _patterns(get_resolver()):
        api = pattern.startswith("api/v1/")
        known, key = (api_names, (name or "").rsplit(":", 1)[-1]) if api else (web_names, name)
        if key not in known:
            missing.append(f"{pattern} (name {name!r})")
    assert not missing, f"Add a row to tests/web/routes.py for: {', '.join(missing)}"


def test_every_openapi_operation_has_a_row() -> None:
    """Each OpenAPI operation (method and path) has a row in tests/web/routes.py."""
    rows = {(r.method, r.api_path) for r in API_ROUTES}
    schema = api.get_openapi_schema()
    operations = {(m.upper(), path.removeprefix("/api/v1")) for path, ops in schema["paths"].items() for m in ops}
    assert len(operations) >= 12
    missing = sorted(operations - rows)
    assert not missing, f"Add a row to tests/web/routes.py API_ROUTES for: {missing}"
    stale = sorted(r for r in rows - operations if r[1] not in {"/openapi.json", "/"})
    assert not stale, f"Rows for operations that no longer exist: {stale}"


@pytest.mark.parametrize("route", WEB_ROUTES, ids=lambda r: r.id)
def test_web_row_matches_the_view(route: Route, clinic_a: ClinicWorld) -> None:
    """The row's URL resolves to its view, and the view checks the capability the row names."""
    match = resolve(route.url(clinic_a, PRACTITIONER))
    assert match.view_name == route.name
    assert getattr(match.func, "capability", None) == route.capability
    assert route.capability is None or route.capability in CAPABILITIES


# Each role gets the table's status in its own clinic -----------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.id)
def test_status_in_own_clinic(route: Route, role: str) -> None:
    """A user of each role gets the status the permission table gives, with a valid payload."""
    world = make_clinic()
    http = http_for(route.channel, world, role)
    response = send(http, route, route.url(world, role), route.body(world, role))
    assert response.status_code == route.expected[role], content(response)[:500]


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.public], ids=lambda r: r.id)
def test_anonymous_is_refused(route: Route, clinic_a: ClinicWorld, client: Any) -> None:
    """Without a session, a page redirects to the login; without a token, the API answers 401."""
    response = send(client, route, route.url(clinic_a, PRACTITIONER), route.body(clinic_a, PRACTITIONER))
    if route.channel == "web":
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    else:
        assert response.status_code == 401
        assert response.json()["errors"][0]["type"] == "unauthenticated"


# Front desk never receives clinical fields ---------------------------------------------------

READS = [r for r in ROUTES if 200 <= r.expected[FRONT_DESK] < 300 and (r.method == "GET" or r.channel == "api")]


@pytest.mark.parametrize("route", READS, ids=lambda r: r.id)
def test_front_desk_never_receives_clinical_data(route: Route) -> None:
    """Pages and API answers for front desk contain no clinical value and no clinical field name."""
    world = make_clinic()
    http = http_for(route.channel, world, FRONT_DESK)
    response = send(http, route, route.url(world, FRONT_DESK), route.body(world, FRONT_DESK))
    assert 200 <= response.status_code < 300
    text = content(response)
    assert CLINICAL_MARKER not in text
    if route.channel == "api" and route.name not in {"openapi-json"}:
        leaked = _keys(json.loads(text)) & ALL_CLINICAL
        assert not leaked, f"front desk received {leaked}"
    elif route.channel == "web":
        for name in ALL_CLINICAL:
            assert f'name="{name}"' not in text


@pytest.mark.parametrize("route", [r for r in ROUTES if r.clinical and r.method == "GET"], ids=lambda r: r.id)
def test_practitioner_sees_clinical_data(route: Route) -> None:
    """Where a page or answer shows clinical data, a practitioner gets the seeded clinical values."""
    world = make_clinic()
    http = http_for(route.channel, world, PRACTITIONER)
    response = send(http, route, route.url(world, PRACTITIONER))
    assert response.status_code == 200
    text = content(response)
    assert CLINICAL_MARKER in text
    if route.channel == "api":
        assert _keys(json.loads(text)) & ALL_CLINICAL


CLINICAL_WRITES = (
    [("api:POST:create_client", "client", f) for f in CLINICAL_FIELDS["client"]]
    + [("api:PATCH:update_client", "client", f) for f in CLINICAL_FIELDS["client"]]
    + [("api:POST:create_visit", "visit", f) for f in CLINICAL_FIELDS["visit"]]
    + [("api:PATCH:update_visit", "visit", f) for f in CLINICAL_FIELDS["visit"]]
)


@pytest.mark.parametrize(("route_id", "kind", "field"), CLINICAL_WRITES)
def test_front_desk_cannot_set_clinical_fields_through_the_api(route_id: str, kind: str, field: str) -> None:
    """A clinical field in a front-desk API write is refused with 422 naming it; nothing is saved."""
    route = by_id(route_id)
    world = make_clinic()
    http = http_for("api", world, FRONT_DESK)
    body = {**route.body(world, FRONT_DESK), field: "front desk wrote this"}
    before = snapshot(world)
    response = send(http, route, route.url(world, FRONT_DESK), body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(field in e["loc"] for e in errors), errors
    assert snapshot(world) == before
    with unscoped():
        model = Client if kind == "client" else Visit
        if model._meta.get_field(field).get_internal_type() in ("CharField", "TextField"):
            assert not model.objects.filter(**{field: "front desk wrote this"}).exists()


FORMS = [
    "web:GET:clients:client_create",
    "web:GET:clients:client_edit",
    "web:GET:clients:visit_create",
    "web:GET:clients:visit_edit",
]


@pytest.mark.parametrize("route_id", FORMS)
def test_front_desk_forms_do_not_offer_clinical_fields(route_id: str) -> None:
    """The create and edit forms shown to front desk have no clinical inputs; a practitioner's do."""
    route = by_id(route_id)
    world = make_clinic()
    kind = "client" if route.name.startswith("clients:client") else "visit"
    for role, offered in ((FRONT_DESK, False), (PRACTITIONER, True)):
        text = content(send(http_for("web", world, role), route, route.url(world, role)))
        for name in CLINICAL_FIELDS[kind]:
            assert (f'name="{name}"' in text) is offered, (role, name)


@pytest.mark.parametrize("route_id", ["web:POST:clients:client_edit", "web:POST:clients:visit_edit"])
def test_front_desk_form_post_ignores_clinical_fields(route_id: str) -> None:
    """Clinical values smuggled into a front-desk form post are not saved."""
    route = by_id(route_id)
    world = make_clinic()
    kind = "client" if route.name.startswith("clients:client") else "visit"
    smuggled = {"onset_date": "2020-01-02", "skin_areas": "temple_l", "surgery_areas": "temple_l"}
    body = route.body(world, FRONT_DESK) | {f: smuggled.get(f, "front desk wrote this") for f in CLINICAL_FIELDS[kind]}
    obj = world.client if kind == "client" else world.visit
    with unscoped():
        obj.refresh_from_db()
        before = {name: getattr(obj, name) for name in CLINICAL_FIELDS[kind]}
    response = send(http_for("web", world, FRONT_DESK), route, route.url(world, FRONT_DESK), body)
    assert response.status_code == 302
    with unscoped():
        obj.refresh_from_db()
    for name in CLINICAL_FIELDS[kind]:
        value = getattr(obj, name)
        assert value == before[name], name
        if isinstance(value, str):
            assert CLINICAL_MARKER in value
