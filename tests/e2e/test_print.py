"""Printing the clinical pages: what a practitioner gets on paper from the browser's print.

Each page is printed by Chromium itself (`page.pdf`, which applies the print stylesheet), and the
PDF is read back with poppler's pdfinfo and pdftotext: the page count, and that the navigation and
buttons are gone while the client's name and the findings stay.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from benchmarks.browser import log_in
from taut.demo import CLIENTS, DEMO_PASSWORD

pytestmark = pytest.mark.e2e

NewPage = Callable[[], Any]


def _printed(page: Any, path: Path) -> tuple[int, str]:
    """Print the page to A4 as the browser's print dialog would; returns (pages, text)."""
    page.emulate_media(media="print")
    page.pdf(path=str(path), format="A4", print_background=True)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))  # type: ignore[union-attr]
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return pages, text


def _first_visit(page: Any, given: str, family: str) -> None:
    page.goto("/clients/")
    page.get_by_role("link", name=f"{family}, {given}").click()
    page.locator("ol.timeline a").first.click()
    expect(page).to_have_url(re.compile(r"/clients/\d+/visits/\d+/$"))


def test_a_pain_chart_prints_on_two_pages_without_the_navigation(new_page: NewPage, tmp_path: Path) -> None:
    """The pain chart of a demo visit, printed: at most two A4 pages, the chart and its ranking,
    no navigation bar, no Save button, and the client's name on the paper."""
    given, family, *_ = CLIENTS["harbour-street"][7]  # a client no other browser test changes
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    _first_visit(leo, given, family)
    leo.get_by_role("link", name=re.compile("pain chart", re.IGNORECASE)).first.click()
    expect(leo.get_by_role("heading", level=1)).to_have_text("Pain chart")
    pages, text = _printed(leo, tmp_path / "chart.pdf")
    assert pages <= 2, f"the pain chart prints on {pages} pages"
    assert "Audit log" not in text, "the navigation bar is printed"
    assert "API tokens" not in text, "the navigation bar is printed"
    assert "Log out" not in text
    assert "Pain chart" in text
    assert family in text, "the client's name is not on the printed page"


def test_a_visit_prints_with_its_findings_and_without_the_buttons(new_page: NewPage, tmp_path: Path) -> None:
    """The visit page, printed: the findings stay, the navigation and the footer's links do not."""
    given, family, *_ = CLIENTS["harbour-street"][7]  # a client no other browser test changes
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    _first_visit(leo, given, family)
    pages, text = _printed(leo, tmp_path / "visit.pdf")
    assert pages <= 3, f"the visit prints on {pages} pages"
    assert "API tokens" not in text
    assert "Log out" not in text
    assert family in text
