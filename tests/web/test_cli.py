"""The `taut` command: demo data, people, tokens, the audit check and ranking."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from typer.testing import CliRunner

from taut import __version__
from taut.access.models import Clinic, Membership, User
from taut.access.scoping import unscoped
from taut.cli import app
from taut.clients.models import Client, Visit
from tests.factories import ClinicWorld

pytestmark = pytest.mark.django_db
runner = CliRunner()


def _counts() -> tuple[int, int, int, int]:
    with unscoped():
        return (Clinic.objects.count(), User.objects.count(), Client.objects.count(), Visit.objects.count())


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"taut {__version__}"


def test_demo_loads_two_clinics_and_a_second_run_adds_nothing(monkeypatch: Any) -> None:
    """`taut demo` is idempotent: run again, it keeps the data and duplicates nothing."""
    # the test database is migrated already; migrating again inside the test's transaction is
    # not what this test is about (SQLite's schema editor refuses to run inside one)
    monkeypatch.setattr("taut.cli._migrate", lambda: None)
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    after_first = _counts()
    assert after_first[0] == 2
    assert after_first[2] >= 10
    for username in ("maya", "leo", "sam", "anna", "jonas", "elif"):
        assert username in first.output
    second = runner.invoke(app, ["demo"])
    assert second.exit_code == 0, second.output
    assert _counts() == after_first
    assert "TOTP key" in second.output, "owners' authenticator keys are printed again"


def test_user_create_with_a_role(clinic_a: ClinicWorld, monkeypatch: Any) -> None:
    monkeypatch.setenv("TAUT_PASSWORD", "a-long-enough-passphrase")
    result = runner.invoke(app, ["user", "create", "newbie", "--clinic", clinic_a.clinic.slug, "--role", "front_desk"])
    assert result.exit_code == 0, result.output
    with unscoped():
        membership = Membership.objects.get(user__username="newbie")
    assert membership.clinic == clinic_a.clinic
    assert membership.role == "front_desk"


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["--clinic", "no-such-clinic"], "a-long-enough-passphrase", "No clinic"),
        (["--role", "wizard"], "a-long-enough-passphrase", "Unknown role"),
        ([], "short", "Password not accepted"),
    ],
)
def test_user_create_refuses_bad_input_and_creates_nothing(
    clinic_a: ClinicWorld, monkeypatch: Any, args: list[str], password: str, message: str
) -> None:
    monkeypatch.setenv("TAUT_PASSWORD", password)
    before = _counts()
    command = ["user", "create", "someone", "--clinic", clinic_a.clinic.slug, *args]
    result = runner.invoke(app, command)
    assert result.exit_code == 2
    assert message in result.output
    assert _counts() == before


def test_token_create_prints_a_working_token(clinic_a: ClinicWorld) -> None:
    username = clinic_a.users["practitioner"].username
    result = runner.invoke(app, ["token", "create", username])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    http = HttpClient(headers={"Authorization": f"Bearer {token}"})
    assert http.get("/api/v1/clients").status_code == 200


def test_audit_verify_reports_an_intact_log(clinic_a: ClinicWorld) -> None:
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0
    assert "intact" in result.output


def test_rank_prints_a_table_and_json() -> None:
    table = runner.invoke(app, ["rank", "--pain", "left temple:7", "--pain", "left posterior neck"])
    assert table.exit_code == 0, table.output
    assert "Upper trapezius" in table.output
    as_json = runner.invoke(app, ["rank", "--pain", "temple_l", "--json"])
    assert as_json.exit_code == 0
    assert '"candidates"' in as_json.output


def test_rank_with_an_unknown_zone_suggests_names() -> None:
    result = runner.invoke(app, ["rank", "--pain", "left templ"])
    assert result.exit_code == 2
    assert "Did you mean" in result.output
