"""Every staff page a person reaches from Today shows words, never snake_case ids (issue 13, item 8).

The demo is loaded (clinics with clients, visits, charts, plans, notes and home programmes), and a
crawler follows the links of the pages each role sees, from the dashboard, the way a person clicks
through: every page it reaches must answer without an error and hold no identifier in its text.
"""

from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client as HttpClient

from taut import demo
from taut.access.models import User
from taut.access.scoping import unscoped
from taut.clients.models import Client
from taut.demo import course
from tests.web.routes import FAST_HASHERS
from tests.web.test_visible_names import snake_ids

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

MAX_PAGES = 400
PER_KIND = 2  # pages of one kind (same path with other ids) read per role
# Not pages to read: leaving, downloads and media, the API, and the pages the public sees.
SKIP = re.compile(
    r"^/(logout|api/|static/|media/|find/|h/|i/|m/|self-care/)"
    r"|/(download|export|pdf|plot|frame|photo|overlay|video)\b|\.(pdf|csv|json|jpg|png|svg|zip)$"
)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for href in parser.hrefs:
        url, _ = urldefrag(href)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue  # another site, a mail link, or a relative oddity
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


def kind_of(link: str) -> str:
    """Pages of one kind: the same path with other ids (every atlas entry of a table is one kind)."""
    return re.sub(r"^(/atlas/[a-z]+/)[^/]+/$", r"\1*", re.sub(r"\d+", "N", link))


def crawl(user: User, start: tuple[str, ...] = ("/",)) -> tuple[dict[str, list[str]], dict[str, int], int]:
    http = HttpClient()
    http.force_login(user)
    seen: set[str] = set(start)
    kinds: dict[str, int] = {}
    for link in start:
        kinds[kind_of(link)] = kinds.get(kind_of(link), 0) + 1
    queue = deque(start)
    found: dict[str, list[str]] = {}
    failed: dict[str, int] = {}
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.popleft()
        response = http.get(url)
        pages += 1
        if response.status_code >= 500 or response.status_code == 404:
            failed[url] = response.status_code
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        ids = snake_ids(html)
        if ids:
            found[url] = ids
        for link in links(html):
            if link in seen or SKIP.search(link):
                continue
            seen.add(link)
            kind = kind_of(link)  # a few pages of each kind
            kinds[kind] = kinds.get(kind, 0) + 1
            if kinds[kind] <= PER_KIND:
                queue.append(link)
    return found, failed, pages


def test_links_keep_only_this_site() -> None:
    html = '<a href="/clients/1/#top">c</a><a href="https://x.org/a_b">x</a><a href="mailto:a@b">m</a>'
    assert links(html) == ["/clients/1/"]


@pytest.mark.parametrize("username", ["priya", "maya", "sam"])
def test_every_page_a_role_reaches_shows_words(username: str) -> None:
    demo.load()
    with unscoped():  # the demo's course-of-care client has plans, notes and progress to read
        clara = Client.objects.get(given_name=course.GIVEN, family_name=course.FAMILY)
    found, failed, pages = crawl(User.objects.get(username=username), ("/", f"/clients/{clara.pk}/"))
    assert failed == {}
    assert pages >= 10, "the crawler must reach the clinic's pages"
    assert found == {}
