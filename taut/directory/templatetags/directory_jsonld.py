"""{% jsonld value %}: a <script type="application/ld+json"> block that user text cannot break.

The JSON is written with <, > and & (and the line separators U+2028, U+2029) as \\u escapes,
the escapes of Django's json_script, so no text can close the script element or open markup;
json_script itself only writes type="application/json", which search engines do not read as
structured data.
"""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def escaped_json(value: Any) -> str:
    """JSON with every character that could end a script element written as a \\u escape."""
    return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(ESCAPES)


@register.simple_tag
def jsonld(value: Any) -> SafeString:
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(escaped_json(value)))  # noqa: S308  # escaped above
