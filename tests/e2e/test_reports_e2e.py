"""The client page's report buttons in the browser: a click downloads a real PDF of that client."""

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


@pytest.mark.parametrize(
    ("button", "title"), [("Client report (PDF)", "Client report"), ("Progress report (PDF)", "Progress report")]
)
def test_report_button_downloads_the_pdf(new_page: NewPage, tmp_path: Path, button: str, title: str) -> None:
    given, family, *_ = CLIENTS["harbour-street"][1]
    leo = new_page()
    log_in(leo, "leo", DEMO_PASSWORD)
    leo.goto("/clients/")
    leo.get_by_role("link", name=f"{family}, {given}").click()
    expect(leo).to_have_url(re.compile(r"/clients/\d+/$"))
    with leo.expect_download() as download_info:
        leo.get_by_role("link", name=button).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    path = tmp_path / "report.pdf"
    download.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert title in text
    assert family in text
    assert re.search(r"Page 1 of \d+", text)
