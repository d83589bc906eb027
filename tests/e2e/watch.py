"""Listen to a Playwright page for what must never happen: CSP violations, script errors,
server errors, and requests to (or failing on) other hosts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

CSP_MARK = "taut-csp-violation:"
# Reports every securitypolicyviolation event to the console, where the watcher hears it.
CSP_LISTENER = (
    "document.addEventListener('securitypolicyviolation', function (e) {"
    f"  console.error('{CSP_MARK} ' + e.violatedDirective + ' blocked ' + e.blockedURI);"
    "});"
)


@dataclass
class Watcher:
    """What went wrong in the browser: CSP violations, script errors, 5xx, foreign or failed requests."""

    origin: str
    problems: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        page.on("request", self._request)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("framenavigated", lambda frame: self.visited.append(frame.url))

    def _console(self, message: Any) -> None:
        text = message.text
        if CSP_MARK in text or "Content Security Policy" in text:
            self.problems.append(f"CSP: {text} (on {message.location.get('url', '?')})")

    def _foreign(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob", "about"}:
            return False
        return f"{parts.scheme}://{parts.netloc}" != self.origin

    def _request(self, request: Any) -> None:
        if self._foreign(request.url):
            self.problems.append(f"request to another host: {request.url}")

    def _failed(self, request: Any) -> None:
        failure = request.failure or ""
        if self._foreign(request.url) or "ERR_ABORTED" not in failure:
            self.problems.append(f"failed request: {request.method} {request.url} ({failure})")

    def _response(self, response: Any) -> None:
        if response.status >= 500:
            self.problems.append(f"server error {response.status}: {response.url}")

    def assert_clean(self) -> None:
        assert self.problems == [], "browser problems on " + ", ".join(dict.fromkeys(self.visited))


PHONE = {"width": 390, "height": 844}  # the phone viewport of the browser tests (CSS px)
