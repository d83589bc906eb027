"""Per-address limits for the directory's public pages, API and contact form (fixed windows in
Django's cache)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def limit() -> int:
    return int(getattr(settings, "TAUT_DIRECTORY_REQUESTS_PER_MINUTE", 60))


def messages_limit() -> int:
    """Messages one address may send to one listing in an hour."""
    return int(getattr(settings, "TAUT_DIRECTORY_MESSAGES_PER_HOUR", 5))


def allow(request: HttpRequest, bucket: str = "directory", per_window: int | None = None, window: int = 60) -> bool:
    """True while this address has made fewer than `per_window` (default limit()) requests to the
    bucket in the current window of `window` seconds; each call counts one."""
    ip = str(request.META.get("REMOTE_ADDR", ""))[:64]
    key = f"directory-throttle:{bucket}:{ip}:{window}:{int(time.time() // window)}"
    cache.add(key, 0, timeout=window + 10)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window + 10)
        count = 1
    return count <= (limit() if per_window is None else per_window)
