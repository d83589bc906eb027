"""Draw the body chart from the knowledge base inside a page.

The SVG comes from taut.core.bodymap.svg, which builds it only from knowledge-base geometry and
escapes every text it writes; no user input reaches it, which is why it may be marked safe here
(and only here: tests/lint_templates.py allows mark_safe in this one file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django import template
from django.utils.safestring import SafeString, mark_safe

from taut.core.bodymap.svg import render_hands, render_view
from taut.core.knowledge.loader import load_base

register = template.Library()


@register.simple_tag
def bodymap(view: str, highlight: Mapping[str, str] | None = None, selected: Iterable[str] = ()) -> SafeString:
    svg = render_view(load_base(), view, highlight=highlight or {}, selected=selected)
    return mark_safe(svg)  # noqa: S308 (built from reviewed geometry and escaped by the core)


@register.simple_tag
def bodymap_hands(view: str, highlight: Mapping[str, str] | None = None, selected: Iterable[str] = ()) -> SafeString:
    """The view's hands drawn large (finger-sized targets); empty for a view without hands."""
    svg = render_hands(load_base(), view, highlight=highlight or {}, selected=selected)
    return mark_safe(svg)  # noqa: S308 (built from reviewed geometry and escaped by the core)
