"""The directory on a real database: opt in, withdraw (410, gone from search), public search,
no client data on public pages, scoping across clinics, CSV import and export, rate limit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
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
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, 5, tzinfo=dt.UTC), tick=False):  # one window
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


def many_listings(world: ClinicWorld, n: int, **fields: Any) -> list[Listing]:
    """n published listings near Beverly Hills, each a little further out (listing i at i*0.01 deg)."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    users = user_model.objects.bulk_create([user_model(username=f"many-{world.clinic.pk}-{i}") for i in range(n)])
    rows = [
        Listing(
            clinic=world.clinic,
            practitioner=u,
            display_name=f"Listed {i:02d}",
            city="Beverly Hills",
            postal_code="90210",
            country="US",
            lat=34.09 + i * 0.01,
            lon=-118.41,
            credentials=["lmt"],
            languages=["English"],
            **fields,
        )
        for i, u in enumerate(users)
    ]
    with clinic_scope(world.clinic):
        return Listing.objects.bulk_create(rows)


def test_results_come_twenty_to_a_page_and_links_keep_the_query(clinic_a: ClinicWorld) -> None:
    """45 results: page 1 shows the 20 nearest and says 45 in all; page 3 shows the last 5; the
    page links carry the place, radius, unit and filters."""
    many_listings(clinic_a, 45)
    anon = HttpClient()
    query = {"near": "90210", "radius": "50", "unit": "mi", "credential": "lmt", "language": "english"}
    first = anon.get(reverse("directory:find"), query).content.decode()
    assert "45 within 50 mi" in first
    assert first.count('class="distance"') == 20
    assert "Listed 00" in first
    assert "Listed 19" in first
    assert "Listed 20" not in first
    assert "Page 1 of 3" in first
    link = "?near=90210&amp;radius=50&amp;unit=mi&amp;credential=lmt&amp;language=english&amp;page=2"
    assert f'href="{link}#results"' in first
    third = anon.get(reverse("directory:find"), {**query, "page": "3"}).content.decode()
    assert third.count('class="distance"') == 5
    assert "Listed 40" in third
    assert "Listed 44" in third
    assert "Listed 39" not in third
    assert '<ol class="directory-results" start="41">' in third


@pytest.mark.parametrize(("page", "note"), [("abc", "no page abc"), ("0", "no page 0"), ("99", "no page 99")])
def test_a_bad_page_number_shows_page_one_with_a_note(clinic_a: ClinicWorld, page: str, note: str) -> None:
    many_listings(clinic_a, 25)
    response = HttpClient().get(reverse("directory:find"), {"near": "90210", "radius": "50", "page": page})
    body = response.content.decode()
    assert response.status_code == 200
    assert note in body
    assert "Showing page 1" in body
    assert "Listed 00" in body
    assert "Page 1 of 2" in body


def test_the_modality_filter_narrows_the_search(clinic_a: ClinicWorld) -> None:
    listing = publish(clinic_a)  # "Trigger point therapy"
    anon = HttpClient()
    found = anon.get(reverse("directory:find"), {"near": "90210", "modality": "trigger point"}).content.decode()
    assert listing.display_name in found
    none = anon.get(reverse("directory:find"), {"near": "90210", "modality": "cupping"}).content.decode()
    assert listing.display_name not in none


def _jsonld(body: str) -> Any:
    import json
    import re

    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', body, re.S)
    assert len(blocks) == 1, body[:2000]
    return json.loads(blocks[0])


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


def test_profile_structured_data_shows_only_the_area_of_an_area_only_listing(clinic_a: ClinicWorld) -> None:
    """An area-only listing's JSON-LD parses and has the city, the postal prefix and a position at
    0.1 degree; no street, no full postal code, no account or e-mail, no clinic when it is hidden."""
    user = clinic_a.users[PRACTITIONER]
    user.email = "dana.private@example.org"
    user.save()
    listing = publish(clinic_a, show_clinic="")
    body = HttpClient().get(reverse("directory:public_listing", args=[listing.pk])).content.decode()
    data = _jsonld(body)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "HealthAndBeautyBusiness"
    assert data["name"] == "Dana Trigger"
    assert data["url"] == f"http://testserver/find/practitioners/{listing.pk}/"
    assert data["address"] == {
        "@type": "PostalAddress",
        "addressLocality": "Beverly Hills",
        "addressCountry": "US",
        "postalCode": "902",
    }
    assert data["geo"]["latitude"] == round(listing.lat, 1)
    assert data["geo"]["longitude"] == round(listing.lon, 1)
    assert data["knowsLanguage"] == ["English", "Spanish"]
    assert data["employee"]["@type"] == "Person"
    assert data["employee"]["knowsLanguage"] == ["English", "Spanish"]
    assert any("CMTPT" in c["name"] for c in data["employee"]["hasCredential"])
    text = " ".join(_strings(data))
    for hidden in ("9 Secret Lane", "90210", "Beverly Muscle Clinic", user.username, user.email, clinic_a.clinic.name):
        assert hidden not in text
    assert CLINICAL_MARKER not in text


def test_profile_structured_data_with_the_street_and_a_physiotherapist(clinic_a: ClinicWorld) -> None:
    listing = publish(clinic_a, show_street="yes", credentials=["physio"])
    data = _jsonld(HttpClient().get(reverse("directory:public_listing", args=[listing.pk])).content.decode())
    assert data["@type"] == "MedicalBusiness"
    assert data["name"] == "Beverly Muscle Clinic"
    assert data["employee"]["name"] == "Dana Trigger"
    assert data["address"]["streetAddress"] == "9 Secret Lane"
    assert data["address"]["postalCode"] == "90210"
    assert data["geo"]["latitude"] == round(listing.lat, 3)


def test_profile_structured_data_cannot_be_broken_out_of(clinic_a: ClinicWorld) -> None:
    """Text that would close the script element stays inside the JSON as \\u escapes."""
    evil = '</script><script>alert("x")</script>&'
    listing = publish(clinic_a, display_name=evil, modalities="<!-- " + evil)
    body = HttpClient().get(reverse("directory:public_listing", args=[listing.pk])).content.decode()
    assert "<script>alert" not in body
    assert "<!-- <" not in body
    data = _jsonld(body)
    assert data["employee"]["name"] == evil
    assert data["knowsAbout"][-1] == "<!-- " + evil


# The contact form -------------------------------------------------------------------------------

PRIVATE_EMAIL = "dana.private@example.org"


def reachable(world: ClinicWorld, **overrides: Any) -> Listing:
    user = world.users[PRACTITIONER]
    user.email = PRIVATE_EMAIL
    user.save()
    return publish(world, **overrides)


def message(**overrides: str) -> dict[str, str]:
    return {"name": "Alex Visitor", "email": "alex@example.net", "message": "Do you treat jaw pain?", **overrides}


def test_a_visitor_writes_through_the_form_without_seeing_the_address(clinic_a: ClinicWorld, mailoutbox: Any) -> None:
    """The page offers the form but not the practitioner's address; the message reaches the
    practitioner with the visitor as Reply-To, and the audit says only that a message was sent."""
    listing = reachable(clinic_a)
    anon = HttpClient()
    page = anon.get(reverse("directory:public_listing", args=[listing.pk])).content.decode()
    assert f'action="/find/practitioners/{listing.pk}/contact/"' in page
    assert PRIVATE_EMAIL not in page
    assert 'name="website" tabindex="-1"' in page
    assert '<div class="trap" aria-hidden="true">' in page
    before = last_audit_id()
    response = anon.post(reverse("directory:contact", args=[listing.pk]), message())
    assert response.status_code == 302
    assert response["Location"] == f"/find/practitioners/{listing.pk}/?sent=1#contact"
    assert "Your message was sent" in anon.get(response["Location"]).content.decode()
    [mail] = mailoutbox
    assert mail.to == [PRIVATE_EMAIL]
    assert mail.reply_to == ["alex@example.net"]
    assert "Do you treat jaw pain?" in mail.body
    assert "Alex Visitor" in mail.subject
    [entry] = audit_after(before)
    assert (entry.action, entry.object_type, entry.object_id) == ("message", "listing", str(listing.pk))
    assert entry.clinic_id == clinic_a.clinic.pk
    assert entry.user_id is None
    recorded = f"{entry.detail} {entry.object_repr}"
    assert "jaw" not in recorded
    assert "alex" not in recorded.lower()


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"name": ""}, "Your name is required"),
        ({"email": ""}, "Your e-mail address is required"),
        ({"message": "   "}, "The message is required"),
        ({"email": "not-an-address"}, "like name@example.org"),
        ({"name": "Eve\r\nBcc: victim@example.org"}, "one line"),
        ({"message": "x" * 5001}, "at most 5000"),
    ],
)
def test_a_half_filled_form_is_refused_and_sends_nothing(
    clinic_a: ClinicWorld, mailoutbox: Any, overrides: dict[str, str], field_message: str
) -> None:
    listing = reachable(clinic_a)
    before = last_audit_id()
    response = HttpClient().post(reverse("directory:contact", args=[listing.pk]), message(**overrides))
    body = response.content.decode()
    assert response.status_code == 400
    assert "The message was not sent" in body
    assert field_message in body
    assert mailoutbox == []
    assert audit_after(before) == []
    if overrides.get("email") != "":
        assert "Alex" in body or "alex@example.net" in body  # what was typed is kept


def test_the_honeypot_drops_a_bot_silently(clinic_a: ClinicWorld, mailoutbox: Any) -> None:
    listing = reachable(clinic_a)
    before = last_audit_id()
    response = HttpClient().post(reverse("directory:contact", args=[listing.pk]), message(website="http://spam"))
    assert response.status_code == 302
    assert "sent=1" in response["Location"]
    assert mailoutbox == []
    assert audit_after(before) == []


def test_a_listing_may_turn_the_form_off(clinic_a: ClinicWorld, web_as: Any, mailoutbox: Any) -> None:
    listing = reachable(clinic_a)
    http = web_as(clinic_a.users[PRACTITIONER])
    assert 'name="contact_form" value="yes" checked' in http.get(reverse("directory:my_listing")).content.decode()
    data = form()
    assert http.post(reverse("directory:my_listing"), data).status_code == 302  # no contact_form: turned off
    with unscoped():
        assert not Listing.objects.get(pk=listing.pk).contact_form
    anon = HttpClient()
    page = anon.get(reverse("directory:public_listing", args=[listing.pk])).content.decode()
    assert "directory-contact" not in page
    response = anon.post(reverse("directory:contact", args=[listing.pk]), message())
    assert response.status_code == 404
    assert "does not take messages" in response.content.decode()
    assert mailoutbox == []
    # a CSV import without the column leaves the choice alone
    name = clinic_a.users[PRACTITIONER].get_username()
    with clinic_scope(clinic_a.clinic):
        report = services.do_import_csv(
            clinic_a.clinic,
            f"practitioner,display_name,city,country\n{name},Dana,Boston,US\n",
            {name: clinic_a.users[PRACTITIONER]},
        )
    assert report.updated == 1
    with unscoped():
        assert not Listing.objects.get(pk=listing.pk).contact_form


def test_no_form_without_an_address_and_none_for_a_withdrawn_listing(clinic_a: ClinicWorld, mailoutbox: Any) -> None:
    listing = publish(clinic_a)  # the practitioner's account has no e-mail address
    anon = HttpClient()
    assert "directory-contact" not in anon.get(reverse("directory:public_listing", args=[listing.pk])).content.decode()
    assert anon.post(reverse("directory:contact", args=[listing.pk]), message()).status_code == 404
    with clinic_scope(clinic_a.clinic):
        services.do_opt_out(listing)
    assert anon.post(reverse("directory:contact", args=[listing.pk]), message()).status_code == 410
    assert anon.post(reverse("directory:contact", args=[listing.pk + 999]), message()).status_code == 404
    assert mailoutbox == []


def test_messages_are_rate_limited_per_address_and_listing(
    clinic_a: ClinicWorld, settings: Any, mailoutbox: Any
) -> None:
    settings.TAUT_DIRECTORY_MESSAGES_PER_HOUR = 2
    listing = reachable(clinic_a)
    anon = HttpClient()
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 20, tzinfo=dt.UTC), tick=False):  # one window
        codes = [anon.post(reverse("directory:contact", args=[listing.pk]), message()).status_code for _ in range(3)]
    assert codes == [302, 302, 429]
    assert len(mailoutbox) == 2


def test_a_failing_mail_server_sends_nothing_and_audits_nothing(
    clinic_a: ClinicWorld, settings: Any, tmp_path: Any
) -> None:
    """With the SMTP backend pointed at a closed port the visitor gets a 503 and no entry is left."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    listing = reachable(clinic_a)
    before = last_audit_id()
    response = HttpClient().post(reverse("directory:contact", args=[listing.pk]), message())
    assert response.status_code == 503
    assert "could not be sent" in response.content.decode()
    assert audit_after(before) == []


def test_the_embedded_default_writes_messages_to_the_outbox_folder(
    clinic_a: ClinicWorld, settings: Any, tmp_path: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "outbox"
    listing = reachable(clinic_a)
    assert HttpClient().post(reverse("directory:contact", args=[listing.pk]), message()).status_code == 302
    [written] = list((tmp_path / "outbox").iterdir())
    text = written.read_text()
    assert f"To: {PRIVATE_EMAIL}" in text
    assert "Reply-To: alex@example.net" in text


def test_the_search_page_points_to_the_established_directories(db: Any) -> None:
    """Before and after a search the page links every external directory, each to its own https
    site, opened without passing on this page's address."""
    from taut.directory.external import DIRECTORIES

    for params in ({}, {"near": "90210"}):
        body = HttpClient().get(reverse("directory:find"), params).content.decode()
        assert "Other directories" in body
        for d in DIRECTORIES:
            assert d.url.startswith("https://")
            assert f'<a href="{d.url}" rel="noopener noreferrer external">{d.name}</a>' in body.replace("&#x27;", "'")
    names = " ".join(d.name for d in DIRECTORIES)
    for body_name in ("NAMTPT", "CBMTPT", "NMT Center", "St. John", "Anatomy Trains", "Ontario", "IMTT"):
        assert body_name in names
