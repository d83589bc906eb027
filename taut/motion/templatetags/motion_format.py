"""Numbers in the movement tables, printed with the precision they carry (0.03, 1.05, 120)."""

from __future__ import annotations

import math

from django import template

register = template.Library()


@register.filter
def plain(value: object) -> str:
    """Up to three decimals, no trailing zeros: 0.03 stays 0.03 (never "0.0"), 120.0 is 120."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    if not math.isfinite(number):
        return ""
    return f"{round(number, 3):g}"
