"""The home programme in a real browser: the practitioner makes a programme and sends its link;
the client opens it on a 390 px phone, reads the exercise and ticks it (the page passes axe-core's
WCAG check before and after); the practitioner sees it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from benchmarks.browser import log_in
from taut.demo import CLIENTS, DEMO_PASSWORD
from tests.e2e.test_accessibility import violations
from tests.e2e.watch import PHONE, Watcher

pytestmark = pytest.mark.e2e

NewPage = Callable[[], Any]


def test_client_ticks_an_exercise_on_a_phone(new_page: NewPage, phone: Any, watcher: Watcher) -> None:
    given, family, *_ = CLIENTS["harbour-street"][3]
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    leo.goto("/clients/")
    leo.get_by_role("link", name=f"{family}, {given}").click()
    leo.get_by_role("link", name=re.compile("home programme", re.I)).click()
    expect(leo.get_by_role("heading", level=1)).to_have_text("Home programmes")
    leo.get_by_label("Chin tuck", exact=True).check()
    leo.get_by_label("Chin tuck: repetitions", exact=True).fill("8")
    leo.get_by_role("button", name="Save the programme").click()
    expect(leo.get_by_role("heading", level=1)).to_contain_text("Home programme of")
    leo.get_by_role("button", name="Send a new link").click()
    address = leo.locator("#home-url")
    expect(address).to_be_visible()
    url = address.input_value()
    assert re.search(r"/home/[A-Za-z0-9_-]{40,}/$", url), url

    phone.goto(url)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your home programme")
    card = phone.locator("#ex-chin_tuck")
    expect(card.get_by_role("heading", name="Chin tuck")).to_be_visible()
    expect(card).to_contain_text("8 repetitions")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px phone"
    assert violations(phone) == []  # WCAG 2.2 A/AA by axe-core, on the client's phone
    card.get_by_label("Pain (0 none, 10 worst)").select_option("3")
    card.get_by_label("Difficulty (0 easy, 10 could not)").select_option("2")
    card.get_by_role("button", name="Save").tap()
    expect(phone.locator("#ex-chin_tuck").get_by_role("status")).to_have_text("Done, pain 3")
    assert violations(phone) == []  # and after the tick

    leo.reload()
    expect(leo.locator("#h-adherence").locator("xpath=..")).to_contain_text("1 of 1")
    watcher.assert_clean()
