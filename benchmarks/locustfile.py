"""Mixed load on a demo server (security.md item 28), driven by Locust.

Each simulated person logs in through the login form (a session cookie), then browses: the
client list, search as you type (htmx fragments), client and visit pages, the API (list and get
with a bearer token), a new client now and then, and very rarely logs in again. The server
and the tokens are prepared by benchmarks/load.py, which passes them in the environment:

  TAUT_BENCH_TOKENS   JSON {"username": "bearer token", ...}
  TAUT_BENCH_RATE     requests per second each person aims at (default 7)
  TAUT_BENCH_SECONDS  how long to measure once every person has logged in (default 60)
  TAUT_BENCH_STARTUP  file to write the start-up report to (JSON: login failures during the
                      warm-up, which the statistics reset would otherwise hide, and its length)

Statistics are reset when the last person has finished logging in, and the run stops
TAUT_BENCH_SECONDS later, so the numbers describe the steady mixed load, not the ramp-up.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time

import gevent
from locust import FastHttpUser, constant_throughput, events, task
from locust.env import Environment

PASSWORD = "stretch-and-release-2026"  # noqa: S105 (the published demo password)
# Practitioners and front desk of both demo clinics (owners need a TOTP code per login).
PEOPLE = ["leo", "priya", "sam", "jonas", "elif"]
TOKENS: dict[str, str] = json.loads(os.environ.get("TAUT_BENCH_TOKENS", "{}"))
RATE = float(os.environ.get("TAUT_BENCH_RATE", "7"))
MEASURE_SECONDS = float(os.environ.get("TAUT_BENCH_SECONDS", "60"))
SEARCHES = ["a", "ro", "kow", "lin", "mac", "hu", "sch", "del", "example", "zz"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CLIENT_LINK = re.compile(r'href="/clients/(\d+)/"')
VISIT_LINK = re.compile(r'href="/clients/(\d+)/visits/(\d+)/"')

_counter = itertools.count()
_lock = threading.Lock()
_startup_failures: list[str] = []
_ready: list[str] = []
_began = time.monotonic()
_warmup: list[float] = []


def _person_ready(environment: Environment, username: str) -> None:
    """Once everyone is logged in: reset the statistics and stop MEASURE_SECONDS later."""
    with _lock:
        _ready.append(username)
        last = environment.runner is not None and len(_ready) == environment.runner.target_user_count
    if last and environment.runner is not None:
        _warmup.append(time.monotonic() - _began)
        environment.stats.reset_all()
        gevent.spawn_later(MEASURE_SECONDS, environment.runner.quit)


@events.quitting.add_listener  # type: ignore[untyped-decorator]
def _write_startup_report(environment: Environment, **kwargs: object) -> None:
    path = os.environ.get("TAUT_BENCH_STARTUP")
    if path:
        with open(path, "w") as fh:
            json.dump({"failures": _startup_failures, "warmup_seconds": _warmup[0] if _warmup else None}, fh)


def _next_person() -> str:
    with _lock:
        return PEOPLE[next(_counter) % len(PEOPLE)]


class Person(FastHttpUser):
    wait_time = constant_throughput(RATE)

    def on_start(self) -> None:
        self.username = _next_person()
        self.token = TOKENS.get(self.username, "")
        self.client_ids: list[int] = []
        self.visits: list[tuple[int, int]] = []
        if not self.log_in():
            _startup_failures.append(f"login refused for {self.username}")
        with self.client.get("/clients/", name="/clients/", catch_response=True) as response:
            self.client_ids = [int(i) for i in CLIENT_LINK.findall(response.text or "")]
            if not self.client_ids:
                response.failure("no clients listed")
                _startup_failures.append(f"no clients listed for {self.username} ({response.status_code})")
        _person_ready(self.environment, self.username)

    def log_in(self) -> bool:
        self.client.cookiejar.clear()
        page = self.client.get("/login/", name="/login/ (form)")
        found = CSRF.search(page.text or "")
        token = found.group(1) if found else ""
        with self.client.post(
            "/login/",
            data={"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD, "next": "/"},
            name="/login/ (post)",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "/login/" in (response.url or ""):
                response.failure(f"login refused for {self.username}")
                return False
        return True

    def _page(self, path: str, name: str, headers: dict[str, str] | None = None) -> str:
        """GET a web page; landing on the login form (a lost session) counts as an error."""
        with self.client.get(path, name=name, headers=headers, catch_response=True) as response:
            if "/login/" in (response.url or ""):
                response.failure(f"{self.username} was sent to the login page")
            return response.text or ""

    def _client_id(self) -> int:
        return random.choice(self.client_ids) if self.client_ids else 1

    @task(2)
    def dashboard(self) -> None:
        self._page("/", "/")

    @task(4)
    def client_list(self) -> None:
        self._page("/clients/", "/clients/")

    @task(3)
    def search(self) -> None:
        q = random.choice(SEARCHES)
        self._page(f"/clients/?q={q}", "/clients/?q= (htmx)", headers={"HX-Request": "true"})

    @task(4)
    def client_page(self) -> None:
        client_id = self._client_id()
        for pair in VISIT_LINK.findall(self._page(f"/clients/{client_id}/", "/clients/[id]/")):
            visit = (int(pair[0]), int(pair[1]))
            if visit not in self.visits:
                self.visits.append(visit)

    @task(2)
    def visit_page(self) -> None:
        if not self.visits:
            self.client_page()
            return
        client_id, visit_id = random.choice(self.visits)
        self._page(f"/clients/{client_id}/visits/{visit_id}/", "/clients/[id]/visits/[id]/")

    def _api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @task(3)
    def api_list(self) -> None:
        self.client.get("/api/v1/clients", name="/api/v1/clients", headers=self._api_headers())

    @task(3)
    def api_get(self) -> None:
        self.client.get(
            f"/api/v1/clients/{self._client_id()}", name="/api/v1/clients/[id]", headers=self._api_headers()
        )

    @task(1)
    def api_create(self) -> None:
        n = random.randrange(1_000_000)
        payload = {
            "given_name": "Load",
            "family_name": f"Test{n:06d}",
            "date_of_birth": "1990-01-01",
            "email": f"load{n}@example.org",
        }
        headers = {**self._api_headers(), "Content-Type": "application/json"}
        with self.client.post(
            "/api/v1/clients", data=json.dumps(payload), headers=headers, name="/api/v1/clients (create)",
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 201:
                response.failure(f"create answered {response.status_code}")

    @task(1)
    def log_in_again(self) -> None:
        # About one request in 25 picks this task's lottery; only 1 in 8 of those logs in again.
        if random.random() < 0.125:
            self.log_in()
        else:
            self.dashboard()
