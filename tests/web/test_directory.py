"""The directory on a real database: opt in, withdraw (410, gone from search), public search,
no client data on public pages, scoping across clinics, CSV import and export, rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role
from taut.access.scoping import clinic_scope, unscoped
from taut.directory import services
from taut.directory.models import Listing
from tests.factories import CLINICAL_MARKER, ClinicWorld
from tests.web.routes import FAST_HASHERS, audit_after, last_audit_id

pytestmark = pytest.mark.django_db
OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value


@pytest.fixture(autouse=True)
def _settings(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.TAUT_DIRECTORY_REQUESTS_PER_MINUTE = 1000
    from django.core.cache import cache

    cache.clear()


def form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "display_name": "Dana Trigger",
        "clinic_name": "Beverly Muscle Clinic",
        "show_clinic": "yes",
        "street": "9 Secret Lane",
        "city": "Beverly Hills",
        "postal_code": "90210",
        "country": "US",
        "credentials": ["cmtpt", "lmt"],
        "conditions": ["tension_type_headache"],
        "languages": "English, Spanish",
        "modalities": "Trigger point therapy",
        "accessibility": "Step-free entrance",
        "booking_url": "https://example.org/book",
    }
    data.update(overrides)
    return data


def publish(world: ClinicWorld, role: str = PRACTITIONER, **overrides: Any) -> Listing:
    with clinic_scope(world.clinic):
        return services.do_save_listing(world.clinic, world.users[role], form(**overrides))


def test_practitioner_opts_in_from_the_page_and_it_is_audited(clinic_a: ClinicWorld, web_as: Any) -> None:
    http = web_as(clinic_a.users[PRACTITIONER])
    assert http.get(reverse("directory:my_listing")).status_code == 200
    before = last_audit_id()
    response = http.post(reverse("directory:my_listing"), form())
    assert response.status_code == 302
    with clinic_scope(clinic_a.clinic):
        listing = Listing.objects.get()
    assert listing.published
    assert listing.clinic_id == clinic_a.clinic.pk
    assert listing.lat == pytest.approx(34.09, abs=0.05)
    entries = [e for e in audit_after(before) if e.object_type == "listing"]
    assert [(e.action, e.object_id) for e in entries] == [("create", str(listing.pk))]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("booking_url", "javascript:alert(1)", "http"),
        ("booking_url", "ftp://example.org", "http"),
        ("credentials", ["made_up"], "Unknown credential"),
        ("conditions", ["not_a_condition"], "Unknown condition"),
        ("country", "JP", "US, Canada"),
        ("postal_code", "00000", "No place"),
        ("display_name", "", "Required"),
        ("city", "x" * 121, "At most"),
    ],
)
def test_bad_listing_input_is_refused_and_changes_nothing(
    clinic_a: ClinicWorld, web_as: Any, field: str, value: Any, message: str
) -> None:
    http = web_as(clinic_a.users[PRACTITIONER])
    before = last_audit_id()
    response = http.post(reverse("directory:my_listing"), form(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    with unscoped():
        assert Listing.objects.count() == 0
    assert not [e for e in audit_after(before) if e.object_type == "listing"]


def test_front_desk_cannot_list_themselves(clinic_a: ClinicWorld, web_as: Any) -> None:
    http = web_as(clinic_a.users[FRONT_DESK])
    assert http.post(reverse("directory:my_listing"), form()).status_code == 403
    with unscoped():
        assert Listing.objects.count() == 0


def test_public_search_finds_sorted_by_distance_and_shows_it(clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    near = publish(clinic_a)  # Beverly Hills 90210
    far = publish(clinic_b, display_name="Sam Santa Monica", postal_code="90401", city="Santa Monica")
    publish(clinic_b, OWNER, display_name="Nora New York", postal_code="10001", city="New York")
    anon = HttpClient()
    response = anon.get(reverse("directory:find"), {"near": "90210", "radius": "25", "unit": "km"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index(near.display_name) < body.index(far.display_name)
    assert "Nora New York" not in body
    assert "0.0 km" in body
    assert "2 within 25 km" in body
    miles = anon.get(reverse("directory:find"), {"near": "90210", "radius": "25", "unit": "mi"}).content.decode()
    assert "25 mi" in miles
    assert " mi</span>" in miles
    only_cmtpt = anon.get(reverse("directory:find"), {"near": "90210", "credential": "rmt"}).content.decode()
    assert near.display_name not in only_cmtpt
    by_language = anon.get(reverse("directory:find"), {"near": "90210", "language": "spanish"}).content.decode()
    assert near.display_name in by_language


def test_unknown_place_says_so_with_suggestions(db: Any) -> None:
    response = HttpClient().get(reverse("directory:find"), {"near": "Lndon"})
    body = response.content.decode()
    assert response.status_code == 404
    assert "No place called" in body
    assert "London, GB" in body


@pytest.mark.parametrize("query", [{"radius": "-5"}, {"radius": "abc"}, {"radius": "9999"}, {"credential": "x"}])
def test_bad_search_input_is_a_clear_400(db: Any, query: dict[str, str]) -> None:
    response = HttpClient().get(reverse("directory:find"), {"near": "90210", **query})
    assert response.status_code == 400
    assert "messages error" in response.content.decode()


def test_public_listing_shows_only_chosen_fields_and_no_client_data(clinic_a: ClinicWorld) -> None:
    listing = publish(clinic_a)
    response = HttpClient().get(reverse("directory:public_listing", args=[listing.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Dana Trigger" in body
    assert "Beverly Hills 902" in body
    assert "CMTPT" in body
    assert "9 Secret Lane" not in body  # only the area unless the street is chosen
    assert "Tension-type headache" in body or "tension" in body.lower()
    assert CLINICAL_MARKER not in body
    assert clinic_a.client.family_name not in body
    assert "Log out" not in body
    assert "Clients</a>" not in body
    shown = publish(clinic_a, show_street="yes", show_clinic="")
    body = HttpClient().get(reverse("directory:public_listing", args=[shown.pk])).content.decode()
    assert "9 Secret Lane" in body
    assert "Beverly Muscle Clinic" not in body


def test_withdraw_answers_410_and_leaves_the_search(clinic_a: ClinicWorld, web_as: Any) -> None:
    listing = publish(clinic_a)
    anon = HttpClient()
    url = reverse("directory:public_listing", args=[listing.pk])
    assert anon.get(url).status_code == 200
    before = last_audit_id()
    assert web_as(clinic_a.users[PRACTITIONER]).post(reverse("directory:withdraw")).status_code == 302
    assert anon.get(url).status_code == 410
    assert "Dana Trigger" not in anon.get(reverse("directory:find"), {"near": "90210"}).content.decode()
    assert [e.action for e in audit_after(before) if e.object_type == "listing"] == ["withdraw"]
    assert anon.get(reverse("directory:public_listing", args=[listing.pk + 999])).status_code == 404


def test_another_clinic_cannot_edit_or_export_a_listing(
    clinic_a: ClinicWorld, clinic_b: ClinicWorld, web_as: Any
) -> None:
    listing = publish(clinic_a)
    # clinic B's owner sees none of clinic A's listings in the page, the export or a withdraw
    other = web_as(clinic_b.users[OWNER])
    page = other.get(reverse("directory:my_listing")).content.decode()
    assert "Dana Trigger" not in page
    assert "Dana Trigger" not in b"".join(other.get(reverse("directory:export")).streaming_content).decode()
    other.post(reverse("directory:withdraw"))
    with unscoped():
        assert Listing.objects.get(pk=listing.pk).published
    # an import into clinic B naming clinic A's practitioner is rejected
    name = clinic_a.users[PRACTITIONER].get_username()
    csv_text = f"practitioner,display_name,city,country,postal_code\n{name},Hijack,Boston,US,02108\n"
    with clinic_scope(clinic_b.clinic):
        from taut.directory.services import clinic_members

        report = services.do_import_csv(clinic_b.clinic, csv_text, clinic_members(clinic_b.clinic))
    assert report.rejected
    assert report.rejected[0].field == "practitioner"
    with unscoped():
        assert Listing.objects.get(pk=listing.pk).display_name == "Dana Trigger"


def test_csv_import_reports_rejected_rows_and_export_neutralises_formulas(clinic_a: ClinicWorld, web_as: Any) -> None:
    owner = web_as(clinic_a.users[OWNER])
    prac = clinic_a.users[PRACTITIONER].get_username()
    own = clinic_a.users[OWNER].get_username()
    text = (
        "practitioner,display_name,city,country,postal_code,credentials,booking_url\n"
        f'{prac},=HYPERLINK("x"),Toronto,CA,M5V 3L9,rmt,https://example.org\n'
        f"{own},Owner Person,Nowhereville,US,00000,,\n"
        f"nobody,Ghost,Berlin,DE,,,\n"
        f"{own},Owner Person,Berlin,DE,,,javascript:x\n"
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = owner.post(reverse("directory:import"), {"file": SimpleUploadedFile("l.csv", text.encode())})
    body = response.content.decode()
    assert response.status_code == 200
    assert "1 created, 0 updated, 3 problems" in body
    assert "<td>3</td><td>postal_code</td>" in body
    assert "<td>4</td><td>practitioner</td>" in body
    assert "<td>5</td><td>booking_url</td>" in body
    exported = b"".join(owner.get(reverse("directory:export")).streaming_content).decode()
    assert "'=HYPERLINK" in exported
    assert "\n=HYPERLINK" not in exported
    assert web_as(clinic_a.users[PRACTITIONER]).get(reverse("directory:export")).status_code == 403


def test_public_pages_are_rate_limited(clinic_a: ClinicWorld, settings: Any) -> None:
    settings.TAUT_DIRECTORY_REQUESTS_PER_MINUTE = 3
    anon = HttpClient()
    codes = [anon.get(reverse("directory:find")).status_code for _ in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_the_demo_publishes_listings_found_by_place() -> None:
    """`make run`'s demo lists a practitioner in Halifax and one in Zürich; the public search finds
    each near its own city and not near the other."""
    from taut import demo

    demo.load()
    http = HttpClient()
    halifax = http.get(reverse("directory:find"), {"near": "B3H 2Y9", "radius": "25", "unit": "km"}).content.decode()
    zurich = http.get(reverse("directory:find"), {"near": "Zürich", "radius": "25", "unit": "km"}).content.decode()
    assert "Leo Brandt, RMT" in halifax
    assert "Jonas Meier" not in halifax
    assert "Jonas Meier" in zurich
    assert "Leo Brandt" not in zurich


def test_cli_import_export_and_search(clinic_a: ClinicWorld, tmp_path: Any, capsys: Any) -> None:
    """`taut directory import` reports rejected rows by line and field (exit 1) and imports the rest;
    `export` prints the CSV; `search --json` finds the imported listing near its postal code."""
    import json

    from typer.testing import CliRunner

    from taut.cli import app

    prac = clinic_a.users[PRACTITIONER].get_username()
    csv_file = tmp_path / "listings.csv"
    csv_file.write_text(
        "practitioner,display_name,city,country,postal_code,credentials,booking_url\n"
        f"{prac},Casey Imported,Toronto,CA,M5V 3L9,rmt,https://example.org\n"
        "nobody,Ghost,Berlin,DE,,,\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    slug = clinic_a.clinic.slug
    imported = runner.invoke(app, ["directory", "import", str(csv_file), "--clinic", slug])
    assert imported.exit_code == 1, imported.output
    assert "1 created, 0 updated, 1 rejected" in imported.output
    assert "line 3: practitioner:" in imported.output
    missing = runner.invoke(app, ["directory", "import", str(tmp_path / "none.csv"), "--clinic", slug])
    assert missing.exit_code != 0
    assert "Cannot read" in missing.output
    exported = runner.invoke(app, ["directory", "export", "--clinic", slug])
    assert exported.exit_code == 0, exported.output
    assert "Casey Imported" in exported.output
    found = runner.invoke(app, ["directory", "search", "--near", "M5V 2T6", "--radius-km", "10", "--json"])
    assert found.exit_code == 0, found.output
    data = json.loads(found.output)
    assert [r["name"] for r in data["results"]] == ["Casey Imported"]
    unknown = runner.invoke(app, ["directory", "search", "--near", "Lndon"])
    assert unknown.exit_code != 0
    assert "London" in unknown.output
