"""Rejected input changes nothing (security requirements 11 and 12).

Hypothesis takes a valid payload for each write endpoint and breaks it: a wrong type, a string
over its limit, an impossible date, an unknown field, a null, a missing required field, an
out-of-range number or choice. The API answers 4xx with {"errors": [{"type", "loc", "msg"}]};
a web form is shown again with its errors. Row counts of clients, visits and consents, and every
field of the target objects, are the same before and after.
"""

from __future__ import annotations

import json
import os
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ClinicWorld, make_clinic
from tests.web.routes import (
    FAST_HASHERS,
    PRACTITIONER,
    Route,
    by_id,
    content,
    http_for,
    send,
    snapshot,
)

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("TAUT_BADINPUT_EXAMPLES", "25"))
BAD_DATES = ["2023-02-30", "2023-02-29", "2023-13-01", "2023-00-10", "2023-04-31", "not a date", "31/12/2020",
             "2020-1-1x", "99999-01-01", "0000-00-00", ""]  # fmt: skip

# field -> (kind, limit or choices, required on create)
Spec = dict[str, tuple[str, Any, bool]]
CLIENT: Spec = {
    "given_name": ("str", 100, True),
    "family_name": ("str", 100, True),
    "date_of_birth": ("date", None, True),
    "sex": ("enum", ("female", "male", "other", "unknown"), False),
    "email": ("str", 254, False),
    "phone": ("str", 40, False),
    "address": ("str", 300, False),
    "occupation": ("str", 120, False),
    "emergency_contact_name": ("str", 120, False),
    "emergency_contact_phone": ("str", 40, False),
    "physician": ("str", 200, False),
    "health_history": ("str", 20000, False),
    "medications": ("str", 5000, False),
}
VISIT: Spec = {
    "date": ("date", None, True),
    "practitioner_id": ("id", None, True),
    "kind": ("enum", ("initial", "treatment", "reassessment", "follow_up"), False),
    "status": ("enum", ("planned", "finished", "cancelled"), False),
    "duration_minutes": ("int", (5, 480), False),
    "chief_complaint": ("str", 300, False),
    "notes": ("str", 20000, False),
}
CONSENT: Spec = {
    "signed_by": ("str", 200, True),
    "relationship": ("str", 60, False),
    "method": ("enum", ("signed_in_clinic", "signed_online", "verbal"), True),
    "agreed": ("bool", None, True),
}
API_WRITES = {
    "api:POST:create_client": (CLIENT, True),
    "api:PATCH:update_client": (CLIENT, False),
    "api:POST:create_visit": (VISIT, True),
    "api:PATCH:update_visit": (VISIT, False),
    "api:POST:create_consent": (CONSENT, True),
}
WEB_FIELD = {"practitioner_id": "practitioner"}
# TextFields: the API caps them, the model and its form do not (a form accepts any length there)
UNCAPPED_IN_FORMS = {"health_history", "medications", "notes"}
# a checkbox counts any non-empty value as ticked (it can only be left out)
FORM_LIMITS = {"agreed": ("bool", None, True)}
WEB_WRITES = {
    "web:POST:clients:client_create": (CLIENT, True),
    "web:POST:clients:client_edit": (CLIENT, True),
    "web:POST:clients:visit_create": (VISIT, True),
    "web:POST:clients:visit_edit": (VISIT, True),
    "web:POST:clients:consent_create": (CONSENT, True),
}

containers = st.one_of(
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
)
fractions = st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: not x.is_integer())
letters = st.text(alphabet=string.ascii_letters, min_size=1, max_size=12)


def wrong_type(kind: str) -> st.SearchStrategy[Any]:
    """Values of a type the field never accepts (avoiding the coercions pydantic allows)."""
    if kind == "str":
        return st.one_of(st.integers(), fractions, st.booleans(), containers)
    if kind in {"int", "id"}:
        return st.one_of(letters, fractions, containers)
    if kind == "date":
        return st.one_of(st.booleans(), containers, letters)
    if kind == "enum":
        return st.one_of(st.integers(), containers, letters.map(lambda s: s + "!"))
    return st.one_of(st.sampled_from(["maybe", "agreed!", "2"]), fractions, containers)  # bool


def out_of_range(kind: str, arg: Any) -> st.SearchStrategy[Any]:
    if kind == "str":
        return st.integers(1, 3000).map(lambda extra: "x" * (arg + extra))
    if kind == "date":
        return st.sampled_from(BAD_DATES)
    if kind == "int":
        lo, hi = arg
        return st.one_of(st.integers(max_value=lo - 1), st.integers(min_value=hi + 1))
    if kind == "id":
        return st.one_of(st.integers(max_value=0), st.integers(min_value=2**31))
    if kind == "enum":
        return st.text(max_size=20).filter(lambda s: s.strip() not in arg)
    return st.just(None)


@st.composite
def broken(draw: st.DrawFn, spec: Spec, base: dict[str, Any], create: bool, web: bool) -> dict[str, Any]:
    """A copy of a valid payload with one thing wrong."""
    data = dict(base)
    kinds = ["wrong_type", "out_of_range", "null", "unknown", "missing"]
    if web:  # a form post is text, and a form ignores fields it does not have
        kinds = ["out_of_range", "blank", "garbage"]
    how = draw(st.sampled_from(kinds))
    if how == "missing":
        required = [f for f, (_, _, req) in spec.items() if req] if create else []
        if not required:
            how = "unknown"
        else:
            data.pop(draw(st.sampled_from(required)), None)
            return data
    if how == "unknown":
        name = draw(letters.filter(lambda s: s not in spec))
        data[name] = draw(st.one_of(st.none(), st.integers(), st.text(max_size=20)))
        return data
    if how == "blank":
        required = [f for f, (_, _, req) in spec.items() if req]
        data[draw(st.sampled_from(required))] = ""
        return data
    choices = [f for f, (k, _, _) in spec.items() if k != "bool" or how in {"wrong_type", "null"}]
    field = draw(st.sampled_from(choices))
    kind, arg, _ = spec[field]
    if how == "wrong_type":
        data[field] = draw(wrong_type(kind))
    elif how == "null":
        data[field] = None
    elif how == "garbage":  # text where a number, date, choice or person is expected
        if kind == "str":
            data[field] = "x" * (arg + 1)
        else:
            data[field] = draw(letters.map(lambda s: s + "!"))
    else:
        data[field] = draw(out_of_range(kind, arg))
    return data


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _assert_error_shape(body: Any) -> None:
    assert isinstance(body, dict)
    assert set(body) == {"errors"}
    assert body["errors"]
    for item in body["errors"]:
        assert set(item) == {"type", "loc", "msg"}
        assert isinstance(item["type"], str)
        assert isinstance(item["msg"], str)
        assert item["msg"]
        assert isinstance(item["loc"], list)


def _short(payload: Any) -> str:
    text = repr(payload)
    return text if len(text) < 300 else text[:300] + f"... ({len(text)} characters)"


def _run(route: Route, world: ClinicWorld, payloads: st.SearchStrategy[Any], raw: bool = False) -> list[int]:
    http = http_for(route.channel, world, PRACTITIONER)
    url = route.url(world, PRACTITIONER)
    statuses: list[int] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(payload=payloads)
    def attempt(payload: Any) -> None:
        before = snapshot(world)
        if raw:
            response = http.generic(route.method, url, payload, content_type="application/json")
        else:
            response = send(http, route, url, payload)
        text = content(response)
        statuses.append(response.status_code)
        if route.channel == "api":
            assert 400 <= response.status_code < 500, (_short(payload), text[:300])
            _assert_error_shape(json.loads(text))
        else:
            assert response.status_code < 500
            assert response.status_code != 302, f"accepted {_short(payload)}"
            assert 'role="alert"' in text
        assert snapshot(world) == before, _short(payload)

    attempt()
    return statuses


@pytest.mark.parametrize("route_id", sorted(API_WRITES))
def test_api_rejects_invalid_payloads_and_changes_nothing(route_id: str) -> None:
    """Invalid JSON payloads get 4xx with the one error shape; nothing is saved."""
    route = by_id(route_id)
    spec, create = API_WRITES[route_id]
    world = make_clinic()
    base = route.body(world, PRACTITIONER)
    statuses = _run(route, world, broken(spec, base, create, web=False))
    assert statuses
    assert set(statuses) <= {400, 422}


@pytest.mark.parametrize("route_id", sorted(API_WRITES))
def test_api_rejects_bodies_that_are_not_objects(route_id: str) -> None:
    """A body that is not a JSON object (or not JSON at all) gets 4xx with the error shape."""
    route = by_id(route_id)
    world = make_clinic()
    bodies = st.one_of(
        st.sampled_from(["", "{", "null", "[]", "[{}]", '"text"', "42", "true", "\x00", '{"a":', "{" * 500]),
        st.binary(max_size=50).filter(lambda b: not b.strip().startswith(b"{")),
    )
    statuses = _run(route, world, bodies, raw=True)
    assert set(statuses) <= {400, 422}


@pytest.mark.parametrize("route_id", sorted(WEB_WRITES))
def test_web_forms_reject_invalid_input_and_change_nothing(route_id: str) -> None:
    """Invalid form posts are shown again with their errors (never a redirect or a 500); nothing is saved."""
    route = by_id(route_id)
    spec, create = WEB_WRITES[route_id]
    spec = {WEB_FIELD.get(k, k): FORM_LIMITS.get(k, v) for k, v in spec.items() if k not in UNCAPPED_IN_FORMS}
    world = make_clinic()
    base = {k: ("on" if v is True else v) for k, v in route.body(world, PRACTITIONER).items()}
    statuses = _run(route, world, broken(spec, base, create, web=True))
    assert statuses


def test_withdrawing_twice_is_refused_and_changes_nothing() -> None:
    """A second withdrawal of the same consent gets 422 and leaves the first withdrawal time alone."""
    route = by_id("api:POST:withdraw_consent")
    world = make_clinic()
    http = http_for("api", world, PRACTITIONER)
    url = route.url(world, PRACTITIONER)
    assert send(http, route, url).status_code == 200
    before = snapshot(world)
    response = send(http, route, url)
    assert response.status_code == 422
    _assert_error_shape(response.json())
    assert snapshot(world) == before


@pytest.mark.parametrize("route_id", ["api:POST:create_client", "api:PATCH:update_client", "api:POST:create_consent"])
def test_nul_characters_in_text_are_refused(route_id: str) -> None:
    """A NUL character in a text field gets 422 naming the field, not a 500 (PostgreSQL cannot store it)."""
    route = by_id(route_id)
    world = make_clinic()
    http = http_for("api", world, PRACTITIONER)
    field = "signed_by" if "consent" in route_id else "given_name"
    body = {**route.body(world, PRACTITIONER), field: "Nul\x00Name"}
    before = snapshot(world)
    response = send(http, route, route.url(world, PRACTITIONER), body)
    assert response.status_code == 422, content(response)[:300]
    _assert_error_shape(response.json())
    assert field in response.json()["errors"][0]["loc"]
    assert snapshot(world) == before


@pytest.mark.parametrize(
    ("route_id", "params"),
    [
        ("api:GET:list_clients", {"q": "Fam\x00ily"}),
        ("web:GET:clients:client_list", {"q": "Fam\x00ily"}),
        ("web:GET:access:audit_log", {"user": "own\x00er", "action": "re\x00ad"}),
        ("web:GET:access:audit_export", {"user": "own\x00er", "action": "re\x00ad"}),
    ],
)
def test_nul_characters_in_search_and_filters_are_harmless(route_id: str, params: dict[str, str]) -> None:
    """A NUL character in a search or filter parameter answers normally (never a 500) and changes nothing."""
    from taut.access.models import Role

    route = by_id(route_id)
    world = make_clinic()
    http = http_for(route.channel, world, Role.OWNER)
    http.raise_request_exception = False
    before = snapshot(world)
    response = http.get(route.url(world, Role.OWNER), params)
    assert response.status_code == 200, content(response)[:300]
    assert snapshot(world) == before
