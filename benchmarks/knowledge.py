"""Knowledge-base loading and pain-pattern reasoning benchmarks (pure core, no server)."""

from __future__ import annotations

import statistics
import time
import tracemalloc

from evaluation import runner
from taut.core.knowledge import queries
from taut.core.knowledge.loader import DATA_DIR, load_uncached


def kb_load(repeats: int = 5) -> str:
    """Time a cold load (parse, validate, check integrity, compile) of the whole base."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        base = load_uncached(DATA_DIR)
        times.append(time.perf_counter() - started)
    tracemalloc.start()
    load_uncached(DATA_DIR)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    counts = queries.stats(base)
    shown = ", ".join(f"{k} {v}" for k, v in counts.items() if isinstance(v, int))
    return (
        "### Knowledge base load\n\n"
        f"Version {base.version}: {shown}.\n\n"
        f"Cold load over {repeats} runs: median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms (target: well under 1 s); peak Python memory "
        f"{peak / 1024 / 1024:.1f} MiB.\n"
    )


def reasoning() -> str:
    return runner.report(repeats=20)
