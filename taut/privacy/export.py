"""A client's full export (GDPR Art. 15 and 20): everything held about one client, as files.

``export_client`` writes into a new folder:

- ``export.json``: the client's record and one section per kind of record (see ``SECTIONS``),
  each row with every stored field; people are named (username and name), not numbered;
- ``media/``: the photos and videos, copied byte for byte;
- ``fhir-bundle.json``: the same record as an HL7 FHIR **R4B** bundle (``taut.privacy.fhir``);
- ``manifest.json``: every file above with its size and SHA-256.

The sections are a registry: a new model with a client key is covered by adding one ``Section``
(a test walks the installed models and fails for any client-keyed model left out).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from taut import __version__
from taut.access import capabilities
from taut.access.models import Clinic, Membership, User
from taut.audit import service as audit
from taut.audit.models import AuditEntry
from taut.clients.models import Client
from taut.motion import storage

FORMAT = "taut-client-export"
FORMAT_VERSION = 1
EXPORT_FILE, FHIR_FILE, MANIFEST_FILE = "export.json", "fhir-bundle.json", "manifest.json"
CLIENT_EXCLUDE = ("id", "clinic")


@dataclass(frozen=True)
class Section:
    """One kind of record held about a client, as one list in ``export.json``."""

    key: str  # the list's name in export.json
    label: str  # what a person reads
    model: str  # "app_label.ModelName"
    lookup: str = "client"  # the path from the model to the client
    exclude: tuple[str, ...] = ()  # fields never exported (secrets such as token hashes)
    importable: bool = True  # False: the import leaves these out on purpose (see ``why_not``)
    why_not: str = ""
    on_import: str = ""  # what an import changes on purpose, in words

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def has_media(self) -> bool:
        return self.model_class in storage.stored_file_models()

    def rows(self, client: Client) -> models.QuerySet[Any]:
        manager: Any = self.model_class.objects  # type: ignore[attr-defined]
        return manager.filter(**{self.lookup: client}).order_by("pk")  # type: ignore[no-any-return]


# In dependency order: a section only refers to sections above it (the import relies on this).
SECTIONS: list[Section] = [
    Section("consents", "Informed consents", "clients.Consent"),
    Section("visits", "Visits", "clients.Visit"),
    Section("pain_charts", "Pain charts and their analyses", "assessments.PainChart"),
    Section("range_of_motion", "Range of motion", "assessments.RomAssessment"),
    Section("outcome_measures", "Outcome measures", "assessments.OutcomeMeasure"),
    Section("special_tests", "Special tests", "assessments.SpecialTestResult"),
    Section("wellness", "Wellness questionnaires", "assessments.WellnessAnswers"),
    Section("posture_photos", "Posture photos and reports", "motion.PosturePhoto"),
    Section("gait_videos", "Gait videos and reports", "motion.GaitVideo"),
    Section("rom_photos", "Range-of-motion photos", "motion.RomPhoto"),
    Section("session_notes", "Session notes", "notes.SessionNote"),
    Section("note_addenda", "Addenda to session notes", "notes.NoteAddendum", lookup="note__client"),
    Section("flag_resolutions", "Resolutions of red flags and contraindications", "safety.FlagResolution"),
    Section(
        "intake_links",
        "Intake links",
        "intake.IntakeLink",
        exclude=("token_sha256", "browser_sha256"),
        importable=False,
        why_not="an intake link is a credential of the clinic that sent it; it is not revived elsewhere",
    ),
    Section("intake_submissions", "Intake submissions", "intake.IntakeSubmission"),
    Section("treatment_plans", "Treatment plans (every version)", "plans.TreatmentPlan"),
    Section("home_programmes", "Home programmes", "homecare.HomeProgramme"),
    Section(
        "home_programme_links",
        "Home programme links",
        "homecare.HomeProgrammeLink",
        exclude=("token_sha256",),
        on_import="imported revoked: a link's token is not exported, so no link opens in the receiving clinic",
    ),
    Section("adherence", "Home programme ticks (adherence)", "homecare.AdherenceEntry", lookup="programme__client"),
    Section(
        "measures_links",
        "Outcome-measure links sent to the client",
        "assessments.MeasuresLink",
        exclude=("token_sha256",),
        on_import="imported revoked: a link's token is not exported, so no link opens in the receiving clinic",
    ),
]


def register(section: Section) -> Section:
    """Add a section for a new kind of record (after the sections it refers to)."""
    SECTIONS.append(section)
    return section


def section_for(model: type[models.Model]) -> Section | None:
    return next((s for s in SECTIONS if s.model_class is model), None)


class ExportError(Exception):
    """The export cannot be written; the message says why and what to do."""


@dataclass
class ExportResult:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    media_files: int = 0


def person(user: User | None) -> dict[str, str] | None:
    if user is None:
        return None
    return {"username": user.username, "name": user.get_full_name() or user.username}


def row_of(obj: models.Model, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every stored field of one row: people by name, other rows by id, the clinic and client left out."""
    out: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude:
            continue
        if f.is_relation:
            target = f.related_model
            if target in (Clinic, Client):
                continue
            if target is User:
                out[f.name] = person(getattr(obj, f.name))
            else:
                out[f.name] = getattr(obj, f.attname)
        else:
            out[f.name] = f.value_from_object(obj)
    return out


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def role_of(user: Any, clinic: Clinic) -> str | None:
    membership = Membership.objects.filter(user=user, clinic=clinic, is_active=True).first()
    return membership.role if membership else None


def audit_entries(client: Client, rows: dict[str, list[models.Model]]) -> list[dict[str, Any]]:
    """The audit entries of the client's clinic about the client or any of its records."""
    about = Q(object_type="client", object_id=str(client.pk)) | Q(detail__client=client.pk)
    for objs in rows.values():
        by_type: dict[str, list[str]] = {}
        for obj in objs:
            by_type.setdefault(type(obj).__name__.lower(), []).append(str(obj.pk))
        for object_type, ids in by_type.items():
            about |= Q(object_type=object_type, object_id__in=ids)
    fields = ("at", "username", "action", "object_type", "object_id", "outcome", "channel")
    return [
        {f: getattr(e, f) for f in fields}
        for e in AuditEntry.objects.filter(clinic=client.clinic).filter(about).order_by("id")
    ]


def collect(client: Client) -> tuple[dict[str, Any], dict[str, list[models.Model]]]:
    """The export's JSON (without audit entries and media paths) and the rows behind it."""
    rows = {s.key: list(s.rows(client)) for s in SECTIONS}
    data: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "taut_version": __version__,
        "exported_at": timezone.now(),
        "clinic": {"name": client.clinic.name, "slug": client.clinic.slug, "country": client.clinic.country},
        "client": row_of(client, CLIENT_EXCLUDE) | {"id": client.pk},
        "sections": {s.key: [row_of(o, s.exclude) for o in rows[s.key]] for s in SECTIONS},
        "section_labels": {s.key: s.label for s in SECTIONS},
    }
    return data, rows


class ExportEncoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds: Django's cuts them to milliseconds, so a
    time that came back from an import could differ from the one exported."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, cls=ExportEncoder, indent=2, ensure_ascii=False, sort_keys=True) + "\n")


def export_client(client: Client, out_dir: Path | str, actor: Any) -> ExportResult:
    """Write the client's full export into ``out_dir`` (a new or empty folder); one "export" audit entry.

    Clinical roles only (``can_export_client``). The files are written to a temporary folder
    beside ``out_dir`` and moved into place at the end, so a failure leaves no half export.
    """
    from taut.privacy import fhir

    capabilities.require(role_of(actor, client.clinic), "can_export_client")
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} is not an empty folder: give a new or empty folder for the export.")
    work = out.with_name(out.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        with transaction.atomic():
            data, rows = collect(client)
            result = ExportResult(out, {k: len(v) for k, v in rows.items()})
            audit.record(
                "export", client, user=actor, detail={"client": client.pk, "counts": result.counts, "format": FORMAT}
            )
            data["audit_entries"] = audit_entries(client, rows)
            media: list[dict[str, Any]] = []
            for section in SECTIONS:
                if not section.has_media:
                    continue
                for obj, row in zip(rows[section.key], data["sections"][section.key], strict=True):
                    source = storage.path_of(obj.media_name)  # type: ignore[attr-defined]
                    rel = f"media/{section.key}/{obj.pk}{source.suffix}"
                    target = work / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if not source.is_file():
                        raise ExportError(f"The file of {obj} is missing from the media folder ({obj.media_name}).")  # type: ignore[attr-defined]
                    shutil.copyfile(source, target)
                    row["file"] = rel
                    media.append({"path": rel, "section": section.key, "row": obj.pk})
            result.media_files = len(media)
            _write_json(work / EXPORT_FILE, data)
            _write_json(work / FHIR_FILE, fhir.bundle_for(client, rows, data))
            files = sorted(p for p in work.rglob("*") if p.is_file())
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "fhir_version": fhir.FHIR_VERSION,
                "client": client.pk,
                "counts": result.counts,
                "files": [
                    {"path": str(p.relative_to(work)), "bytes": p.stat().st_size, "sha256": sha256_of(p)} for p in files
                ],
            }
            _write_json(work / MANIFEST_FILE, manifest)
        if out.exists():
            out.rmdir()
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return result


IN_MEMORY_ZIP = 64 * 2**20  # smaller zips are sent from memory; larger ones stream from a temporary file


def zip_response(client: Client, actor: Any) -> Any:
    """A download of the client's export zip (no-store, as an attachment)."""
    return _download(*export_zip(client, actor))


def clinic_zip_response(clinic: Clinic, actor: Any) -> Any:
    """A download of the whole clinic's export (as `taut export clinic` writes it) as a zip."""
    name = f"taut-clinic-{clinic.slug}-{timezone.now():%Y%m%d-%H%M%S}"
    return _download(*_zipped(name, lambda folder: export_clinic(clinic, folder, actor)))


def _download(archive: Any, filename: str) -> Any:
    from django.http import FileResponse, HttpResponse

    size = archive.seek(0, 2)
    archive.seek(0)
    response: HttpResponse | FileResponse
    if size <= IN_MEMORY_ZIP:
        with archive:
            response = HttpResponse(archive.read(), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        response = FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
    response["Cache-Control"] = "no-store"
    return response


def export_zip(client: Client, actor: Any) -> tuple[Any, str]:
    """The client's export as an open zip file (a temporary file, gone once closed) and its file name."""
    name = f"taut-client-{client.pk}-{timezone.now():%Y%m%d-%H%M%S}"
    return _zipped(name, lambda folder: export_client(client, folder, actor))


def _zipped(name: str, write: Any) -> tuple[Any, str]:
    """What ``write(folder)`` puts in a new folder, zipped under ``name/`` into a temporary file."""
    import tempfile
    import zipfile

    with tempfile.TemporaryDirectory(prefix="taut-export-") as tmp:
        folder = Path(tmp) / name
        write(folder)
        archive = tempfile.TemporaryFile()  # noqa: SIM115  # handed to the response, which closes it
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                zf.write(path, f"{name}/{path.relative_to(folder)}")
    archive.seek(0)
    return archive, f"{name}.zip"


# ------------------------------------------------------------------ a whole clinic

CLINIC_FORMAT = "taut-clinic-export"
CLINIC_FILE = "clinic.json"
CLINIC_EXCLUDE = ("id", "created_at")
PROFILE_FIELDS = ("credentials", "certifying_body", "certificate_number", "modalities", "languages")


def clinic_record(clinic: Clinic) -> dict[str, Any]:
    """The clinic's settings, its people (names and roles; never passwords, second factors or API
    tokens) and the consent texts it shows, rendered with its name."""
    from taut.access.models import PractitionerProfile
    from taut.clients import consent as consent_texts

    people = []
    for m in Membership.objects.filter(clinic=clinic).select_related("user").order_by("user__username"):
        u = m.user
        profile = PractitionerProfile.objects.filter(user=u).first()
        people.append(
            {
                "username": u.username,
                "first_name": u.first_name,
                "last_name": u.last_name,
                "email": u.email,
                "role": m.role,
                "active": m.is_active,
                "profile": {f: getattr(profile, f) for f in PROFILE_FIELDS} if profile else None,
            }
        )
    texts = []
    for text_id, version in sorted(consent_texts.CURRENT.items()):
        loaded = consent_texts.load(text_id, version)
        texts.append(
            {
                "text_id": text_id,
                "version": version,
                "sha256": loaded.sha256,
                "text": consent_texts.render(text_id, clinic.name, version).text,
            }
        )
    return {
        "settings": {
            f.name: f.value_from_object(clinic) for f in Clinic._meta.concrete_fields if f.name not in CLINIC_EXCLUDE
        },
        "people": people,
        "consent_texts": texts,
    }


@dataclass
class ClinicExportResult:
    path: Path
    clients: int = 0
    media_files: int = 0


def export_clinic(clinic: Clinic, out_dir: Path | str, actor: Any) -> ClinicExportResult:
    """Write the whole clinic into ``out_dir``: ``clinic.json``, one client export per client under
    ``clients/<id>/``, and a manifest of all of it. Owners only (``can_manage_clinic``); all or
    nothing (a temporary folder moved into place at the end); one "export" entry for the clinic
    and one per client."""
    capabilities.require(role_of(actor, clinic), "can_manage_clinic")
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ExportError(f"{out} is not an empty folder: give a new or empty folder for the export.")
    work = out.with_name(out.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    result = ClinicExportResult(out)
    try:
        with transaction.atomic():
            data: dict[str, Any] = {
                "format": CLINIC_FORMAT,
                "format_version": FORMAT_VERSION,
                "taut_version": __version__,
                "exported_at": timezone.now(),
                **clinic_record(clinic),
                "clients": [],
            }
            for client in Client.objects.filter(clinic=clinic).order_by("pk"):
                done = export_client(client, work / "clients" / str(client.pk), actor)
                data["clients"].append({"id": client.pk, "folder": f"clients/{client.pk}"})
                result.clients += 1
                result.media_files += done.media_files
            audit.record(
                "export",
                clinic,
                user=actor,
                clinic=clinic,
                detail={"format": CLINIC_FORMAT, "clients": result.clients, "people": len(data["people"])},
            )
            _write_json(work / CLINIC_FILE, data)
            # clinic.json and each client's manifest (which holds the checksums of its own files)
            files = [work / CLINIC_FILE] + [work / c["folder"] / MANIFEST_FILE for c in data["clients"]]
            _write_json(
                work / MANIFEST_FILE,
                {
                    "format": CLINIC_FORMAT,
                    "format_version": FORMAT_VERSION,
                    "clients": result.clients,
                    "files": [
                        {"path": str(p.relative_to(work)), "bytes": p.stat().st_size, "sha256": sha256_of(p)}
                        for p in files
                    ],
                },
            )
        if out.exists():
            out.rmdir()
        work.rename(out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return result
