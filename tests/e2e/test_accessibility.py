"""WCAG 2.2 A/AA checks by axe-core (the engine bundled in the PyPI package axe-playwright-python)
on every staff page of a demo client, the atlas, the login page and a client's intake page on a
phone. Any violation fails, with the rule, the element and axe's own summary of how to fix it."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from benchmarks.browser import log_in
from taut.demo import CLIENTS, DEMO_PASSWORD

pytestmark = pytest.mark.e2e

NewPage = Callable[[], Any]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SKIP = re.compile(r"\.(pdf|png|jpg|json|csv|zip)$|/(image|annotated|export|reports|video|plot)/|logout")


@cache
def _axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def violations(page: Any) -> list[str]:
    """axe-core's WCAG A/AA violations on the page as it stands, one line per element."""
    page.evaluate(_axe_source())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    out = []
    for v in result["violations"]:
        for node in v["nodes"][:3]:
            summary = " ".join(str(node.get("failureSummary", "")).split())[:240]
            out.append(f"{page.url}: {v['id']} ({v['impact']}) at {node['target']}: {summary}")
    return out


def _links(page: Any, prefix: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return sorted({h.split("#")[0] for h in hrefs if h and h.startswith(prefix) and not SKIP.search(h)})


def test_staff_pages_of_a_client_meet_wcag_aa(new_page: NewPage) -> None:
    """The client page, every page it links to, every page of one visit, the atlas and Today pass axe-core."""
    given, family, *_ = CLIENTS["harbour-street"][7]
    anon = new_page()
    anon.goto("/login/")
    found = violations(anon)
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    leo.goto("/clients/")
    leo.get_by_role("link", name=f"{family}, {given}").click()
    client = re.sub(r"^https?://[^/]+", "", leo.url)
    pages = ["/", "/clients/", "/atlas/", client, *_links(leo, client)]
    visits = [p for p in pages if re.fullmatch(r"/clients/\d+/visits/\d+/", p)]
    assert visits, "the demo client has no visit to walk"
    leo.goto(visits[0])
    pages += _links(leo, visits[0])
    walked = 0
    for path in dict.fromkeys(pages):
        response = leo.goto(path)
        if response is None or response.status != 200 or "html" not in response.headers.get("content-type", ""):
            continue
        walked += 1
        found += violations(leo)
    assert walked >= 15, f"only {walked} pages were walked"
    assert not found, "\n".join(found)


def test_the_intake_on_a_phone_meets_wcag_aa(new_page: NewPage, browser: Any, server: Any) -> None:
    """The client's intake link, its first steps, opened on a phone-sized screen, passes axe-core."""
    given, family, *_ = CLIENTS["lindenhof"][3]  # a client no other browser test sends a link to
    leo = new_page()
    log_in(leo, "jonas", DEMO_PASSWORD)
    leo.goto("/clients/")
    leo.get_by_role("link", name=f"{family}, {given}").click()
    leo.get_by_role("link", name=re.compile("intake link", re.I)).click()
    leo.get_by_role("button", name="Create the link").click()
    url = leo.locator("#intake-url").input_value()
    context = browser.new_context(base_url=server.base_url, viewport={"width": 390, "height": 844})
    try:
        phone = context.new_page()
        phone.goto(url)
        found = violations(phone)
        phone.get_by_role("link", name="Start").click()
        found += violations(phone)
    finally:
        context.close()
    assert not found, "\n".join(found)
