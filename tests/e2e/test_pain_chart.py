"""The pain chart in a real browser: draw on the body, read the ranking live, file it with the visit."""

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
CLICKED = ("face-temple_l", "posterior-posterior_neck_l", "posterior-shoulder_top_l")
DRAGGED = ("posterior-occiput_l", "posterior-mastoid_l")


def _zone(path_id: str) -> str:
    return path_id.split("-", 1)[1]


def _pain_lines(page: Any) -> dict[str, str]:
    """The marks as the form will post them: zone -> the rest of its "zone:intensity:quality" line."""
    text = page.locator("textarea[name=pain]").input_value()
    script = "els => Object.fromEntries(els.map(e => [e.getAttribute('aria-label'), e.dataset.zone]))"
    ids = page.eval_on_selector_all("[data-zone]", script)  # a line names its zone by the label
    lines = [line.split(":", 1) for line in text.splitlines() if line.strip()]
    return {ids[label]: rest for label, rest in lines}


def _centre(page: Any, path_id: str) -> tuple[float, float]:
    box = page.locator(f"#{path_id}").bounding_box()
    assert box is not None, f"{path_id} is not drawn"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _open_visit(page: Any, given: str, family: str) -> str:
    """Open the client's first visit; returns the visit page's path."""
    page.goto("/clients/")
    page.get_by_role("link", name=f"{family}, {given}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{given} {family}")
    page.locator("ol.timeline a").first.click()
    expect(page).to_have_url(re.compile(r"/clients/\d+/visits/\d+/$"))
    return re.sub(r"^https?://[^/]+", "", page.url)


def test_practitioner_draws_a_pain_chart_reads_the_ranking_and_files_it(new_page: NewPage, watcher: Watcher) -> None:
    """Leo marks zones by click, drag and keyboard, sees upper trapezius ranked, its overlay and the
    red-flag stop, then saves. The visit then shows the chart's summary, and reopening the chart
    shows the saved marks highlighted.
    """
    given, family, *_ = CLIENTS["harbour-street"][1]  # Thomas Whitfield, tension-type headaches
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    visit_path = _open_visit(leo, given, family)
    leo.get_by_role("link", name="Draw the pain chart").click()
    expect(leo.get_by_role("heading", level=1)).to_have_text("Pain chart")
    assert _pain_lines(leo) == {}

    # click three zones on the face and posterior views
    for n, path_id in enumerate(CLICKED, start=1):
        leo.locator(f"#{path_id}").click()
        expect(leo.locator(f"#{path_id}")).to_have_class(re.compile(r"\bpain\b"))
        expect(leo.locator("#marks-list .mark-row")).to_have_count(n)
    assert set(_pain_lines(leo)) == {_zone(p) for p in CLICKED}
    assert _pain_lines(leo)["temple_l"] == "5"  # a new mark starts at intensity 5

    # drag across two more on the posterior view
    leo.mouse.move(*_centre(leo, DRAGGED[0]))
    leo.mouse.down()
    leo.mouse.move(*_centre(leo, DRAGGED[1]), steps=12)
    leo.mouse.up()
    for path_id in DRAGGED:
        expect(leo.locator(f"#{path_id}")).to_have_attribute("aria-pressed", "true")
    marked = set(_pain_lines(leo))
    assert {_zone(p) for p in (*CLICKED, *DRAGGED)} <= marked
    names = leo.locator("#marks-list .mark-name")
    expect(names).to_have_count(len(marked))
    expect(names).to_contain_text(["Temple (left)", "Back of the neck (left)", "Top of the shoulder (left)"])

    # the ranking follows the chart, upper trapezius near the top
    candidates = leo.locator("#ranking li.candidate")
    expect(candidates.first).to_be_visible()
    top = [t.strip() for t in candidates.locator(".candidate-head a").all_inner_texts()[:3]]
    assert "Upper trapezius" in top, top

    # one row per muscle: no muscle listed twice, each row names its sides, the why shows the cited prior
    _assert_one_row_per_muscle(leo)
    expect(leo.locator("#ranking .why").first).to_contain_text("prior")
    # the palpation order holds ranked muscles only, the first-ranked among them
    shown = leo.locator("#ranking").evaluate(  # in one go: the list is re-rendered while the chart changes
        """el => ({
            names: [...el.querySelectorAll("[data-muscle] > .candidate-head a")].map(a => a.innerText.trim()),
            palpation: el.querySelector(".palpation").innerText,
        })"""
    )
    ranked_names, palpation = shown["names"], shown["palpation"]
    assert ranked_names[0] in palpation, (ranked_names[0], palpation)
    parts = palpation.split(":", 1)[1].split(" · ")
    named = [re.sub(r"^\s*\d+\. ", "", part).rsplit(" (", 1)[0] for part in parts]
    assert named, palpation
    assert all(n.strip() in ranked_names for n in named), (named, ranked_names)

    # intensity and quality through the row's controls
    leo.get_by_label("Intensity 0 to 10 for Temple (left)").fill("8")
    leo.get_by_label("Intensity 0 to 10 for Temple (left)").press("Tab")
    leo.get_by_label("How it feels at Temple (left)").select_option("aching")
    expect(leo.locator("textarea[name=pain]")).to_have_value(re.compile(r"^Temple \(left\):8:aching$", re.M))
    expect(leo.get_by_label("Intensity 0 to 10 for Temple (left)")).to_have_value("8")

    # hovering a candidate overlays its referral pattern
    overlaid = leo.locator("[data-painchart] .overlay-essential, [data-painchart] .overlay-spillover")
    expect(overlaid).to_have_count(0)
    candidates.first.hover()
    expect(overlaid.first).to_be_attached()
    assert overlaid.count() > 0
    leo.get_by_role("heading", level=1).hover()
    expect(overlaid).to_have_count(0)

    # a red flag puts "Stop and refer" above the candidates, and goes away when unticked
    stop = leo.locator("#ranking .stop-box")
    expect(stop).to_have_count(0)
    leo.locator("summary", has_text="Red flags").click()
    flag = leo.locator("input[name=red_flags][value=thunderclap_headache]")
    flag.check()
    expect(stop).to_be_visible()
    expect(stop).to_contain_text("Stop and refer")
    expect(candidates.first).to_be_visible()
    stop_box, first_box = stop.bounding_box(), candidates.first.bounding_box()
    assert stop_box is not None
    assert first_box is not None
    assert stop_box["y"] + stop_box["height"] <= first_box["y"]
    flag.uncheck()
    expect(stop).to_have_count(0)
    expect(candidates.first).to_be_visible()

    # keyboard: Enter on a focused zone toggles it on, and again off
    heel = leo.locator("#posterior-heel_r")
    heel.focus()
    leo.keyboard.press("Enter")
    expect(heel).to_have_attribute("aria-pressed", "true")
    assert "heel_r" in _pain_lines(leo)
    leo.keyboard.press("Enter")
    expect(heel).to_have_attribute("aria-pressed", "false")
    assert set(_pain_lines(leo)) == marked

    # save: the visit shows the summary
    leo.get_by_role("button", name="Save with the visit").click()
    expect(leo).to_have_url(re.compile(re.escape(visit_path) + "$"))
    expect(leo.get_by_text("Pain chart saved with the visit.")).to_be_visible()
    summary = leo.locator("section.card", has=leo.get_by_role("heading", name="Pain chart"))
    expect(summary).to_contain_text(f"{len(marked)} marked zones")
    expect(summary.get_by_role("link", name="Upper trapezius")).to_be_visible()

    # reopen: the saved marks are highlighted and listed
    leo.get_by_role("link", name="Open the pain chart").click()
    for path_id in (*CLICKED, *DRAGGED):
        expect(leo.locator(f"#{path_id}")).to_have_class(re.compile(r"\bpain\b"))
        expect(leo.locator(f"#{path_id}")).to_have_attribute("aria-pressed", "true")
    expect(leo.locator("#posterior-heel_r")).not_to_have_class(re.compile(r"\bpain\b"))
    expect(leo.locator("#marks-list .mark-row")).to_have_count(len(marked))
    assert _pain_lines(leo)["temple_l"] == "8:aching"
    expect(leo.locator("#ranking li.candidate").first).to_be_visible()

    # the same zones on the right as well: still one row per muscle, the top rows on both sides
    for path_id in ("face-temple_r", "posterior-posterior_neck_r", "posterior-shoulder_top_r"):
        leo.locator(f"#{path_id}").click()
    expect(leo.locator("#ranking .sides").first).to_have_text(re.compile(r"left and right|both sides|either side"))
    _assert_one_row_per_muscle(leo)
    watcher.assert_clean()


def _assert_one_row_per_muscle(page: Any) -> None:
    # read in one go: the list is re-rendered while the chart changes
    muscles = page.locator("#ranking [data-muscle]").evaluate_all("els => els.map(e => e.dataset.muscle)")
    assert muscles, "the ranking lists muscles"
    assert len(muscles) == len(set(muscles)), muscles
    for sides in page.locator("#ranking li.candidate > .candidate-head .sides").all_inner_texts():
        assert re.fullmatch(r"left|right|left and right|both sides|either side", sides.strip()), sides


def test_zones_are_marked_by_keyboard_in_a_few_presses(new_page: NewPage, watcher: Watcher) -> None:
    """Each body view is one Tab stop (not every zone): Save is reached in a few dozen presses at
    most; the arrow keys move between zones of a view, Home and End to its ends, and Enter marks the
    zone in focus. The focused zone has a clearly visible ring."""
    given, family, *_ = CLIENTS["harbour-street"][7]  # read only by the other browser tests
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    _open_visit(leo, given, family)
    leo.get_by_role("link", name=re.compile("pain chart", re.I)).first.click()
    expect(leo.get_by_role("heading", level=1)).to_have_text("Pain chart")
    views = leo.locator("[data-painchart] svg")
    assert views.count() >= 2
    for i in range(views.count()):
        expect(views.nth(i).locator('[data-zone][tabindex="0"]')).to_have_count(1)

    first = views.first.locator('[data-zone][tabindex="0"]')
    first.focus()
    start = leo.evaluate("() => document.activeElement.id")
    leo.keyboard.press("ArrowDown")
    below = leo.evaluate("() => document.activeElement.id")
    assert below != start, "ArrowDown did not move to another zone"
    assert leo.evaluate("() => document.activeElement.getAttribute('tabindex')") == "0"
    assert leo.locator(f"#{start}").get_attribute("tabindex") == "-1"
    leo.keyboard.press("Enter")
    expect(leo.locator(f"#{below}")).to_have_attribute("aria-pressed", "true")
    assert _zone(below) in _pain_lines(leo)
    ring = leo.evaluate("() => parseFloat(getComputedStyle(document.activeElement).strokeWidth)")
    assert ring >= 2.5, f"the focused zone's outline is {ring}px wide: hard to see"
    leo.keyboard.press("End")
    last = leo.evaluate("() => document.activeElement.id")
    leo.keyboard.press("Home")
    assert leo.evaluate("() => document.activeElement.id") == start
    assert last != start

    presses = 0
    while presses < 60:
        leo.keyboard.press("Tab")
        presses += 1
        if leo.evaluate("() => document.activeElement.textContent.trim()") == "Save with the visit":
            break
    assert presses < 60, "Save was not reached in 60 Tab presses"
