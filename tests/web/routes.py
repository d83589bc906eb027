"""The permission table as data: every web URL pattern and every API operation, per role.

Each row says how to build the URL for a ClinicWorld, which method, a valid payload for
writes, the capability it needs, the status each role gets in its own clinic, the audit
entry a success writes, and whether a clinical role sees clinical data in the response.
`test_every_route_has_a_row` fails when a route is added without a row here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponseBase
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from taut.access import services as access
from taut.access.models import ApiToken, Membership, Role
from taut.access.scoping import clinic_scope, unscoped
from taut.audit.models import AuditEntry
from taut.clients.models import Client, Consent, Visit
from tests.factories import ClinicWorld

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
ROLES = (OWNER, PRACTITIONER, FRONT_DESK)
ALL_OK = {OWNER: 200, PRACTITIONER: 200, FRONT_DESK: 200}
OWNER_ONLY = {OWNER: 200, PRACTITIONER: 403, FRONT_DESK: 403}

Payload = Callable[[ClinicWorld, str], dict[str, Any]]


def statuses(ok: int, only: tuple[str, ...] = ROLES) -> dict[str, int]:
    return {role: (ok if role in only else 403) for role in ROLES}


@dataclass(frozen=True)
class Route:
    """One (route, method) pair and what each role gets in its own clinic."""

    name: str  # URL name (web) or operationId without the "taut_api_v1_" prefix (api)
    channel: str  # "web" or "api"
    method: str
    kwargs: tuple[str, ...] = ()  # object ids in the URL
    capability: str | None = None
    expected: dict[str, int] = field(default_factory=lambda: dict(ALL_OK))
    payload: Payload | None = None
    api_path: str = ""  # the OpenAPI path, for api rows
    audit: tuple[str, str] | None = None  # (action, object_type) of the one entry a success writes
    also_audits: tuple[tuple[str, str], ...] = ()  # entries for other records the same success changes
    clinical: bool = False  # a clinical role sees CLINICAL_MARKER in the response
    public: bool = False  # answers without a logged-in user (login, health)
    client_data: bool = False  # create, read, update, list or export of client data
    query: str = ""  # a query string the route needs to answer 200
    multipart: bool = False  # an API upload: the payload goes as a multipart form, not JSON

    @property
    def id(self) -> str:
        return f"{self.channel}:{self.method}:{self.name}"

    @property
    def has_object(self) -> bool:
        """Whether the URL names an object that belongs to one clinic."""
        return any(k not in KB_KWARGS and k not in PUBLIC_KWARGS for k in self.kwargs)

    def ids(self, world: ClinicWorld, role: str) -> dict[str, Any]:
        return {k: object_id(world, k, role) for k in self.kwargs}

    def url(self, world: ClinicWorld, role: str, **override: Any) -> str:
        ids = {**self.ids(world, role), **override}
        if self.channel == "web":
            return reverse(self.name, kwargs=ids)
        return "/api/v1" + self.api_path.format(**ids) + self.query

    def body(self, world: ClinicWorld, role: str) -> dict[str, Any]:
        return self.payload(world, role) if self.payload else {}


# ids of what is public on purpose (a published directory listing): no clinic's private object
PUBLIC_KWARGS = {"listing_id"}
KB_KWARGS = {
    "muscle_id": "muscles", "nerve_id": "nerves", "root": "dermatomes", "zone_id": "zones",
    "condition_id": "conditions", "exercise_id": "exercises", "kind": "reference lists",
    "instrument": "instruments",
}  # fmt: skip


# Other modules (routes_intake, routes_motion) register builders for the kwargs they add.
OBJECT_ID_BUILDERS: dict[str, Callable[[ClinicWorld, str], Any]] = {}


def object_id(world: ClinicWorld, kwarg: str, role: str) -> Any:
    """The id of the world's object named by a URL kwarg (a token of `role`'s own user)."""
    if kwarg in OBJECT_ID_BUILDERS:
        return OBJECT_ID_BUILDERS[kwarg](world, role)
    if kwarg == "client_id":
        return int(world.client.pk)
    if kwarg == "visit_id":
        return int(world.visit.pk)
    if kwarg == "consent_id":
        return int(world.consent.pk)
    if kwarg == "membership_id":
        # the practitioner's membership: an owner may toggle it without locking themselves out
        with clinic_scope(world.clinic):
            return int(Membership.objects.get(user=world.users[PRACTITIONER]).pk)
    if kwarg == "token_id":
        key = f"token_{role}"
        if key not in world.extra:
            with clinic_scope(world.clinic):
                world.extra[key], _ = access.do_create_token(world.users[role], world.clinic, "table")
        return int(world.extra[key].pk)
    if kwarg == "kind":
        return "tests"  # an atlas reference list; shared by every clinic
    if kwarg in KB_KWARGS:
        from taut.core.knowledge.loader import load_base

        return sorted(getattr(load_base(), KB_KWARGS[kwarg]))[0]  # type: ignore[no-any-return]
    raise KeyError(f"routes.py does not know how to build {kwarg!r}; add it to object_id()")


# Payloads -----------------------------------------------------------------------------------

CLINICAL_VALUES = {
    "physician": "Dr Table",
    "health_history": "Table history",
    "medications": "Table medications",
}


def client_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "given_name": "Tabitha",
        "family_name": "Tableau",
        "date_of_birth": "1990-04-05",
        "sex": "female",
        "email": "tabitha@example.org",
        "phone": "+1 555 0199",
    }
    if role != FRONT_DESK:
        data.update(CLINICAL_VALUES)
    return data


def client_web_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {
        "address": "",
        "occupation": "",
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        **client_payload(world, role),
    }


def client_patch(world: ClinicWorld, role: str) -> dict[str, Any]:
    data: dict[str, Any] = {"phone": "+1 555 0123"}
    if role != FRONT_DESK:
        data["medications"] = "Patched medications"
    return data


def visit_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "date": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        "practitioner_id": world.users[PRACTITIONER].pk,
        "kind": "treatment",
        "status": "planned",
        "duration_minutes": 45,
    }
    if role != FRONT_DESK:
        data.update(chief_complaint="Table complaint", notes="Table notes")
    return data


def visit_web_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    data = visit_payload(world, role)
    data["practitioner"] = data.pop("practitioner_id")
    return data


def visit_patch(world: ClinicWorld, role: str) -> dict[str, Any]:
    data: dict[str, Any] = {"duration_minutes": 30}
    if role != FRONT_DESK:
        data["notes"] = "Patched notes"
    return data


def consent_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"signed_by": "Tabitha Tableau", "relationship": "self", "method": "verbal", "agreed": True}


def consent_web_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    data = consent_payload(world, role)
    data["agreed"] = "on"
    return data


def verbal_consent_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    """A verbal consent; the world's clinic is made to accept verbal consent first (it does not by default)."""
    world.clinic.allow_verbal_consent = True
    world.clinic.save(update_fields=["allow_verbal_consent"])
    with clinic_scope(world.clinic):
        from taut.clients.consent import render

        shown = render("treatment-consent", world.clinic).sha256
    return {
        "signed_by": "Tabitha Tableau",
        "relationship": "self",
        "signed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "statement": "Yes, I understand and I agree to the assessment and treatment.",
        "shown_sha256": shown,
    }


CONSENT_BODY = "# Our consent\n\nI ask {clinic} to assess and treat me, and I may stop at any time.\n"


def consent_text_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    from taut.clients.consent import render_body

    previewed = render_body(CONSENT_BODY, world.clinic.name).sha256
    return {"body": CONSENT_BODY, "previewed_sha256": previewed, "action": "save"}


def new_user_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {
        "username": f"newbie-{world.clinic.pk}",
        "first_name": "New",
        "last_name": "Bie",
        "email": "newbie@example.org",
        "password": "a-long-enough-passphrase-42",
        "role": FRONT_DESK,
    }


def login_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"username": "nobody", "password": "wrong-password"}


def chart_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"pain": [{"zone": object_id(world, "zone_id", role), "intensity": 6}]}


def chart_web_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"pain": f"{object_id(world, 'zone_id', role)}:6"}


def rom_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"entries": [{"motion": "cervical_rotation", "side": "left", "active": 50, "passive": 60}]}


def rom_web_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"cervical_rotation.left.active": "50", "cervical_rotation.left.passive": "60"}


CLINICAL_ONLY = {OWNER: 200, PRACTITIONER: 200, FRONT_DESK: 403}


def measure_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    """Valid answers to the instrument the "instrument" kwarg names: the middle of the range for every item."""
    from taut.core.knowledge.loader import load_base

    items = load_base().instruments[object_id(world, "instrument", role)].items
    return {"answers": [int((items.min_value + items.max_value) // 2)] * items.count_max}


def measure_web_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    answers = measure_payload(world, role)["answers"]
    return {"instrument": object_id(world, "instrument", role)} | {
        f"item_{n}": str(v) for n, v in enumerate(answers, 1)
    }


def wellness_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"answers": {"hydration.fluid_intake": "under_1_litre", "sleep.sleep_hours": "seven_to_nine"}}


def wellness_web_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return dict(wellness_payload(world, role)["answers"])


# The table ----------------------------------------------------------------------------------

C, CV, CC = ("client_id",), ("client_id", "visit_id"), ("client_id", "consent_id")
REDIRECT = {OWNER: 302, PRACTITIONER: 302, FRONT_DESK: 302}

WEB_ROUTES: tuple[Route, ...] = (
    # access: logging in and out, clinics, users, tokens
    Route("access:login", "web", "GET", expected=REDIRECT, public=True),  # a logged-in user goes to the dashboard
    Route("access:login", "web", "POST", expected=REDIRECT, payload=login_payload, public=True),
    Route("access:second_factor", "web", "GET", expected=REDIRECT, public=True),  # nobody pending: back to login
    Route("access:logout", "web", "POST", expected=REDIRECT, public=True, audit=("logout", "")),
    Route("access:switch_clinic", "web", "POST", expected=REDIRECT, payload=lambda w, r: {"clinic": str(w.clinic.pk)}),
    Route("access:users", "web", "GET", capability="can_manage_users", expected=OWNER_ONLY),
    Route(
        "access:users",
        "web",
        "POST",
        capability="can_manage_users",
        expected=statuses(302, (OWNER,)),
        payload=new_user_payload,
        audit=("create", "membership"),
    ),
    Route(
        "access:user_active",
        "web",
        "POST",
        ("membership_id",),
        "can_manage_users",
        statuses(302, (OWNER,)),
        payload=lambda w, r: {"active": "1"},
        audit=("update", "membership"),
    ),
    Route("access:tokens", "web", "GET"),
    Route("access:tokens", "web", "POST", payload=lambda w, r: {"name": "laptop"}, audit=("create", "apitoken")),
    Route("access:token_revoke", "web", "POST", ("token_id",), expected=REDIRECT, audit=("revoke", "apitoken")),
    Route("access:clinic_settings", "web", "GET", (), "can_manage_clinic", OWNER_ONLY),
    Route(
        "access:clinic_settings",
        "web",
        "POST",
        (),
        "can_manage_clinic",
        statuses(302, (OWNER,)),
        lambda w, r: {"name": "Renamed clinic", "city": "Basel", "country": "CH", "phone": "+41 61 000 00 00"},
        audit=("update", "clinic"),
    ),
    Route("access:profile", "web", "GET"),
    Route(
        "access:profile",
        "web",
        "POST",
        expected=REDIRECT,
        payload=lambda w, r: {
            "credentials": "LMT",
            "certifying_body": "",
            "certificate_number": "",
            "modalities": "NMT",
            "languages": "en",
        },
        audit=("update", "practitionerprofile"),
    ),
    # clients, consents, visits
    Route("clients:dashboard", "web", "GET", (), "can_view_client", audit=("list", "visit"), client_data=True),
    Route("clients:client_list", "web", "GET", (), "can_view_client", audit=("list", "client"), client_data=True),
    Route("clients:client_create", "web", "GET", (), "can_edit_client"),
    Route(
        "clients:client_create",
        "web",
        "POST",
        (),
        "can_edit_client",
        REDIRECT,
        client_web_payload,
        audit=("create", "client"),
        client_data=True,
    ),
    Route(
        "clients:client_detail",
        "web",
        "GET",
        C,
        "can_view_client",
        audit=("read", "client"),
        clinical=True,
        client_data=True,
    ),
    Route(
        "clients:client_edit",
        "web",
        "GET",
        C,
        "can_edit_client",
        audit=("read", "client"),
        clinical=True,
        client_data=True,
    ),
    Route(
        "clients:client_edit",
        "web",
        "POST",
        C,
        "can_edit_client",
        REDIRECT,
        client_web_payload,
        audit=("update", "client"),
        client_data=True,
    ),
    Route("clients:consent_create", "web", "GET", C, "can_record_consent", audit=("read", "client"), client_data=True),
    Route(
        "clients:consent_create",
        "web",
        "POST",
        C,
        "can_record_consent",
        REDIRECT,
        consent_web_payload,
        audit=("create", "consent"),
        client_data=True,
    ),
    Route(
        "clients:consent_verbal",
        "web",
        "GET",
        C,
        "can_edit_clinical",
        statuses(200, (OWNER, PRACTITIONER)),
        audit=("read", "client"),
        client_data=True,
    ),
    Route(
        "clients:consent_verbal",
        "web",
        "POST",
        C,
        "can_edit_clinical",
        statuses(302, (OWNER, PRACTITIONER)),
        verbal_consent_payload,
        audit=("create", "consent"),
        client_data=True,
    ),
    Route("clients:consent_text", "web", "GET", (), "can_manage_clinic", OWNER_ONLY),
    Route(
        "clients:consent_text",
        "web",
        "POST",
        (),
        "can_manage_clinic",
        statuses(302, (OWNER,)),
        consent_text_payload,
        audit=("create", "consenttextversion"),
    ),
    Route("clients:consent_detail", "web", "GET", CC, "can_view_consent", audit=("read", "consent"), client_data=True),
    Route("clients:consent_withdraw", "web", "GET", CC, "can_record_consent", REDIRECT),  # changes nothing
    Route(
        "clients:consent_withdraw",
        "web",
        "POST",
        CC,
        "can_record_consent",
        REDIRECT,
        audit=("withdraw", "consent"),
        client_data=True,
    ),
    Route("clients:visit_create", "web", "GET", C, "can_edit_visit", audit=("read", "client"), client_data=True),
    Route(
        "clients:visit_create",
        "web",
        "POST",
        C,
        "can_edit_visit",
        REDIRECT,
        visit_web_payload,
        audit=("create", "visit"),
        client_data=True,
    ),
    Route(
        "clients:visit_detail",
        "web",
        "GET",
        CV,
        "can_view_visit",
        audit=("read", "visit"),
        clinical=True,
        client_data=True,
    ),
    Route(
        "clients:visit_edit",
        "web",
        "GET",
        CV,
        "can_edit_visit",
        audit=("read", "visit"),
        clinical=True,
        client_data=True,
    ),
    Route(
        "clients:visit_edit",
        "web",
        "POST",
        CV,
        "can_edit_visit",
        REDIRECT,
        visit_web_payload,
        audit=("update", "visit"),
        client_data=True,
    ),
    # pain charts and reasoning
    Route("assessments:reasoning_preview", "web", "POST", payload=chart_web_payload),  # ranks; reads and stores nothing
    Route(
        "assessments:pain_chart",
        "web",
        "GET",
        CV,
        "can_edit_clinical",
        CLINICAL_ONLY,
        audit=("read", "visit"),
        client_data=True,
    ),
    Route(
        "assessments:pain_chart",
        "web",
        "POST",
        CV,
        "can_edit_clinical",
        {OWNER: 302, PRACTITIONER: 302, FRONT_DESK: 403},
        chart_web_payload,
        audit=("create", "painchart"),
        client_data=True,
    ),
    # range of motion
    Route(
        "assessments:rom",
        "web",
        "GET",
        CV,
        "can_edit_clinical",
        CLINICAL_ONLY,
        audit=("read", "visit"),
        client_data=True,
    ),
    Route(
        "assessments:rom",
        "web",
        "POST",
        CV,
        "can_edit_clinical",
        {OWNER: 302, PRACTITIONER: 302, FRONT_DESK: 403},
        rom_web_payload,
        audit=("create", "romassessment"),
        client_data=True,
    ),
    # outcome measures and the wellness questionnaire
    Route(
        "assessments:measures",
        "web",
        "GET",
        CV,
        "can_edit_clinical",
        CLINICAL_ONLY,
        audit=("read", "visit"),
        client_data=True,
    ),
    Route(
        "assessments:measures",
        "web",
        "POST",
        CV,
        "can_edit_clinical",
        {OWNER: 302, PRACTITIONER: 302, FRONT_DESK: 403},
        measure_web_payload,
        audit=("create", "outcomemeasure"),
        client_data=True,
    ),
    Route(
        "assessments:wellness",
        "web",
        "GET",
        CV,
        "can_edit_clinical",
        CLINICAL_ONLY,
        audit=("read", "visit"),
        client_data=True,
    ),
    Route(
        "assessments:wellness",
        "web",
        "POST",
        CV,
        "can_edit_clinical",
        {OWNER: 302, PRACTITIONER: 302, FRONT_DESK: 403},
        wellness_web_payload,
        audit=("create", "wellnessanswers"),
        client_data=True,
    ),
    # audit log
    Route("access:audit_log", "web", "GET", (), "can_view_audit", OWNER_ONLY),
    Route(
        "access:audit_export",
        "web",
        "GET",
        (),
        "can_export_audit",
        OWNER_ONLY,
        audit=("export", "auditlog"),
        client_data=True,
    ),
    # the atlas: shared knowledge, no client data (its slugs are the same in every clinic)
    Route("atlas:atlas", "web", "GET"),
    Route("atlas:atlas_muscle", "web", "GET", ("muscle_id",)),
    Route("atlas:atlas_nerve", "web", "GET", ("nerve_id",)),
    Route("atlas:atlas_dermatome", "web", "GET", ("root",)),
    Route("atlas:atlas_zone", "web", "GET", ("zone_id",)),
    Route("atlas:atlas_condition", "web", "GET", ("condition_id",)),
    Route("atlas:atlas_exercise", "web", "GET", ("exercise_id",)),
    Route("atlas:atlas_reference", "web", "GET", ("kind",)),
    # operations
    Route("healthz", "web", "GET", public=True),
)

API_ROUTES: tuple[Route, ...] = (
    Route("openapi-json", "api", "GET", api_path="/openapi.json", public=True),
    Route("api-root", "api", "GET", expected=statuses(404), api_path="/", public=True),  # no docs page
    Route(
        "list_clients",
        "api",
        "GET",
        (),
        "can_view_client",
        api_path="/clients",
        audit=("list", "client"),
        clinical=True,
        client_data=True,
    ),
    Route(
        "create_client",
        "api",
        "POST",
        (),
        "can_edit_client",
        statuses(201),
        client_payload,
        "/clients",
        ("create", "client"),
        clinical=True,
        client_data=True,
    ),
    Route(
        "get_client",
        "api",
        "GET",
        C,
        "can_view_client",
        api_path="/clients/{client_id}",
        audit=("read", "client"),
        clinical=True,
        client_data=True,
    ),
    Route(
        "update_client",
        "api",
        "PATCH",
        C,
        "can_edit_client",
        ALL_OK,
        client_patch,
        "/clients/{client_id}",
        ("update", "client"),
        clinical=True,
        client_data=True,
    ),
    Route(
        "list_visits",
        "api",
        "GET",
        C,
        "can_view_visit",
        api_path="/clients/{client_id}/visits",
        audit=("list", "visit"),
        clinical=True,
        client_data=True,
    ),
    Route(
        "create_visit",
        "api",
        "POST",
        C,
        "can_edit_visit",
        statuses(201),
        visit_payload,
        "/clients/{client_id}/visits",
        ("create", "visit"),
        clinical=True,
        client_data=True,
    ),
    Route(
        "get_visit",
        "api",
        "GET",
        CV,
        "can_view_visit",
        api_path="/clients/{client_id}/visits/{visit_id}",
        audit=("read", "visit"),
        clinical=True,
        client_data=True,
    ),
    Route(
        "update_visit",
        "api",
        "PATCH",
        CV,
        "can_edit_visit",
        ALL_OK,
        visit_patch,
        "/clients/{client_id}/visits/{visit_id}",
        ("update", "visit"),
        clinical=True,
        client_data=True,
    ),
    Route(
        "list_consents",
        "api",
        "GET",
        C,
        "can_view_consent",
        api_path="/clients/{client_id}/consents",
        audit=("list", "consent"),
        client_data=True,
    ),
    Route(
        "create_consent",
        "api",
        "POST",
        C,
        "can_record_consent",
        statuses(201),
        consent_payload,
        "/clients/{client_id}/consents",
        ("create", "consent"),
        client_data=True,
    ),
    Route(
        "get_consent",
        "api",
        "GET",
        CC,
        "can_view_consent",
        api_path="/clients/{client_id}/consents/{consent_id}",
        audit=("read", "consent"),
        client_data=True,
    ),
    Route(
        "withdraw_consent",
        "api",
        "POST",
        CC,
        "can_record_consent",
        ALL_OK,
        None,
        "/clients/{client_id}/consents/{consent_id}/withdraw",
        ("withdraw", "consent"),
        client_data=True,
    ),
    # pain charts and reasoning
    Route("rank", "api", "POST", payload=chart_payload, api_path="/reasoning/rank"),  # stores nothing
    Route(
        "get_pain_chart",
        "api",
        "GET",
        CV,
        "can_view_clinical",
        {OWNER: 404, PRACTITIONER: 404, FRONT_DESK: 403},  # the seeded visit has no chart yet
        api_path="/clients/{client_id}/visits/{visit_id}/pain-chart",
    ),
    Route(
        "put_pain_chart",
        "api",
        "PUT",
        CV,
        "can_edit_clinical",
        CLINICAL_ONLY,
        chart_payload,
        "/clients/{client_id}/visits/{visit_id}/pain-chart",
        ("create", "painchart"),
        client_data=True,
    ),
    Route(
        "get_rom",
        "api",
        "GET",
        CV,
        "can_view_clinical",
        {OWNER: 404, PRACTITIONER: 404, FRONT_DESK: 403},  # the seeded visit has no ROM yet
        api_path="/clients/{client_id}/visits/{visit_id}/range-of-motion",
    ),
    Route(
        "put_rom",
        "api",
        "PUT",
        CV,
        "can_edit_clinical",
        CLINICAL_ONLY,
        rom_payload,
        "/clients/{client_id}/visits/{visit_id}/range-of-motion",
        ("create", "romassessment"),
        client_data=True,
    ),
    Route(
        "get_measure",
        "api",
        "GET",
        (*CV, "instrument"),
        "can_view_clinical",
        {OWNER: 404, PRACTITIONER: 404, FRONT_DESK: 403},  # the seeded visit has no score yet
        api_path="/clients/{client_id}/visits/{visit_id}/measures/{instrument}",
    ),
    Route(
        "put_measure",
        "api",
        "PUT",
        (*CV, "instrument"),
        "can_edit_clinical",
        CLINICAL_ONLY,
        measure_payload,
        "/clients/{client_id}/visits/{visit_id}/measures/{instrument}",
        ("create", "outcomemeasure"),
        client_data=True,
    ),
    Route(
        "list_measures",
        "api",
        "GET",
        C,
        "can_view_clinical",
        CLINICAL_ONLY,
        api_path="/clients/{client_id}/measures",
        audit=("list", "outcomemeasure"),
        client_data=True,
    ),
    Route(
        "get_wellness",
        "api",
        "GET",
        CV,
        "can_view_clinical",
        {OWNER: 404, PRACTITIONER: 404, FRONT_DESK: 403},  # the seeded visit has no answers yet
        api_path="/clients/{client_id}/visits/{visit_id}/wellness",
    ),
    Route(
        "put_wellness",
        "api",
        "PUT",
        CV,
        "can_edit_clinical",
        CLINICAL_ONLY,
        wellness_payload,
        "/clients/{client_id}/visits/{visit_id}/wellness",
        ("create", "wellnessanswers"),
        client_data=True,
    ),
    # the knowledge base: shared reference data, no client data, any valid token
    Route("kb_info", "api", "GET", api_path="/kb"),
    Route("kb_search", "api", "GET", api_path="/kb/search", query="?q=neck"),
    Route("kb_muscles", "api", "GET", api_path="/kb/muscles"),
    Route("kb_muscle", "api", "GET", ("muscle_id",), api_path="/kb/muscles/{muscle_id}"),
    Route("kb_zones", "api", "GET", api_path="/kb/zones", query="?q=neck"),
    Route("kb_zone", "api", "GET", ("zone_id",), api_path="/kb/zones/{zone_id}"),
    Route("kb_nerve", "api", "GET", ("nerve_id",), api_path="/kb/nerves/{nerve_id}"),
    Route("kb_dermatome", "api", "GET", ("root",), api_path="/kb/dermatomes/{root}"),
    Route("kb_conditions", "api", "GET", api_path="/kb/conditions"),
    Route("kb_exercises", "api", "GET", api_path="/kb/exercises"),
    Route("kb_condition", "api", "GET", ("condition_id",), api_path="/kb/conditions/{condition_id}"),
    Route("kb_exercise", "api", "GET", ("exercise_id",), api_path="/kb/exercises/{exercise_id}"),
    Route("kb_special_tests", "api", "GET", api_path="/kb/special-tests"),
    Route("kb_red_flags", "api", "GET", api_path="/kb/red-flags"),
    Route("kb_techniques", "api", "GET", api_path="/kb/techniques"),
    Route("kb_rom_norms", "api", "GET", api_path="/kb/rom-norms"),
)

ROUTES: tuple[Route, ...] = WEB_ROUTES + API_ROUTES


def by_id(route_id: str) -> Route:
    return next(r for r in ROUTES if r.id == route_id)


# Talking to the routes ------------------------------------------------------------------------

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # these tests are not about hashing


def http_for(channel: str, world: ClinicWorld, role: str) -> HttpClient:
    """A client acting as `role` of `world`: a session for web, a fresh bearer token for the API."""
    if channel == "web":
        http = HttpClient()
        http.force_login(world.users[role])
        return http
    with clinic_scope(world.clinic):
        _, token = access.do_create_token(world.users[role], world.clinic, "routes")
    return HttpClient(headers={"Authorization": f"Bearer {token}"})


def send(http: HttpClient, route: Route, url: str, body: Any = None) -> HttpResponseBase:
    """Send a request the way the route expects it: form-encoded for web, JSON for the API."""
    body = {} if body is None else body
    if route.method == "GET":
        return http.get(url)
    if route.channel == "web" or route.multipart:
        return http.post(url, body)
    return http.generic(route.method, url, json.dumps(body), content_type="application/json")


def content(response: HttpResponseBase) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")  # type: ignore[attr-defined]
    return response.content.decode(errors="replace")  # type: ignore[attr-defined]  # photos are bytes


@dataclass(frozen=True)
class Snapshot:
    counts: dict[str, int]
    values: dict[str, Any]


def snapshot(*worlds: ClinicWorld) -> Snapshot:
    """Row counts of clients, visits and consents, and every field of each world's objects."""
    with unscoped():
        counts = {m.__name__: m.objects.count() for m in (Client, Visit, Consent)}
        values: dict[str, Any] = {}
        for w in worlds:
            values[f"client{w.client.pk}"] = Client.objects.filter(pk=w.client.pk).values().get()
            values[f"visit{w.visit.pk}"] = Visit.objects.filter(pk=w.visit.pk).values().get()
            values[f"consent{w.consent.pk}"] = Consent.objects.filter(pk=w.consent.pk).values().get()
            values[f"members{w.clinic.pk}"] = sorted(
                Membership.objects.filter(clinic=w.clinic).values_list("pk", "is_active")
            )
            values[f"tokens{w.clinic.pk}"] = sorted(
                ApiToken.objects.filter(clinic=w.clinic).values_list("pk", "revoked_at")
            )
    return Snapshot(counts, values)


def audit_after(last_id: int) -> list[AuditEntry]:
    with unscoped():
        return list(AuditEntry.objects.filter(id__gt=last_id).order_by("id"))


def last_audit_id() -> int:
    with unscoped():
        return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


# Special tests at a visit (appended; the tuples above are extended, then ROUTES rebuilt) --------


def special_tests_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"tests": [{"test": "phalen", "side": "right", "result": "positive", "note": "within 30 s"}]}


def special_tests_web_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return {"phalen.right": "positive", "phalen.note": "within 30 s"}


WEB_ROUTES += (
    Route(
        "assessments:special_tests",
        "web",
        "GET",
        CV,
        "can_edit_clinical",
        CLINICAL_ONLY,
        audit=("read", "visit"),
        client_data=True,
    ),
    Route(
        "assessments:special_tests",
        "web",
        "POST",
        CV,
        "can_edit_clinical",
        {OWNER: 302, PRACTITIONER: 302, FRONT_DESK: 403},
        special_tests_web_payload,
        audit=("create", "specialtestresult"),
        client_data=True,
    ),
)
API_ROUTES += (
    Route(
        "list_special_tests",
        "api",
        "GET",
        CV,
        "can_view_clinical",
        CLINICAL_ONLY,
        api_path="/clients/{client_id}/visits/{visit_id}/special-tests",
        audit=("list", "specialtestresult"),
        client_data=True,
    ),
    Route(
        "put_special_tests",
        "api",
        "PUT",
        CV,
        "can_edit_clinical",
        CLINICAL_ONLY,
        special_tests_payload,
        "/clients/{client_id}/visits/{visit_id}/special-tests",
        ("create", "specialtestresult"),
        client_data=True,
    ),
)
# Each app with many routes keeps its rows in its own module ------------------------------------

from tests.web import (  # noqa: E402
    routes_directory,
    routes_homecare,
    routes_intake,
    routes_measures_link,
    routes_motion,
    routes_notes,
    routes_plans,
    routes_privacy,
    routes_reports,
    routes_safety,
    routes_selfcare,
)

for _module in (
    routes_intake,
    routes_motion,
    routes_safety,
    routes_plans,
    routes_notes,
    routes_homecare,
    routes_privacy,
    routes_reports,
    routes_measures_link,
    routes_directory,
    routes_selfcare,
):
    WEB_ROUTES += _module.WEB_ROUTES
    API_ROUTES += _module.API_ROUTES
    OBJECT_ID_BUILDERS.update(_module.OBJECT_IDS)
ROUTES = WEB_ROUTES + API_ROUTES
