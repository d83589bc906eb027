"""The intake's safety step and consent on a 390 px phone: short groups instead of one 8,264 px
page, the see-a-doctor note after answers that call for one, and the consent the client reads
is the text the clinic stores."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from benchmarks.browser import log_in
from taut.clients.consent import text_of
from taut.demo import CLIENTS, DEMO_PASSWORD
from tests.e2e.test_intake_e2e import TAPPED, NewPage, _save, answer_safety_step
from tests.e2e.test_pain_chart_figure import FINGERS
from tests.e2e.watch import Watcher

pytestmark = pytest.mark.e2e

MAX_GROUP_HEIGHT = 2_500  # the whole step was 8,264 px on one page
DOCTOR_ANSWERS = {"rf_unexplained_weight_loss": "", "rf_night_pain_unrelieved": "", "ci_blood_clot": ""}


def test_safety_step_in_short_groups_tells_the_client_to_see_a_doctor_and_the_consent_is_stored_as_shown(
    new_page: NewPage,
    phone: Any,
    watcher: Watcher,
) -> None:
    given, family, *_ = CLIENTS["harbour-street"][6]
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    leo.goto("/clients/")
    leo.get_by_role("link", name=f"{family}, {given}").click()
    client_path = re.sub(r"^https?://[^/]+", "", leo.url)
    leo.get_by_role("link", name=re.compile("intake link", re.I)).click()
    leo.get_by_role("button", name="Create the link").click()
    url = leo.locator("#intake-url").input_value()

    phone.goto(url)
    phone.get_by_role("link", name="Start").click()
    phone.locator("#id_phone").fill("+1 902 555 0142")
    phone.get_by_label("Emergency contact name").fill("Sam Doe")
    _save(phone, "Health history & medications")
    phone.get_by_label("What brings you in?").fill("Low back pain")
    _save(phone, "Safety questions")
    expect(phone.locator(".see-doctor")).to_have_count(0)

    heights: list[int] = []

    def measure(_: int) -> None:
        heights.append(phone.evaluate("document.documentElement.scrollHeight"))

    answer_safety_step(phone, DOCTOR_ANSWERS, on_group=measure)
    assert len(heights) > 1
    assert max(heights) < MAX_GROUP_HEIGHT, heights
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    _save(phone, "Pain chart")
    note = phone.locator(".see-doctor")
    expect(note).to_be_visible()
    expect(note.get_by_role("heading")).to_contain_text("Please see a doctor")
    expect(note.locator("li")).to_have_count(3)
    expect(phone.locator("textarea[name=pain]")).to_be_hidden()  # the text box is for no-script only
    phone.locator(f"#{TAPPED[0]}").tap()
    expect(phone.locator(f"#{TAPPED[0]}")).to_have_attribute("aria-pressed", "true")
    # the client's own chart has the enlarged hands too: every finger a 24 px target on the phone
    sizes = phone.locator("[data-painchart] svg.hand-inset [data-zone]").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [e.dataset.zone, r.width, r.height]; })"
    )
    fingers = {zone: (w, h) for zone, w, h in sizes if FINGERS.match(zone)}
    assert len(fingers) == 20, sorted(fingers)
    small = {zone: size for zone, size in fingers.items() if min(size) < 24}
    assert not small, f"finger targets under 24 px on the phone: {small}"
    phone.locator('svg.hand-inset [data-zone="index_palmar_r"]').tap()
    expect(phone.locator('svg[data-view="anterior"]:not(.hand-inset) [data-zone="index_palmar_r"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    _save(phone, "Wellness")
    phone.locator("input[name='hydration.fluid_intake']").first.check()
    _save(phone, "Consent")

    section = phone.locator("#consent-text")
    expect(section).to_be_visible()
    shown = text_of(section.inner_html())
    fingerprint = phone.locator("#consent-fingerprint").inner_text()
    assert hashlib.sha256(shown.encode()).hexdigest() == fingerprint
    assert "{clinic}" not in shown
    assert "**" not in shown
    assert section.inner_text().split() == shown.split()  # what the eye sees is that text
    phone.get_by_label("Your full name, as your signature").fill(f"{given} {family}")
    phone.get_by_label("I have read the consent above and agree to it").check()
    _save(phone, "Review and send")
    expect(phone.locator(".see-doctor")).to_be_visible()
    phone.get_by_role("button", name=re.compile("^Send to")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")

    leo.goto(client_path)
    leo.locator("a[href*='/consents/']:not([href$='/new/'])").first.click()
    stored = leo.locator("#consent-text")
    expect(stored).to_be_visible()
    assert text_of(stored.inner_html()) == shown
    expect(leo.locator("code.fingerprint")).to_have_text(fingerprint)
    watcher.assert_clean()
