"""Drive Debian's chromium through Playwright: launch options and logging in to the demo.

Never downloads a browser: Playwright is pointed at /usr/bin/chromium.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Playwright, ViewportSize

CHROMIUM = Path(os.environ.get("TAUT_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}


def missing_browser() -> str:
    """Why the browser cannot run here, or "" when it can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium); browser tests need it"
    return ""


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)


def log_in(page: Page, username: str, password: str, code: Callable[[], str] | None = None) -> None:
    """Log in through the login form; `code` gives the TOTP code when the second step is asked for."""
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("domcontentloaded")
    if "/login/code/" in page.url:
        if code is None:
            raise AssertionError(f"{username} was asked for a second factor and none was given")
        page.get_by_label("6-digit code").fill(code())
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state("domcontentloaded")
    if "/login/" in page.url:
        raise AssertionError(f"{username} could not log in; still at {page.url}")
