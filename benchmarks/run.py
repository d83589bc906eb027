"""`make bench`: run the benchmarks and append their results to docs/benchmarks.md.

Each benchmark is a function that takes no arguments and returns a markdown section (starting
with a `###` heading). To add one, write the function in its own module and list it in
BENCHMARKS. Run a subset by name: `python -m benchmarks.run mixed_load`. Environment:
TAUT_BENCH_SECONDS (duration of timed runs, default 60), DATABASE_URL or
TAUT_BENCH_POSTGRES_URL (the PostgreSQL server to create temporary databases in).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import directory, export, knowledge, load, vision

Benchmark = Callable[[], str]

BENCHMARKS: list[tuple[str, Benchmark]] = [
    ("kb_load", knowledge.kb_load),
    ("reasoning", knowledge.reasoning),
    ("mixed_load", load.mixed_load),
    ("posture", vision.posture),
    ("gait", vision.gait),
    ("directory_search", directory.directory_search),
    ("client_export", export.client_export),
]

REPORT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
INTRO = """# Benchmarks

What `make bench` measured, newest last. Each entry names the machine it ran on. The numbers
are measurements, not promises: compare entries from the same machine only.
"""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


def _os() -> str:
    try:
        info = platform.freedesktop_os_release()
        name = info.get("PRETTY_NAME", platform.system())
    except OSError:
        name = platform.system()
    return f"{name}, kernel {platform.release()}"


def machine() -> str:
    from taut import __version__

    return (
        f"- Machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {_cpu_model()}, {_memory()} memory\n"
        f"- Software: Python {platform.python_version()}, {_os()}, Taut {__version__}\n"
    )


def main(argv: list[str]) -> int:
    chosen = [(name, fn) for name, fn in BENCHMARKS if not argv or name in argv]
    unknown = set(argv) - {name for name, _ in BENCHMARKS}
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(sorted(unknown))}. Known: {', '.join(n for n, _ in BENCHMARKS)}")
        return 2
    started = dt.datetime.now(dt.UTC)
    sections = []
    for name, fn in chosen:
        print(f"Running {name}…", flush=True)
        t0 = time.monotonic()
        section = fn()
        sections.append(section.rstrip() + "\n")
        print(section)
        print(f"({name} took {time.monotonic() - t0:.0f} s)", flush=True)
    entry = "\n".join([f"## {started:%Y-%m-%d %H:%M} UTC", "", machine(), *sections])
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    existing = REPORT.read_text() if REPORT.exists() else INTRO
    REPORT.write_text(existing.rstrip() + "\n\n" + entry)
    print(f"Appended to {REPORT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
