"""The demo clinics: two clinics (so isolation can be seen), their teams and clients.

Loading is idempotent: a clinic that exists is left as it is, and the course-of-care client
(taut/demo/course.py) is added once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from taut.access import services as access
from taut.access import totp
from taut.access.models import Clinic, Role, User
from taut.access.scoping import clinic_scope, unscoped
from taut.audit.context import update as audit_context
from taut.clients import services as clients
from taut.clients.models import Consent, Visit
from taut.demo import course
from taut.directory import services as directory

DEMO_PASSWORD = "stretch-and-release-2026"  # noqa: S105 (the published demo password)


@dataclass(frozen=True)
class DemoLogin:
    clinic: str
    username: str
    role: str
    totp_secret: str = ""


CLINICS = [
    {
        "name": "Harbour Street Neuromuscular Therapy",
        "slug": "harbour-street",
        "city": "Halifax",
        "country": "CA",
        "team": [
            ("maya", "Maya", "Okafor", Role.OWNER, "RMT, CNMT"),
            ("leo", "Leo", "Brandt", Role.PRACTITIONER, "RMT, CMTPT"),
            ("priya", "Priya", "Nair", Role.PRACTITIONER, "LMT, NMT"),
            ("sam", "Sam", "Tremblay", Role.FRONT_DESK, ""),
        ],
        # directory listings the demo publishes: username -> the public fields
        "listings": {
            "leo": {
                "display_name": "Leo Brandt, RMT",
                "city": "Halifax",
                "postal_code": "B3J 1S9",
                "country": "CA",
                "credentials": ["rmt", "cmtpt"],
                "conditions": ["tension_type_headache", "whiplash", "neck_pain"],
                "languages": "English, French",
                "modalities": "Neuromuscular therapy, trigger point therapy",
                "accessibility": "Ground floor, step-free",
            },
        },
    },
    {
        "name": "Lindenhof Myotherapie",
        "slug": "lindenhof",
        "city": "Zürich",
        "country": "CH",
        "team": [
            ("anna", "Anna", "Keller", Role.OWNER, "Dipl. Myotherapeutin, IMTT"),
            ("jonas", "Jonas", "Meier", Role.PRACTITIONER, "Medizinischer Masseur FA"),
            ("elif", "Elif", "Demir", Role.FRONT_DESK, ""),
        ],
        "listings": {
            "jonas": {
                "display_name": "Jonas Meier",
                "city": "Zürich",
                "country": "CH",
                "credentials": ["nmt_st_john"],
                "conditions": ["tension_type_headache"],
                "languages": "Deutsch, English",
                "modalities": "Myotherapie, Triggerpunkt-Therapie",
            },
        },
    },
]

# (given, family, born, sex, occupation, physician, history, medications, complaint)
CLIENTS = {
    "harbour-street": [
        ("Rosa", "Delgado", "1984-03-12", "female", "Bus driver", "Dr. A. Chen, North End Clinic",
         "Rear-end collision 3 weeks ago; neck stiffness and headaches since. X-ray clear.", "Ibuprofen as needed",
         "Neck pain and left temple headache after whiplash"),
        ("Thomas", "Whitfield", "1971-11-02", "male", "Accountant", "Dr. M. Roy",
         "Daily tension-type headaches for 2 years; long hours at a laptop.", "",
         "Band-like headache, worse late in the day"),
        ("Aisha", "Rahman", "1992-06-25", "female", "Nurse (night shifts)", "",
         "Heel pain on first steps in the morning for 4 months; on feet 12 h a shift.", "",
         "Right plantar heel pain"),
        ("Daniel", "Kowalski", "1965-09-09", "male", "Carpenter", "Dr. S. Patel",
         "Numbness in thumb and index finger at night, right hand; grips tools all day.", "Metformin",
         "Right hand tingling at night"),
        ("Mei", "Lin", "1999-01-30", "female", "Software developer", "",
         "Jaw clicking and ache when chewing; clenches when stressed.", "",
         "Jaw pain and clicking, left side"),
        ("George", "Abbott", "1958-04-17", "male", "Retired teacher", "Dr. L. Morin",
         "Low back pain radiating to the buttock after gardening; no leg numbness.", "Atorvastatin",
         "Low back and buttock pain"),
        ("Fatima", "Haddad", "1988-12-05", "female", "Tennis coach", "",
         "Outer elbow pain gripping the racquet for 6 weeks.", "",
         "Right lateral elbow pain"),
        ("Owen", "MacLeod", "1979-07-21", "male", "Delivery driver", "",
         "Seat-belt bruise across left shoulder after a collision 2 months ago; shoulder still aches.", "",
         "Left shoulder and chest pain after seat-belt injury"),
        ("Chloe", "Bergeron", "2001-02-14", "female", "University student, runner", "",
         "Knee pain on stairs and running downhill.", "",
         "Anterior knee pain, both sides"),
        ("Hassan", "Yusuf", "1975-10-08", "male", "Warehouse supervisor", "Dr. P. Singh",
         "Pain down the back of the left leg to the calf when sitting long.", "",
         "Left buttock and posterior thigh pain"),
    ],
    "lindenhof": [
        ("Lukas", "Brunner", "1982-05-19", "male", "Architect", "Dr. med. R. Vogel",
         "Stiff neck and pain between the shoulder blades; long hours at the drawing desk.", "",
         "Interscapular pain and neck stiffness"),
        ("Sofia", "Rossi", "1990-08-03", "female", "Violinist", "",
         "Pain at the angle of the jaw and the left shoulder after practice.", "",
         "Left jaw and shoulder pain"),
        ("Matthias", "Huber", "1968-02-28", "male", "Postal worker", "Dr. med. K. Frei",
         "Ankle sprained twice last year; aching lateral ankle on uneven ground.", "",
         "Right lateral ankle pain"),
        ("Lea", "Schmid", "1995-11-11", "female", "Physiotherapy student", "",
         "Pain in the hip and the outer thigh lying on that side.", "",
         "Left lateral hip pain"),
        ("Nina", "Graf", "1987-03-07", "female", "Kindergarten teacher", "",
         "Chronic low back pain; worse lifting children.", "",
         "Low back pain"),
    ],
}  # fmt: skip


def _client_data(row: tuple[str, ...]) -> dict[str, Any]:
    given, family, born, sex, occupation, physician, history, meds, _ = row
    return {
        "given_name": given,
        "family_name": family,
        "date_of_birth": dt.date.fromisoformat(born),
        "sex": sex,
        "email": f"{given.lower()}.{family.lower()}@example.org",
        "phone": f"+1 902 555 01{len(given) + len(family):02d}",
        "occupation": occupation,
        "physician": physician,
        "health_history": history,
        "medications": meds,
        "emergency_contact_name": "Next of kin",
        "emergency_contact_phone": "+1 902 555 0199",
    }


def _slot_time(slot: int) -> dt.time:
    minutes = 9 * 60 + 75 * (slot % 8)
    return dt.time(minutes // 60, minutes % 60)


def _load_clinic(spec: dict[str, Any]) -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    with unscoped():
        existing = Clinic.objects.filter(slug=spec["slug"]).first()
    if existing is not None:
        for username, _, _, role, _ in spec["team"]:
            user = User.objects.get(username=username)
            logins.append(DemoLogin(existing.name, username, role, user.totp_secret if role == Role.OWNER else ""))
        return logins
    with transaction.atomic():
        clinic = access.do_create_clinic(
            str(spec["name"]), str(spec["slug"]), city=str(spec["city"]), country=str(spec["country"])
        )
        with clinic_scope(clinic), audit_context(clinic=clinic):
            people: list[tuple[User, str]] = []
            for username, first, last, role, creds in spec["team"]:
                profile = {"credentials": creds, "modalities": "NMT, trigger point therapy"} if creds else None
                user = access.do_create_user(
                    clinic, username, DEMO_PASSWORD, role, first_name=first, last_name=last,
                    email=f"{username}@{spec['slug']}.example.org", profile=profile,
                )  # fmt: skip
                if role == Role.OWNER:
                    user.totp_secret = totp.new_secret()
                    user.totp_confirmed = True
                    user.save(update_fields=["totp_secret", "totp_confirmed"])
                people.append((user, role))
                logins.append(DemoLogin(clinic.name, username, role, user.totp_secret))
                if username in spec.get("listings", {}):
                    listing = {"clinic_name": clinic.name, "show_clinic": "yes", **spec["listings"][username]}
                    directory.do_save_listing(clinic, user, listing)
            clinicians = [u for u, r in people if r != Role.FRONT_DESK]
            front = next((u for u, r in people if r == Role.FRONT_DESK), clinicians[0])
            today = timezone.localdate()
            slots: dict[tuple[int, dt.date], int] = {}
            for i, row in enumerate(CLIENTS[str(spec["slug"])]):
                client = clients.do_create_client(clinic, _client_data(row), Role.PRACTITIONER)
                practitioner = clinicians[i % len(clinicians)]
                clients.do_record_consent(
                    client,
                    clients.ConsentInput(
                        signed_by=client.full_name, method=Consent.Method.SIGNED_IN_CLINIC, agreed=True
                    ),
                    front,
                    Role.FRONT_DESK,
                )
                start = today - dt.timedelta(days=21 + 3 * i)
                for n, kind in enumerate([Visit.Kind.INITIAL, Visit.Kind.TREATMENT, Visit.Kind.TREATMENT]):
                    clients.do_create_visit(
                        client,
                        {
                            "date": start + dt.timedelta(days=7 * n),
                            "kind": kind,
                            "status": Visit.Status.FINISHED,
                            "chief_complaint": row[-1],
                            "notes": "Assessment and treatment as planned." if n else f"Initial assessment. {row[6]}",
                        },
                        practitioner.pk,
                        Role.PRACTITIONER,
                    )
                # Booked times: each practitioner's day fills from 09:00 in 75-minute steps (60 + 15 to change over)
                booked = [(today + dt.timedelta(days=i % 7), Visit.Kind.REASSESSMENT)]
                if i % 2 == 1:
                    booked.append((today, Visit.Kind.TREATMENT))
                for day, kind in booked:
                    slot = slots.setdefault((practitioner.pk, day), 0)
                    slots[(practitioner.pk, day)] = slot + 1
                    clients.do_create_visit(
                        client,
                        {
                            "date": day,
                            "start_time": _slot_time(slot),
                            "kind": kind,
                            "chief_complaint": row[-1],
                        },
                        practitioner.pk,
                        Role.PRACTITIONER,
                    )
    return logins


def load() -> list[DemoLogin]:
    """Create the demo clinics if they are missing; return the logins to print."""
    with audit_context(channel="demo"):
        logins = [login for spec in CLINICS for login in _load_clinic(spec)]
        course.load()
    return logins
