"""The public self-care pages in a real browser on a 390 px phone, without an account: from the
directory to the index, a condition with its red flags, one of its exercises with its picture, and
on to the directory filtered on the condition. Each page fits the phone's width (no sideways
scrolling), passes the axe-core WCAG check, and triggers no CSP violation (the JSON-LD is data)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.test_accessibility import violations
from tests.e2e.watch import Watcher

pytestmark = pytest.mark.e2e


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


def _structured(page: Any) -> dict[str, Any]:
    texts = page.eval_on_selector_all('script[type="application/ld+json"]', "els => els.map(e => e.textContent)")
    assert len(texts) == 1, page.url
    data = json.loads(texts[0])
    assert isinstance(data, dict)
    return data


def _checked(page: Any) -> None:
    _fits(page)
    assert violations(page) == []
    assert page.context.cookies() == [], "a public self-care page set a cookie"
    assert page.get_by_role("link", name="Log out").count() == 0


def test_read_a_condition_and_an_exercise_on_a_phone(phone: Any, watcher: Watcher) -> None:
    phone.goto("/find/")
    phone.get_by_role("link", name=re.compile("^Self-care: home exercises")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Self-care for muscle and joint pain")
    _checked(phone)
    assert _structured(phone)["@type"] == "MedicalWebPage"

    phone.get_by_role("link", name="Whiplash-associated disorder").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Whiplash-associated disorder")
    flags = phone.locator(".selfcare-flags")
    expect(flags.get_by_role("heading", name="When to see a physician first")).to_be_visible()
    expect(flags).to_contain_text("Major trauma or a significant fall")
    expect(phone.get_by_role("heading", name="Sources")).to_be_visible()
    expect(phone.locator(".selfcare-disclaimer")).to_contain_text("do not replace an assessment")
    _checked(phone)
    assert _structured(phone)["about"]["@type"] == "MedicalCondition"

    phone.get_by_role("link", name="Chin tuck", exact=True).tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Chin tuck")
    figure = phone.get_by_role("img", name=re.compile("^Stick figure"))
    expect(figure).to_be_visible()
    assert figure.evaluate("img => img.complete && img.naturalWidth > 0"), "the stick figure did not load"
    expect(phone.locator(".selfcare-dose")).to_have_text("2 sets of 10, hold 5 seconds; several times a day.")
    expect(phone.locator(".selfcare-safety .selfcare-stop")).to_contain_text("Arm symptoms that increase")
    _checked(phone)
    how = _structured(phone)["mainEntity"]
    assert how["@type"] == "HowTo"
    assert len(how["step"]) == 3

    phone.go_back()
    phone.get_by_role("link", name=re.compile("^Find a therapist nearby who treats")).tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Find a neuromuscular therapist")
    expect(phone.get_by_label("Condition")).to_have_value("whiplash")
    watcher.assert_clean()


def test_an_unknown_exercise_is_a_404_page_on_a_phone(phone: Any, watcher: Watcher) -> None:
    answer = phone.goto("/self-care/exercises/no-such-exercise/")
    assert answer is not None
    assert answer.status == 404
    expect(phone.get_by_role("heading", level=1)).to_have_text("No such exercise")
    _fits(phone)
    assert violations(phone) == []
    phone.get_by_role("link", name="See all self-care pages").tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Self-care for muscle and joint pain")
