"""Every main staff page fits a phone (390 px) and a tablet (768 px) without sideways scrolling:
the demo practitioner walks Today, the client list, a client in care with all its visits and the
pages they link to (pain chart, range of motion, measures, posture, gait, notes, plans) and the
atlas, at each width, and no page is wider than the window."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from benchmarks.browser import log_in
from benchmarks.server import DemoServer
from taut.demo import DEMO_PASSWORD
from taut.demo.course import FAMILY, GIVEN
from tests.e2e.test_accessibility import SKIP
from tests.e2e.watch import CSP_LISTENER, Watcher

pytestmark = pytest.mark.e2e

WIDTHS = (390, 768)
# The pages the walk must reach, by the shape of their path (a missing one fails the test).
REQUIRED = {
    "Today": r"/",
    "client list": r"/clients/",
    "client": r"/clients/\d+/",
    "visit": r"/clients/\d+/visits/\d+/",
    "pain chart": r"/clients/\d+/visits/\d+/pain-chart/",
    "range of motion": r"/clients/\d+/visits/\d+/range-of-motion/",
    "measures": r"/clients/\d+/visits/\d+/measures/",
    "posture": r"/clients/\d+/visits/\d+/posture/",
    "gait": r"/clients/\d+/visits/\d+/gait/",
    "note": r"/clients/\d+/visits/\d+/notes/\d+/",
    "plans": r"/clients/\d+/plans/",
    "plan": r"/clients/\d+/plans/\d+/",
    "atlas": r"/atlas/",
    "atlas muscle": r"/atlas/muscles/[\w-]+/",
}
WIDEST = """() => {
  const w = window.innerWidth;
  return [...document.body.querySelectorAll("*")]
    .filter(el => el.getBoundingClientRect().right > w + 0.5)
    .slice(-4)
    .map(el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
      + (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : "")
      + " to " + Math.round(el.getBoundingClientRect().right) + " px");
}"""


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def sized(request: pytest.FixtureRequest, browser: Any, server: DemoServer, watcher: Watcher) -> Iterator[Any]:
    """A page of the given width, logged in as the demo practitioner."""
    width = request.param
    context = browser.new_context(
        base_url=server.base_url, viewport={"width": width, "height": 900}, is_mobile=width < 500, has_touch=True
    )
    context.set_default_timeout(10_000)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    watcher.attach(page)
    log_in(page, "leo", DEMO_PASSWORD)
    yield page
    context.close()


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _links(page: Any, pattern: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return [h.split("#")[0] for h in hrefs if h and re.match(pattern, h) and not SKIP.search(h)]


def _pages(page: Any) -> list[str]:
    """Today, the client list, the course-of-care client, everything its visits and plans link to, the atlas."""
    page.goto("/clients/")
    page.get_by_role("link", name=f"{FAMILY}, {GIVEN}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{GIVEN} {FAMILY}")
    client = _path(page.url)
    pages = ["/", "/clients/", client, *_links(page, re.escape(client))]
    for visit in [p for p in dict.fromkeys(pages) if re.fullmatch(r"/clients/\d+/visits/\d+/", p)]:
        page.goto(visit)
        pages += _links(page, re.escape(visit))
    page.goto(f"{client}plans/")
    pages += _links(page, re.escape(client) + r"plans/\d+/$")
    page.goto("/atlas/")
    pages += ["/atlas/", *_links(page, r"/atlas/muscles/")[:1]]
    return list(dict.fromkeys(pages))


def test_staff_pages_fit_phone_and_tablet_widths(sized: Any, watcher: Watcher) -> None:
    """No main staff page scrolls sideways at 390 px or 768 px: its document is no wider than the window."""
    width = sized.viewport_size["width"]
    walked: list[str] = []
    wide: list[str] = []
    for path in _pages(sized):
        response = sized.goto(path, timeout=30_000)  # the progress page draws its charts on the server
        if response is None or response.status != 200 or "html" not in response.headers.get("content-type", ""):
            continue
        sized.wait_for_load_state("load")
        walked.append(path)
        scroll, inner = sized.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if scroll > inner:
            wide.append(f"{path}: {scroll} px wide in a {inner} px window; reaching past: {sized.evaluate(WIDEST)}")
    missing = [name for name, pattern in REQUIRED.items() if not any(re.fullmatch(pattern, p) for p in walked)]
    assert not missing, f"the walk at {width} px did not reach: {', '.join(missing)} (walked {walked})"
    assert not wide, "\n".join(wide)
    assert not watcher.problems, watcher.problems
