"""The main journeys through the workbench, in Debian's chromium, against a real server."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from benchmarks.browser import log_in
from benchmarks.server import DemoServer
from taut.demo import CLIENTS, DEMO_PASSWORD
from tests.e2e.watch import Watcher

pytestmark = pytest.mark.e2e

NewPage = Callable[[], Any]


def _client_id(url: str) -> int:
    found = re.search(r"/clients/(\d+)/", url)
    assert found, f"not a client page: {url}"
    return int(found.group(1))


def _open(page: Any, path: str) -> None:
    response = page.goto(path)
    assert response is not None, path
    assert response.status == 200, path


def test_practitioner_adds_client_with_consent_and_owner_finds_both_in_audit_log(
    new_page: NewPage, server: DemoServer, watcher: Watcher
) -> None:
    """Leo adds a client and records consent; Maya, after her TOTP step, finds both creations in the audit log."""
    family = "Vasquez" + secrets.token_hex(3)
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    leo.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    leo.get_by_role("link", name="Add a client").click()
    leo.get_by_label("Given name").fill("Ingrid")
    leo.get_by_label("Family name").fill(family)
    leo.get_by_label("Date of birth").fill("1980-05-17")
    leo.get_by_label("Sex").select_option("female")
    leo.get_by_label("Health history").fill("Stiff neck after a long drive.")
    leo.get_by_role("button", name="Save").click()
    expect(leo.get_by_role("heading", level=1)).to_have_text(f"Ingrid {family}")
    expect(leo.get_by_text("no consent yet")).to_be_visible()
    client_id = _client_id(leo.url)

    leo.get_by_role("link", name="Record consent").click()
    expect(leo.get_by_label("Name of the person consenting")).to_have_value(f"Ingrid {family}")
    leo.get_by_label("How consent was given").select_option("signed_in_clinic")
    leo.get_by_label("The client has read this consent and agrees to it").check()
    leo.get_by_role("button", name="Record consent").click()
    expect(leo.get_by_text("Consent recorded.")).to_be_visible()

    leo.goto(f"/clients/{client_id}/")
    expect(leo.get_by_text("consent on file")).to_be_visible()
    consent_link = leo.get_by_role("link", name=re.compile(r"^Treatment consent, (standard|clinic) version "))
    consent_href = consent_link.get_attribute("href") or ""
    consent_id = re.fullmatch(rf"/clients/{client_id}/consents/(\d+)/", consent_href)
    assert consent_id, consent_href

    maya = new_page()
    log_in(maya, "maya", DEMO_PASSWORD, code=lambda: server.taut("user", "code", "maya").strip())
    maya.get_by_role("link", name="Audit log").click()
    expect(maya.get_by_role("heading", name="Audit log")).to_be_visible()
    maya.get_by_placeholder("Action").fill("create")
    maya.get_by_placeholder("Username").fill("leo")
    maya.get_by_role("button", name="Filter").click()
    rows = maya.locator("tbody tr")
    client_row = rows.filter(has_text=re.compile(rf"client {client_id} Ingrid {family}"))
    consent_row = rows.filter(has_text=re.compile(rf"consent {consent_id.group(1)} treatment-consent"))
    expect(client_row).to_have_count(1)
    expect(consent_row).to_have_count(1)
    for row in (client_row, consent_row):
        expect(row.locator("td").nth(1)).to_have_text("leo")
        expect(row.locator("td").nth(2)).to_have_text("create")
        expect(row).to_contain_text("success")
    watcher.assert_clean()


def test_front_desk_never_sees_health_history(new_page: NewPage, watcher: Watcher) -> None:
    """Sam (front desk) sees a client's name and visits but never the history, medications, complaint or notes.

    Leo (practitioner) opening the same page does see the history, so the check looks for the right text.
    """
    given, family, *_, physician, history, medications, complaint = CLIENTS["harbour-street"][0]
    clinical = (history, medications, physician, complaint, "Assessment and treatment as planned")
    assert all(clinical), "the demo client should have every clinical field filled in"
    sam = new_page()
    log_in(sam, "sam", DEMO_PASSWORD)
    sam.goto("/clients/")
    sam.get_by_role("link", name=f"{family}, {given}").click()
    expect(sam.get_by_role("heading", level=1)).to_have_text(f"{given} {family}")
    client_url = sam.url
    visit_links = sam.locator("ol.timeline a")
    expect(visit_links).to_have_count(4)
    pages = {client_url: sam.content()}
    for href in [a.get_attribute("href") or "" for a in visit_links.all()]:
        sam.goto(href)
        expect(sam.get_by_text("Practitioner")).to_be_visible()
        pages[href] = sam.content()
    for url, html in pages.items():
        for text in clinical:
            assert text not in html, f"front desk was shown {text!r} on {url}"

    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    leo.goto(client_url)
    expect(leo.get_by_role("region", name="Health")).to_contain_text(history)
    watcher.assert_clean()


def test_user_of_one_clinic_gets_404_for_another_clinics_client(new_page: NewPage, watcher: Watcher) -> None:
    """Leo (Harbour Street) pasting the address of a Lindenhof client gets the not-found page, without its data."""
    given, family, *_ = CLIENTS["lindenhof"][0]
    jonas = new_page()
    log_in(jonas, "jonas", DEMO_PASSWORD)
    jonas.goto("/clients/")
    jonas.get_by_role("link", name=f"{family}, {given}").click()
    expect(jonas.get_by_role("heading", level=1)).to_have_text(f"{given} {family}")
    foreign_url = jonas.url

    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    response = leo.goto(foreign_url)
    assert response is not None
    assert response.status == 404
    expect(leo.get_by_role("heading", level=1)).to_have_text("Not found")
    assert family not in leo.content()
    watcher.assert_clean()


def test_client_search_narrows_as_you_type_with_the_keyboard(new_page: NewPage, watcher: Watcher) -> None:
    """Typing in the search box swaps in matching rows without reloading; Tab and Enter open the match."""
    given, family, *_ = CLIENTS["harbour-street"][3]  # Daniel Kowalski
    priya = new_page()
    log_in(priya, "priya", DEMO_PASSWORD)
    priya.goto("/clients/")
    rows = priya.locator("#client-rows tbody tr")
    assert rows.count() > 1
    priya.evaluate("window.tautNoReload = true")

    box = priya.get_by_role("searchbox", name="Search clients")
    for _ in range(30):
        if box.evaluate("el => el === document.activeElement"):
            break
        priya.keyboard.press("Tab")
    expect(box).to_be_focused()
    priya.keyboard.type(family[:5].lower(), delay=60)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"{family}, {given}")
    expect(priya).to_have_url(re.compile(r"\?q=" + family[:5].lower()))
    assert priya.evaluate("window.tautNoReload === true"), "the page reloaded instead of swapping rows"

    link = priya.get_by_role("link", name=f"{family}, {given}")
    for _ in range(10):
        if link.evaluate("el => el === document.activeElement"):
            break
        priya.keyboard.press("Tab")
    expect(link).to_be_focused()
    priya.keyboard.press("Enter")
    expect(priya.get_by_role("heading", level=1)).to_have_text(f"{given} {family}")

    priya.go_back()
    box = priya.get_by_role("searchbox", name="Search clients")
    box.fill("")
    box.press_sequentially("zzzq", delay=60)
    expect(priya.locator("#client-rows")).to_contain_text("No clients match")
    watcher.assert_clean()


def test_pages_load_without_csp_violations_or_foreign_requests(
    new_page: NewPage, server: DemoServer, watcher: Watcher
) -> None:
    """Every page an owner and a front desk person can reach loads with no CSP violation, script error or 5xx."""
    anna = new_page()
    log_in(anna, "anna", DEMO_PASSWORD, code=lambda: server.taut("user", "code", "anna").strip())
    pages = ["/", "/clients/", "/clients/new/", "/settings/users/", "/settings/tokens/", "/audit/"]
    for path in pages:
        _open(anna, path)
    anna.goto("/clients/")
    anna.locator("#client-rows tbody a").first.click()
    client_url = anna.url
    links = anna.locator("main a[href^='/clients/']").all()
    hrefs = [h for h in (a.get_attribute("href") or "" for a in links) if not h.endswith(".pdf")]  # not downloads
    assert len(hrefs) >= 4, hrefs  # new visit, edit, visits, consent
    for href in dict.fromkeys(hrefs):
        _open(anna, href)
    anna.goto(client_url)
    elif_page = new_page()
    log_in(elif_page, "elif", DEMO_PASSWORD)
    for path in ["/", "/clients/", "/settings/tokens/"]:
        _open(elif_page, path)
    assert len(watcher.visited) > len(pages)
    watcher.assert_clean()
