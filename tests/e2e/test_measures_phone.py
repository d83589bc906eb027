"""Outcome measures on the client's phone, in a real browser: the practitioner sends the Neck
Disability Index from the client page; the client opens the link on a 390 px phone, is stopped
with a clear message on a half-filled form, then sends it complete; the score lands on the
client's page marked as client-reported. Both phone pages pass axe-core's WCAG A/AA checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from benchmarks.browser import log_in
from taut.demo import CLIENTS, DEMO_PASSWORD
from tests.e2e.test_accessibility import violations
from tests.e2e.watch import Watcher

pytestmark = pytest.mark.e2e

NewPage = Callable[[], Any]
PHONE = {"width": 390, "height": 844}
NDI = ["Pain intensity", "Personal care", "Lifting", "Reading", "Headaches",
       "Concentration", "Work", "Driving", "Sleeping", "Recreation"]  # fmt: skip
ANSWERS = [2, 1, 3, 0, 2, 1, 2, 1, 3, 1]  # sum 16 of 50: moderate


def answer(page: Any, upto: int) -> None:
    for n, (label, value) in enumerate(zip(NDI[:upto], ANSWERS[:upto], strict=True), 1):
        page.get_by_role("group", name=f"{n}. {label}").get_by_label(str(value), exact=True).check()


def test_client_fills_the_ndi_on_a_phone(new_page: NewPage, phone: Any, watcher: Watcher) -> None:
    given, family, *_ = CLIENTS["harbour-street"][3]
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    leo.goto("/clients/")
    leo.get_by_role("link", name=f"{family}, {given}").click()
    client_page = leo.url
    leo.get_by_role("link", name="Send outcome measures to phone").click()
    expect(leo.get_by_role("heading", level=1)).to_have_text("Send outcome measures to the client's phone")
    leo.get_by_label("Neck Disability Index", exact=True).check()
    leo.get_by_role("button", name="Send to phone").click()
    url = leo.locator("#measures-url").input_value()
    assert re.search(r"/m/[A-Za-z0-9_-]{40,}/$", url), url

    phone.goto(url)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Before your visit")
    found = violations(phone)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a {PHONE['width']} px phone"
    answer(phone, 4)
    phone.get_by_role("button", name="Send my answers").tap()
    alert = phone.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was sent yet")
    expect(alert).to_contain_text("answer every question")
    found += violations(phone)
    # what was chosen is kept; the rest is filled and sent
    expect(phone.get_by_role("group", name="1. Pain intensity").get_by_label("2", exact=True)).to_be_checked()
    answer(phone, len(NDI))
    phone.get_by_role("button", name="Send my answers").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you")
    found += violations(phone)
    assert not found, "\n".join(found)

    leo.goto(client_page)
    table = leo.locator("table.measure-history", has_text="Neck Disability Index")
    expect(table).to_contain_text("client-reported")
    expect(table).to_contain_text(str(sum(ANSWERS)))
    phone.goto(url)
    expect(phone.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    watcher.assert_clean()
