"""Bad pain-chart input changes nothing and never breaks the server (security requirements 11 and 12).

Hypothesis breaks a valid chart in one way at a time: an unknown zone, an intensity out of range or of
the wrong type, an unknown quality, mechanism, motion, symptom, condition or red flag, no marks, lists
over the API's caps, NUL characters, the wrong type anywhere. The API (PUT pain chart and POST rank)
answers 400/422 in the one error shape with a message a person can act on; the web form and the htmx
preview show the error again (no redirect). Never a 500; no PainChart row and no audit entry is added,
and a chart already filed stays as it was.
"""

from __future__ import annotations

import json
import os
import string
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taut.access.models import Role
from taut.access.scoping import clinic_scope, unscoped
from taut.assessments import services as assessments
from taut.assessments.models import PainChart
from taut.audit.models import AuditEntry
from tests.factories import ClinicWorld, make_clinic
from tests.web.routes import FAST_HASHERS, http_for, snapshot

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("TAUT_BADINPUT_EXAMPLES", "25"))
VALID: dict[str, Any] = {
    "pain": [{"zone": "temple_l", "intensity": 6, "quality": "aching"}, {"zone": "posterior_neck_l", "intensity": 4}],
    "qualities": ["aching"],
    "mechanism": "whiplash",
    "aggravating": ["cervical_rotation"],
    "restricted": ["cervical_lateral_flexion"],
    "symptoms": ["headache"],
    "red_flags": [],
}
VALID_TEXT: dict[str, Any] = {
    "pain": "temple_l:6:aching\nposterior_neck_l:4",
    "qualities": ["aching"],
    "mechanism": "whiplash",
    "aggravating": ["cervical_rotation"],
}
# the API's caps (taut/api/reasoning.py ChartIn)
CAPS = {"pain": 200, "qualities": 20, "aggravating": 60, "restricted": 60, "symptoms": 40, "red_flags": 40}
LISTS = ("qualities", "aggravating", "restricted", "symptoms", "red_flags")
WORDS = ("mechanism", "condition")

letters = st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=12)
unknown_word = letters.map(lambda s: "zz" + s)  # no quality, motion, symptom, flag or zone starts with "zz"
bad_intensities = st.one_of(
    st.sampled_from([11, -1, "x", True, False, 1.5, 100, "", [], {}, "11"]),
    st.integers(min_value=11),
    st.integers(max_value=-1),
)
wrong_types = st.one_of(st.integers(), st.booleans(), st.floats(allow_nan=False), st.just({"a": 1}), st.just([1]))


def _nul(text: str, at: int) -> str:
    at = at % (len(text) + 1)
    return text[:at] + "\x00" + text[at:]


@st.composite
def bad_charts(draw: st.DrawFn) -> dict[str, Any]:
    """A copy of VALID with one thing wrong."""
    data = json.loads(json.dumps(VALID))
    mark = data["pain"][0]
    how = draw(
        st.sampled_from(
            ["zone", "intensity", "quality", "list", "word", "empty", "huge", "nul", "type", "extra", "long_zone"]
        )
    )
    if how == "zone":
        mark["zone"] = draw(
            st.one_of(st.sampled_from(["templ_l", "left tempel", "shoulder_top_x", "elbow_z"]), unknown_word)
        )
    elif how == "intensity":
        mark["intensity"] = draw(bad_intensities)
    elif how == "quality":
        mark["quality"] = draw(unknown_word)
    elif how == "list":
        data[draw(st.sampled_from(LISTS))] = [draw(unknown_word)]
    elif how == "word":
        data[draw(st.sampled_from(WORDS))] = draw(unknown_word)
    elif how == "empty":
        if draw(st.booleans()):
            data["pain"] = []
        else:
            del data["pain"]
    elif how == "huge":
        key = draw(st.sampled_from(sorted(CAPS)))
        extra = draw(st.integers(1, 50))
        item: Any = {"zone": "heel_r"} if key == "pain" else "aching"
        data[key] = [item] * (CAPS[key] + extra)
    elif how == "nul":
        where = draw(st.sampled_from(["zone", "quality", "mechanism", "list"]))
        at = draw(st.integers(0, 20))
        if where in ("zone", "quality"):
            mark[where] = _nul(str(mark.get(where) or "aching"), at)
        elif where == "mechanism":
            data["mechanism"] = _nul("whiplash", at)
        else:
            data["qualities"] = [_nul("aching", at)]
    elif how == "type":
        target = draw(st.sampled_from(["pain", "mark", "zone", "quality", "list", "word"]))
        value = draw(wrong_types)
        if target == "pain":
            data["pain"] = draw(st.one_of(wrong_types, st.just("temple_l:6")))
        elif target == "mark":
            data["pain"][0] = draw(st.one_of(wrong_types, st.just("temple_l")))
        elif target in ("zone", "quality"):
            mark[target] = value if target == "zone" or value is not None else 1
        elif target == "list":
            data[draw(st.sampled_from(LISTS))] = draw(st.one_of(wrong_types, st.just("aching"), st.just([None])))
        else:
            data[draw(st.sampled_from(WORDS))] = value
    elif how == "extra":
        if draw(st.booleans()):
            data["zz" + draw(letters)] = 1
        else:
            mark["side"] = "left"
    else:
        mark["zone"] = "temple " * 20  # over the 100-character cap
    return data


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _state(world: ClinicWorld) -> tuple[Any, ...]:
    """Everything a rejected chart could touch: clients, visits, consents, charts and the audit log."""
    with unscoped():
        rows = list(PainChart.objects.order_by("pk").values())
        audit = AuditEntry.objects.count()
    return snapshot(world), rows, audit


def _with_chart(world: ClinicWorld) -> None:
    with clinic_scope(world.clinic):
        assessments.do_save_pain_chart(world.visit, VALID, world.users[Role.PRACTITIONER], Role.PRACTITIONER)


def _world(filed: bool) -> ClinicWorld:
    world = make_clinic()
    if filed:
        _with_chart(world)
    return world


def _assert_error_shape(body: Any) -> None:
    assert isinstance(body, dict)
    assert set(body) == {"errors"}
    assert body["errors"]
    for item in body["errors"]:
        assert set(item) == {"type", "loc", "msg"}
        assert isinstance(item["type"], str)
        assert isinstance(item["loc"], list)
        assert isinstance(item["msg"], str)
        assert item["msg"].strip()


def _short(payload: Any) -> str:
    text = repr(payload)
    return text if len(text) < 300 else text[:300] + f"... ({len(text)} characters)"


def _api_url(world: ClinicWorld, operation: str) -> tuple[str, str]:
    if operation == "rank":
        return "POST", "/api/v1/reasoning/rank"
    return "PUT", f"/api/v1/clients/{world.client.pk}/visits/{world.visit.pk}/pain-chart"


def _api(http: HttpClient, method: str, url: str, body: Any, raw: bool = False) -> Any:
    data = body if raw else json.dumps(body)
    response = http.generic(method, url, data, content_type="application/json")
    return response


@pytest.mark.parametrize(("operation", "filed"), [("put", False), ("put", True), ("rank", False)])
def test_api_rejects_bad_charts_and_changes_nothing(operation: str, filed: bool) -> None:
    """Each broken chart gets 400/422 in the one error shape; no chart, row or audit entry changes."""
    world = _world(filed)
    http = http_for("api", world, Role.PRACTITIONER)
    method, url = _api_url(world, operation)
    assert _api(http, method, url, VALID).status_code == 200  # the unbroken chart is accepted
    statuses: list[int] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(payload=bad_charts())
    def attempt(payload: dict[str, Any]) -> None:
        before = _state(world)
        response = _api(http, method, url, payload)
        text = response.content.decode()
        statuses.append(response.status_code)
        assert response.status_code in (400, 422), (_short(payload), text[:300])
        _assert_error_shape(json.loads(text))
        assert _state(world) == before, _short(payload)

    attempt()
    assert statuses


@pytest.mark.parametrize("operation", ["put", "rank"])
def test_api_rejects_bodies_that_are_not_chart_objects(operation: str) -> None:
    """Non-JSON, truncated JSON, NUL bytes and non-object bodies get 400/422 in the error shape; nothing changes."""
    world = _world(filed=operation == "put")
    http = http_for("api", world, Role.PRACTITIONER)
    method, url = _api_url(world, operation)
    bodies = st.one_of(
        st.sampled_from(["", "{", "null", "[]", "[{}]", '"text"', "42", "true", "\x00", '{"pain":', "{" * 500,
                         "pain=temple_l", '{"pain": [{"zone": "temple_l"}]', '{"pain": NaN}']),
        st.binary(max_size=50).filter(lambda b: not b.strip().startswith(b"{")),
    )  # fmt: skip

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(body=bodies)
    def attempt(body: Any) -> None:
        before = _state(world)
        response = _api(http, method, url, body, raw=True)
        assert response.status_code in (400, 422), (_short(body), response.content[:300])
        _assert_error_shape(response.json())
        assert _state(world) == before

    attempt()


@pytest.mark.parametrize(
    ("payload", "loc_part", "words"),
    [
        ({"pain": [{"zone": "templ_l"}]}, "pain", ["templ_l", "Did you mean", "Temple"]),
        ({"pain": [{"zone": "left tempel", "intensity": 5}]}, "pain", ["left tempel", "Did you mean"]),
        ({"pain": [{"zone": "temple_l", "intensity": 11}]}, "intensity", ["10"]),
        ({"pain": [{"zone": "temple_l", "intensity": -1}]}, "intensity", ["0"]),
        ({"pain": [{"zone": "temple_l", "intensity": "x"}]}, "intensity", ["integer"]),
        ({"pain": [{"zone": "temple_l", "intensity": True}]}, "intensity", ["integer"]),
        ({"pain": [{"zone": "temple_l", "quality": "zzfizzy"}]}, "quality", ["zzfizzy", "aching"]),
        ({"pain": [{"zone": "temple_l"}], "mechanism": "zzfell"}, "mechanism", ["zzfell", "whiplash"]),
        ({"pain": [{"zone": "temple_l"}], "aggravating": ["zzrun"]}, "aggravating", ["zzrun", "cervical_rotation"]),
        ({"pain": [{"zone": "temple_l"}], "red_flags": ["zzflag"]}, "red_flags", ["zzflag"]),
        ({"pain": []}, "pain", ["1"]),
        ({"pain": [{"zone": "heel_r"}] * 201}, "pain", ["200"]),
    ],
)
@pytest.mark.parametrize("operation", ["put", "rank"])
def test_api_errors_name_the_field_and_say_how_to_fix_it(
    operation: str, payload: dict[str, Any], loc_part: str, words: list[str]
) -> None:
    """The error names the field at fault and its message helps: zone suggestions, the allowed range or words."""
    world = _world(filed=False)
    http = http_for("api", world, Role.PRACTITIONER)
    method, url = _api_url(world, operation)
    before = _state(world)
    response = _api(http, method, url, payload)
    assert response.status_code in (400, 422), response.content[:300]
    body = response.json()
    _assert_error_shape(body)
    [error] = [e for e in body["errors"] if loc_part in [str(p) for p in e["loc"]]] or [None]
    assert error is not None, body
    for word in words:
        assert word in error["msg"], body
    assert _state(world) == before


def _bad_lines() -> st.SearchStrategy[dict[str, Any]]:
    """A copy of VALID_TEXT (the form's shape) with one thing wrong."""
    pain = st.one_of(
        st.sampled_from(["", "   ", "\n\n", "templ_l:6", "temple_l:11", "temple_l:-1", "temple_l:x", "temple_l:true",
                         "temple_l:6:zzfizzy", "temple_l:6:aching:extra", ":6", "heel_r\n" * 800, "temple\x00_l:6",
                         "temple_l:6\x00"]),
        unknown_word.map(lambda w: f"{w}:5"),
        st.integers(min_value=11).map(lambda n: f"posterior_neck_l:{n}"),
    )  # fmt: skip
    field = st.sampled_from(
        ["qualities", "aggravating", "restricted", "symptoms", "red_flags", "mechanism", "condition"]
    )

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        data = dict(VALID_TEXT)
        if draw(st.booleans()):
            data["pain"] = draw(pain)
        else:
            name = draw(field)
            word = draw(st.one_of(unknown_word, st.just("aching\x00")))
            data[name] = word if name in WORDS else [word]
        return data

    return build()


@pytest.mark.parametrize(
    ("route", "filed"), [("pain_chart", False), ("pain_chart", True), ("reasoning_preview", False)]
)
def test_web_form_and_preview_show_errors_and_change_nothing(route: str, filed: bool) -> None:
    """A bad form post is shown again with its error (no redirect, never a 500); nothing is stored or audited."""
    world = _world(filed)
    http = http_for("web", world, Role.PRACTITIONER)
    http.raise_request_exception = False
    if route == "pain_chart":
        url = reverse(f"assessments:{route}", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})
    else:
        url = reverse(f"assessments:{route}")
    statuses: list[int] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(data=_bad_lines())
    def attempt(data: dict[str, Any]) -> None:
        before = _state(world)
        response = http.post(url, data)
        text = response.content.decode()
        statuses.append(response.status_code)
        assert response.status_code == 200, (_short(data), response.status_code, text[:300])
        assert 'role="alert"' in text, _short(data)
        assert 'class="candidate"' not in text, _short(data)
        assert _state(world) == before, _short(data)

    attempt()
    assert statuses


@pytest.mark.parametrize(
    ("pain", "words"),
    [
        ("templ_l:6", ["templ_l", "Did you mean"]),
        ("temple_l:11", ["0 to 10"]),
        ("temple_l:6:zzfizzy", ["zzfizzy", "aching"]),
        ("", ["required"]),
    ],
)
def test_web_form_error_says_how_to_fix_it(pain: str, words: list[str]) -> None:
    """The re-shown chart form keeps what was typed and explains the problem in the page."""
    world = _world(filed=False)
    http = http_for("web", world, Role.PRACTITIONER)
    url = reverse("assessments:pain_chart", kwargs={"client_id": world.client.pk, "visit_id": world.visit.pk})
    before = _state(world)
    response = http.post(url, {"pain": pain})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'role="alert"' in text or "errorlist" in text
    for word in words:
        assert word in text.replace("&#x27;", "'"), text[:2000]
    assert 'id="pain-chart-form"' in text
    assert _state(world) == before
