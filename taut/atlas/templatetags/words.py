"""Turn knowledge-base ids into the words a person reads.

A page never shows a snake_case id: a muscle, nerve or zone id becomes that entry's name in the
knowledge base, and any other id (a motion, a role) becomes plain words.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from taut.core.knowledge.loader import load_base

register = template.Library()


def _kb_name(value: str) -> str | None:
    base = load_base()
    for table in (base.muscles, base.nerves, base.zones):
        entry = table.get(value)
        name = getattr(entry, "name", None) if entry is not None else None
        if isinstance(name, str) and name:
            return name
    return None


@register.filter
def words(value: object) -> str:
    """An id in words: the KB name when there is one, else the id with spaces, first letter capital kept."""
    text = str(value)
    if "_" not in text:
        return text
    return _kb_name(text) or text.replace("_", " ").strip()


@register.filter
def words_list(values: Iterable[object], sep: str = ", ") -> str:
    """A list of ids in words, joined."""
    return sep.join(words(v) for v in values)
