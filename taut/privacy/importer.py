"""Re-import a client's export (``taut.privacy.export``) into a clinic of this or another installation.

Everything is checked before anything is written: the manifest's checksums, the format, each row
(``full_clean``). Then the client and every importable section are written in one transaction
with their audit entries; the media files are stored under new generated names and deleted
again if the transaction fails. A bad folder is a clear ``ImportProblem`` and changes nothing.

People are matched by username to active members of the receiving clinic; anyone else is
recorded as the person importing (the export keeps the original names). Audit entries are not
imported: the receiving log records the import itself. Intake links are not revived; home
programme links are imported revoked (their tokens are not exported), with their ticks.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from taut.access import capabilities
from taut.access.models import Clinic, Membership, Role, User
from taut.assessments.link_models import MeasuresLink
from taut.audit import service as audit
from taut.clients.models import Client
from taut.homecare.models import HomeProgramme, HomeProgrammeLink
from taut.motion import storage
from taut.plans.models import TreatmentPlan
from taut.privacy import retention
from taut.privacy.export import (
    CLIENT_EXCLUDE,
    CLINIC_EXCLUDE,
    CLINIC_FILE,
    CLINIC_FORMAT,
    EXPORT_FILE,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST_FILE,
    PROFILE_FIELDS,
    SECTIONS,
    role_of,
    sha256_of,
)

AUTO_TIMES = ("created_at", "updated_at", "recorded_at")


class ImportProblem(Exception):
    """The folder cannot be imported; the message says what is wrong. Nothing was changed."""


def _read_json(path: Path, what: str) -> Any:
    if not path.is_file():
        raise ImportProblem(f"{path.parent} has no {path.name}: it is not a Taut client export ({what} is missing).")
    try:
        return json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportProblem(f"{path.name} is not valid JSON ({exc}).") from None


def _checked_manifest(root: Path, fmt: str, kind: str, main_file: str) -> set[str]:
    """The folder's manifest names this kind of export and version, and every file it lists is
    inside the folder, present and unchanged (sha256); ``main_file`` must be among them. Returns the
    paths it lists."""
    if not root.is_dir():
        raise ImportProblem(f"{root} is not a folder: give the folder a {kind} export was written to.")
    manifest = _read_json(root / MANIFEST_FILE, "the manifest")
    if not isinstance(manifest, dict) or manifest.get("format") != fmt:
        raise ImportProblem(f"{MANIFEST_FILE} does not describe a Taut {kind} export.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ImportProblem(
            f"This export is format version {manifest.get('format_version')}; this Taut reads version {FORMAT_VERSION}."
        )
    base = root.resolve()
    for item in manifest.get("files", []):
        path = (base / str(item.get("path", ""))).resolve()
        if base not in path.parents:
            raise ImportProblem(f"The manifest names a file outside the folder: {item.get('path')!r}.")
        if not path.is_file():
            raise ImportProblem(f"{item['path']} is listed in the manifest but missing from the folder.")
        if sha256_of(path) != item.get("sha256"):
            raise ImportProblem(f"{item['path']} does not match its checksum in the manifest: the file was changed.")
    listed = {str(i.get("path")) for i in manifest.get("files", [])}
    if main_file not in listed:
        raise ImportProblem(f"The manifest does not list {main_file}.")
    return listed


def check_folder(folder: Path | str) -> dict[str, Any]:
    """Check the export folder against its manifest; return the parsed export.json."""
    root = Path(folder)
    listed = _checked_manifest(root, FORMAT, "client", EXPORT_FILE)
    data = _read_json(root / EXPORT_FILE, "the record")
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("client"), dict)
        or not isinstance(data.get("sections"), dict)
    ):
        raise ImportProblem(f"{EXPORT_FILE} has no client record or sections.")
    for section in SECTIONS:
        if section.has_media:
            for row in data["sections"].get(section.key, []):
                if str(row.get("file")) not in listed:
                    raise ImportProblem(f"A {section.label.lower()} row names a file the manifest does not list.")
    data["_root"] = str(root)
    return data


class _People:
    def __init__(self, clinic: Clinic, actor: Any) -> None:
        self.actor = actor
        self.members = {
            m.user.username: m.user
            for m in Membership.objects.filter(clinic=clinic, is_active=True).select_related("user")
        }

    def __call__(self, ref: Any) -> User | None:
        if ref is None:
            return None
        username = ref.get("username") if isinstance(ref, dict) else None
        found: User | None = self.members.get(str(username), self.actor)
        return found


def _adjust(obj: models.Model, ids: dict[type[models.Model], dict[Any, Any]]) -> None:
    """What a plain field copy cannot carry: a plan id held as a number, and a link's secret."""
    if isinstance(obj, HomeProgramme) and obj.plan_id is not None:
        obj.plan_id = ids.get(TreatmentPlan, {}).get(obj.plan_id)
    if isinstance(obj, HomeProgrammeLink | MeasuresLink):
        # The token never leaves the clinic that sent the link: the imported link gets the hash of
        # a token nobody holds, and is revoked (when it was not already), so it never opens.
        obj.token_sha256 = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
        obj.revoked_at = obj.revoked_at or timezone.now()


def _build(
    model: type[models.Model],
    row: dict[str, Any],
    *,
    clinic: Clinic,
    client: Client | None,
    people: _People,
    ids: dict[type[models.Model], dict[Any, Any]],
    where: str,
) -> models.Model:
    obj = model()
    for f in obj._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.is_relation:
            target = f.related_model
            if target is Clinic:
                setattr(obj, f.attname, clinic.pk)
            elif target is Client and client is not None:
                setattr(obj, f.attname, client.pk)
            elif target is User:
                user = people(row.get(f.name))
                setattr(obj, f.attname, user.pk if user else None)
            elif f.name in row:
                old = row[f.name]
                new = ids.get(target, {}).get(old) if old is not None else None  # type: ignore[arg-type]
                if old is not None and new is None and not f.null:
                    raise ImportProblem(f"{where}: refers to a {f.name} ({old}) that is not in the export.")
                setattr(obj, f.attname, new)
        elif f.name in row:
            try:
                setattr(obj, f.attname, f.to_python(row[f.name]))
            except ValidationError as exc:
                raise ImportProblem(f"{where}: {f.name}: {' '.join(exc.messages)}") from None
    _adjust(obj, ids)
    try:
        # JSON fields hold any JSON (an empty {} counts as blank to Django, yet was stored so).
        json_fields = [f.name for f in obj._meta.concrete_fields if isinstance(f, models.JSONField)]
        obj.full_clean(exclude=json_fields, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise ImportProblem(f"{where}: {problems}") from None
    return obj


def _save(obj: models.Model, row: dict[str, Any]) -> None:
    obj.save(force_insert=True)
    fields = {f.name: f for f in obj._meta.concrete_fields}
    times = {f: fields[f].to_python(row[f]) for f in AUTO_TIMES if f in row and f in fields}
    if times:  # auto_now fields: keep the original times
        type(obj).objects.filter(pk=obj.pk).update(**times)  # type: ignore[attr-defined]
        for k, v in times.items():
            setattr(obj, k, v)
    audit.record("create", obj, detail={"imported": True})


def import_client(
    folder: Path | str, clinic: Clinic, actor: Any, *, stored: list[str] | None = None, detail: Any = None
) -> Client:
    """Import the export in ``folder`` as a new client of ``clinic`` (inside its scope); return the client.

    With ``stored`` given, the names of the media files written are added to it and left for the
    caller to delete if its own transaction fails (a whole clinic's import)."""
    capabilities.require(role_of(actor, clinic), "can_import_client")
    data = check_folder(folder)
    root = Path(data["_root"])
    people = _People(clinic, actor)
    ids: dict[type[models.Model], dict[Any, Any]] = {}
    owned = stored is None
    stored = [] if stored is None else stored
    counts: dict[str, int] = {}
    try:
        with transaction.atomic():
            record = {k: v for k, v in data["client"].items() if k not in CLIENT_EXCLUDE}
            client = _build(Client, record, clinic=clinic, client=None, people=people, ids=ids, where="client record")
            assert isinstance(client, Client)
            _save(client, record)
            for section in SECTIONS:
                rows = data["sections"].get(section.key, [])
                if not section.importable or not isinstance(rows, list):
                    continue
                model = section.model_class
                mapping = ids.setdefault(model, {})
                for n, row in enumerate(rows, 1):
                    where = f"{section.label}, row {n}"
                    if not isinstance(row, dict):
                        raise ImportProblem(f"{where}: not a record.")
                    obj = _build(model, row, clinic=clinic, client=client, people=people, ids=ids, where=where)
                    if section.has_media:
                        old_name = str(row.get("media_name", ""))
                        kind = old_name.split("/")[1] if old_name.count("/") == 2 else "posture"
                        source = root / str(row["file"])
                        ext = source.suffix.lstrip(".") or "bin"
                        name = storage.new_name(clinic.pk, kind if kind in storage.KINDS else "posture", ext)
                        storage.write(name, source.read_bytes())
                        stored.append(name)
                        obj.media_name = name  # type: ignore[attr-defined]
                    _save(obj, row)
                    mapping[row.get("id")] = obj.pk
                counts[section.key] = len(rows)
            audit.record(
                "import",
                client,
                user=actor,
                detail={"client": client.pk, "counts": counts, "from": data.get("clinic", {}).get("name", "")}
                | (detail or {}),
            )
    except BaseException:
        if owned:
            for name in stored:
                storage.delete(name)
        raise
    return client


def not_imported() -> list[str]:
    """What an import leaves out on purpose, in words."""
    return (
        [f"{s.label}: {s.why_not}" for s in SECTIONS if not s.importable]
        + [f"{s.label}: {s.on_import}" for s in SECTIONS if s.importable and s.on_import]
        + ["Audit entries: the receiving log records the import itself; the exported entries stay in the export"]
    )


# ------------------------------------------------------------------ a whole clinic


@dataclass
class ClinicImport:
    clinic: Clinic
    clients: list[Client] = field(default_factory=list)
    people_created: list[str] = field(default_factory=list)
    people_reused: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_clinic_folder(folder: Path | str) -> dict[str, Any]:
    """Check a clinic export against its manifest and every client export in it; return clinic.json."""
    root = Path(folder)
    listed = _checked_manifest(root, CLINIC_FORMAT, "clinic", CLINIC_FILE)
    data = _read_json(root / CLINIC_FILE, "the clinic record")
    if not isinstance(data, dict) or not isinstance(data.get("settings"), dict):
        raise ImportProblem(f"{CLINIC_FILE} has no clinic settings.")
    for key in ("people", "clients", "consent_texts"):
        if not isinstance(data.get(key), list):
            raise ImportProblem(f"{CLINIC_FILE} has no list of {key.replace('_', ' ')}.")
    for c in data["clients"]:
        folder_name = str(c.get("folder", "")) if isinstance(c, dict) else ""
        if f"{folder_name}/{MANIFEST_FILE}" not in listed:
            raise ImportProblem(f"The client folder {folder_name!r} is not listed in the manifest.")
        try:
            check_folder(root / folder_name)
        except ImportProblem as exc:
            raise ImportProblem(f"{folder_name}: {exc}") from None
    return data


def _person(row: Any, n: int) -> dict[str, Any]:
    roles = {r.value for r in Role}
    if not isinstance(row, dict) or not str(row.get("username") or "").strip():
        raise ImportProblem(f"Person {n} in {CLINIC_FILE} has no username.")
    if row.get("role") not in roles:
        known = ", ".join(sorted(roles))
        raise ImportProblem(f"{row['username']}: the role {row.get('role')!r} is not one of {known}.")
    return row


def import_clinic(
    folder: Path | str, *, slug: str | None = None, name: str | None = None, reuse_users: bool = False
) -> ClinicImport:
    """Import a whole clinic's export as a new clinic of this installation; all or nothing.

    An installation operation (the command line): the people become members with their roles and
    no password (each sets one through a password reset); a username already on this installation
    is refused unless ``reuse_users`` (the same person joins the new clinic too). Each client is
    imported as by ``import_client``, in the name of the first active owner of the export.
    """
    from taut.access.models import PractitionerProfile
    from taut.access.scoping import clinic_scope
    from taut.audit.context import update
    from taut.clients import consent as consent_texts

    data = check_clinic_folder(folder)
    root = Path(folder)
    people = [_person(row, n) for n, row in enumerate(data["people"], 1)]
    owners = [p for p in people if p["role"] == Role.OWNER.value and p.get("active", True)]
    if not owners:
        raise ImportProblem(f"{CLINIC_FILE} names no active owner: the new clinic needs one.")
    settings = {k: v for k, v in data["settings"].items() if k not in CLINIC_EXCLUDE}
    settings["slug"] = slug or settings.get("slug")
    settings["name"] = name or settings.get("name")
    periods_found = retention.clinic_problems(settings.get("retention_years", {}))
    if periods_found:
        raise ImportProblem(f"{CLINIC_FILE}: {' '.join(periods_found)}")
    if Clinic.objects.filter(slug=settings["slug"]).exists():
        raise ImportProblem(f"A clinic with the slug {settings['slug']!r} exists here: give another with --slug.")
    existing = set(User.objects.filter(username__in=[p["username"] for p in people]).values_list("username", flat=True))
    if existing and not reuse_users:
        raise ImportProblem(
            f"These usernames exist on this installation: {', '.join(sorted(existing))}. "
            "Import with --reuse-users if they are the same people, or rename them in the source clinic first."
        )
    clinic = Clinic()
    for f in Clinic._meta.concrete_fields:
        if f.name in settings and not f.primary_key:
            try:
                setattr(clinic, f.attname, f.to_python(settings[f.name]))
            except ValidationError as exc:
                raise ImportProblem(f"clinic settings: {f.name}: {' '.join(exc.messages)}") from None
    try:
        clinic.full_clean()
    except ValidationError as exc:
        problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        raise ImportProblem(f"clinic settings: {problems}") from None
    result = ClinicImport(clinic)
    stored: list[str] = []
    try:
        with transaction.atomic():
            clinic.save(force_insert=True)
            users: dict[str, User] = {}
            for p in people:
                user = User.objects.filter(username=p["username"]).first()
                if user is None:
                    user = User(
                        username=p["username"],
                        first_name=str(p.get("first_name") or ""),
                        last_name=str(p.get("last_name") or ""),
                        email=str(p.get("email") or ""),
                    )
                    user.set_unusable_password()
                    user.save()
                    profile = p.get("profile")
                    if isinstance(profile, dict):
                        PractitionerProfile.objects.create(
                            user=user, **{f: str(profile.get(f) or "") for f in PROFILE_FIELDS}
                        )
                    result.people_created.append(user.username)
                    audit.record("create", user, clinic=clinic, detail={"imported": True})
                else:
                    result.people_reused.append(user.username)
                membership = Membership.objects.create(
                    user=user, clinic=clinic, role=p["role"], is_active=bool(p.get("active", True))
                )
                audit.record("create", membership, clinic=clinic, detail={"imported": True, "role": p["role"]})
                users[user.username] = user
            actor = users[owners[0]["username"]]
            with update(channel="cli", user=actor, clinic=clinic), clinic_scope(clinic):
                for c in data["clients"]:
                    result.clients.append(
                        import_client(
                            root / str(c["folder"]), clinic, actor, stored=stored, detail={"clinic_import": True}
                        )
                    )
                audit.record(
                    "import",
                    clinic,
                    user=actor,
                    clinic=clinic,
                    detail={
                        "format": CLINIC_FORMAT,
                        "clients": len(result.clients),
                        "people": len(people),
                        "from": str(data["settings"].get("name", "")),
                    },
                )
    except BaseException:
        for stored_name in stored:
            storage.delete(stored_name)
        raise
    for t in data["consent_texts"]:
        here = consent_texts.CURRENT.get(str(t.get("text_id")))
        if here != t.get("version"):
            result.notes.append(
                f"The consent text {t.get('text_id')} was version {t.get('version')} there and is "
                f"{here or 'not known'} here; each signed consent keeps the exact text signed."
            )
    result.notes.append("People have no password here: each sets one through a password reset (or an owner does).")
    result.notes += not_imported()
    return result
