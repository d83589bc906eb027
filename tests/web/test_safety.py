"""The safety banner: a client's red flags and contraindications show, with what to do, on every
clinical page of that client until a practitioner records how each was resolved (audited)."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role
from taut.access.scoping import clinic_scope, unscoped
from taut.audit.models import AuditEntry
from taut.safety import services as safety
from taut.safety.models import FlagResolution
from tests.factories import ClinicWorld, make_client
from tests.web.routes import FAST_HASHERS, audit_after, last_audit_id
from tests.web.routes_safety import RED_FLAG, file_red_flag_intake

pytestmark = pytest.mark.django_db

OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value
RED_KEY = safety.red_flag_key(RED_FLAG)
CLOT_KEY = safety.contraindication_key("blood_clot")


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def flagged(clinic_a: ClinicWorld) -> ClinicWorld:
    file_red_flag_intake(clinic_a)
    return clinic_a


def client_url(world: ClinicWorld) -> str:
    return reverse("clients:client_detail", kwargs={"client_id": world.client.pk})


def clinical_urls(world: ClinicWorld) -> dict[str, str]:
    ids = {"client_id": world.client.pk, "visit_id": world.visit.pk}
    return {
        "client": client_url(world),
        "visit": reverse("clients:visit_detail", kwargs=ids),
        "pain chart": reverse("assessments:pain_chart", kwargs=ids),
        "posture": reverse("motion:posture", kwargs=ids),
        "gait": reverse("motion:gait", kwargs=ids),
    }


def resolve_url(world: ClinicWorld, key: str = RED_KEY) -> str:
    return reverse("safety:resolve_flag", kwargs={"client_id": world.client.pk, "flag_key": key})


def page(http: HttpClient, url: str) -> str:
    response = http.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def flag_label(world: ClinicWorld, key: str) -> str:
    with clinic_scope(world.clinic):
        return next(f.label for f in safety.active_flags(world.client) if f.key == key)


def resolutions() -> int:
    with unscoped():
        return FlagResolution.objects.count()


def test_banner_with_what_to_do_on_every_clinical_page(flagged: ClinicWorld, web_as: Any) -> None:
    """After an intake reporting night pain and a blood clot, the client, visit, pain chart,
    posture and gait pages each say stop, name both flags and say to refer the client first."""
    http = web_as(flagged.users[PRACTITIONER])
    red_label = flag_label(flagged, RED_KEY)
    for name, url in clinical_urls(flagged).items():
        text = page(http, url)
        assert 'data-testid="safety-banner"' in text, name
        assert "Stop: do not treat until these are resolved" in text, name
        assert f'data-flag="{RED_KEY}"' in text, name
        assert f'data-flag="{CLOT_KEY}"' in text, name
        assert red_label in text, name
        assert "Blood clot" in text, name
        assert safety.REFER_ACTION in text, name
        assert "Refer first" in text, name  # the badge agrees with the red flag's "refer now"
        # the resolve form is on the client's page; the other pages link to it
        assert (resolve_url(flagged) in text) == (name == "client"), name


def test_no_banner_without_flags(clinic_a: ClinicWorld, web_as: Any) -> None:
    """A client whose records report nothing gets no banner."""
    http = web_as(clinic_a.users[PRACTITIONER])
    for name, url in clinical_urls(clinic_a).items():
        assert 'data-testid="safety-banner"' not in page(http, url), name


def test_resolving_through_the_page_is_audited_and_removes_the_flag(flagged: ClinicWorld, web_as: Any) -> None:
    """Posting the client page's form records the resolution with one audit entry; the flag leaves
    the banner on every page while the other flag stays; resolving both removes the banner."""
    http = web_as(flagged.users[PRACTITIONER])
    last = last_audit_id()
    response = http.post(resolve_url(flagged), {"outcome": "referred", "note": "Sent to her GP"})
    assert response.status_code == 302
    assert response["Location"] == client_url(flagged)
    [entry] = [e for e in audit_after(last) if e.object_type == "flagresolution"]
    with clinic_scope(flagged.clinic):
        resolution = FlagResolution.objects.get()
    assert (resolution.flag_key, resolution.outcome, resolution.note) == (RED_KEY, "referred", "Sent to her GP")
    assert resolution.resolved_by_id == flagged.users[PRACTITIONER].pk
    assert entry.action == "create"
    assert entry.object_id == str(resolution.pk)
    assert entry.detail == {"flag": RED_KEY, "outcome": "referred", "client": flagged.client.pk}
    assert entry.user_id == flagged.users[PRACTITIONER].pk
    assert entry.outcome == AuditEntry.Outcome.SUCCESS
    assert "The resolution was recorded." in page(http, client_url(flagged))
    for name, url in clinical_urls(flagged).items():
        text = page(http, url)
        assert f'data-flag="{RED_KEY}"' not in text, name
        assert f'data-flag="{CLOT_KEY}"' in text, name
    http.post(resolve_url(flagged, CLOT_KEY), {"outcome": "cleared", "note": ""})
    for name, url in clinical_urls(flagged).items():
        assert 'data-testid="safety-banner"' not in page(http, url), name


def test_not_applicable_without_a_note_is_refused(flagged: ClinicWorld, web_as: Any) -> None:
    """Choosing "not applicable" with no note is refused with a message that says what to write; nothing is
    stored or audited and the flag stays."""
    http = web_as(flagged.users[PRACTITIONER])
    last = last_audit_id()
    response = http.post(resolve_url(flagged), {"outcome": "not_applicable", "note": "   "}, follow=True)
    text = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Say in a few words why this flag does not apply." in text
    assert f'data-flag="{RED_KEY}"' in text
    assert resolutions() == 0
    assert not [e for e in audit_after(last) if e.object_type == "flagresolution"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"outcome": "", "note": ""}, "Choose how the flag was resolved"),
        ({"outcome": "ignored", "note": "x"}, "Choose how the flag was resolved"),
        ({"outcome": "referred", "note": "x" * 2001}, "Keep the note under 2000 characters."),
    ],
)
def test_bad_resolutions_change_nothing(flagged: ClinicWorld, web_as: Any, data: dict[str, str], message: str) -> None:
    """A missing or unknown outcome, or an overlong note, is refused in words; nothing is stored."""
    http = web_as(flagged.users[PRACTITIONER])
    response = http.post(resolve_url(flagged), data, follow=True)
    assert message in html.unescape(response.content.decode())
    assert resolutions() == 0


def test_a_resolved_flag_cannot_be_resolved_again(flagged: ClinicWorld, web_as: Any) -> None:
    """A second resolution of the same report is refused; one record remains."""
    http = web_as(flagged.users[OWNER])
    http.post(resolve_url(flagged), {"outcome": "referred"})
    response = http.post(resolve_url(flagged), {"outcome": "cleared"}, follow=True)
    assert "This flag is already resolved." in html.unescape(response.content.decode())
    assert resolutions() == 1


def test_unknown_flag_is_404(flagged: ClinicWorld, web_as: Any) -> None:
    """A key the client's records do not report is 404 and stores nothing."""
    http = web_as(flagged.users[PRACTITIONER])
    response = http.post(resolve_url(flagged, "red-flag-made-up"), {"outcome": "referred"})
    assert response.status_code == 404
    assert resolutions() == 0


def test_flag_of_another_client_is_404(flagged: ClinicWorld, web_as: Any) -> None:
    """Client X's flag key put under client Y (same clinic, no flags) is 404; nothing changes."""
    other = make_client(flagged.clinic)
    url = reverse("safety:resolve_flag", kwargs={"client_id": other.pk, "flag_key": RED_KEY})
    response = web_as(flagged.users[PRACTITIONER]).post(url, {"outcome": "referred"})
    assert response.status_code == 404
    assert resolutions() == 0


def test_front_desk_sees_no_banner_and_cannot_resolve(flagged: ClinicWorld, web_as: Any) -> None:
    """Front desk gets the client page without the banner or the flags' names, and a 403 on resolving."""
    http = web_as(flagged.users[FRONT_DESK])
    text = page(http, client_url(flagged))
    assert 'data-testid="safety-banner"' not in text
    assert flag_label(flagged, RED_KEY) not in text
    assert "Blood clot" not in text
    assert http.post(resolve_url(flagged), {"outcome": "referred", "note": "x"}).status_code == 403
    assert resolutions() == 0


def test_another_clinics_user_gets_404(flagged: ClinicWorld, clinic_b: ClinicWorld, web_as: Any) -> None:
    """A practitioner of clinic B gets 404 for clinic A's client page and resolve form; nothing changes."""
    http = web_as(clinic_b.users[PRACTITIONER])
    assert http.get(client_url(flagged)).status_code == 404
    assert http.post(resolve_url(flagged), {"outcome": "referred", "note": "x"}).status_code == 404
    assert resolutions() == 0


def test_api_lists_and_resolves_flags(flagged: ClinicWorld, api_as: Any) -> None:
    """The API lists both flags with what to do; a resolution leaves one active flag, and with
    `include_resolved` the resolved one is listed with its outcome and note."""
    http = api_as(flagged, PRACTITIONER)
    base = f"/api/v1/clients/{flagged.client.pk}/flags"
    listed = http.get(base).json()
    assert {f["key"] for f in listed} == {RED_KEY, CLOT_KEY}
    assert all(f["stop"] and f["action"] and f["resolution"] is None for f in listed)
    body = {"outcome": "cleared", "note": "Letter on file"}
    response = http.post(f"{base}/{RED_KEY}/resolve", body, "application/json")
    assert response.status_code == 200, response.content
    assert response.json()["resolution"]["outcome"] == "cleared"
    assert [f["key"] for f in http.get(base).json()] == [CLOT_KEY]
    everything = {f["key"]: f for f in http.get(base, {"include_resolved": "true"}).json()}
    assert everything[RED_KEY]["resolution"]["note"] == "Letter on file"


def test_api_refuses_not_applicable_without_a_note(flagged: ClinicWorld, api_as: Any) -> None:
    """Through the API "not applicable" without a note is a 4xx naming the note; nothing is stored."""
    http = api_as(flagged, PRACTITIONER)
    url = f"/api/v1/clients/{flagged.client.pk}/flags/{RED_KEY}/resolve"
    response = http.post(url, {"outcome": "not_applicable"}, "application/json")
    assert 400 <= response.status_code < 500
    [error] = response.json()["errors"]
    assert error["msg"] == "Say in a few words why this flag does not apply."
    assert "note" in error["loc"]
    assert resolutions() == 0
