"""What the loader reads, before it is compiled: data files with their YAML nodes (for line numbers),
entries with their location, and the parsed directory the integrity rules check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel

from taut.core.errors import KnowledgeBaseError
from taut.core.knowledge.schema import (
    AnatomyTerm,
    Condition,
    Dermatome,
    Exercise,
    Instrument,
    MovementCurve,
    MovementFinding,
    MovementMeasure,
    MovementPattern,
    Muscle,
    Myotome,
    Nerve,
    Point,
    RedFlag,
    RomNorm,
    Source,
    SpecialTest,
    Technique,
    ViewSpec,
    WellnessDomain,
    ZoneSpec,
)

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


@dataclass(frozen=True)
class DataFile:
    """One parsed YAML file and its node tree, to map any key or item to its line."""

    name: str
    data: Any
    node: yaml.Node | None

    def line(self, loc: Sequence[str | int]) -> int | None:
        node = self.node
        if node is None:
            return None
        line: int = node.start_mark.line + 1
        for part in loc:
            found = _child(node, part)
            if found is None:
                break
            key_line, node = found
            line = key_line
        return line


def _child(node: yaml.Node, part: str | int) -> tuple[int, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if str(key.value) == str(part):
                return key.start_mark.line + 1, value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        item: yaml.Node = node.value[part]
        return item.start_mark.line + 1, item
    return None


@dataclass(frozen=True)
class Located(Generic[T]):
    """A validated item with where it came from, so later checks can point at its line."""

    item: T
    file: DataFile
    loc: Loc

    def error(self, sub: Loc, what: str, how_to_fix: str) -> KnowledgeBaseError:
        return KnowledgeBaseError(self.file.name, self.file.line(self.loc + sub), what, how_to_fix)


@dataclass
class Parsed:
    """Everything read from a data directory, before compiling."""

    semver: str
    content_hash: str
    sources: list[Located[Source]]
    zones: list[Located[ZoneSpec]]
    views: list[Located[ViewSpec]]
    shapes: dict[str, dict[str, Located[tuple[Point, ...]]]]
    nerves: list[Located[Nerve]]
    dermatomes: list[Located[Dermatome]]
    myotomes: list[Located[Myotome]]
    muscles: list[Located[Muscle]]
    conditions: list[Located[Condition]]
    rom_norms: list[Located[RomNorm]]
    techniques: list[Located[Technique]]
    exercises: list[Located[Exercise]]
    red_flags: list[Located[RedFlag]]
    special_tests: list[Located[SpecialTest]]
    files: tuple[str, ...]
    geometry_file: DataFile | None
    instruments: list[Located[Instrument]] = field(default_factory=list)
    wellness: list[Located[WellnessDomain]] = field(default_factory=list)
    movement_measures: list[Located[MovementMeasure]] = field(default_factory=list)
    movement_findings: list[Located[MovementFinding]] = field(default_factory=list)
    movement_patterns: list[Located[MovementPattern]] = field(default_factory=list)
    movement_curves: list[Located[MovementCurve]] = field(default_factory=list)
    anatomy_terms: list[Located[AnatomyTerm]] = field(default_factory=list)
    muscle_groups: list[Located[Any]] = field(default_factory=list)
    care: list[Located[Any]] = field(default_factory=list)
    precautions: list[Located[Any]] = field(default_factory=list)
