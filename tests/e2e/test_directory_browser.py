"""The public directory in a real browser: a practitioner publishes a listing from the profile page,
then someone without an account searches a postal code near it, finds it with its distance and
opens its page; withdrawing it makes the page answer 410 and the search lose it. The public pages
pass the axe-core WCAG check."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from benchmarks.browser import log_in
from taut.demo import DEMO_PASSWORD
from tests.e2e.test_accessibility import violations
from tests.e2e.watch import PHONE, Watcher

pytestmark = pytest.mark.e2e

NewPage = Callable[[], Any]


def test_publish_search_open_and_withdraw(new_page: NewPage, watcher: Watcher) -> None:
    priya = new_page()
    log_in(priya, "priya", DEMO_PASSWORD)
    priya.goto("/settings/profile/")
    priya.get_by_role("link", name=re.compile("publish a listing", re.I)).click()
    priya.get_by_label("Name shown").fill("Priya Nair, LMT")
    priya.get_by_label("City", exact=True).fill("Halifax")
    priya.get_by_label("Postal code", exact=True).fill("B3H 2Y9")
    priya.get_by_label("Country (two letters)").fill("CA")
    priya.get_by_role("checkbox", name=re.compile("Licensed Massage Therapist")).check()
    priya.get_by_role("button", name="Save and publish").click()
    expect(priya.get_by_text("Your listing is published.")).to_be_visible()

    public = new_page()  # no login
    public.goto("/find/")
    assert violations(public) == []
    public.get_by_label("ZIP code, postal code or city").fill("B3J 1S9")
    public.get_by_role("button", name="Search").click()
    results = public.locator(".directory-results li")
    found = results.filter(has_text="Priya Nair, LMT")
    expect(found).to_have_count(1)
    expect(found.locator(".distance")).to_have_text(re.compile(r"^\d+\.\d km$"))
    assert violations(public) == []
    found.get_by_role("link").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Priya Nair, LMT")
    expect(public.get_by_text(re.compile("Licensed Massage Therapist"))).to_be_visible()
    listing_url = public.url
    assert public.get_by_role("link", name="Log out").count() == 0  # no staff chrome on public pages
    assert violations(public) == []

    priya.goto("/directory/listing/")
    priya.get_by_role("button", name="Withdraw my listing").click()
    expect(priya.get_by_text("Your listing is withdrawn: it is no longer public.")).to_be_visible()
    gone = public.goto(listing_url)
    assert gone is not None
    assert gone.status == 410
    public.goto("/find/?near=B3J+1S9&radius=25&unit=km")
    expect(public.locator(".directory-results li").filter(has_text="Priya Nair, LMT")).to_have_count(0)
    watcher.assert_clean()


def _wider_than_the_phone(page: Any) -> list[str]:
    return page.evaluate(
        """() => [...document.body.querySelectorAll("*")]
          .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
          .slice(-3).map(el => el.tagName.toLowerCase() + "." + (el.className || "") + " to "
            + Math.round(el.getBoundingClientRect().right) + " px")"""
    )


def test_the_search_results_and_a_listing_fit_a_phone(phone: Any, watcher: Watcher) -> None:
    """At 390 px the search form (with its credential list), the results and a listing's page do not
    scroll sideways, the filters are reachable, and each page passes axe-core."""
    for path in ("/find/", "/find/?near=B3H+2Y9&radius=25&unit=km"):
        phone.goto(path)
        scroll = phone.evaluate("document.documentElement.scrollWidth")
        assert scroll <= PHONE["width"], f"{path} is {scroll} px wide: {_wider_than_the_phone(phone)}"
        expect(phone.get_by_label("ZIP code, postal code or city")).to_be_visible()
        assert violations(phone) == []
    found = phone.locator(".directory-results li").filter(has_text="Leo Brandt, RMT")
    expect(found).to_have_count(1)
    found.get_by_role("link").first.tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Leo Brandt, RMT")
    scroll = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll <= PHONE["width"], f"the listing is {scroll} px wide: {_wider_than_the_phone(phone)}"
    assert violations(phone) == []
    watcher.assert_clean()
