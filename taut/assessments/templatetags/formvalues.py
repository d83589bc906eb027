"""Read a posted or saved value by its composed name (the ROM form's `motion.side.field`)."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def value_of(values: dict[str, Any], motion: str, side: str, field: str) -> Any:
    return values.get(f"{motion}.{side}.{field}", "")
