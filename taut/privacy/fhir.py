"""A client's record as an HL7 FHIR **R4B** (4.3.0) bundle, validated by the ``fhir.resources`` models.

``fhir.resources`` 8 carries R5 and R4B (no plain R4 since 7.0); we write R4B, the release
closest to the R4 most systems read. The package accepts any code value, so every code we
write is checked here against ``CODES``: a small table of the codes we use, each with the
source where its meaning was verified. A value with no verified code is written as text
(``CodeableConcept.text``, ``valueString``), never under an invented code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from fhir.resources.R4B.bundle import Bundle

from taut.clients.models import Client
from taut.motion import storage

FHIR_VERSION = "4.3.0"  # R4B
LOINC, UCUM = "http://loinc.org", "http://unitsofmeasure.org"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
BASE = "urn:taut:"  # fullUrl prefix of the bundle's entries


@dataclass(frozen=True)
class Code:
    system: str
    code: str
    display: str
    source: str  # where the meaning was verified


CODES: dict[tuple[str, str], Code] = {
    (c.system, c.code): c
    for c in (
        Code(
            LOINC,
            "72514-3",
            "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            "https://loinc.org/72514-3",
        ),
        Code(UCUM, "deg", "degree (plane angle)", "https://ucum.org/ucum (UCUM, table of base and derived units: deg)"),
        Code(UCUM, "s", "second", "https://ucum.org/ucum (UCUM, base units: s)"),
        Code(UCUM, "cm", "centimetre", "https://ucum.org/ucum (UCUM, prefix c with base unit m)"),
        Code(ACT_CODE, "AMB", "ambulatory", "https://terminology.hl7.org/CodeSystem-v3-ActCode.html#v3-ActCode-AMB"),
    )
}

# Units of our reports -> the verified UCUM code; others go as text.
UNITS = {"degrees": "deg", "deg": "deg", "s": "s", "cm": "cm"}
GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}  # FHIR administrative-gender
ENCOUNTER_STATUS = {"planned": "planned", "finished": "finished", "cancelled": "cancelled"}  # R4B EncounterStatus

# The status and intent codes of CarePlan and ServiceRequest are fixed by FHIR itself (required
# bindings); only these, whose definitions we read, are written.
REQUEST_STATUS = "https://hl7.org/fhir/R4B/valueset-request-status.html"
REQUEST_INTENT = "https://hl7.org/fhir/R4B/valueset-request-intent.html"
ACTIVITY_STATUS = "https://hl7.org/fhir/R4B/valueset-care-plan-activity-status.html"
STATUS_CODES: dict[tuple[str, str], str] = {
    ("request-status", "active"): REQUEST_STATUS,  # the request is in force
    ("request-status", "revoked"): REQUEST_STATUS,  # ended before completion (may be replaced)
    ("care-plan-intent", "plan"): "https://hl7.org/fhir/R4B/valueset-care-plan-intent.html",
    ("request-intent", "proposal"): REQUEST_INTENT,  # a suggestion; the receiver decides
    ("care-plan-activity-status", "not-started"): ACTIVITY_STATUS,  # planned, nothing done yet
}


# The export's rows per section (model instances; typed loosely, each section has its own fields).
Rows = dict[str, list[Any]]


class UnverifiedCode(ValueError):
    """A code that is not in the table of verified codes."""


def coding(system: str, code: str) -> dict[str, str]:
    """A Coding for a verified code; anything else is refused (write it as text instead)."""
    found = CODES.get((system, code))
    if found is None:
        raise UnverifiedCode(f"{system}|{code} is not a verified code; write the value as text.")
    return {"system": found.system, "code": found.code, "display": found.display}


def status(value_set: str, code: str) -> str:
    """A FHIR status or intent code whose definition was read (``STATUS_CODES``)."""
    if (value_set, code) not in STATUS_CODES:
        raise UnverifiedCode(f"{value_set}|{code} is not a status code we have read the definition of.")
    return code


def quantity(value: float, unit: str) -> dict[str, Any]:
    """A Quantity in UCUM when the unit's code is verified."""
    code = UNITS.get(unit)
    if code is None:
        raise UnverifiedCode(f"The unit {unit!r} has no verified UCUM code.")
    c = coding(UCUM, code)
    return {"value": value, "unit": c["code"], "system": UCUM, "code": c["code"]}


def text(words: str) -> dict[str, str]:
    return {"text": words}


def _iso(value: Any) -> str:
    return str(json.loads(json.dumps(value, cls=DjangoJSONEncoder)))


def _ref(kind: str, ident: Any) -> dict[str, str]:
    return {"reference": f"{kind}/{ident}"}


def _value(value: float, unit: str) -> dict[str, Any]:
    """valueQuantity with a verified unit, else valueString with the unit in words."""
    if unit in UNITS:
        return {"valueQuantity": quantity(value, unit)}
    return {"valueString": f"{value:g} {unit}".strip()}


def _observation(ident: str, client: Client, visit_id: Any, when: Any, code: dict[str, Any], **value: Any) -> Any:
    return {
        "resourceType": "Observation",
        "id": ident,
        "status": "final",
        "code": code,
        "subject": _ref("Patient", client.pk),
        "encounter": _ref("Encounter", visit_id),
        "effectiveDateTime": _iso(when),
        **value,
    }


def _pain_observations(client: Client, rows: Rows) -> list[dict[str, Any]]:
    out = []
    pain_code = {"coding": [coding(LOINC, "72514-3")], "text": "Pain severity 0-10"}
    for chart in rows["pain_charts"]:
        marks = [m for m in chart.inputs.get("pain", []) if isinstance(m.get("intensity"), int)]
        if not marks:
            continue
        worst = max(int(m["intensity"]) for m in marks)
        zones = ", ".join(f"{m['zone']} {m['intensity']}/10" for m in marks)
        obs = _observation(
            f"pain-chart-{chart.pk}",
            client,
            chart.visit_id,
            chart.created_at,
            pain_code,
            valueInteger=worst,
        )
        obs["note"] = [{"text": f"Worst of the marked zones on the pain chart: {zones}"}]
        out.append(obs)
    for note in rows["session_notes"]:
        for name in ("pain_now", "pain_before", "pain_after"):
            value = getattr(note, name)
            if value is not None:
                obs = _observation(
                    f"note-{note.pk}-{name.replace('_', '-')}", client, note.visit_id, note.created_at, pain_code,
                    valueInteger=value,
                )  # fmt: skip
                obs["note"] = [{"text": f"Session note: {name.replace('_', ' ')}"}]
                out.append(obs)
    return out


def _rom_observations(client: Client, rows: Rows) -> list[dict[str, Any]]:
    out = []
    for rom in rows["range_of_motion"]:
        for i, entry in enumerate(rom.entries):
            for mode in ("active", "passive"):
                value = entry.get(mode)
                if value is None:
                    continue
                words = f"{str(entry.get('motion', '')).replace('_', ' ')}, {entry.get('side', '')}, {mode} range"
                out.append(
                    _observation(
                        f"rom-{rom.pk}-{i}-{mode}",
                        client,
                        rom.visit_id,
                        rom.created_at,
                        text(words),
                        **_value(float(value), "degrees"),
                    )
                )
    for photo in rows["rom_photos"]:
        words = f"{photo.motion.replace('_', ' ')}, {photo.side}, {photo.mode} range (from a photo)"
        out.append(
            _observation(
                f"rom-photo-{photo.pk}",
                client,
                photo.visit_id,
                photo.created_at,
                text(words),
                **_value(float(photo.degrees), "degrees"),
            )
        )
    return out


def _motion_observations(client: Client, rows: Rows) -> list[dict[str, Any]]:
    out = []
    for photo in rows["posture_photos"]:
        for m in (photo.report or {}).get("measures", []):
            if m.get("value") is None:
                continue
            words = f"Posture ({photo.view}): {m.get('name', m.get('id'))}" + (
                f", {m['side']}" if m.get("side") else ""
            )
            out.append(
                _observation(
                    f"posture-{photo.pk}-{m.get('id')}-{m.get('side') or 'both'}",
                    client,
                    photo.visit_id,
                    photo.created_at,
                    text(words),
                    **_value(float(m["value"]), str(m.get("unit", ""))),
                )
            )
    for video in rows["gait_videos"]:
        for m in (video.report or {}).get("metrics", []):
            if m.get("value") is None:
                continue
            out.append(
                _observation(
                    f"gait-{video.pk}-{m.get('id')}",
                    client,
                    video.visit_id,
                    video.created_at,
                    text(f"Gait: {m.get('name', m.get('id'))}"),
                    **_value(float(m["value"]), str(m.get("unit", ""))),
                )
            )
    return out


def _questionnaires(client: Client, rows: Rows) -> list[dict[str, Any]]:
    out = []
    for m in rows["outcome_measures"]:
        items = [
            {"linkId": str(n), **({"answer": [{"valueInteger": a}]} if isinstance(a, int) else {})}
            for n, a in enumerate(m.answers, 1)
        ]
        score = m.score or {}
        out.append(
            {
                "resourceType": "QuestionnaireResponse",
                "id": f"measure-{m.pk}",
                "status": "completed",
                "subject": _ref("Patient", client.pk),
                "encounter": _ref("Encounter", m.visit_id),
                "authored": _iso(m.created_at),
                "identifier": {"value": f"{m.instrument}"},
                "item": [
                    *items,
                    {"linkId": "score", "text": "Score", "answer": [{"valueString": json.dumps(score, default=str)}]},
                ],
            }
        )
    for s in rows["intake_submissions"]:
        items = [
            {"linkId": f"{step}.{key}", "answer": [{"valueString": json.dumps(value, default=str)}]}
            for step, answers in sorted((s.answers or {}).items())
            if isinstance(answers, dict)
            for key, value in sorted(answers.items())
            if value not in (None, "", [])
        ]
        out.append(
            {
                "resourceType": "QuestionnaireResponse",
                "id": f"intake-{s.pk}",
                "status": "completed",
                "subject": _ref("Patient", client.pk),
                "encounter": _ref("Encounter", s.visit_id),
                "authored": _iso(s.submitted_at),
                "identifier": {"value": f"intake version {s.version}"},
                **({"item": items} if items else {}),
            }
        )
    return out


def _sha1_b64(name: str) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    with open(storage.path_of(name), "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode()


def _documents(client: Client, rows: Rows, data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    kinds = {"posture_photos": "Posture photo", "gait_videos": "Gait video", "rom_photos": "Range-of-motion photo"}
    for key, label in kinds.items():
        for obj, row in zip(rows[key], data["sections"][key], strict=True):
            name = obj.media_name
            content_type = (
                "video/mp4" if name.endswith(".mp4") else "video/quicktime" if name.endswith(".mov") else None
            )
            content_type = content_type or ("image/png" if name.endswith(".png") else "image/jpeg")
            if key == "gait_videos" and not name.endswith((".mp4", ".mov")):
                content_type = "text/plain"  # imported keypoints (TRC or OpenPose) kept as the source file
            out.append(
                {
                    "resourceType": "DocumentReference",
                    "id": f"{key.replace('_', '-')}-{obj.pk}",
                    "status": "current",
                    "subject": _ref("Patient", client.pk),
                    "date": _iso(obj.created_at),
                    "description": f"{label} ({getattr(obj, 'view', '') or getattr(obj, 'motion', '')})",
                    "type": text(label),
                    "content": [
                        {
                            "attachment": {
                                "contentType": content_type,
                                "url": row["file"],
                                "size": obj.media_bytes,
                                "hash": _sha1_b64(name),
                                "title": row["file"].rsplit("/", 1)[-1],
                            }
                        }
                    ],
                    "context": {"encounter": [_ref("Encounter", obj.visit_id)]},
                }
            )
    return out


def _complaints(client: Client, rows: Rows) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """One Condition per distinct complaint of the visits (as text: no code is verified for them);
    and, per visit id, the id of its Condition."""
    out: list[dict[str, Any]] = []
    first: dict[str, dict[str, Any]] = {}
    by_visit: dict[str, str] = {}
    for v in sorted(rows["visits"], key=lambda v: (v.date, v.pk)):
        words = " ".join(v.chief_complaint.split())
        if not words:
            continue
        key = words.casefold()
        if key not in first:
            first[key] = {
                "resourceType": "Condition",
                "id": f"complaint-{v.pk}",
                "code": text(words),
                "subject": _ref("Patient", client.pk),
                "encounter": _ref("Encounter", v.pk),
                "recordedDate": v.date.isoformat(),
                "recorder": _ref("Practitioner", v.practitioner_id),
                "note": [{"text": "The complaint in the client's words, as recorded at the visit (not a diagnosis)."}],
            }
            out.append(first[key])
        by_visit[str(v.pk)] = first[key]["id"]
    return out, by_visit


def signed_plans(rows: Rows) -> list[Any]:
    """The plans that were signed (the signed one and the superseded ones signed before it)."""
    return [p for p in rows["treatment_plans"] if p.signed_at is not None]


def _words(*parts: Any) -> str:
    return "; ".join(str(p) for p in parts if p)


def _care_plans(client: Client, rows: Rows, complaints: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for record in signed_plans(rows):
        plan = record.plan or {}
        current = record.status == "signed"
        activities = [
            {
                "detail": {
                    "status": status("care-plan-activity-status", "not-started"),
                    "code": text(f"{item.get('technique_name') or item.get('technique')}: {item.get('muscle')}"),
                    "description": _words(*(item.get(k) for k in ("dose", "pressure", "position", "why"))),
                }
            }
            for item in plan.get("items") or []
        ] + [
            {
                "detail": {
                    "status": status("care-plan-activity-status", "not-started"),
                    "code": text(f"Home exercise: {ex.get('name') or ex.get('exercise', '')}"),
                    "description": _words(ex.get("dose"), ex.get("why")),
                }
            }
            for ex in plan.get("exercises") or []
        ]
        goals = [g.get("text") for g in plan.get("goals") or [] if g.get("text")]
        schedule = plan.get("schedule") or {}
        notes = [{"text": f"Goal: {g}"} for g in goals]
        if schedule:
            notes.append({"text": _words(schedule.get("session_frequency"), schedule.get("expected_course"))})
        notes += [{"text": f"Change from the version before: {c}"} for c in record.changes or []]
        care: dict[str, Any] = {
            "resourceType": "CarePlan",
            "id": f"plan-{record.pk}",
            "status": status("request-status", "active" if current else "revoked"),
            "intent": status("care-plan-intent", "plan"),
            "title": f"Treatment plan, version {record.version}" + ("" if current else " (superseded)"),
            "subject": _ref("Patient", client.pk),
            "encounter": _ref("Encounter", record.visit_id),
            "created": _iso(record.signed_at),
            "author": _ref("Practitioner", record.signed_by_id),
            "contributor": [_ref("Practitioner", record.created_by_id)],
        }
        if record.previous_id is not None:
            care["replaces"] = [_ref("CarePlan", f"plan-{record.previous_id}")]
        if str(record.visit_id) in complaints:
            care["addresses"] = [_ref("Condition", complaints[str(record.visit_id)])]
        if activities:
            care["activity"] = activities
        if notes:
            care["note"] = [n for n in notes if n["text"]]
        out.append(care)
    return out


def _service_request(ident: str, client: Client, reason: str, advice: str, why: str, **more: Any) -> dict[str, Any]:
    return {
        "resourceType": "ServiceRequest",
        "id": ident,
        "intent": status("request-intent", "proposal"),
        "code": text("Referral for medical assessment"),
        "subject": _ref("Patient", client.pk),
        "reasonCode": [text(reason)],
        "note": [{"text": t} for t in (advice, why) if t],
        **more,
    }


def _referrals(client: Client, rows: Rows) -> list[dict[str, Any]]:
    """A ServiceRequest for each referral of a signed plan and each one the reasoning makes now
    (an active red flag, a suspected root or bony compression on the latest pain chart)."""
    from taut.reports.pdf import referral_reasons

    out = []
    for record in signed_plans(rows):
        current = record.status == "signed"
        for n, r in enumerate((record.plan or {}).get("referrals") or [], 1):
            sources = [s for s in r.get("sources") or [] if s]
            out.append(
                _service_request(
                    f"plan-{record.pk}-referral-{n}",
                    client,
                    _words(r.get("reason"), f"urgency: {r.get('urgency')}" if r.get("urgency") else ""),
                    str(r.get("advice") or ""),
                    _words(r.get("why"), "sources: " + ", ".join(sources) if sources else ""),
                    status=status("request-status", "active" if current else "revoked"),
                    basedOn=[_ref("CarePlan", f"plan-{record.pk}")],
                    encounter=_ref("Encounter", record.visit_id),
                    authoredOn=_iso(record.signed_at),
                    requester=_ref("Practitioner", record.signed_by_id),
                )
            )
    for n, reason in enumerate(referral_reasons(client), 1):
        out.append(
            _service_request(
                f"referral-{n}",
                client,
                reason.title,
                reason.action,
                reason.why,
                status=status("request-status", "active"),
            )
        )
    return out


def resources(client: Client, rows: Rows, data: dict[str, Any]) -> list[dict[str, Any]]:
    clinic = client.clinic
    telecom = [{"system": "phone", "value": client.phone}] if client.phone else []
    telecom += [{"system": "email", "value": client.email}] if client.email else []
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(client.pk),
        "name": [{"family": client.family_name, "given": [client.given_name]}],
        "gender": GENDER[client.sex],
        "birthDate": client.date_of_birth.isoformat(),
        "managingOrganization": _ref("Organization", clinic.pk),
    }
    if telecom:
        patient["telecom"] = telecom
    if client.address:
        patient["address"] = [{"text": client.address}]
    out: list[dict[str, Any]] = [
        patient,
        {"resourceType": "Organization", "id": str(clinic.pk), "name": clinic.name},
    ]
    practitioners = {v.practitioner_id: v.practitioner for v in rows["visits"]}
    for p in signed_plans(rows):
        practitioners |= {p.signed_by_id: p.signed_by, p.created_by_id: p.created_by}
    for pid, user in sorted(practitioners.items()):
        out.append(
            {
                "resourceType": "Practitioner",
                "id": str(pid),
                "name": [{"text": user.get_full_name() or user.username}],
            }
        )
    for c in rows["consents"]:
        out.append(
            {
                "resourceType": "Consent",
                "id": str(c.pk),
                "status": "active" if c.withdrawn_at is None else "inactive",
                "scope": text("Treatment"),
                "category": [text(f"Informed consent to treatment ({c.text_id} version {c.text_version})")],
                "patient": _ref("Patient", client.pk),
                "dateTime": _iso(c.signed_at),
                "organization": [_ref("Organization", clinic.pk)],
                "policy": [{"uri": f"urn:taut:consent-text:{c.text_id}:{c.text_version}:sha256:{c.text_sha256}"}],
            }
        )
    for v in rows["visits"]:
        encounter: dict[str, Any] = {
            "resourceType": "Encounter",
            "id": str(v.pk),
            "status": ENCOUNTER_STATUS[v.status],
            "class": coding(ACT_CODE, "AMB"),
            "type": [text(v.get_kind_display())],
            "subject": _ref("Patient", client.pk),
            "participant": [{"individual": _ref("Practitioner", v.practitioner_id)}],
            "period": {"start": v.date.isoformat()},
            "serviceProvider": _ref("Organization", clinic.pk),
        }
        if v.chief_complaint:
            encounter["reasonCode"] = [text(v.chief_complaint)]
        out.append(encounter)
    conditions, complaints = _complaints(client, rows)
    out += conditions
    out += _care_plans(client, rows, complaints)
    out += _referrals(client, rows)
    out += _pain_observations(client, rows)
    out += _rom_observations(client, rows)
    out += _motion_observations(client, rows)
    out += _questionnaires(client, rows)
    out += _documents(client, rows, data)
    return out


def bundle_for(client: Client, rows: Rows, data: dict[str, Any]) -> dict[str, Any]:
    """The bundle as JSON data, after ``fhir.resources`` has validated every resource in it."""
    made = resources(client, rows, data)
    for r in made:  # FHIR ids: letters, digits, "-" and ".", at most 64
        r["id"] = re.sub(r"[^A-Za-z0-9.-]", "-", str(r["id"]))[:64]
    entries = [{"fullUrl": f"{BASE}{r['resourceType']}/{r['id']}", "resource": r} for r in made]
    bundle = Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": f"client-{client.pk}-export",
            "type": "collection",
            "timestamp": _iso(data["exported_at"]),
            "meta": {"tag": [{"display": f"FHIR {FHIR_VERSION} (R4B)"}]},
            "entry": entries,
        }
    )
    return json.loads(bundle.model_dump_json(exclude_none=True))  # type: ignore[no-any-return]
