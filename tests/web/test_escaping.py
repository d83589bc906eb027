"""User text is escaped in every page, the API and CSV exports; formula cells are neutralised (item 22)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from taut.access.models import Role
from taut.access.scoping import clinic_scope
from taut.clients import services
from taut.clients.models import Client
from taut.core import csvsafe
from tests.factories import ClinicWorld, make_client

pytestmark = pytest.mark.django_db

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
    "{{ 7*7 }}<b>bold</b>",
]
FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "=cmd|' /C calc'!A0"]
RAW_MARKERS = ["<script>", "<img src=x", "<svg onload", "</textarea><script>", "<b>bold</b>"]


@pytest.fixture
def hostile(clinic_a: ClinicWorld) -> dict[str, Any]:
    """A client, visit and consent whose text fields carry the payloads, stored through the services."""
    clinic = clinic_a.clinic
    client = make_client(
        clinic,
        given_name=XSS[0],
        family_name=XSS[1],
        address=XSS[3],
        occupation=XSS[4],
        emergency_contact_name=XSS[2],
        physician=XSS[1],
        health_history="\n".join(XSS),
        medications=XSS[0],
    )
    formula_client = make_client(clinic, given_name=FORMULAS[0], family_name="Plain", occupation=FORMULAS[1])
    with clinic_scope(clinic):
        visit = services.do_create_visit(
            client,
            {"date": timezone.localdate(), "chief_complaint": XSS[0], "notes": "\n".join(XSS)},
            clinic_a.users[Role.PRACTITIONER].pk,
            Role.PRACTITIONER,
        )
        consent = services.do_record_consent(
            client,
            services.ConsentInput(signed_by=XSS[1], relationship=XSS[0], method="verbal", agreed=True),
            clinic_a.users[Role.FRONT_DESK],
            Role.FRONT_DESK,
        )
        formula_clients = [
            services.do_create_client(
                clinic,
                {"given_name": f, "family_name": f, "date_of_birth": "1990-01-01", "occupation": f},
                Role.PRACTITIONER,
            )
            for f in FORMULAS[1:]
        ]
    return {"client": client, "visit": visit, "consent": consent, "formula": [formula_client, *formula_clients]}


def _client_pages(h: dict[str, Any]) -> list[str]:
    c, v, s = h["client"].pk, h["visit"].pk, h["consent"].pk
    return [
        reverse("clients:dashboard"),
        reverse("clients:client_list"),
        reverse("clients:client_list") + "?q=script",
        reverse("clients:client_detail", args=[c]),
        reverse("clients:client_edit", args=[c]),
        reverse("clients:consent_create", args=[c]),
        reverse("clients:consent_detail", args=[c, s]),
        reverse("clients:visit_create", args=[c]),
        reverse("clients:visit_detail", args=[c, v]),
        reverse("clients:visit_edit", args=[c, v]),
        reverse("access:audit_log"),
        reverse("access:users"),
    ]


def _assert_no_raw_markup(body: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in body, f"{where}: raw {marker!r}"


@pytest.mark.parametrize("role", [Role.OWNER, Role.PRACTITIONER, Role.FRONT_DESK])
def test_payloads_are_escaped_on_every_client_page(clinic_a: ClinicWorld, hostile: dict[str, Any], role: str) -> None:
    """Every page that shows the hostile client renders its text escaped, never as markup."""
    http = HttpClient()
    http.force_login(clinic_a.users[role])
    shown = 0
    for url in _client_pages(hostile):
        response = http.get(url)
        if response.status_code == 403:
            continue
        assert response.status_code == 200, url
        body = response.content.decode()
        _assert_no_raw_markup(body, url)
        if "&lt;script&gt;alert(1)&lt;/script&gt;" in body:
            shown += 1
    assert shown >= 3, "the payload should appear (escaped) on the list, detail and visit pages"


def test_htmx_client_rows_are_escaped(clinic_a: ClinicWorld, hostile: dict[str, Any]) -> None:
    """The search fragment returned to htmx escapes names too."""
    http = HttpClient()
    http.force_login(clinic_a.users[Role.FRONT_DESK])
    response = http.get(reverse("clients:client_list"), {"q": "alert"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    _assert_no_raw_markup(body, "rows")
    assert "&lt;script&gt;" in body


def test_search_query_is_escaped_when_echoed(clinic_a: ClinicWorld) -> None:
    """The search box echoes the query escaped."""
    http = HttpClient()
    http.force_login(clinic_a.users[Role.FRONT_DESK])
    body = http.get(reverse("clients:client_list"), {"q": XSS[1]}).content.decode()
    assert XSS[1] not in body
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in body


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.FRONT_DESK])
def test_api_json_round_trips_payloads_without_raw_markup(
    clinic_a: ClinicWorld, hostile: dict[str, Any], api_as: Any, role: str
) -> None:
    """The API returns the exact text as JSON, with < > & escaped as \\u003c… so it is never markup."""
    http = api_as(clinic_a, role)
    c = hostile["client"].pk
    urls = [
        f"/api/v1/clients/{c}",
        "/api/v1/clients?q=alert",
        f"/api/v1/clients/{c}/visits",
        f"/api/v1/clients/{c}/visits/{hostile['visit'].pk}",
        f"/api/v1/clients/{c}/consents",
    ]
    for url in urls:
        response = http.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/json")
        assert response["X-Content-Type-Options"] == "nosniff"
        _assert_no_raw_markup(response.content.decode(), url)
    detail = http.get(f"/api/v1/clients/{c}").json()
    assert detail["given_name"] == XSS[0]
    assert detail["family_name"] == XSS[1]
    if role == Role.PRACTITIONER:
        assert detail["health_history"] == "\n".join(XSS)
    consents = http.get(f"/api/v1/clients/{c}/consents").json()
    assert consents[0]["signed_by"] == XSS[1]


def test_api_validation_errors_do_not_reflect_raw_markup(clinic_a: ClinicWorld, api_as: Any) -> None:
    """An error message that echoes input keeps it inside JSON strings, escaped."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    response = http.post(
        "/api/v1/clients",
        json.dumps({"given_name": XSS[0], "family_name": "x", "date_of_birth": XSS[0]}),
        content_type="application/json",
    )
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    _assert_no_raw_markup(response.content.decode(), "error")


def _audit_csv(clinic_a: ClinicWorld) -> list[list[str]]:
    http = HttpClient()
    http.force_login(clinic_a.users[Role.OWNER])
    response: Any = http.get(reverse("access:audit_export"))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_audit_csv_neutralises_formula_cells(clinic_a: ClinicWorld, hostile: dict[str, Any]) -> None:
    """In the audit CSV, no cell starts with = + - @; the payloads appear behind a single quote."""
    rows = _audit_csv(clinic_a)
    assert len(rows) > 5
    cells = [cell for row in rows for cell in row]
    for cell in cells:
        assert not cell.startswith(csvsafe.DANGEROUS_STARTS), cell
    with clinic_scope(clinic_a.clinic):
        reprs = {str(c) for c in Client.objects.filter(pk__in=[c.pk for c in hostile["formula"]])}
    for text in reprs:
        assert "'" + text in cells, text
    assert any(cell.startswith("'" + FORMULAS[0]) for cell in cells)


def test_audit_csv_keeps_markup_as_plain_text(clinic_a: ClinicWorld, hostile: dict[str, Any]) -> None:
    """CSV is text, not HTML: the XSS payload comes back unchanged as data, served as text/csv."""
    rows = _audit_csv(clinic_a)
    assert any(str(hostile["client"]) in row for row in rows)


# csvsafe unit tests ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        (-2, "'-2"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (" =1", " =1"),
        ("", ""),
        (None, ""),
        (42, "42"),
        ("'already", "'already"),
    ],
)
def test_csvsafe_cell(value: Any, expected: str) -> None:
    """cell() prefixes a quote to anything a spreadsheet would run, and leaves the rest alone."""
    assert csvsafe.cell(value) == expected


def test_csvsafe_rows_to_csv_round_trips_and_quotes() -> None:
    """rows_to_csv streams one line per row; commas, quotes and newlines survive, formulas are neutralised."""
    header = ["a", "=b"]
    rows: list[list[Any]] = [["x,y", 'say "hi"'], ["multi\nline", "@SUM(A1)"], [None, -5]]
    chunks = list(csvsafe.rows_to_csv(header, iter(rows)))
    assert len(chunks) == 4
    parsed = list(csv.reader(io.StringIO("".join(chunks))))
    assert parsed == [["a", "'=b"], ["x,y", 'say "hi"'], ["multi\nline", "'@SUM(A1)"], ["", "'-5"]]
