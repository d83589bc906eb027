"""A per-address limit for the public self-care pages (a fixed window in Django's cache)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def limit() -> int:
    return int(getattr(settings, "TAUT_SELFCARE_REQUESTS_PER_MINUTE", 120))


def allow(request: HttpRequest) -> bool:
    """True while this address has made fewer than limit() self-care requests in the current minute."""
    ip = str(request.META.get("REMOTE_ADDR", ""))[:64]
    key = f"selfcare-throttle:{ip}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=70)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=70)
        count = 1
    return count <= limit()
