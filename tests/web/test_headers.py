"""Security headers on every page, cookie flags, and a clean deploy check (item 21)."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse

from taut.access.models import Role
from tests.factories import PASSWORD, ClinicWorld
from tests.web.routes import ROUTES

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def _pages(world: ClinicWorld) -> list[tuple[str, int]]:
    """Every page of the permission table with the status its row expects for the owner (so a new
    page is covered as soon as it has its row, and a broken one cannot pass on the 404 page's
    headers), plus the 404 pages and the health check."""
    pages = [
        (r.url(world, Role.OWNER) + r.query, r.expected[Role.OWNER])
        for r in ROUTES
        if r.channel == "web" and r.method == "GET"
    ]
    return [*pages, ("/clients/999999999/", 404), ("/no-such-page/", 404), (reverse("healthz"), 200)]


def _content(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _assert_security_headers(response: Any, where: str) -> None:
    csp = response.get("Content-Security-Policy", "")
    assert csp, f"{where}: no Content-Security-Policy"
    assert "'unsafe-inline'" not in csp, where
    assert "'unsafe-eval'" not in csp, where
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("script-src") == ["'self'"], where
    assert directives.get("object-src") == ["'none'"], where
    assert response.get("X-Content-Type-Options") == "nosniff", where
    # an intake or home programme link's pages carry the token in their URL: they send no referrer at all
    private = where.startswith(("/intake/", "/home/", "/m/"))  # the private client links
    assert response.get("Referrer-Policy") == ("no-referrer" if private else "same-origin"), where
    assert response.get("Cross-Origin-Opener-Policy") == "same-origin", where
    assert response.get("X-Frame-Options") == "DENY", where


# a JSON-LD data block (the directory's schema.org markup) is never run, so the CSP does not apply to it
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/ld\+json\")[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(rb"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(rb"<[^>]+\sstyle\s*=", re.IGNORECASE)
JS_URL = re.compile(rb"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.IGNORECASE)


def _assert_no_inline_code(body: bytes, where: str) -> None:
    """What the CSP would block must not be in the page: inline scripts, handlers, styles."""
    for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE, JS_URL):
        match = pattern.search(body)
        assert match is None, f"{where}: {match.group(0)[:120]!r}"


def test_every_page_sends_security_headers(clinic_a: ClinicWorld) -> None:
    """Each main page, for the owner, carries CSP without inline code and the other hardening headers."""
    http = HttpClient()
    http.force_login(clinic_a.users[Role.OWNER])
    for url, expected in _pages(clinic_a):
        response = http.get(url)
        assert response.status_code == expected, (url, response.status_code)
        _assert_security_headers(response, url)
        if response.get("Content-Type", "").startswith("text/html"):
            _assert_no_inline_code(_content(response), url)


def test_anonymous_pages_send_security_headers(db: Any) -> None:
    """The login page, the code page and redirects carry the headers too."""
    http = HttpClient()
    for url in (reverse("access:login"), reverse("access:second_factor"), reverse("clients:client_list"), "/nope/"):
        response = http.get(url)
        _assert_security_headers(response, url)
        if response.get("Content-Type", "").startswith("text/html"):
            _assert_no_inline_code(_content(response), url)


def test_totp_enrolment_page_has_no_inline_code(clinic_a: ClinicWorld) -> None:
    """The enrolment page (with its QR code image) keeps within the CSP."""
    http = HttpClient()
    http.post(reverse("access:login"), {"username": clinic_a.users[Role.OWNER].username, "password": PASSWORD})
    response = http.get(reverse("access:second_factor"))
    assert response.status_code == 200
    _assert_security_headers(response, "second_factor")
    _assert_no_inline_code(response.content, "second_factor")


def test_api_responses_send_security_headers(clinic_a: ClinicWorld, api_as: Any) -> None:
    """JSON answers, good and bad, carry nosniff and the CSP as well."""
    http = api_as(clinic_a, Role.PRACTITIONER)
    for url in ("/api/v1/clients", f"/api/v1/clients/{clinic_a.client.pk}", "/api/v1/clients/999999999"):
        _assert_security_headers(http.get(url), url)
    _assert_security_headers(HttpClient().get("/api/v1/clients"), "anonymous api")


def test_session_and_csrf_cookies_are_httponly_and_samesite(clinic_a: ClinicWorld) -> None:
    """The session cookie set at login is HttpOnly and SameSite=Lax; so is the CSRF cookie."""
    http = HttpClient()
    page = http.get(reverse("access:login"))
    csrf = page.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"]
    assert csrf["samesite"] == "Lax"
    response = http.post(
        reverse("access:login"), {"username": clinic_a.users[Role.PRACTITIONER].username, "password": PASSWORD}
    )
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert not session["max-age"]  # ends with the browser; the server enforces the idle timeout


def _production_env(tmp_path: Path) -> dict[str, str]:
    # a production process inherits none of the test run's switches (tests/conftest.py sets one)
    test_only = {"DATABASE_URL", "TAUT_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    env.update(
        TAUT_DEPLOY="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="taut.example.org",
        TAUT_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="taut.web.settings",
    )
    return env


def test_deploy_check_is_clean_under_production_settings(tmp_path: Path) -> None:
    """`taut manage check --deploy --fail-level WARNING` passes with TAUT_DEPLOY=production."""
    result = subprocess.run(
        [str(VENV_BIN / "taut"), "manage", "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_make_cookies_secure(tmp_path: Path) -> None:
    """Under production settings every cookie is Secure and HttpOnly, and HSTS is on."""
    probe = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ("
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', "
        "'SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SAMESITE', 'SECURE_HSTS_SECONDS', 'SECURE_SSL_REDIRECT', "
        "'DEBUG')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=_production_env(tmp_path),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["CSRF_COOKIE_HTTPONLY"] is True
    assert values["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert values["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["DEBUG"] is False


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    """With TAUT_DEPLOY=production and no SECRET_KEY, settings refuse to load."""
    env = _production_env(tmp_path)
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
