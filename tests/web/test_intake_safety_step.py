"""The intake's safety step: each question asked once, and the see-a-doctor note for the client."""

from __future__ import annotations

from typing import Any

from django.test import Client as HttpClient

from taut.intake.screen import load_screen
from tests.web.routes_intake import step_answers
from tests.web.test_intake import new_link, step_url


def test_each_question_is_asked_once() -> None:
    """No two questions of the safety step share a meaning (blood thinners, calf swelling and
    fragile bones were each asked twice)."""
    meanings = [q.meaning for q in load_screen().questions()]
    assert len(meanings) == len(set(meanings)), sorted(m for m in meanings if meanings.count(m) > 1)
    assert len({q.name for q in load_screen().questions()}) == len(meanings)


def test_weight_loss_night_pain_and_a_clot_tell_the_client_to_see_a_doctor(clinic_a: Any) -> None:
    _, token = new_link(clinic_a)
    http = HttpClient()
    answers = step_answers(
        screen__rf_unexplained_weight_loss="yes", screen__rf_night_pain_unrelieved="yes", screen__ci_blood_clot="yes"
    )
    for slug in ("contact", "health", "screen"):
        assert http.post(step_url(token, slug), answers[slug]).status_code == 302
    page = http.get(step_url(token, "pain")).content.decode()
    assert "Please see a doctor" in page
    assert "Unexplained weight loss" in page or "weight" in page.lower()


def test_no_note_when_every_answer_is_no(clinic_a: Any) -> None:
    _, token = new_link(clinic_a)
    http = HttpClient()
    answers = step_answers()
    for slug in ("contact", "health", "screen"):
        assert http.post(step_url(token, slug), answers[slug]).status_code == 302
    assert "Please see a doctor" not in http.get(step_url(token, "pain")).content.decode()
