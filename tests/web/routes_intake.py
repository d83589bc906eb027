"""Rows of the permission table for the intake app (see routes.py for what a row means).

The public pages of an intake link (`intake_token`) answer without a login; a logged-in member
of the link's own clinic gets the same pages, a member of another clinic a 404. Their audit
entries name the link, never the token in the URL, so they are checked in test_intake*.py
rather than by the table's audit test (whose object id is the URL's last part).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from taut.access.models import Membership, Role
from taut.access.scoping import clinic_scope
from taut.core.knowledge.loader import load_base
from taut.intake import services as intake
from taut.intake.forms import CONSENT_TEXT, STEPS
from taut.intake.screen import load_screen, red_flag_questions
from tests.factories import CLINICAL_MARKER, ClinicWorld, make_client
from tests.web.routes import Route

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
ALL_OK = {OWNER: 200, PRACTITIONER: 200, FRONT_DESK: 200}
REDIRECT = {OWNER: 302, PRACTITIONER: 302, FRONT_DESK: 302}
CLINICAL_ONLY = {OWNER: 200, PRACTITIONER: 200, FRONT_DESK: 403}
CLINICAL_REDIRECT = {OWNER: 302, PRACTITIONER: 302, FRONT_DESK: 403}
CREATED = {OWNER: 201, PRACTITIONER: 201, FRONT_DESK: 403}


# Valid answers ---------------------------------------------------------------------------------


def first_zone() -> str:
    return sorted(load_base().zones)[0]


def step_answers(**overrides: Any) -> dict[str, dict[str, str]]:
    """A complete, valid intake, one dict per step (every screen question answered "no")."""
    from taut.clients import consent

    screen = {f"ci_{i.id}": "no" for i in load_screen().items}
    screen.update({f"rf_{fid}": "no" for fid, _ in red_flag_questions()})
    answers: dict[str, dict[str, str]] = {
        "contact": {
            "given_name": "Ida",
            "family_name": "Intake",
            "date_of_birth": "1984-06-01",
            "sex": "female",
            "phone": "+1 555 0142",
            "email": "ida@example.org",
        },
        "health": {
            "reason": "Neck and shoulder pain",
            "health_history": f"{CLINICAL_MARKER} intake history",
            "medications": "Ibuprofen as needed",
            "physician": "Dr Intake",
        },
        "screen": screen,
        "pain": {"pain": f"{first_zone()}:6"},
        "wellness": {"hydration.fluid_intake": "under_1_litre"},
        "consent": {
            "consent_version": consent.load(CONSENT_TEXT).version,
            "signed_by": "Ida Intake",
            "relationship": "self",
            "agreed": "on",
        },
    }
    for key, value in overrides.items():
        slug, _, field = key.partition("__")
        answers[slug][field] = value
    return answers


def flat_answers(**overrides: Any) -> dict[str, str]:
    """All steps in one dict, as the in-clinic page posts them."""
    out: dict[str, str] = {}
    for step in STEPS:
        out.update(step_answers(**overrides)[step.slug])
    return out


# Objects the URLs name -----------------------------------------------------------------------------


def intake_token(world: ClinicWorld, role: str) -> str:
    """The token of a usable link for a second client of the world (so it survives new links for the first)."""
    if "intake_token" not in world.extra:
        with clinic_scope(world.clinic):
            other = make_client(world.clinic, given_name="Linda", family_name="Linkholder")
            link, token = intake.do_create_link(other, world.users[OWNER], OWNER)
        world.extra["intake_token"], world.extra["intake_token_link"] = token, link
    return str(world.extra["intake_token"])


def link_id(world: ClinicWorld, role: str) -> int:
    if "intake_link" not in world.extra:
        with clinic_scope(world.clinic):
            world.extra["intake_link"], _ = intake.do_create_link(world.client, world.users[OWNER], OWNER)
    return int(world.extra["intake_link"].pk)


def intake_id(world: ClinicWorld, role: str) -> int:
    """A submitted intake of the world's client, filled in the clinic by the practitioner."""
    if "intake" not in world.extra:
        with clinic_scope(world.clinic):
            client = world.client
            submission, checked = intake.do_submit_in_clinic(
                client, flat_answers(contact__given_name=client.given_name), world.users[PRACTITIONER], PRACTITIONER
            )
        assert submission is not None, checked.errors()
        world.extra["intake"] = submission
    return int(world.extra["intake"].pk)


OBJECT_IDS: dict[str, Callable[[ClinicWorld, str], Any]] = {
    "intake_token": intake_token,
    "step": lambda w, r: "contact",
    "link_id": link_id,
    "intake_id": intake_id,
}


# Payloads ---------------------------------------------------------------------------------------


def contact_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    return step_answers()["contact"]


def link_web_payload(world: ClinicWorld, role: str) -> dict[str, Any]:
    with clinic_scope(world.clinic):
        member = Membership.objects.get(user=world.users[PRACTITIONER])
    return {"days": "7", "practitioner": str(member.pk)}


# The rows ----------------------------------------------------------------------------------------

T, TS = ("intake_token",), ("intake_token", "step")
C, CL, CI = ("client_id",), ("client_id", "link_id"), ("client_id", "intake_id")

WEB_ROUTES: tuple[Route, ...] = (
    # the client's private link: no login; the token is the credential
    Route("intake:intake_start", "web", "GET", T, public=True),
    Route("intake:intake_step", "web", "GET", TS, public=True),
    Route("intake:intake_step", "web", "POST", TS, expected=REDIRECT, payload=contact_payload, public=True),
    Route("intake:intake_review", "web", "GET", T, public=True),
    Route(
        "intake:intake_review", "web", "POST", T, public=True
    ),  # the draft is empty: shown again with what is missing
    # staff, under the client
    Route(
        "intake:intake_links",
        "web",
        "GET",
        C,
        "can_send_intake",
        CLINICAL_ONLY,
        audit=("list", "intakelink"),
        client_data=True,
    ),
    Route(
        "intake:intake_links",
        "web",
        "POST",
        C,
        "can_send_intake",
        CLINICAL_ONLY,  # the new link's address is shown once, on this page, to clinical roles only
        link_web_payload,
        audit=("create", "intakelink"),
        client_data=True,
    ),
    Route(
        "intake:intake_revoke", "web", "POST", CL, "can_send_intake", CLINICAL_REDIRECT, audit=("revoke", "intakelink")
    ),
    Route(
        "intake:intake_detail",
        "web",
        "GET",
        CI,
        "can_view_client",
        audit=("read", "intakesubmission"),
        clinical=True,
        client_data=True,
    ),
    Route(
        "intake:intake_reviewed",
        "web",
        "POST",
        CI,
        "can_view_clinical",
        CLINICAL_REDIRECT,
        audit=("review", "intakesubmission"),
    ),
    Route(
        "intake:intake_fill",
        "web",
        "GET",
        C,
        "can_edit_clinical",
        CLINICAL_ONLY,
        audit=("read", "client"),
        client_data=True,
    ),
    # a submission files its parts through the clients and assessments services, each with its
    # own entry, plus the intake's "submit" entry: checked in test_intake.py
    Route("intake:intake_fill", "web", "POST", C, "can_edit_clinical", CLINICAL_REDIRECT, lambda w, r: flat_answers()),
)

API_ROUTES: tuple[Route, ...] = (
    Route(
        "create_intake_link",
        "api",
        "POST",
        C,
        "can_send_intake",
        CREATED,
        lambda w, r: {"expires_in_days": 7},
        "/clients/{client_id}/intake-links",
        ("create", "intakelink"),
        client_data=True,
    ),
    Route(
        "list_intake_links",
        "api",
        "GET",
        C,
        "can_send_intake",
        CLINICAL_ONLY,
        api_path="/clients/{client_id}/intake-links",
        audit=("list", "intakelink"),
        client_data=True,
    ),
    Route(
        "revoke_intake_link",
        "api",
        "POST",
        CL,
        "can_send_intake",
        CLINICAL_ONLY,
        None,
        "/clients/{client_id}/intake-links/{link_id}/revoke",
        ("revoke", "intakelink"),
        client_data=True,
    ),
    Route(
        "list_intakes",
        "api",
        "GET",
        C,
        "can_view_client",
        api_path="/clients/{client_id}/intakes",
        audit=("list", "intakesubmission"),
        client_data=True,
    ),
    Route(
        "get_intake",
        "api",
        "GET",
        CI,
        "can_view_client",
        api_path="/clients/{client_id}/intakes/{intake_id}",
        audit=("read", "intakesubmission"),
        clinical=True,
        client_data=True,
    ),
)
