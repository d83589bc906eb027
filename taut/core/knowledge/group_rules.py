"""Integrity rules for muscle groups (muscle_groups.yaml): members exist, groups do not overlap,
ids are unique and every citation names a known source."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from taut.core.errors import KnowledgeBaseError
from taut.core.knowledge.schema import MuscleGroup


class _Located(Protocol):
    @property
    def item(self) -> Any: ...

    def error(self, sub: tuple[str | int, ...], what: str, how_to_fix: str) -> KnowledgeBaseError: ...


def group_rules(groups: Iterable[_Located], muscles: set[str], sources: set[str]) -> Iterator[KnowledgeBaseError]:
    """Every rule that ties muscle_groups.yaml to the rest of the base."""
    seen_ids: set[str] = set()
    owner: dict[str, str] = {}
    for located in groups:
        group: MuscleGroup = located.item
        if group.id in seen_ids:
            yield located.error(("id",), f"the group id {group.id!r} is used twice", "give each group its own id")
        seen_ids.add(group.id)
        if group.id in muscles:
            yield located.error(("id",), f"the group id {group.id!r} is also a muscle id", "rename the group")
        for i, member in enumerate(group.members):
            if member not in muscles:
                yield located.error(
                    ("members", i),
                    f"the muscle {member!r} is not in muscles/",
                    "use a file name from muscles/ (without .yaml) or add the muscle",
                )
            elif member in owner:
                yield located.error(
                    ("members", i),
                    f"{member!r} is already a member of the group {owner[member]!r}",
                    "a muscle belongs to one group at most; remove it from one of them",
                )
            else:
                owner[member] = group.id
        for i, ref in enumerate(group.sources):
            if ref.source not in sources:
                yield located.error(
                    ("sources", i, "source"),
                    f"the source {ref.source!r} is not in sources.yaml",
                    "add the source to sources.yaml, or correct the id",
                )
