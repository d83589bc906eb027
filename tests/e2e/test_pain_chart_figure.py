"""The pain chart's body figure in a real browser: an empty chart asks for marks without an error,
the body has an outline that stands out from the page, every view says which side is which, the
legend explains the colours, the ranking sits beside the chart on desktop and tablet, and every
finger can be tapped through a target of at least 24 x 24 CSS px (WCAG 2.2, 2.5.8)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from benchmarks.browser import log_in
from benchmarks.server import DemoServer
from taut.demo import CLIENTS, DEMO_PASSWORD
from tests.e2e.test_accessibility import violations
from tests.e2e.watch import CSP_LISTENER, Watcher

pytestmark = pytest.mark.e2e

NewPage = Callable[[], Any]
FINGERS = re.compile(r"^(thumb|index|middle|ring|little)_(palmar|dorsal)_[lr]$")
SIDE_WORDS = {
    "anterior": ["Right", "Left"],
    "posterior": ["Left", "Right"],
    "face": ["Right", "Left"],
    "lateral": ["Right side", "Left side"],
}


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgb(css: str) -> tuple[float, float, float]:
    parts = re.findall(r"[\d.]+", css)
    assert len(parts) >= 3, f"not a colour: {css!r}"
    return float(parts[0]), float(parts[1]), float(parts[2])


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(_rgb(a)), _luminance(_rgb(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _new_chart(page: Any) -> None:
    """A new visit for a demo client, and its pain chart, empty."""
    given, family, *_ = CLIENTS["harbour-street"][4]
    page.goto("/clients/")
    page.get_by_role("link", name=f"{family}, {given}").click()
    page.get_by_role("link", name="New visit").click()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/clients/\d+/visits/\d+/$"))
    page.get_by_role("link", name="Draw the pain chart").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pain chart")


@pytest.fixture
def sized(browser: Any, server: DemoServer, watcher: Watcher) -> Iterator[Callable[[int], Any]]:
    """Pages logged in as the demo practitioner, at a given window width."""
    contexts: list[Any] = []

    def make(width: int) -> Any:
        context = browser.new_context(
            base_url=server.base_url, viewport={"width": width, "height": 844 if width < 500 else 800}
        )
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        watcher.attach(page)
        log_in(page, "leo", DEMO_PASSWORD)
        return page

    yield make
    for context in contexts:
        context.close()


def test_empty_chart_shows_no_error_until_it_is_submitted(new_page: NewPage, watcher: Watcher) -> None:
    """Opening an empty chart shows a hint, not "This field is required"; submitting it empty shows the error."""
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    _new_chart(leo)
    expect(leo.locator("#ranking")).to_contain_text("Mark where it hurts")
    leo.wait_for_timeout(400)  # the preview would have answered by now
    expect(leo.get_by_text(re.compile("required", re.I))).to_have_count(0)
    # one mark, then none again: the hint is back, still no error
    leo.locator("#face-temple_l").click()
    expect(leo.locator("#ranking li.candidate").first).to_be_visible()
    leo.locator("#face-temple_l").click()
    expect(leo.locator("#ranking")).to_contain_text("Mark where it hurts")
    expect(leo.get_by_text(re.compile("required", re.I))).to_have_count(0)
    # a submitted empty chart is refused, with the field's own error
    leo.get_by_role("button", name="Save with the visit").click()
    expect(leo.get_by_text(re.compile("This field is required")).first).to_be_visible()
    assert not watcher.problems, watcher.problems


def test_body_outline_side_labels_legend_and_layout(sized: Callable[[int], Any], watcher: Watcher) -> None:
    """Each view draws a body outline of at least 3:1 against its background and labels the client's
    sides; the legend names the marks and the overlay; at 1280, 1024 and 768 px the ranking starts
    beside the chart, within the first screen; the page passes axe-core."""
    page = sized(1280)
    _new_chart(page)
    chart_url = page.url
    for view, words in SIDE_WORDS.items():
        svg = page.locator(f'[data-painchart] svg.taut-bodymap[data-view="{view}"]:not(.hand-inset)')
        expect(svg).to_have_count(1)
        edges = svg.locator(".body-outline .edge")
        assert edges.count() >= 1, f"the {view} view has no body outline"
        stroke, width = edges.first.evaluate("e => [getComputedStyle(e).stroke, getComputedStyle(e).strokeWidth]")
        assert float(width.rstrip("px")) >= 2, f"the {view} outline is {width} wide"
        background = svg.evaluate("e => getComputedStyle(e.closest('figure')).backgroundColor")
        ratio = contrast(stroke, background)
        assert ratio >= 3, f"the {view} outline {stroke} on {background} is only {ratio:.2f}:1"
        labels = [t.strip() for t in svg.locator(".side-labels text").all_text_contents()]
        assert labels == words, f"the {view} view is labelled {labels}, expected {words}"
        # the outline surrounds the zones: the figure's outline box holds every zone's centre
        outside = svg.evaluate(
            """svg => {
              const box = svg.querySelector('.body-outline').getBBox();
              return [...svg.querySelectorAll('.zones [data-zone]')].filter(z => {
                const b = z.getBBox(), x = b.x + b.width / 2, y = b.y + b.height / 2;
                return x < box.x || x > box.x + box.width || y < box.y || y > box.y + box.height;
              }).map(z => z.dataset.zone);
            }"""
        )
        assert not outside, f"zones outside the {view} outline: {outside}"
    # the viewer's left of the front view is the client's right
    front = page.locator('[data-painchart] svg[data-view="anterior"]:not(.hand-inset)')
    right = front.locator('[data-zone="thigh_anterior_r"]').bounding_box()
    left = front.locator('[data-zone="thigh_anterior_l"]').bounding_box()
    assert right
    assert left
    assert right["x"] < left["x"]
    legend = page.get_by_role("list", name="What the chart's colours mean")
    for words in ("intensity 0–3", "intensity 7–10", "Referral pattern", "spillover"):
        expect(legend).to_contain_text(words)
    found = violations(page)

    for width in (1280, 1024, 768):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(chart_url)
        charts = page.locator("[data-painchart]").bounding_box()
        ranking = page.locator("#ranking").bounding_box()
        assert charts
        assert ranking
        assert ranking["x"] >= charts["x"] + charts["width"] - 1, f"at {width} px the ranking is not beside the chart"
        assert ranking["y"] < 800, f"at {width} px the ranking starts at {ranking['y']} px, below the first screen"
    assert not found, "\n".join(found)
    assert not watcher.problems, watcher.problems


@pytest.mark.parametrize("width", [390, 1280])
def test_every_finger_has_a_24_px_target(sized: Callable[[int], Any], watcher: Watcher, width: int) -> None:
    """In the enlarged hands every finger zone of both hands, palm and back, is at least 24 x 24 CSS px,
    tapping one marks the same zone on the body figure, and the page does not scroll sideways."""
    page = sized(width)
    _new_chart(page)
    zones = page.locator("[data-painchart] svg.hand-inset [data-zone]")
    sizes = zones.evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [e.dataset.zone, r.width, r.height]; })"
    )
    fingers = {zone: (w, h) for zone, w, h in sizes if FINGERS.match(zone)}
    assert len(fingers) == 20, sorted(fingers)  # five fingers, two hands, palm and back
    small = {zone: size for zone, size in fingers.items() if min(size) < 24}
    assert not small, f"finger targets under 24 px at {width} px: {small}"
    page.locator('svg.hand-inset [data-zone="index_palmar_r"]').click()
    expect(page.locator('svg[data-view="anterior"]:not(.hand-inset) [data-zone="index_palmar_r"]')).to_have_class(
        re.compile(r"\bpain\b")
    )
    expect(page.locator("textarea[name=pain]")).to_have_value(
        re.compile(r"^Index finger \(palm side\) \(right\):5$", re.M)
    )
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= inner, f"the chart is {scroll} px wide in a {inner} px window"
    assert not watcher.problems, watcher.problems
