"""Treatment plans in a real browser: chart tingling in three fingers on a visit, make a plan, read
the referral (the carpal tunnel), the contraindication check and each item's why and sources; edit
it (remove a muscle, change an exercise dose), sign it and see it locked; an edit makes version 2;
sign that and start the client's home programme from it."""

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
FINGERS = ("anterior-thumb_palmar_r", "anterior-index_palmar_r", "anterior-middle_palmar_r")


def _chart_the_fingers(page: Any) -> None:
    page.get_by_role("link", name=re.compile("pain chart", re.I)).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pain chart")
    for n, path_id in enumerate(FINGERS, start=1):
        page.locator(f"#{path_id}").click()
        expect(page.locator("#marks-list .mark-row")).to_have_count(n)
    for row in page.get_by_label(re.compile(r"^How it feels at ")).all():
        row.select_option("tingling")
    expect(page.locator("textarea[name=pain]")).to_have_value(re.compile(r"Thumb \(palm side\) \(right\):\d+:tingling"))
    page.get_by_role("button", name="Save with the visit").click()
    expect(page.get_by_text("Pain chart saved with the visit.")).to_be_visible()


def test_plan_from_a_visit_edit_sign_version_2_and_home_programme(new_page: NewPage, watcher: Watcher) -> None:
    given, family, *_ = CLIENTS["harbour-street"][9]  # Hassan Yusuf: no other browser test changes him
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    leo.goto("/clients/")
    leo.get_by_role("link", name=f"{family}, {given}").click()
    leo.locator("ol.timeline a").first.click()
    expect(leo).to_have_url(re.compile(r"/clients/\d+/visits/\d+/$"))
    _chart_the_fingers(leo)

    # make the plan: the referral comes first, then the check; every item says why, with sources
    leo.get_by_role("button", name=re.compile(r"^Make (a|the) plan")).click()
    expect(leo.get_by_role("heading", level=1)).to_contain_text("Treatment plan")
    expect(leo.get_by_test_id("plan-status")).to_have_text("Draft")
    referral = leo.get_by_test_id("plan-referral")
    expect(referral).to_contain_text("Refer as well")
    expect(referral).to_contain_text("Carpal tunnel")
    expect(referral).to_contain_text("Why: the neural differential points to")
    safety = leo.get_by_test_id("plan-safety")
    expect(safety).to_contain_text("Contraindication check")
    expect(safety).to_contain_text("The check ran before the plan was made.")
    items = leo.locator("ol.plan-items > li")
    assert items.count() >= 2
    expect(items.first).to_contain_text("Why: ")
    expect(items.first).to_contain_text("Sources: ")
    expect(leo.locator("ol.plan-items > li[data-muscle=pronator_teres]")).to_have_count(1)  # the entrapment
    exercises = leo.locator("li[data-exercise]")
    assert exercises.count() >= 1
    expect(exercises.first).to_contain_text("Why: ")

    # edit the draft: remove a muscle, change an exercise dose
    removed = items.last.get_attribute("data-muscle")
    leo.get_by_label("Remove a muscle").select_option(removed)
    leo.get_by_role("button", name="Remove", exact=True).first.click()
    expect(leo.locator(f"ol.plan-items > li[data-muscle={removed}]")).to_have_count(0)
    exercise = exercises.first.get_attribute("data-exercise")
    dose_form = leo.locator("form", has=leo.get_by_label("Exercise dose"))
    dose_form.locator("select[name=exercise]").select_option(exercise)
    dose = exercises.first.inner_text().split(": ", 1)[1].split("\n", 1)[0]
    new_dose = re.sub(r"^(\d+) x", "1 x", dose) if re.match(r"^\d+ x", dose) else dose
    new_dose = new_dose.replace(new_dose.split(", ")[-1], "daily") if ", " in new_dose else new_dose
    leo.get_by_label("Exercise dose").fill(new_dose)
    leo.get_by_role("button", name="Change dose").last.click()
    expect(leo.locator(f"li[data-exercise={exercise}]")).to_contain_text(new_dose)

    # sign: locked, the start-home-programme button appears
    leo.get_by_role("button", name="Sign this plan").click()
    expect(leo.get_by_test_id("plan-status")).to_have_text("Signed")
    expect(leo.get_by_role("button", name="Sign this plan")).to_have_count(0)
    expect(leo.get_by_text("This version is signed and locked")).to_be_visible()

    # an edit of the signed plan makes version 2, a draft; version 1 stays signed in the history
    v1 = leo.url
    leo.get_by_label("Remove a muscle").select_option(index=0)
    leo.get_by_role("button", name="Remove", exact=True).first.click()
    expect(leo).not_to_have_url(v1)
    expect(leo.get_by_text(re.compile(r"version 2 ·"))).to_be_visible()
    expect(leo.get_by_test_id("plan-status")).to_have_text("Draft")
    leo.get_by_role("link", name="Version history").click()
    expect(leo.locator("body")).to_contain_text("Signed")
    leo.go_back()

    # sign version 2 and start the home programme from it
    leo.get_by_role("button", name="Sign this plan").click()
    expect(leo.get_by_test_id("plan-status")).to_have_text("Signed")
    leo.get_by_role("button", name="Start home programme from this plan").click()
    started = re.compile(r"The home programme was (started|brought up to date) from plan version 2")
    expect(leo.get_by_text(started)).to_be_visible()
    expect(leo.get_by_role("heading", level=1)).to_contain_text("Home programme of")
    expect(leo.locator(f"input[name='{exercise}.note']")).to_have_value(f"Plan dose: {new_dose}")
    expect(leo.locator(f"input[name='{exercise}.sets']")).to_have_value("1")
    watcher.assert_clean()
