"""A session note in the browser: typed text saves itself, survives a reload, and signing locks it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from benchmarks.browser import log_in
from taut.demo import CLIENTS, DEMO_PASSWORD

pytestmark = pytest.mark.e2e


def start_note(new_page: Callable[[], Any], client: int) -> Any:
    """Leo, logged in, on a new draft note of the first visit of the demo's client number `client`."""
    given, family, *_ = CLIENTS["harbour-street"][client]
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    leo.goto("/clients/")
    leo.get_by_role("link", name=f"{family}, {given}").click()
    leo.locator("ol.timeline a").first.click()
    expect(leo).to_have_url(re.compile(r"/clients/\d+/visits/\d+/$"))
    leo.get_by_role("button", name="Start a session note").click()
    expect(leo.get_by_role("heading", level=1)).to_have_text("Session note (draft)")
    return leo


def test_a_draft_saves_itself_and_is_there_after_a_reload(new_page: Callable[[], Any]) -> None:
    """Leo starts a note on a visit, types, waits for "Saved at", reloads the page: the text is there.
    Signed, the note opens read-only with the same text."""
    leo = start_note(new_page, 0)
    leo.get_by_label("What the client reports").fill("Slept better; headache only once since Tuesday")
    leo.get_by_label("Pain now (0 none, 10 worst imaginable)").fill("3")
    expect(leo.get_by_test_id("note-saved")).to_have_text(re.compile(r"^Saved at \d\d:\d\d$"), timeout=10_000)
    leo.reload()
    expect(leo.get_by_label("What the client reports")).to_have_value("Slept better; headache only once since Tuesday")
    expect(leo.get_by_label("Pain now (0 none, 10 worst imaginable)")).to_have_value("3")
    leo.get_by_label("Pain now (0 none, 10 worst imaginable)").fill("14")
    expect(leo.get_by_test_id("note-saved")).to_have_text(re.compile(r"^Not saved: "), timeout=10_000)
    leo.get_by_label("Pain now (0 none, 10 worst imaginable)").fill("3")
    expect(leo.get_by_test_id("note-saved")).to_have_text(re.compile(r"^Saved at "), timeout=10_000)
    leo.get_by_test_id("sign-note").click()
    expect(leo.get_by_role("heading", level=1)).to_have_text("Session note · Signed")
    expect(leo.get_by_test_id("note-original")).to_contain_text("Slept better; headache only once since Tuesday")


def test_a_phrase_made_from_the_note_goes_in_at_the_cursor_and_saves(new_page: Callable[[], Any]) -> None:
    """Leo types, makes a new phrase from the link under the field, comes back to the same draft,
    chooses the phrase and presses Insert: it lands where the cursor was, the draft saves itself,
    and the text is there after a reload."""
    leo = start_note(new_page, 1)
    note_url = leo.url
    reports = leo.get_by_label("What the client reports")
    reports.fill("Neck easier. Walked daily.")
    expect(leo.get_by_test_id("note-saved")).to_have_text(re.compile(r"^Saved at "), timeout=10_000)
    leo.locator(".phrase-insert").filter(has=leo.locator("a[href*='field=subjective']")).get_by_role(
        "link", name="New phrase"
    ).click()
    expect(leo.get_by_role("heading", level=1)).to_have_text("New phrase or note template")
    leo.get_by_label("Name").fill("Sleep better")
    leo.get_by_label("Phrase (for one part of the note)").fill("Sleeps through the night.")
    leo.get_by_role("button", name="Save").click()
    expect(leo).to_have_url(note_url)
    reports = leo.get_by_label("What the client reports")
    expect(reports).to_have_value("Neck easier. Walked daily.")
    reports.click()
    reports.evaluate("el => el.setSelectionRange(13, 13)")  # after "Neck easier."
    leo.get_by_test_id("phrases-subjective").select_option(label="Sleep better")
    leo.locator("[data-phrase-button='ph-subjective']").click()
    expect(reports).to_have_value("Neck easier. Sleeps through the night. Walked daily.")
    expect(leo.get_by_test_id("note-saved")).to_have_text(re.compile(r"^Saved at "), timeout=10_000)
    leo.reload()
    expect(leo.get_by_label("What the client reports")).to_have_value(
        "Neck easier. Sleeps through the night. Walked daily."
    )
