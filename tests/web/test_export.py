"""A client's full export (security requirement 23; GDPR Art. 15 and 20): every section with real
content, media with checksums, a FHIR R4B bundle that fhir.resources validates, audited, clinical
roles only, clinic-scoped, and a re-import into another clinic that gives the same record."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from typer.testing import CliRunner

from taut.access.capabilities import CapabilityDenied
from taut.access.models import Role
from taut.access.scoping import clinic_scope, unscoped
from taut.assessments import links as measure_links
from taut.assessments import measures, special_tests
from taut.assessments import services as assessments
from taut.audit.models import AuditEntry
from taut.cli import app
from taut.clients.models import Client, Visit
from taut.homecare import services as homecare
from taut.intake import services as intake
from taut.motion import storage
from taut.notes import services as notes
from taut.plans import services as plans
from taut.privacy import fhir
from taut.privacy.export import EXPORT_FILE, FHIR_FILE, MANIFEST_FILE, SECTIONS, export_client, section_for
from taut.privacy.importer import ImportProblem, import_client
from taut.safety import services as safety
from tests.factories import ClinicWorld, make_clinic
from tests.web.motion_media import make_photo, make_rom_photo, make_video
from tests.web.routes import FAST_HASHERS, audit_after, last_audit_id
from tests.web.routes_safety import file_red_flag_intake, flag_key

pytestmark = pytest.mark.django_db
OWNER, PRACTITIONER, FRONT_DESK = Role.OWNER.value, Role.PRACTITIONER.value, Role.FRONT_DESK.value


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = FAST_HASHERS


def full_world() -> ClinicWorld:
    """A clinic whose client has a record in every section (through the apps' own services)."""
    world = make_clinic()
    user = world.users[PRACTITIONER]
    visit = world.visit
    file_red_flag_intake(world)
    key = flag_key(world, PRACTITIONER)
    with clinic_scope(world.clinic):
        assessments.do_save_pain_chart(
            visit, {"pain": [{"zone": "temple_l", "intensity": 7}, {"zone": "temple_r", "intensity": 4}]},
            user, PRACTITIONER,
        )  # fmt: skip
        assessments.do_save_rom(
            visit, [{"motion": "cervical_rotation", "side": "left", "active": 50, "passive": 60}], user, PRACTITIONER
        )
        measures.do_record_measure(visit, "nprs", [6], user, PRACTITIONER)
        measures.do_save_wellness(visit, {"hydration.fluid_intake": "under_1_litre"}, user, PRACTITIONER)
        special_tests.do_record_special_tests(
            visit, [{"test": "phalen", "side": "right", "result": "positive", "note": "at 30 s"}], user, PRACTITIONER
        )
        note = notes.do_start_note(visit, user, PRACTITIONER)
        note = notes.do_save_draft(note, {"subjective": "Headache eased", "pain_now": 3}, user, PRACTITIONER)
        note = notes.do_sign_note(note, user, PRACTITIONER)
        notes.do_add_addendum(note, "Pain was 4, not 3.", "Typing error", user, PRACTITIONER)
        safety.do_resolve_flag(world.client, key, "referred", "Sent to the family doctor", user, PRACTITIONER)
        intake.do_create_link(world.client, user, PRACTITIONER)
        plan = plans.do_sign_plan(plans.do_create_plan(visit, user, PRACTITIONER), user, PRACTITIONER)
        plans.do_create_plan(visit, user, PRACTITIONER)  # version 2, a draft beside the signed one
        programme = homecare.do_create_programme(
            world.client, [{"exercise": "chin_tuck", "sets": 2, "reps": 10}], user, PRACTITIONER, plan_id=plan.pk
        )
        link, _ = homecare.do_send_link(programme, user, PRACTITIONER)
        homecare.do_record_adherence(link, "chin_tuck", timezone.localdate(), True, 2, 3)
        measure_links.do_send_link(visit, ["ndi"], user, PRACTITIONER)
    make_photo(world)
    make_video(world)
    make_rom_photo(world)
    return world


def do_export(world: ClinicWorld, out: Path, role: str = PRACTITIONER) -> dict[str, Any]:
    with clinic_scope(world.clinic):
        export_client(world.client, out, world.users[role])
    return json.loads((out / EXPORT_FILE).read_text())  # type: ignore[no-any-return]


def test_every_model_with_a_client_key_is_exported() -> None:
    """Walking the installed models: each one with a key to the client, or to a record of the client
    that is exported, has its own section (so a new model cannot be left out of the export)."""
    covered = {s.model_class for s in SECTIONS}
    holders = {Client} | covered

    def keys(model: type[models.Model]) -> set[Any]:
        return {f.related_model for f in model._meta.get_fields() if isinstance(f, models.ForeignKey)}

    missing = [m._meta.label for m in apps.get_models() if m is not Client and m not in covered and keys(m) & holders]
    assert not missing, f"Add a Section to taut.privacy.export.SECTIONS for: {missing}"
    assert {"clients.Consent", "notes.NoteAddendum", "intake.IntakeSubmission"} <= {s.model for s in SECTIONS}
    assert section_for(Client) is None  # the record itself is exported apart, as "client"


def test_export_holds_every_section_with_content(tmp_path: Path) -> None:
    """Every section has the client's rows, with their content (analysis, answers, notes, addenda)."""
    world = full_world()
    data = do_export(world, tmp_path / "out")
    sections = data["sections"]
    empty = [s.key for s in SECTIONS if not sections[s.key]]
    assert not empty, f"empty sections: {empty}"
    assert data["client"]["health_history"] == world.client.health_history
    assert sections["pain_charts"][0]["analysis"]["rows"], "the chart's analysis is exported"
    assert sections["session_notes"][0]["subjective"] == "Headache eased"
    assert sections["note_addenda"][0]["text"] == "Pain was 4, not 3."
    assert sections["flag_resolutions"][0]["note"] == "Sent to the family doctor"
    assert sections["special_tests"][0]["result"] == "positive"
    assert sections["visits"][0]["practitioner"]["username"] == world.users[PRACTITIONER].username
    assert "token_sha256" not in sections["intake_links"][0], "a link's secret hash is never exported"
    assert any(e["action"] == "export" and e["object_type"] == "client" for e in data["audit_entries"])
    assert any(e["object_type"] == "painchart" for e in data["audit_entries"])


def test_media_are_copied_with_checksums(tmp_path: Path) -> None:
    """Each photo and video is in media/ byte for byte, and the manifest's SHA-256 of every file is right."""
    world = full_world()
    out = tmp_path / "out"
    data = do_export(world, out)
    manifest = json.loads((out / MANIFEST_FILE).read_text())
    listed = {f["path"]: f for f in manifest["files"]}
    for key in ("posture_photos", "gait_videos", "rom_photos"):
        for row in data["sections"][key]:
            copy = (out / row["file"]).read_bytes()
            assert copy == storage.path_of(row["media_name"]).read_bytes()
            assert listed[row["file"]]["sha256"] == hashlib.sha256(copy).hexdigest()
            assert listed[row["file"]]["bytes"] == len(copy)
    assert {EXPORT_FILE, FHIR_FILE} <= set(listed)


def test_fhir_bundle_validates_and_codes_pain_with_loinc(tmp_path: Path) -> None:
    """The bundle parses with fhir.resources R4B and holds Patient, Consent, Encounter, the pain
    Observation under LOINC 72514-3, ROM in UCUM degrees, questionnaires and documents."""
    world = full_world()
    out = tmp_path / "out"
    do_export(world, out)
    raw = (out / FHIR_FILE).read_text()
    bundle = Bundle.model_validate_json(raw)
    kinds = [e.resource.get_resource_type() for e in bundle.entry or []]
    for kind in ("Patient", "Organization", "Practitioner", "Consent", "Encounter", "Observation",
                 "QuestionnaireResponse", "DocumentReference"):  # fmt: skip
        assert kind in kinds, kind
    resources = [e["resource"] for e in json.loads(raw)["entry"]]
    pain = [r for r in resources if r["resourceType"] == "Observation" and r["id"].startswith("pain-chart")]
    assert pain[0]["code"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    }
    assert pain[0]["valueInteger"] == 7
    rom = [r for r in resources if r["id"].startswith("rom-") and "valueQuantity" in r]
    assert {r["valueQuantity"]["code"] for r in rom} == {"deg"}
    docs = [r for r in resources if r["resourceType"] == "DocumentReference"]
    assert len(docs) == 3
    assert all(d["content"][0]["attachment"]["hash"] for d in docs)
    used = {(c["system"], c["code"]) for r in resources for c in r.get("code", {}).get("coding", [])}
    assert used <= set(fhir.CODES), "every code written is in the table of verified codes"


def test_an_unverified_code_is_refused() -> None:
    """Codes outside the verified table cannot be written; such values go as text."""
    with pytest.raises(fhir.UnverifiedCode):
        fhir.coding(fhir.LOINC, "12345-6")
    with pytest.raises(fhir.UnverifiedCode):
        fhir.quantity(3.0, "percent")
    assert fhir._value(12.0, "percent") == {"valueString": "12 percent"}
    assert fhir.quantity(30.0, "degrees")["code"] == "deg"


def test_export_is_audited_once(tmp_path: Path) -> None:
    """One "export" entry for the client, by the person exporting."""
    world = full_world()
    last = last_audit_id()
    do_export(world, tmp_path / "out")
    entries = audit_after(last)
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [("export", "client", str(world.client.pk))]
    assert entries[0].user_id == world.users[PRACTITIONER].pk


def test_front_desk_cannot_export(tmp_path: Path) -> None:
    """Front desk is refused (service, web and API) and nothing is written."""
    world = make_clinic()
    with clinic_scope(world.clinic), pytest.raises(CapabilityDenied):
        export_client(world.client, tmp_path / "out", world.users[FRONT_DESK])
    assert not (tmp_path / "out").exists()
    from tests.web.routes import http_for

    web = http_for("web", world, FRONT_DESK)
    assert web.post(reverse("privacy:export_client", args=[world.client.pk])).status_code == 403
    api = http_for("api", world, FRONT_DESK)
    assert api.post(f"/api/v1/clients/{world.client.pk}/export").status_code == 403
    page = web.get(reverse("clients:client_detail", args=[world.client.pk])).content.decode()
    assert "Export client" not in page


def test_web_and_api_return_the_zip(tmp_path: Path) -> None:
    """The client page's button and the API both answer a zip with the three files."""
    from tests.web.routes import http_for

    world = full_world()
    web = http_for("web", world, PRACTITIONER)
    page = web.get(reverse("clients:client_detail", args=[world.client.pk])).content.decode()
    assert "Export client" in page
    for response in (
        web.post(reverse("privacy:export_client", args=[world.client.pk])),
        http_for("api", world, OWNER).post(f"/api/v1/clients/{world.client.pk}/export"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        body = response.content
        names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        assert any(n.endswith("/" + FHIR_FILE) for n in names)
        assert any("/media/gait_videos/" in n for n in names)


def test_other_clinic_gets_404(clinic_a: ClinicWorld, clinic_b: ClinicWorld) -> None:
    """Exporting another clinic's client is a 404 and a denied entry, through the web and the API."""
    from tests.web.routes import http_for

    last = last_audit_id()
    assert (
        http_for("web", clinic_a, OWNER).post(reverse("privacy:export_client", args=[clinic_b.client.pk])).status_code
        == 404
    )
    assert http_for("api", clinic_a, OWNER).post(f"/api/v1/clients/{clinic_b.client.pk}/export").status_code == 404
    assert not [e for e in audit_after(last) if e.action == "export"]
    assert [e.outcome for e in audit_after(last) if e.action == "access"] == ["denied", "denied"]


def _comparable(data: dict[str, Any]) -> dict[str, Any]:
    """The export without ids, clinic, media names, people (mapped on import), audit entries and intake links."""
    index: dict[str, dict[Any, int]] = {
        key: {row["id"]: n for n, row in enumerate(data["sections"][key])} for key in data["sections"]
    }
    refs = {
        "visit": "visits",
        "note": "session_notes",
        "consent": "consents",
        "previous": "treatment_plans",
        "plan_id": "treatment_plans",
        "programme": "home_programmes",
    }
    people = {"recorded_by", "practitioner", "resolved_by", "signed_by", "author", "created_by", "reviewed_by"}

    def clean(row: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for k, v in row.items():
            if k in {"id", "media_name", "file", "link"} or k in people:
                continue
            out[k] = index[refs[k]].get(v) if k in refs and v is not None else v
        return out

    return {
        "client": clean(data["client"]),
        # sections the importer does not import (it lists them with the reason) are left out
        "sections": {k: [clean(r) for r in rows] for k, rows in data["sections"].items() if k not in NOT_IMPORTED}
        # an imported link is revoked on import (its token is not exported); the test checks it apart
        | {
            key: [clean(r) | {"revoked_at": None} for r in data["sections"][key]]
            for key in ("home_programme_links", "measures_links")
        },
    }


NOT_IMPORTED = {s.key for s in SECTIONS if not s.importable}


def test_import_round_trip_gives_an_equal_record(tmp_path: Path, clinic_b: ClinicWorld) -> None:
    """Export, import into another clinic, export again: the two exports hold the same record."""
    world = full_world()
    # a time whose microseconds round to no milliseconds (Django's encoder wrote it as .000 and read it back as 0)
    with clinic_scope(world.clinic):
        Visit.objects.filter(pk=world.visit.pk).update(created_at=dt.datetime(2026, 3, 4, 5, 6, 7, 500, tzinfo=dt.UTC))
    first = do_export(world, tmp_path / "first")
    last = last_audit_id()
    with clinic_scope(clinic_b.clinic):
        imported = import_client(tmp_path / "first", clinic_b.clinic, clinic_b.users[OWNER])
    assert imported.clinic_id == clinic_b.clinic.pk
    assert any((e.action, e.object_id) == ("import", str(imported.pk)) for e in audit_after(last))
    second = do_export(ClinicWorld(clinic_b.clinic, clinic_b.users, imported, clinic_b.visit, clinic_b.consent),
                       tmp_path / "second", OWNER)  # fmt: skip
    assert _comparable(second) == _comparable(first)
    assert first["sections"]["session_notes"][0]["subjective"] == second["sections"]["session_notes"][0]["subjective"]
    for row in second["sections"]["posture_photos"]:
        assert row["media_name"].startswith(f"clinic-{clinic_b.clinic.pk}/")
    assert second["sections"]["visits"][0]["practitioner"]["username"] == clinic_b.users[OWNER].username
    # plans (both versions, the signed one's signer kept by name when a member), programmes and ticks came along
    assert [p["status"] for p in second["sections"]["treatment_plans"]] == ["signed", "draft"]
    assert second["sections"]["treatment_plans"][1]["previous"] == second["sections"]["treatment_plans"][0]["id"]
    assert second["sections"]["home_programmes"][0]["plan_id"] == second["sections"]["treatment_plans"][0]["id"]
    assert second["sections"]["adherence"]
    assert second["sections"]["adherence"][0]["done"] is True
    # a link comes back revoked: nothing the client holds opens it in the receiving clinic
    assert first["sections"]["home_programme_links"][0]["revoked_at"] is None
    (link,) = second["sections"]["home_programme_links"]
    assert link["revoked_at"] is not None
    (measures_link,) = second["sections"]["measures_links"]
    assert first["sections"]["measures_links"][0]["revoked_at"] is None
    assert measures_link["revoked_at"] is not None
    from taut.homecare.models import HomeProgrammeLink

    with clinic_scope(clinic_b.clinic):
        assert HomeProgrammeLink.objects.get(pk=link["id"]).status == HomeProgrammeLink.Status.REVOKED


def _counts() -> dict[str, int]:
    with unscoped():
        return {s.key: s.model_class.objects.count() for s in SECTIONS} | {"clients": Client.objects.count()}


@pytest.mark.parametrize("damage", ["missing", "not_an_export", "changed_file", "bad_row", "bad_json"])
def test_a_bad_folder_is_a_clear_error_and_changes_nothing(tmp_path: Path, clinic_b: ClinicWorld, damage: str) -> None:
    """A folder that is not a whole, unchanged export is refused with what is wrong; no row or file is added."""
    world = full_world()
    out = tmp_path / "out"
    do_export(world, out)
    if damage == "missing":
        out = tmp_path / "nowhere"
    elif damage == "not_an_export":
        (out / MANIFEST_FILE).unlink()
    elif damage == "changed_file":
        photo = next((out / "media" / "posture_photos").iterdir())
        photo.write_bytes(photo.read_bytes() + b"x")
    elif damage in ("bad_row", "bad_json"):
        data = json.loads((out / EXPORT_FILE).read_text())
        data["sections"]["session_notes"][0]["pain_now"] = "a lot"
        text = json.dumps(data) if damage == "bad_row" else "{not json"
        (out / EXPORT_FILE).write_text(text)
        manifest = json.loads((out / MANIFEST_FILE).read_text())
        for f in manifest["files"]:
            if f["path"] == EXPORT_FILE:
                f["sha256"] = hashlib.sha256(text.encode()).hexdigest()
        (out / MANIFEST_FILE).write_text(json.dumps(manifest))
    before, files = _counts(), storage.listing()
    last = last_audit_id()
    with clinic_scope(clinic_b.clinic), pytest.raises(ImportProblem) as problem:
        import_client(out, clinic_b.clinic, clinic_b.users[OWNER])
    assert str(problem.value)
    expected = {"missing": "not a folder", "not_an_export": "manifest", "changed_file": "checksum",
                "bad_row": "Session notes, row 1", "bad_json": "not valid JSON"}  # fmt: skip
    assert expected[damage] in str(problem.value)
    assert _counts() == before
    assert storage.listing() == files
    assert audit_after(last) == []


def test_a_failure_mid_import_rolls_back_rows_and_files(tmp_path: Path, clinic_b: ClinicWorld) -> None:
    """A row that breaks late (after media were stored) leaves no rows and no files behind."""
    world = full_world()
    out = tmp_path / "out"
    data = do_export(world, out)
    data["sections"]["intake_submissions"][0]["visit"] = 999999  # a visit that is not in the export
    text = json.dumps(data)
    (out / EXPORT_FILE).write_text(text)
    manifest = json.loads((out / MANIFEST_FILE).read_text())
    for f in manifest["files"]:
        if f["path"] == EXPORT_FILE:
            f["sha256"] = hashlib.sha256(text.encode()).hexdigest()
    (out / MANIFEST_FILE).write_text(json.dumps(manifest))
    before, files = _counts(), storage.listing()
    with clinic_scope(clinic_b.clinic), pytest.raises(ImportProblem, match="not in the export"):
        import_client(out, clinic_b.clinic, clinic_b.users[OWNER])
    assert _counts() == before
    assert storage.listing() == files


def test_cli_export_and_import(tmp_path: Path, clinic_b: ClinicWorld) -> None:
    """`taut export client` writes the folder; `taut import client` files it in another clinic; errors say why."""
    world = full_world()
    runner = CliRunner()
    out = tmp_path / "cli"
    result = runner.invoke(
        app, ["export", "client", str(world.client.pk), "--out", str(out), "--user", world.users[OWNER].username]
    )
    assert result.exit_code == 0, result.output
    assert (out / FHIR_FILE).is_file()
    refused = runner.invoke(
        app, ["export", "client", str(world.client.pk), "--out", str(tmp_path / "fd"), "--user",
              world.users[FRONT_DESK].username],
    )  # fmt: skip
    assert refused.exit_code == 2
    assert not (tmp_path / "fd").exists()
    before = _counts()["clients"]
    result = runner.invoke(
        app, ["import", "client", str(out), "--clinic", clinic_b.clinic.slug, "--user", clinic_b.users[OWNER].username]
    )
    assert result.exit_code == 0, result.output
    assert _counts()["clients"] == before + 1
    bad = runner.invoke(
        app, ["import", "client", str(tmp_path), "--clinic", clinic_b.clinic.slug, "--user",
              clinic_b.users[OWNER].username],
    )  # fmt: skip
    assert bad.exit_code == 2
    assert _counts()["clients"] == before + 1
    with unscoped():
        assert AuditEntry.objects.filter(action="import", clinic=clinic_b.clinic).count() == 1


def _codings(value: Any) -> list[tuple[str, str]]:
    """Every (system, code) of every Coding anywhere in a JSON value."""
    if isinstance(value, list):
        return [c for v in value for c in _codings(v)]
    if not isinstance(value, dict):
        return []
    found = [(value["system"], value["code"])] if {"system", "code"} <= set(value) and "value" not in value else []
    return found + [c for v in value.values() for c in _codings(v)]


def test_fhir_bundle_has_conditions_care_plans_and_referrals(tmp_path: Path) -> None:
    """The complaint is a Condition in words (no code), each signed plan a CarePlan (the superseded
    version revoked and replaced), each referral of a plan and of the reasoning a ServiceRequest;
    fhir.resources validates them and no code outside the verified tables is written."""
    from fhir.resources.R4B.careplan import CarePlan
    from fhir.resources.R4B.condition import Condition
    from fhir.resources.R4B.servicerequest import ServiceRequest

    world = make_clinic()
    user = world.users[PRACTITIONER]
    file_red_flag_intake(world)  # an active red flag: the plan refers, and so does the reasoning
    with clinic_scope(world.clinic):
        first = plans.do_sign_plan(plans.do_create_plan(world.visit, user, PRACTITIONER), user, PRACTITIONER)
        second = plans.do_sign_plan(plans.do_create_plan(world.visit, user, PRACTITIONER), user, PRACTITIONER)
        plans.do_create_plan(world.visit, user, PRACTITIONER)  # a draft: not in the bundle
    out = tmp_path / "out"
    do_export(world, out)
    raw = json.loads((out / FHIR_FILE).read_text())
    res = [e["resource"] for e in raw["entry"]]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for r in res:
        by_kind.setdefault(r["resourceType"], []).append(r)

    (condition,) = by_kind["Condition"]
    Condition.model_validate(condition)
    assert condition["code"] == {"text": world.visit.chief_complaint}

    care = {r["id"]: r for r in by_kind["CarePlan"]}
    assert set(care) == {f"plan-{first.pk}", f"plan-{second.pk}"}
    for r in care.values():
        CarePlan.model_validate(r)
    assert care[f"plan-{second.pk}"]["status"] == "active"
    assert care[f"plan-{first.pk}"]["status"] == "revoked"
    assert care[f"plan-{second.pk}"]["replaces"] == [{"reference": f"CarePlan/plan-{first.pk}"}]
    assert care[f"plan-{second.pk}"]["addresses"] == [{"reference": f"Condition/{condition['id']}"}]

    requests = by_kind["ServiceRequest"]
    for r in requests:
        ServiceRequest.model_validate(r)
        assert r["intent"] == "proposal"
        assert "coding" not in r["code"]
    from_plan = [r for r in requests if r.get("basedOn") == [{"reference": f"CarePlan/plan-{second.pk}"}]]
    assert from_plan
    assert from_plan[0]["status"] == "active"
    assert "Red flag" in " ".join(r["reasonCode"][0]["text"] for r in requests if "basedOn" not in r)

    assert set(_codings(raw)) <= set(fhir.CODES), "only verified codes are written"
    statuses = {("request-status", r["status"]) for r in by_kind["CarePlan"] + requests}
    assert statuses <= set(fhir.STATUS_CODES)
    with pytest.raises(fhir.UnverifiedCode):
        fhir.status("request-status", "on-hold")
