"""Structured data for search engines: schema.org JSON-LD in a <script type="application/ld+json">.

The JSON is escaped by Django's own json_script (every <, > and & becomes a \\u escape, so no text
of the knowledge base can close the element); only the element's type is changed to the one
search engines read. The data is knowledge-base text only, never user input.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import json_script
from django.utils.safestring import mark_safe

register = template.Library()

JSON_TYPE = 'type="application/json"'
LD_TYPE = 'type="application/ld+json"'


@register.simple_tag
def ld_json(data: dict[str, Any]) -> str:
    """The data as a JSON-LD element, escaped by json_script."""
    element = str(json_script(data))
    if not element.startswith("<script") or JSON_TYPE not in element:  # json_script's own shape changed
        raise RuntimeError('django.utils.html.json_script no longer writes a <script type="application/json">')
    return mark_safe(element.replace(JSON_TYPE, LD_TYPE, 1))  # noqa: S308  # escaped by json_script above
