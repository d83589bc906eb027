"""Take the README screenshots of the demo (1280x800 PNGs in docs/screenshots/).

Run: .venv/bin/python -m benchmarks.screenshots
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from benchmarks import vision
from benchmarks.browser import VIEWPORT, launch, log_in, missing_browser
from benchmarks.server import demo_server

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
DEMO_PASSWORD = "stretch-and-release-2026"  # noqa: S105 (the published demo password, as in taut/demo.py)


def intake_phone(browser: Any, page: Any, base_url: str) -> None:
    """Create an intake link for Rosa Delgado and show its first step on a phone (intake-phone.png)."""
    page.goto("/clients/")
    page.get_by_role("link", name="Delgado, Rosa").click()
    page.get_by_role("link", name="Send an intake link").click()
    page.get_by_role("button", name="Create the link").click()
    url = page.locator("#intake-url").input_value()
    phone = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True, device_scale_factor=2)  # fmt: skip
    client_page = phone.new_page()
    client_page.goto(url)
    client_page.get_by_role("link", name="Start").click()
    client_page.wait_for_load_state("networkidle")
    client_page.screenshot(path=str(OUT / "intake-phone.png"))
    phone.close()


def main() -> int:
    reason = missing_browser()
    if reason:
        print(reason, file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with demo_server() as server, sync_playwright() as playwright:
        browser = launch(playwright)
        context = browser.new_context(base_url=server.base_url, viewport=VIEWPORT)
        page = context.new_page()
        log_in(page, "maya", DEMO_PASSWORD, code=lambda: server.taut("user", "code", "maya").strip())
        page.goto("/clients/")
        page.screenshot(path=str(OUT / "client-list.png"))
        page.get_by_role("link", name="Delgado, Rosa").click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(OUT / "client-page.png"))
        page.goto("/audit/")
        page.screenshot(path=str(OUT / "audit-log.png"))
        motion = vision.screenshot_motion(page, OUT)
        intake_phone(browser, page, server.base_url)
        browser.close()
    for name in ("client-list.png", "client-page.png", "audit-log.png", "intake-phone.png"):
        print(OUT / name)
    for path in motion:
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
