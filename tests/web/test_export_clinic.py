"""A whole clinic's export and import, for a clinic changing systems: settings, people (names and
roles, never passwords), consent texts and every client's full export; the import is all or
nothing, and a round trip into a fresh clinic gives the same records."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from taut.access.capabilities import CapabilityDenied
from taut.access.models import Clinic, Membership, Role, User
from taut.access.scoping import clinic_scope, unscoped
from taut.audit.models import AuditEntry
from taut.cli import app
from taut.clients.models import Client
from taut.motion import storage
from taut.privacy.export import CLINIC_FILE, EXPORT_FILE, MANIFEST_FILE, export_clinic
from taut.privacy.importer import ImportProblem, import_clinic
from tests.factories import ClinicWorld, make_client
from tests.web.routes import FAST_HASHERS, audit_after, last_audit_id
from tests.web.test_export import _comparable, full_world

pytestmark = pytest.mark.django_db
OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = FAST_HASHERS


def two_clients() -> ClinicWorld:
    world = full_world()
    world.extra["second"] = make_client(world.clinic, consent_by=world.users[FRONT_DESK])
    return world


def do_export(clinic: Clinic, owner: User, out: Path) -> dict[str, Any]:
    with clinic_scope(clinic):
        export_clinic(clinic, out, owner)
    return json.loads((out / CLINIC_FILE).read_text())  # type: ignore[no-any-return]


def client_exports(out: Path, data: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads((out / c["folder"] / EXPORT_FILE).read_text()) for c in data["clients"]]


def counts() -> dict[str, int]:
    with unscoped():
        return {
            "clinics": Clinic.objects.count(),
            "users": User.objects.count(),
            "memberships": Membership.objects.count(),
            "clients": Client.objects.count(),
            "audit": AuditEntry.objects.count(),
        }


def _set_sum(manifest_path: Path, rel: str, text: str) -> str:
    manifest = json.loads(manifest_path.read_text())
    for f in manifest["files"]:
        if f["path"] == rel:
            f["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    return json.dumps(manifest)


def reseal(out: Path, rel: str, text: str) -> None:
    """Rewrite a file and the checksums that cover it (its client's manifest, then the clinic's)."""
    (out / rel).write_text(text)
    parts = rel.split("/")
    if parts[0] == "clients" and parts[2:] != [MANIFEST_FILE]:
        client_manifest = f"clients/{parts[1]}/{MANIFEST_FILE}"
        reseal(out, client_manifest, _set_sum(out / client_manifest, "/".join(parts[2:]), text))
        return
    (out / MANIFEST_FILE).write_text(_set_sum(out / MANIFEST_FILE, rel, text))


def test_clinic_export_holds_settings_people_texts_and_every_client(tmp_path: Path) -> None:
    """clinic.json has the settings, each member's name and role (no password, second factor or
    token), the consent texts; each client has its own full export; one audit entry per export."""
    world = two_clients()
    out = tmp_path / "out"
    data = do_export(world.clinic, world.users[OWNER], out)
    assert data["settings"]["name"] == world.clinic.name
    assert data["settings"]["slug"] == world.clinic.slug
    assert {p["username"]: p["role"] for p in data["people"]} == {u.username: r for r, u in world.users.items()}
    raw = (out / CLINIC_FILE).read_text()
    for secret in ("password", "totp", "pbkdf2", "digest"):
        assert secret not in raw.lower()
    assert data["consent_texts"][0]["text_id"] == "treatment-consent"
    assert world.clinic.name in data["consent_texts"][0]["text"]
    assert [c["id"] for c in data["clients"]] == [world.client.pk, world.extra["second"].pk]
    exports = client_exports(out, data)
    assert exports[0]["sections"]["posture_photos"]
    assert (out / f"clients/{world.client.pk}/fhir-bundle.json").is_file()
    with unscoped():
        entries = AuditEntry.objects.filter(action="export", clinic=world.clinic)
        assert sorted(e.object_type for e in entries) == ["client", "client", "clinic"]


def test_only_an_owner_exports_the_clinic(tmp_path: Path) -> None:
    world = two_clients()
    for role in (PRACTITIONER, FRONT_DESK):
        with clinic_scope(world.clinic), pytest.raises(CapabilityDenied):
            export_clinic(world.clinic, tmp_path / role, world.users[role])
        assert not (tmp_path / role).exists()


def test_round_trip_into_a_fresh_clinic(tmp_path: Path) -> None:
    """Export, import as a new clinic, export that: the clinic's settings, people and every
    client's record (plans, programmes and media included) are the same."""
    world = two_clients()
    first = do_export(world.clinic, world.users[OWNER], tmp_path / "first")
    before = counts()
    with pytest.raises(ImportProblem, match="usernames exist"):
        import_clinic(tmp_path / "first", slug="moved")
    assert counts() == before
    result = import_clinic(tmp_path / "first", slug="moved", reuse_users=True)
    new = result.clinic
    assert new.slug == "moved"
    assert new.pk != world.clinic.pk
    assert len(result.clients) == 2
    assert sorted(result.people_reused) == sorted(u.username for u in world.users.values())
    second = do_export(new, world.users[OWNER], tmp_path / "second")
    keep = {k: v for k, v in first["settings"].items() if k != "slug"}
    assert {k: v for k, v in second["settings"].items() if k != "slug"} == keep
    assert second["people"] == first["people"]
    assert [t["sha256"] for t in second["consent_texts"]] == [t["sha256"] for t in first["consent_texts"]]
    a, b = client_exports(tmp_path / "first", first), client_exports(tmp_path / "second", second)
    assert [_comparable(x) for x in b] == [_comparable(x) for x in a]
    assert b[0]["sections"]["treatment_plans"]
    assert b[0]["sections"]["visits"][0]["practitioner"] == a[0]["sections"]["visits"][0]["practitioner"]
    for row in b[0]["sections"]["gait_videos"]:
        assert row["media_name"].startswith(f"clinic-{new.pk}/")
    with unscoped():
        assert AuditEntry.objects.filter(action="import", clinic=new, object_type="clinic").count() == 1
        assert AuditEntry.objects.filter(action="import", clinic=new, object_type="client").count() == 2


def test_new_people_are_created_without_a_password(tmp_path: Path) -> None:
    """A person not on this installation is created with their name, role and profile, and no usable password."""
    world = two_clients()
    out = tmp_path / "out"
    data = do_export(world.clinic, world.users[OWNER], out)
    for p in data["people"]:
        p["username"] = "moved-" + p["username"]
    reseal(out, CLINIC_FILE, json.dumps(data))
    result = import_clinic(out, slug="moved-here")
    assert sorted(result.people_created) == sorted("moved-" + u.username for u in world.users.values())
    owner = User.objects.get(username="moved-" + world.users[OWNER].username)
    assert not owner.has_usable_password()
    assert owner.first_name == world.users[OWNER].first_name
    with unscoped():
        assert Membership.objects.get(user=owner, clinic=result.clinic).role == OWNER
    assert any("password reset" in n for n in result.notes)


@pytest.mark.parametrize("damage", ["changed_media", "bad_row_in_second_client", "no_owner", "slug_taken"])
def test_a_bad_clinic_folder_changes_nothing(tmp_path: Path, damage: str) -> None:
    """A changed file, a bad row in the last client (after the first was imported and its media
    stored), no owner, or a slug in use: refused with why; no clinic, person, client, entry or file added."""
    world = two_clients()
    out = tmp_path / "out"
    data = do_export(world.clinic, world.users[OWNER], out)
    slug = "fresh"
    if damage == "changed_media":
        photo = next((out / f"clients/{world.client.pk}/media/posture_photos").iterdir())
        photo.write_bytes(photo.read_bytes() + b"x")
    elif damage == "bad_row_in_second_client":
        rel = f"clients/{world.extra['second'].pk}/{EXPORT_FILE}"
        second = json.loads((out / rel).read_text())
        second["sections"]["visits"] = [{"id": 1, "date": "not a date"}]
        reseal(out, rel, json.dumps(second))
    elif damage == "no_owner":
        data["people"] = [p for p in data["people"] if p["role"] != OWNER]
        reseal(out, CLINIC_FILE, json.dumps(data))
    else:
        slug = world.clinic.slug
    before, files = counts(), storage.listing()
    with pytest.raises(ImportProblem) as problem:
        import_clinic(out, slug=slug, reuse_users=True)
    expected = {"changed_media": "checksum", "bad_row_in_second_client": "Visits, row 1", "no_owner": "no active owner",
                "slug_taken": "slug"}  # fmt: skip
    assert expected[damage] in str(problem.value)
    assert counts() == before
    assert storage.listing() == files


def test_cli_export_and_import_clinic(tmp_path: Path) -> None:
    world = two_clients()
    runner = CliRunner()
    out = tmp_path / "cli"
    owner = world.users[OWNER].username
    result = runner.invoke(app, ["export", "clinic", "--out", str(out), "--user", owner])
    assert result.exit_code == 0, result.output
    assert "2 clients" in result.output
    refused = runner.invoke(
        app, ["export", "clinic", "--out", str(tmp_path / "p"), "--user", world.users[PRACTITIONER].username]
    )
    assert refused.exit_code == 2
    assert not (tmp_path / "p").exists()
    before = counts()["clients"]
    result = runner.invoke(app, ["import", "clinic", str(out), "--slug", "cli-moved", "--reuse-users"])
    assert result.exit_code == 0, result.output
    assert "home programme links" in result.output.lower()
    assert counts()["clients"] == before + 2
    again = runner.invoke(app, ["import", "clinic", str(out), "--slug", "cli-moved", "--reuse-users"])
    assert again.exit_code == 2
    assert "Nothing was imported" in again.output


def _unzip(response: Any, into: Path) -> Path:
    import io
    import zipfile

    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        names = zf.namelist()
        top = {n.split("/")[0] for n in names}
        assert len(top) == 1, top
        zf.extractall(into)
    return into / top.pop()


def test_the_owner_downloads_the_clinic_export_from_settings_and_it_imports(web_as: Any, tmp_path: Path) -> None:
    """The button on the clinic's settings gives the same folder `taut export clinic` writes, zipped:
    both clients, audited for the clinic and each client; it imports as a new clinic with both."""
    world = two_clients()
    owner = world.users[OWNER]
    http = web_as(owner)
    page = http.get("/settings/clinic/").content.decode()
    assert 'action="/settings/clinic/export/"' in page
    last = last_audit_id()
    folder = _unzip(http.post("/settings/clinic/export/"), tmp_path / "web")
    data = json.loads((folder / CLINIC_FILE).read_text())
    assert len(data["clients"]) == 2
    assert folder.name.startswith(f"taut-clinic-{world.clinic.slug}-")
    kinds = sorted((e.action, e.object_type) for e in audit_after(last))
    assert kinds == sorted([("export", "clinic"), ("export", "client"), ("export", "client")])
    imported = import_clinic(folder, slug="moved-web", name="Moved clinic", reuse_users=True)
    with unscoped():
        assert Client.objects.filter(clinic=imported.clinic).count() == 2


def test_only_the_owner_may_download_the_clinic_export(web_as: Any) -> None:
    world = two_clients()
    last = last_audit_id()
    for role in (PRACTITIONER, FRONT_DESK):
        response = web_as(world.users[role]).post("/settings/clinic/export/")
        assert response.status_code == 403
    assert not [e for e in audit_after(last) if e.action == "export"]
