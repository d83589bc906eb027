"""The mixed-load benchmark (security.md item 28): 50 people on `taut serve`, SQLite and PostgreSQL.

Goal: at least 300 requests/s, p95 at most 100 ms, p99 at most 250 ms and no errors, for 10
minutes on 2 cores. TAUT_BENCH_SECONDS sets the duration (default 60; the full target is 600).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.server import ServerError, demo_server, is_postgres

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
USERS = 50
SPAWN_RATE = 10  # people started per second; statistics start when all have logged in
TARGET_RPS, TARGET_P95, TARGET_P99 = 300.0, 100.0, 250.0
PEOPLE = ["leo", "priya", "sam", "jonas", "elif"]


@dataclass(frozen=True)
class Row:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


def _seconds() -> int:
    return max(10, int(os.environ.get("TAUT_BENCH_SECONDS", "60")))


def _postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return (
        url
        if is_postgres(url)
        else os.environ.get("TAUT_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0


def _read_stats(path: Path) -> list[Row]:
    rows = []
    with path.open(newline="") as fh:
        for r in csv.DictReader(fh):
            rows.append(
                Row(
                    name=(f"{r['Type']} {r['Name']}" if r["Name"] != "Aggregated" else "All requests"),
                    requests=int(r["Request Count"]),
                    failures=int(r["Failure Count"]),
                    rps=_number(r["Requests/s"]),
                    p50=_number(r["50%"]),
                    p95=_number(r["95%"]),
                    p99=_number(r["99%"]),
                )
            )
    return rows


def _failures(path: Path) -> list[str]:
    if not path.exists():
        return []
    with path.open(newline="") as fh:
        return [f"{r['Method']} {r['Name']}: {r['Error']} (×{r['Occurrences']})" for r in csv.DictReader(fh)]


def _run_locust(
    base_url: str, tokens: dict[str, str], seconds: int, out: Path
) -> tuple[list[Row], dict[str, Any], list[str]]:
    """Run Locust; return its statistics, the start-up report and the request failures."""
    startup = out / "startup-failures.txt"
    env = {
        **os.environ,
        "TAUT_BENCH_TOKENS": json.dumps(tokens),
        "TAUT_BENCH_STARTUP": str(startup),
        "TAUT_BENCH_SECONDS": str(seconds),
    }
    prefix = out / "locust"
    run_time = seconds + 180  # a safety cap: the locustfile stops `seconds` after the warm-up
    command = [
        sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", base_url,
        "--users", str(USERS), "--spawn-rate", str(SPAWN_RATE), "--run-time", f"{run_time}s", "--stop-timeout", "10",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING",
    ]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=run_time + 60, check=False)
    stats = Path(f"{prefix}_stats.csv")
    if not stats.exists():
        raise ServerError(f"locust wrote no statistics (exit {done.returncode}): {done.stderr[-2000:]}")
    if not startup.exists():
        raise ServerError(f"locust wrote no start-up report (exit {done.returncode}): {done.stderr[-2000:]}")
    report = json.loads(startup.read_text())
    if report["warmup_seconds"] is None:
        raise ServerError(f"not every person logged in within {run_time} s; nothing was measured")
    return _read_stats(stats), report, _failures(Path(f"{prefix}_failures.csv"))


def _measure(label: str, database_url: str | None, seconds: int) -> str:
    workers = os.environ.get("TAUT_BENCH_WORKERS")
    threads = os.environ.get("TAUT_BENCH_THREADS")
    with (
        tempfile.TemporaryDirectory(prefix="taut-bench-") as tmp,
        demo_server(
            database_url, workers=int(workers) if workers else None, threads=int(threads) if threads else None
        ) as server,
    ):
        tokens = {name: server.taut("token", "create", name, "--name", "load benchmark").strip() for name in PEOPLE}
        load_before = os.getloadavg()[0]
        rows, startup, failures = _run_locust(server.base_url, tokens, seconds, Path(tmp))
        load_after = os.getloadavg()[0]
    startup_failures: list[str] = startup["failures"]
    failures = startup_failures + failures
    total = next(r for r in rows if r.name == "All requests")
    errors = total.failures + len(startup_failures)
    verdict = [
        ("≥ 300 req/s", total.rps >= TARGET_RPS),
        ("p95 ≤ 100 ms", total.p95 <= TARGET_P95),
        ("p99 ≤ 250 ms", total.p99 <= TARGET_P99),
        ("0 errors", errors == 0),
    ]
    lines = [
        f"#### {label}",
        "",
        f"**{total.rps:.0f} req/s, p50 {total.p50:.0f} ms, p95 {total.p95:.0f} ms, p99 {total.p99:.0f} ms, "
        f"{errors} errors** in {total.requests} requests. "
        + " · ".join(f"{goal}: {'met' if ok else '**not met**'}" for goal, ok in verdict),
        "",
        f"Warm-up (all {USERS} people logged in) took {startup['warmup_seconds']:.0f} s and is not counted. "
        f"Load average (1 min) {load_before:.1f} before the run and {load_after:.1f} at its end; "
        "this run alone keeps about 3 processes busy, so much more means other work shared the machine.",
        "",
        "| Request | Count | Errors | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        name = f"**{r.name}**" if r.name == "All requests" else f"`{r.name}`"
        lines.append(
            f"| {name} | {r.requests} | {r.failures} | {r.rps:.1f} | {r.p50:.0f} | {r.p95:.0f} | {r.p99:.0f} |"
        )
    if failures:
        lines += ["", "Errors:", *(f"- {f}" for f in failures[:10])]
    return "\n".join(lines) + "\n"


def mixed_load() -> str:
    """Run the mixed load on SQLite and on PostgreSQL; return the markdown section."""
    seconds = _seconds()
    workers = os.environ.get("TAUT_BENCH_WORKERS", "the `taut serve` default")
    threads = os.environ.get("TAUT_BENCH_THREADS", "the `taut serve` default")
    parts = [
        f"### Mixed load: {USERS} people for {seconds} s",
        "",
        f"Locust (headless, `--csv`, FastHttpUser) with {USERS} people, each aiming at "
        f"{os.environ.get('TAUT_BENCH_RATE', '7')} requests/s: session login through the form, today page, "
        "client list, htmx search, client and visit pages, API list and get with a bearer token, an API "
        "create now and then, and a rare new login. Served by `taut serve` on 127.0.0.1 with the demo "
        f"clinics (gunicorn gthread, workers: {workers}, threads: {threads}). Statistics start once all "
        f"people have logged in ({SPAWN_RATE} people started per second, each logging in once with "
        "Argon2id); login failures during that warm-up still count as errors. "
        "**The load generator runs on the same machine and shares its cores.** "
        f"Goal ({'full run' if seconds >= 600 else 'shortened run; the full goal is 600 s'}): "
        "≥ 300 req/s, p95 ≤ 100 ms, p99 ≤ 250 ms, 0 errors.",
        "",
    ]
    for label, url in (("SQLite", None), ("PostgreSQL", _postgres_url())):
        try:
            parts.append(_measure(label, url, seconds))
        except Exception as exc:  # a database that cannot be measured is reported, not fatal
            parts.append(f"#### {label}\n\nNot measured: {type(exc).__name__}: {str(exc)[:500]}\n")
    return "\n".join(parts)
