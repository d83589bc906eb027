"""Browser journeys against a real `taut serve` (not live_server: the audit table is append-only).

One demo server per test session (per xdist worker), on SQLite in a temporary folder or, when
DATABASE_URL is PostgreSQL, in a fresh temporary database dropped at the end. Every page opened
through `new_page` is watched for Content-Security-Policy violations, script errors, server
errors and requests to other hosts; a failing test leaves screenshots in test-artifacts/.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.browser import VIEWPORT, launch, missing_browser
from benchmarks.server import DemoServer, demo_server
from tests.e2e.watch import CSP_LISTENER, PHONE, Watcher

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def server() -> Iterator[DemoServer]:
    """The demo clinics served by `taut serve --workers 1` on a free loopback port."""
    reason = missing_browser()
    if reason:
        sys.stderr.write(f"\nSkipping browser tests: {reason}\n")
        pytest.skip(reason)
    with demo_server(os.environ.get("DATABASE_URL"), workers=1) as running:
        yield running


@pytest.fixture(scope="module")
def browser(server: DemoServer) -> Iterator[Any]:
    """Chromium for one test module. Playwright's sync API keeps an asyncio loop running in this
    thread while it is open, and Django then refuses synchronous database work; the browser tests
    do none, so Django is told so for exactly as long as the loop runs (the module), and no longer:
    the other tests keep Django's check."""
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = launch(playwright)
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def watcher(server: DemoServer) -> Watcher:
    return Watcher(origin=server.base_url)


@pytest.fixture
def new_page(
    browser: Any, server: DemoServer, watcher: Watcher, request: pytest.FixtureRequest
) -> Iterator[Callable[[], Any]]:
    """Open pages, each in its own browser context (its own cookies: one person each)."""
    contexts: list[Any] = []
    pages: list[Any] = []

    def make() -> Any:
        context = browser.new_context(base_url=server.base_url, viewport=VIEWPORT)
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        watcher.attach(page)
        pages.append(page)
        return page

    problem = server.problem()
    assert not problem, problem  # an earlier test or something outside stopped the server
    yield make
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        (ARTIFACTS / f"{stem}-server.log").write_text(server.problem() or server.log_path.read_text()[-20_000:])
        for n, page in enumerate(pages):
            with contextlib.suppress(Exception):  # a crashed page must not hide the test's own failure
                page.screenshot(path=str(ARTIFACTS / f"{stem}-{n}.png"), full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def phone(browser: Any, server: DemoServer, watcher: Watcher) -> Iterator[Any]:
    """A page in a phone-sized, touch context (390 px), watched for errors and CSP violations."""
    context = browser.new_context(
        base_url=server.base_url, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    watcher.attach(page)
    yield page
    context.close()
