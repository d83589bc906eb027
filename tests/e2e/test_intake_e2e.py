"""The client intake in a real browser: the practitioner sends a link, the client fills every step
on a phone (tapping the body chart), and the practitioner then sees the red flag."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from benchmarks.browser import log_in
from taut.demo import CLIENTS, DEMO_PASSWORD
from tests.e2e.watch import Watcher

pytestmark = pytest.mark.e2e

NewPage = Callable[[], Any]
PHONE = {"width": 390, "height": 844}
TAPPED = ("posterior-posterior_neck_l", "posterior-shoulder_top_l")
RED_FLAG = "night_pain_unrelieved"
RED_FLAG_NAME = "Night pain not eased by rest or position"


def _save(page: Any, next_heading: str) -> None:
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(next_heading)


def answer_safety_step(page: Any, yes: dict[str, str], on_group: Callable[[int], None] | None = None) -> None:
    """Answer the safety step group by group, as a client does: "yes" to the named questions (and
    their detail, when the value is not empty), "no" to every other question on the screen, a
    follow-up when it appears after a "yes"; "Next questions" after each group and "Save and
    continue" after the last. Only one group is on the screen at a time, and saving is offered
    only on the last."""
    groups = page.locator("[data-screen-group]")
    count = groups.count()
    assert count > 1, "the safety step is not in groups"
    save = page.get_by_role("button", name="Save and continue")
    asked: set[str] = set()
    for n in range(count):
        group = groups.nth(n)
        expect(group).to_be_visible()
        expect(page.locator("[data-screen-group]:visible")).to_have_count(1)
        if n < count - 1:
            expect(save).to_be_hidden()
        if on_group is not None:
            on_group(n)
        while True:
            open_ = [fs for fs in group.locator("fieldset:visible").all() if fs.locator("input[type=radio]").count()]
            open_ = [fs for fs in open_ if not fs.locator("input[type=radio]:checked").count()]
            if not open_:
                break
            name = open_[0].locator("input[type=radio]").first.get_attribute("name")
            asked.add(name)
            answer = "yes" if name in yes else "no"
            open_[0].locator(f"input[value={answer}]").check()
            detail = group.locator(f"[data-detail-for={name}]").locator("input:not([type=radio]), select, textarea")
            if answer == "yes" and yes[name]:
                field = detail.first
                expect(field).to_be_visible()
                if field.evaluate("el => el.tagName") == "SELECT":
                    field.select_option(yes[name])
                else:
                    field.fill(yes[name])
        if n < count - 1:
            group.get_by_role("button", name="Next questions").click()
    missing = set(yes) - asked
    assert not missing, f"never asked: {missing}"
    expect(save).to_be_visible()


def test_client_fills_the_intake_on_a_phone_and_the_practitioner_sees_the_red_flag(
    new_page: NewPage, phone: Any, watcher: Watcher
) -> None:
    """Leo creates a link on the client's page and copies its address; the client opens it on a
    phone, fills the six steps (tapping two areas of the body chart and answering yes to night pain),
    reviews and sends. The link then no longer opens, and Leo's client page shows "intake received"
    with the red flag and the stop-and-refer box."""
    given, family, *_ = CLIENTS["harbour-street"][8]  # Chloe Bergeron
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    leo.goto("/clients/")
    leo.get_by_role("link", name=f"{family}, {given}").click()
    expect(leo.get_by_role("heading", level=1)).to_have_text(f"{given} {family}")
    client_path = re.sub(r"^https?://[^/]+", "", leo.url)
    leo.get_by_role("link", name=re.compile("intake link", re.I)).click()
    leo.get_by_label("Valid for (days)").fill("3")
    leo.get_by_role("button", name="Create the link").click()
    address = leo.locator("#intake-url")
    expect(address).to_be_visible()
    url = address.input_value()
    assert re.search(r"/intake/[A-Za-z0-9_-]{40,}/$", url), url

    # the client, on a phone
    phone.goto(url)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Before your first visit")
    phone.get_by_role("link", name="Start").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Contact details")
    expect(phone.get_by_label("Given name")).to_have_value(given)  # known details are filled in
    phone.locator("#id_phone").fill("+1 902 555 0117")
    phone.get_by_label("Emergency contact name").fill("Luc Bergeron")
    _save(phone, "Health history & medications")

    # another browser is refused and sees nothing of the draft; the phone, coming back to the
    # link from another site (an e-mail app), is led back to its form
    other = phone.context.browser.new_context()
    stranger = other.new_page()
    stranger.goto(url)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("This link is in use in another browser")
    assert "Bergeron" not in stranger.content()
    other.close()
    phone.goto(f"data:text/html,<a id=back href='{url}'>back to the form</a>")
    phone.locator("#back").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Before your first visit")
    phone.goto(url.rstrip("/") + "/health/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Health history & medications")
    phone.get_by_label("What brings you in?").fill("Knee pain on stairs, worse at night")
    phone.get_by_label("Medications and supplements").fill("none")
    _save(phone, "Safety questions")
    answer_safety_step(phone, {f"rf_{RED_FLAG}": "", "ci_allergies": "almond oil"})
    _save(phone, "Pain chart")
    for path_id in TAPPED:
        phone.locator(f"#{path_id}").tap()
        expect(phone.locator(f"#{path_id}")).to_have_attribute("aria-pressed", "true")
    expect(phone.locator("#marks-list .mark-row")).to_have_count(len(TAPPED))
    lines = phone.locator("textarea[name=pain]").input_value()
    labels = {phone.locator(f"#{p}").get_attribute("aria-label") for p in TAPPED}
    assert {line.split(":")[0] for line in lines.splitlines()} == labels
    _save(phone, "Wellness")
    phone.locator("input[name='hydration.fluid_intake']").first.check()
    _save(phone, "Consent")
    phone.get_by_label("Your full name, as your signature").fill(f"{given} {family}")
    phone.get_by_label("I have read the consent above and agree to it").check()
    _save(phone, "Review and send")
    expect(phone.locator(".see-doctor")).to_contain_text(RED_FLAG_NAME)  # told to see a doctor
    named = phone.get_by_text(RED_FLAG_NAME)  # in that note and in the summary of the answers
    expect(named).to_have_count(2)
    for item in named.all():
        expect(item).to_be_visible()
    phone.get_by_role("button", name=re.compile("^Send to")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
    phone.goto(url)
    expect(phone.get_by_role("heading", level=1)).to_have_text("This link cannot be used")

    # back at the clinic
    leo.goto(client_path)
    panel = leo.locator("section.intake-panel")
    expect(panel).to_contain_text("intake received")
    expect(panel.locator(".stop-box")).to_contain_text(RED_FLAG_NAME)
    expect(panel).to_contain_text("almond oil")
    leo.goto("/")
    expect(leo.locator("section.intake-banner")).to_contain_text(RED_FLAG_NAME)
    watcher.problems = [p for p in watcher.problems if "404" not in p]  # the used link's page is a 404 on purpose
    watcher.assert_clean()
