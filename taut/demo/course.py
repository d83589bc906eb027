"""The demo's course of care: one client of Harbour Street taken from intake to re-assessment.

Clara Novak fills the intake in the clinic six weeks ago (consent, health questions, the screen,
her pain marks and the wellness questions); Priya Nair assesses her (pain chart and its ranking,
Neck Disability Index, cervical range of motion), makes and signs a treatment plan, and gives her
a home programme that she ticks off on her phone most evenings with her pain and the difficulty.
Four treatment visits follow, each with a signed session note (one with an addendum), then a
re-assessment a week ago that repeats the measures (the neck index filled in by Clara on her phone
through a measures link, so it arrives scored and marked client-reported), and a visit is booked
for today.

Every record is written by the services the web uses, so each has its audit entry. Each step runs
on the day it belongs to (`on_day` sets the clock the services read), so the visits, the plan's
signature, the programme's start and the client's ticks fall on their own days; the audit entries
carry the same days, under the "demo" channel. The story is fixed (a seeded generator), and a
clinic that already has the client is left as it is.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone

from taut.access.models import Clinic, Role, User
from taut.access.scoping import clinic_scope, unscoped
from taut.assessments import links as measure_links
from taut.assessments import measures
from taut.assessments import services as assessments
from taut.audit.context import update as audit_context
from taut.clients import consent as consent_texts
from taut.clients import services as clients
from taut.clients.models import Client, Visit
from taut.homecare import services as homecare
from taut.intake import services as intake
from taut.intake.forms import CONSENT_TEXT
from taut.intake.screen import load_screen, red_flag_questions
from taut.notes import services as notes
from taut.plans import services as plans

CLINIC = "harbour-street"
PRACTITIONER = "priya"
PRAC = Role.PRACTITIONER.value
SEED = 1417

GIVEN, FAMILY = "Clara", "Novak"
COMPLAINT = "Neck and right shoulder pain with headaches, worse by the end of the working day"
CLIENT = {
    "given_name": GIVEN,
    "family_name": FAMILY,
    "date_of_birth": dt.date(1986, 9, 14),
    "sex": "female",
    "email": "clara.novak@example.org",
    "phone": "+1 902 555 0177",
    "occupation": "Graphic designer (two screens, 9 hours a day)",
    "physician": "Dr. J. Whelan, Spring Garden Clinic",
    "health_history": "",
    "medications": "",
    "emergency_contact_name": "Tomas Novak",
    "emergency_contact_phone": "+1 902 555 0178",
}

# Days before today of each step of the course
INTAKE, TREATMENTS, REASSESSMENT = 42, (35, 28, 21, 14), 7
BOOKED_TODAY = dt.time(15, 30)  # after Priya's other bookings of the demo day

# Pain charts of the first visit and the re-assessment: (zone, intensity, quality)
PAIN_FIRST = [("posterior_neck_r", 6, "aching"), ("shoulder_top_r", 6, "aching"), ("occiput_r", 5, "aching"),
              ("temple_r", 4, "throbbing"), ("posterior_neck_l", 3, "aching")]  # fmt: skip
PAIN_AGAIN = [("posterior_neck_r", 3, "aching"), ("shoulder_top_r", 2, "aching"), ("occiput_r", 2, "aching"),
              ("temple_r", 1, "throbbing"), ("posterior_neck_l", 1, "aching")]  # fmt: skip
# Neck Disability Index, ten items of 0-5: 22 of 50 at the first visit, 9 at the re-assessment
NDI_FIRST = [2, 3, 2, 2, 3, 2, 3, 2, 2, 1]
NDI_AGAIN = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0]
# Active cervical range of motion in degrees: (motion, side, first, again)
ROM = [("cervical_rotation", "right", 55, 72), ("cervical_rotation", "left", 70, 76),
       ("cervical_lateral_flexion", "right", 38, 42), ("cervical_lateral_flexion", "left", 28, 40),
       ("cervical_flexion", "midline", 45, 52)]  # fmt: skip
WELLNESS = {
    "hydration.fluid_intake": "under_1_litre",
    "stress.stress_level": "high",
    "sleep.sleep_hours": "six_to_seven",
}

# The treatment visits: pain now, before and after treatment, how it went, what was said and found
SESSIONS = [
    (5, 5, 3, "better", "Headache on 3 days this week instead of daily. Stretches done most evenings.",
     "Neck a little easier to turn to the right after treatment.",
     "Tenderness eased with compression; tolerating moderate pressure. Keep the home programme as it is."),
    (4, 4, 2, "better", "Slept through most nights. Ache builds by 4 pm on long screen days.",
     "Right upper trapezius band less ropey; referral to the temple reproduced only faintly.",
     "Responding well. Add a screen break every 45 minutes; monitor raised to eye level at work."),
    (4, 4, 2, "same", "A deadline week: 11-hour days, the ache came back on two evenings.",
     "Trigger point in the right levator scapulae active again; rotation right 64 degrees.",
     "Setback with workload, not with treatment. Same plan; talk through pacing on deadline days."),
    (3, 3, 1, "better", "One mild headache all week. Stretches feel easy now.",
     "Upper trapezius latent only; levator scapulae tender without referral.",
     "Close to the plan's goals. Re-assess next week: neck index, range of motion and the pain chart."),
]  # fmt: skip
NOTE_MUSCLES = ("upper_trapezius", "levator_scapulae", "splenius_cervicis")  # palpated at each treatment
ADDENDUM = (
    "Client phoned the day after: mild headache that evening, gone by morning; no new symptoms.",
    "Information received after the note was signed.",
)


class _Clock:
    """The time the services read while a step runs: a fixed moment that moves on one millisecond
    a reading, so records made in one step keep their order."""

    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        self.moment += dt.timedelta(milliseconds=1)
        return self.moment


@contextmanager
def on_day(day: dt.date, at: dt.time) -> Iterator[None]:
    """Run the enclosed services as if it were `at` o'clock on `day` in the clinic's time zone."""
    real: Callable[[], dt.datetime] = timezone.now
    timezone.now = _Clock(timezone.make_aware(dt.datetime.combine(day, at)))
    try:
        yield
    finally:
        timezone.now = real


def intake_answers() -> dict[str, dict[str, Any]]:
    """The intake as Clara fills it in the clinic: every screen question answered "no"."""
    screen = {f"ci_{item.id}": "no" for item in load_screen().items}
    screen.update({f"rf_{fid}": "no" for fid, _ in red_flag_questions()})
    pain = "\n".join(f"{zone}:{intensity}:{quality}" for zone, intensity, quality in PAIN_FIRST)
    return {
        "contact": {k: str(CLIENT[k]) for k in ("given_name", "family_name", "date_of_birth", "sex", "phone", "email")},
        "health": {
            "reason": COMPLAINT,
            "health_history": "Neck and shoulder ache for 3 months, with headaches at the back of the head and "
            "the right temple most afternoons. Two screens at work. No injury, no numbness or tingling.",
            "medications": "Acetaminophen 500 mg on headache days",
            "physician": str(CLIENT["physician"]),
        },
        "screen": screen,
        "pain": {"pain": pain},
        "wellness": dict(WELLNESS),
        "consent": {
            "consent_version": consent_texts.load(CONSENT_TEXT).version,
            "signed_by": f"{GIVEN} {FAMILY}",
            "relationship": "self",
            "agreed": "on",
        },
    }


def _chart(marks: list[tuple[str, int, str]]) -> dict[str, Any]:
    return {"pain": [{"zone": z, "intensity": i, "quality": q} for z, i, q in marks]}


def _rom(index: int) -> list[dict[str, Any]]:
    return [{"motion": m, "side": s, "active": values[index]} for m, s, *values in ROM]


def _note(visit: Visit, user: User, data: dict[str, Any]) -> Any:
    note = notes.do_start_note(visit, user, PRAC)
    notes.do_save_draft(note, data, user, PRAC)
    return notes.do_sign_note(note, user, PRAC)


def _assess(visit: Visit, user: User, index: int) -> None:
    """The measures of the first visit (index 0) or of the re-assessment (index 1)."""
    assessments.do_save_pain_chart(visit, _chart(PAIN_AGAIN if index else PAIN_FIRST), user, PRAC)
    if index:  # before the re-assessment the client filled the neck index on her phone, by link
        link, _token = measure_links.do_send_link(visit, ["ndi"], user, PRAC, days=2)
        measure_links.do_open(link)
        measure_links.do_submit(link, {"ndi": NDI_AGAIN})
    else:
        measures.do_record_measure(visit, "ndi", NDI_FIRST, user, PRAC)
    assessments.do_save_rom(visit, _rom(index), user, PRAC)


def _ticks(link: Any, exercises: list[str], start: dt.date, today: dt.date, rng: random.Random) -> None:
    """Most evenings since the programme began, the client's ticks with her pain and difficulty."""
    days = (today - start).days
    for n in range(1, days):
        day = start + dt.timedelta(days=n)
        progress = n / days  # 0 at the start, 1 today
        if rng.random() > (0.9 if progress < 0.5 else 0.75):  # an evening she did not open the link
            continue
        pain = max(0, min(10, round(6 - 4 * progress + rng.choice((-1, 0, 0, 1)))))
        difficulty = max(1, min(10, round(6 - 3 * progress + rng.choice((-1, 0, 1)))))
        with on_day(day, dt.time(20, 30)):
            for exercise in exercises:
                done = rng.random() < 0.88
                homecare.do_record_adherence(link, exercise, day, done, pain, difficulty if done else None)


def _visit(client: Client, user: User, day: dt.date, kind: str, **extra: Any) -> Visit:
    data = {"date": day, "kind": kind, "chief_complaint": COMPLAINT, **extra}
    return clients.do_create_visit(client, data, user.pk, PRAC)


def _course(clinic: Clinic, user: User, today: dt.date) -> Client:
    rng = random.Random(SEED)  # noqa: S311 (a fixed story, not a secret)
    ago = {n: today - dt.timedelta(days=n) for n in (INTAKE, *TREATMENTS, REASSESSMENT)}
    with on_day(ago[INTAKE], dt.time(10, 0)):
        client = clients.do_create_client(clinic, dict(CLIENT), PRAC)
        submission, checked = intake.do_submit_in_clinic(client, intake_answers(), user, PRAC)
        if submission is None:
            raise ValueError(f"the demo intake does not pass its own checks: {checked.errors()}")
        first = submission.visit
        _assess(first, user, 0)
        clients.do_update_visit(
            first,
            {"status": Visit.Status.FINISHED, "notes": "Initial assessment: intake reviewed, chart, NDI and ROM."},
            PRAC,
        )
        record = plans.do_sign_plan(plans.do_create_plan(first, user, PRAC), user, PRAC)
        plan = plans.plan_of(record)
        exercises = [e.exercise for e in plan.exercises[:3]]
        programme = homecare.do_create_programme(
            client,
            [{"exercise": e} for e in exercises],
            user,
            PRAC,
            notes="Every evening after work; stop any exercise that brings on the headache.",
            plan_id=record.pk,
        )
        link, _ = homecare.do_send_link(programme, user, PRAC, days=homecare.MAX_DAYS)
    muscles = [m for m in NOTE_MUSCLES if m in {item.muscle for item in plan.items}] or [plan.items[0].muscle]
    for n, (days, session) in enumerate(zip(TREATMENTS, SESSIONS, strict=True)):
        now, before, after, change, said, found, assessment = session
        with on_day(ago[days], dt.time(10, 15)):
            visit = _visit(client, user, ago[days], Visit.Kind.TREATMENT, status=Visit.Status.FINISHED)
            note = _note(
                visit,
                user,
                {
                    "pain_now": now,
                    "pain_before": before,
                    "pain_after": after,
                    "change_since_last": change,
                    "subjective": said,
                    "home_care": "Home programme: " + ", ".join(e.name for e in plan.exercises[:3]),
                    "trigger_points": [
                        {
                            "muscle": m,
                            "side": "right",
                            "kind": "active" if k <= 1 - n // 3 else "latent",
                            "twitch": k == 0 and n < 2,
                            "referral": k == 0 and n < 3,
                            "taut_band": True,
                        }
                        for k, m in enumerate(muscles)
                    ],
                    "rom_retests": [
                        {"motion": "Cervical rotation", "side": "right", "degrees": 58 + 4 * n, "note": ""}
                    ],
                    "objective": found,
                    "techniques": [
                        {"muscle": m, "technique": "Ischemic compression", "pressure": "moderate", "minutes": 8}
                        for m in muscles
                    ],
                    "assessment": assessment,
                    "plan": "Next session in a week; home programme unchanged.",
                },
            )
        if n == 1:
            with on_day(ago[days] + dt.timedelta(days=1), dt.time(9, 0)):
                notes.do_add_addendum(note, *ADDENDUM, user, PRAC)
    with on_day(ago[REASSESSMENT], dt.time(10, 15)):
        visit = _visit(client, user, ago[REASSESSMENT], Visit.Kind.REASSESSMENT, status=Visit.Status.FINISHED)
        _assess(visit, user, 1)
        _note(
            visit,
            user,
            {
                "pain_now": 2,
                "pain_before": 2,
                "pain_after": 1,
                "change_since_last": "better",
                "subjective": "Headaches now rare; the neck aches only after very long screen days.",
                "objective": "Re-assessment: neck index, range of motion and pain chart repeated.",
                "assessment": "Better on the neck index beyond its smallest important change; rotation to the right "
                "near the norm.",
                "plan": "Every two weeks for two more sessions, then as needed; keep the home programme.",
            },
        )
    _ticks(link, exercises, ago[INTAKE], today, rng)
    _visit(client, user, today, Visit.Kind.TREATMENT, start_time=BOOKED_TODAY)
    return client


def load() -> None:
    """Add the course-of-care client to the demo clinic unless the clinic already has her."""
    with unscoped():
        clinic = Clinic.objects.filter(slug=CLINIC).first()
    if clinic is None:
        return
    user = User.objects.get(username=PRACTITIONER)
    with clinic_scope(clinic), audit_context(clinic=clinic, user=user):
        if Client.objects.filter(given_name=GIVEN, family_name=FAMILY).exists():
            return
        with transaction.atomic():
            _course(clinic, user, timezone.localdate())
