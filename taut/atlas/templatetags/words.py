"""Turn knowledge-base ids into the words a person reads.

A page never shows a snake_case id: a muscle, nerve or zone id becomes that entry's name in the
knowledge base, and any other id (a motion, a role) becomes plain words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django import template

from taut.core.knowledge.loader import load_base

register = template.Library()


def _kb_name(value: str) -> str | None:
    base = load_base()
    zone = base.zones.get(value)
    if zone is not None:
        return zone.label  # with its side: "Temple (right)"
    for table in (base.muscles, base.nerves, base.exercises, base.conditions):
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


_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


@register.filter
def words_in(value: object) -> str:
    """A sentence with any ids in it turned into words ("Adherence ball_self_massage" -> names)."""
    return _SNAKE.sub(lambda m: words(m.group(0)), str(value))


@register.filter
def words_list(values: Iterable[object], sep: str = ", ") -> str:
    """A list of ids in words, joined."""
    return sep.join(words(v) for v in values)


_BODIES = ("Panel", "group", "Group", "Organization", "Association", "Committee", "Society", "Institute",
           "Agency", "Board", "College", "Council", "Federation", "Service")  # fmt: skip


def _family(author: str) -> str:
    """A person's family name ("Joseph M. Donnelly" -> "Donnelly"); a body's whole name."""
    parts = author.split()
    if len(parts) > 4 or any(word in author for word in _BODIES):
        return author
    return parts[-1]


def _short_cite(source_id: str) -> str:
    source = load_base().sources.get(source_id)
    if source is None:
        return words(source_id)
    family = [_family(a) for a in source.authors]
    who = f"{family[0]} et al." if len(family) > 2 else " and ".join(family)
    return f"{who} ({source.year})"


@register.filter
def cite(value: object) -> str:
    """A source id as a short citation: first author(s) and year ("Simons et al. (2019)")."""
    return _short_cite(str(value))


@register.filter
def cite_list(values: Iterable[object], sep: str = "; ") -> str:
    """Source ids as short citations, joined."""
    return sep.join(_short_cite(str(v)) for v in values)
