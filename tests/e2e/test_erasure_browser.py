"""Erasure in a real browser: the owner adds a client, opens "Request erasure", reads what will
happen, is stopped by an empty reason, then requests it; the client page says the record is held,
the contact details are gone and cannot be typed in again. The erasure page passes axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from benchmarks.browser import log_in
from benchmarks.server import DemoServer
from taut.demo import DEMO_PASSWORD
from tests.e2e.test_accessibility import violations
from tests.e2e.watch import Watcher

pytestmark = pytest.mark.e2e

NewPage = Callable[[], Any]


def test_owner_requests_erasure_and_the_contact_details_stay_erased(
    new_page: NewPage, server: DemoServer, watcher: Watcher
) -> None:
    maya = new_page()
    log_in(maya, "maya", DEMO_PASSWORD, code=lambda: server.taut("user", "code", "maya").strip())
    maya.goto("/clients/new/")
    maya.get_by_label("Given name").fill("Erin")
    maya.get_by_label("Family name").fill("Eraseme")
    maya.get_by_label("Date of birth").fill("1980-04-02")
    maya.get_by_label("Email", exact=True).fill("erin.eraseme@example.org")
    maya.get_by_label("Phone", exact=True).fill("+1 902 555 0199")
    maya.get_by_role("button", name=re.compile("^(Save|Create)")).click()
    expect(maya.get_by_role("heading", level=1)).to_have_text("Erin Eraseme")
    client_url = maya.url
    expect(maya.get_by_text("erin.eraseme@example.org")).to_be_visible()

    maya.get_by_role("link", name="Request erasure").click()
    expect(maya.get_by_role("heading", level=1)).to_have_text("Erasure of Erin Eraseme")
    expect(maya.get_by_role("heading", name="What happens")).to_be_visible()
    assert violations(maya) == []
    maya.get_by_role("button", name="Request erasure").click()  # no reason given
    expect(maya.get_by_role("heading", name="What happens")).to_be_visible()
    expect(maya.locator(".error-box, .errorlist, [role=alert]").first).to_be_visible()
    maya.goto(client_url)
    expect(maya.get_by_text("erin.eraseme@example.org")).to_be_visible()  # nothing changed

    maya.get_by_role("link", name="Request erasure").click()
    maya.get_by_label("Reason").fill("The client asked in writing on 2026-12-01")
    maya.get_by_role("button", name="Request erasure").click()
    expect(maya).to_have_url(client_url)
    expect(maya.get_by_role("status").filter(has_text="Erasure requested")).to_be_visible()
    expect(maya.get_by_text("erin.eraseme@example.org")).to_have_count(0)
    expect(maya.get_by_text("+1 902 555 0199")).to_have_count(0)

    maya.goto(client_url.rstrip("/") + "/edit/")
    maya.get_by_label("Phone", exact=True).fill("+1 902 555 0199")
    maya.get_by_role("button", name=re.compile("^Save")).click()
    expect(maya.get_by_text(re.compile("erased at the client's request"))).to_be_visible()
    maya.goto(client_url)
    expect(maya.get_by_text("+1 902 555 0199")).to_have_count(0)
    watcher.assert_clean()
