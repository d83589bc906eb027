"""Load the knowledge-base data files into a frozen, indexed :class:`KnowledgeBase`.

Every problem is reported with the file, the line, what is wrong and how to fix it.
Loading is cached: call :func:`load_base` as often as you like.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from taut.core.errors import InvalidKnowledgeBaseError, KnowledgeBaseError
from taut.core.knowledge.group_rules import group_rules
from taut.core.knowledge.queries import normalise
from taut.core.knowledge.schema import (
    LIST_FILES,
    MOVEMENT_KEYS,
    MOVEMENT_VIEWS,
    Condition,
    Dermatome,
    Exercise,
    Instrument,
    KnowledgeBase,
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
    Shape,
    Side,
    Source,
    SpecialTest,
    Technique,
    View,
    ViewSpec,
    WellnessDomain,
    Zone,
    ZoneSpec,
)

DATA_DIR = Path(__file__).parent / "data"
SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

try:  # the C loader is much faster; fall back to pure Python where it is missing
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,unused-ignore]
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


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
    muscle_groups: list[Located[Any]] = field(default_factory=list)


# ------------------------------------------------------------------ public API


@functools.lru_cache(maxsize=4)
def load_base(data_dir: Path | None = None) -> KnowledgeBase:
    """The knowledge base from ``data_dir`` (default: the bundled data), cached."""
    return load_uncached(data_dir or DATA_DIR)


def load_uncached(data_dir: Path) -> KnowledgeBase:
    """Read, validate, check and compile a data directory. Raises InvalidKnowledgeBaseError."""
    errors: list[KnowledgeBaseError] = []
    parsed = parse_dir(Path(data_dir), errors)
    if errors:
        raise InvalidKnowledgeBaseError(errors)
    errors.extend(check_integrity(parsed))
    if errors:
        raise InvalidKnowledgeBaseError(errors)
    return compile_base(parsed)


def content_hash(data_dir: Path) -> str:
    """Short sha256 over every data file's relative path and bytes."""
    digest = hashlib.sha256()
    for path in _data_paths(data_dir):
        digest.update(path.relative_to(data_dir).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:12]


def _data_paths(data_dir: Path) -> list[Path]:
    paths = [p for p in data_dir.rglob("*") if p.is_file() and (p.suffix == ".yaml" or p.name == "VERSION")]
    return sorted(paths, key=lambda p: p.relative_to(data_dir).as_posix())


# ---------------------------------------------------------------- reading files


def read_yaml(path: Path, name: str, errors: list[KnowledgeBaseError]) -> DataFile | None:
    """Parse one file; on a syntax error record where and return None."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        errors.append(KnowledgeBaseError(name, None, f"is not UTF-8 text ({exc.reason})", "save the file as UTF-8"))
        return None
    try:
        node, data = _parse(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = f"is not valid YAML: {exc.problem or exc.context}"
        errors.append(
            KnowledgeBaseError(
                name,
                line,
                what,
                "check the indentation (two spaces, no tabs), the colons after keys and the dashes"
                " before list items on and just above this line; quote text that contains ': ' or '#'",
            )
        )
        return None
    if node is not None:
        errors.extend(_duplicate_keys(name, node))
    return DataFile(name, data, node)


def _parse(text: str) -> tuple[yaml.Node | None, Any]:
    """Compose the node tree (for line numbers) and build the data from it in one pass."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def _duplicate_keys(name: str, node: yaml.Node) -> Iterator[KnowledgeBaseError]:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if str(key.value) in seen:
                yield KnowledgeBaseError(
                    name,
                    key.start_mark.line + 1,
                    f"the key {key.value!r} appears twice in the same block",
                    "keep one of them; YAML would silently use the last",
                )
            seen.add(str(key.value))
            yield from _duplicate_keys(name, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _duplicate_keys(name, item)


def how_to_fix(error_type: str, field: str, msg: str) -> str:
    """Advice for one pydantic error, in the curator's terms."""
    advice = {
        "missing": f"add the key `{field}` to this entry",
        "extra_forbidden": f"remove the key `{field}` or correct its spelling (see docs/knowledge-base.md)",
        "string_pattern_mismatch": (
            "use a spinal root such as C5, T10, L4 or S1"
            if "roots" in field or field == "root"
            else "use a snake_case id: lowercase letters, digits and single underscores, starting"
            " with a letter (for example `upper_trapezius`)"
            if field in {"id", "source", "nerve", "muscle", "parent", "kind"} or field.isdigit()
            else "correct the text so it matches the required form"
        ),
        "too_short": (
            "add at least one citation: `- {source: <id from sources.yaml>, locator: <chapter/page>}`"
            if field == "sources"
            else "add at least one item to this list"
        ),
        "enum": "use one of the allowed values listed in the message",
        "literal_error": "use one of the allowed values listed in the message",
        "date_from_datetime_parsing": "write the date as YYYY-MM-DD",
        "date_parsing": "write the date as YYYY-MM-DD",
        "int_parsing": "write a whole number",
        "float_parsing": "write a number",
        "tuple_type": "write a list (`[a, b]` or one `- item` per line)",
        "model_type": "write a block of `key: value` lines here",
        "string_type": "write plain text here (quote it if it starts with a special character)",
        "value_error": "correct the entry as the message says",
    }
    return advice.get(error_type, f"correct the value so that: {msg}")


def validate_item(
    model: type[M], raw: Any, file: DataFile, loc: Loc, errors: list[KnowledgeBaseError]
) -> Located[M] | None:
    """Validate one entry against its model, turning each problem into a located error."""
    try:
        return Located(model.model_validate(raw), file, loc)
    except ValidationError as exc:
        for err in exc.errors():
            sub = tuple(err["loc"])
            field = next((str(p) for p in reversed(sub) if isinstance(p, str)), "")
            if sub and isinstance(sub[-1], int):
                field = field or str(sub[-1])
            path = ".".join(str(p) for p in sub) or "entry"
            value = err.get("input")
            got = f" (found {value!r})" if isinstance(value, str | int | float) and err["type"] != "missing" else ""
            errors.append(
                KnowledgeBaseError(
                    file.name,
                    file.line(loc + sub),
                    f"{_describe(raw, loc)} `{path}`: {err['msg']}{got}",
                    how_to_fix(err["type"], field, err["msg"]),
                )
            )
        return None


def _describe(raw: Any, loc: Loc) -> str:
    ident = raw.get("id") or raw.get("root") if isinstance(raw, dict) else None
    where = f"entry {ident!r}" if ident else "entry " + ".".join(str(p) for p in loc)
    return where


def _list_items(file: DataFile, key: str, errors: list[KnowledgeBaseError]) -> Iterator[tuple[Loc, dict[str, Any]]]:
    """The items of the top-level list ``key``, with defaults (sources) applied."""
    data = file.data
    if not isinstance(data, dict) or not isinstance(data.get(key), list):
        errors.append(
            KnowledgeBaseError(
                file.name,
                file.line(()),
                f"the file must be a mapping with a list under `{key}:`",
                f"start the file with `{key}:` and write one `- id: ...` entry per item below it",
            )
        )
        return
    allowed = {key, "defaults"} | ({"dermatomes", "myotomes"} if key in {"dermatomes", "myotomes"} else set())
    for extra in sorted(set(data) - allowed) if key != "myotomes" else ():
        errors.append(
            KnowledgeBaseError(
                file.name,
                file.line((extra,)),
                f"unknown top-level key `{extra}`",
                f"remove it; this file holds `{key}` (and optional `defaults`)",
            )
        )
    defaults = data.get("defaults") or {}
    for index, raw in enumerate(data[key]):
        loc: Loc = (key, index)
        if not isinstance(raw, dict):
            errors.append(
                KnowledgeBaseError(
                    file.name,
                    file.line(loc),
                    f"item {index} of `{key}` is not a `key: value` block",
                    "write each entry as `- id: ...` followed by its indented keys",
                )
            )
            continue
        item = dict(raw)
        if "sources" not in item and isinstance(defaults, dict) and "sources" in defaults:
            item["sources"] = defaults["sources"]
        yield loc, item


def _load_list(
    data_dir: Path, filename: str, errors: list[KnowledgeBaseError], required: bool, files: list[str]
) -> list[Located[Any]]:
    key, model = LIST_FILES[filename]
    path = data_dir / filename
    if not path.exists():
        if required:
            errors.append(
                KnowledgeBaseError(filename, None, "the file is missing", f"create {filename} with a `{key}:` list")
            )
        return []
    files.append(filename)
    file = read_yaml(path, filename, errors)
    if file is None:
        return []
    out: list[Located[Any]] = []
    for loc, raw in _list_items(file, key, errors):
        located = validate_item(model, raw, file, loc, errors)
        if located is not None:
            out.append(located)
    return out


def _load_dermatomes(
    data_dir: Path, errors: list[KnowledgeBaseError], files: list[str]
) -> tuple[list[Located[Dermatome]], list[Located[Myotome]]]:
    path = data_dir / "dermatomes.yaml"
    if not path.exists():
        errors.append(KnowledgeBaseError("dermatomes.yaml", None, "the file is missing", "restore dermatomes.yaml"))
        return [], []
    files.append("dermatomes.yaml")
    file = read_yaml(path, "dermatomes.yaml", errors)
    if file is None:
        return [], []
    derm = [
        d
        for loc, raw in _list_items(file, "dermatomes", errors)
        if (d := validate_item(Dermatome, raw, file, loc, errors)) is not None
    ]
    myo: list[Located[Myotome]] = []
    if isinstance(file.data, dict) and "myotomes" in file.data:
        myo = [
            m
            for loc, raw in _list_items(file, "myotomes", errors)
            if (m := validate_item(Myotome, raw, file, loc, errors)) is not None
        ]
    return derm, myo


def _load_muscles(data_dir: Path, errors: list[KnowledgeBaseError], files: list[str]) -> list[Located[Muscle]]:
    folder = data_dir / "muscles"
    out: list[Located[Muscle]] = []
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.yaml")):
        name = f"muscles/{path.name}"
        files.append(name)
        file = read_yaml(path, name, errors)
        if file is None:
            continue
        if not isinstance(file.data, dict):
            errors.append(
                KnowledgeBaseError(
                    name,
                    file.line(()),
                    "a muscle file must be one `key: value` block",
                    "copy the layout of muscles/upper_trapezius.yaml",
                )
            )
            continue
        located = validate_item(Muscle, file.data, file, (), errors)
        if located is None:
            continue
        if located.item.id != path.stem:
            errors.append(
                located.error(
                    ("id",),
                    f"the id {located.item.id!r} differs from the file name {path.name!r}",
                    f"rename the file to {located.item.id}.yaml or change the id to {path.stem!r}",
                )
            )
        out.append(located)
    return out


def _load_geometry(
    data_dir: Path, errors: list[KnowledgeBaseError], files: list[str]
) -> tuple[list[Located[ViewSpec]], dict[str, dict[str, Located[tuple[Point, ...]]]], DataFile | None]:
    name = "geometry.yaml"
    path = data_dir / name
    if not path.exists():
        errors.append(
            KnowledgeBaseError(name, None, "the file is missing", "restore geometry.yaml (the chart drawing)")
        )
        return [], {}, None
    files.append(name)
    file = read_yaml(path, name, errors)
    if file is None:
        return [], {}, None
    data = file.data
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("views"), list)
        or not isinstance(data.get("shapes"), dict)
    ):
        errors.append(
            KnowledgeBaseError(
                name,
                file.line(()),
                "geometry.yaml needs a `views:` list and a `shapes:` mapping",
                "restore the two top-level keys `views` and `shapes`",
            )
        )
        return [], {}, file
    views = [
        v
        for i, raw in enumerate(data["views"])
        if (v := validate_item(ViewSpec, raw, file, ("views", i), errors)) is not None
    ]
    shapes: dict[str, dict[str, Located[tuple[Point, ...]]]] = {}
    for view_id, per_zone in data["shapes"].items():
        if not isinstance(per_zone, dict):
            errors.append(
                KnowledgeBaseError(
                    name,
                    file.line(("shapes", view_id)),
                    f"shapes of view {view_id!r} are not a mapping",
                    "write one `zone_id: [[x, y], ...]` line per zone under the view",
                )
            )
            continue
        shapes[str(view_id)] = {}
        for zone_id, points in per_zone.items():
            loc: Loc = ("shapes", str(view_id), str(zone_id))
            polygon = _polygon(points)
            if polygon is None:
                errors.append(
                    KnowledgeBaseError(
                        name,
                        file.line(loc),
                        f"the shape of {zone_id!r} is not a polygon",
                        "write at least three points as `[[x, y], [x, y], [x, y]]`",
                    )
                )
                continue
            shapes[str(view_id)][str(zone_id)] = Located(polygon, file, loc)
    return views, shapes, file


def _polygon(points: Any) -> tuple[Point, ...] | None:
    if not isinstance(points, list) or len(points) < 3:
        return None
    out: list[Point] = []
    for point in points:
        if (
            not isinstance(point, list)
            or len(point) != 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in point)
        ):
            return None
        out.append((float(point[0]), float(point[1])))
    return tuple(out)


def _load_movement(data_dir: Path, errors: list[KnowledgeBaseError], files: list[str]) -> dict[str, list[Located[Any]]]:
    """Every movement/*.yaml file, merged: measures, findings, patterns and curves (each optional)."""
    out: dict[str, list[Located[Any]]] = {key: [] for key in MOVEMENT_KEYS}
    folder = data_dir / "movement"
    if not folder.is_dir():
        return out
    for path in sorted(folder.glob("*.yaml")):
        name = f"movement/{path.name}"
        files.append(name)
        file = read_yaml(path, name, errors)
        if file is None:
            continue
        keys = ", ".join(f"`{k}`" for k in MOVEMENT_KEYS)
        if not isinstance(file.data, dict):
            errors.append(
                KnowledgeBaseError(
                    name,
                    file.line(()),
                    "a movement file must be a mapping of lists",
                    f"start the file with one of {keys} and write one `- id: ...` entry per item below it",
                )
            )
            continue
        for extra in sorted(set(file.data) - set(MOVEMENT_KEYS), key=str):
            errors.append(
                KnowledgeBaseError(
                    name,
                    file.line((extra,)),
                    f"unknown top-level key `{extra}`",
                    f"remove it or correct its spelling; a movement file holds {keys}",
                )
            )
        for key, model in MOVEMENT_KEYS.items():
            if key not in file.data:
                continue
            items = file.data[key]
            if not isinstance(items, list):
                errors.append(
                    KnowledgeBaseError(
                        name,
                        file.line((key,)),
                        f"`{key}` is not a list",
                        f"write one `- id: ...` entry per item under `{key}:`",
                    )
                )
                continue
            for index, raw in enumerate(items):
                loc: Loc = (key, index)
                if not isinstance(raw, dict):
                    errors.append(
                        KnowledgeBaseError(
                            name,
                            file.line(loc),
                            f"item {index} of `{key}` is not a `key: value` block",
                            "write each entry as `- id: ...` followed by its indented keys",
                        )
                    )
                    continue
                located = validate_item(model, raw, file, loc, errors)
                if located is not None:
                    out[key].append(located)
    return out


def read_semver(data_dir: Path, errors: list[KnowledgeBaseError]) -> str:
    path = data_dir / "VERSION"
    text = path.read_text(encoding="utf-8").strip() if path.exists() else ""
    if not SEMVER.match(text):
        errors.append(
            KnowledgeBaseError(
                "VERSION", 1, f"{text!r} is not a semantic version", "write one line such as 0.1.0 (major.minor.patch)"
            )
        )
    return text


def parse_dir(data_dir: Path, errors: list[KnowledgeBaseError]) -> Parsed:
    """Read and schema-validate every data file; problems are appended to ``errors``."""
    files: list[str] = []
    semver = read_semver(data_dir, errors)
    sources = _load_list(data_dir, "sources.yaml", errors, True, files)
    zones = _load_list(data_dir, "zones.yaml", errors, True, files)
    views, shapes, geometry_file = _load_geometry(data_dir, errors, files)
    nerves = _load_list(data_dir, "nerves.yaml", errors, True, files)
    dermatomes, myotomes = _load_dermatomes(data_dir, errors, files)
    muscles = _load_muscles(data_dir, errors, files)
    movement = _load_movement(data_dir, errors, files)
    optional = {
        name: _load_list(data_dir, name, errors, False, files)
        for name in (
            "conditions.yaml",
            "rom_norms.yaml",
            "techniques.yaml",
            "exercises.yaml",
            "red_flags.yaml",
            "special_tests.yaml",
            "instruments.yaml",
            "wellness.yaml",
            "muscle_groups.yaml",
        )
    }
    return Parsed(
        semver=semver,
        content_hash=content_hash(data_dir),
        sources=sources,
        zones=zones,
        views=views,
        shapes=shapes,
        nerves=nerves,
        dermatomes=dermatomes,
        myotomes=myotomes,
        muscles=muscles,
        conditions=optional["conditions.yaml"],
        rom_norms=optional["rom_norms.yaml"],
        techniques=optional["techniques.yaml"],
        exercises=optional["exercises.yaml"],
        red_flags=optional["red_flags.yaml"],
        special_tests=optional["special_tests.yaml"],
        files=tuple(files),
        geometry_file=geometry_file,
        instruments=optional["instruments.yaml"],
        wellness=optional["wellness.yaml"],
        movement_measures=movement["measures"],
        movement_findings=movement["findings"],
        movement_patterns=movement["patterns"],
        movement_curves=movement["curves"],
        muscle_groups=optional["muscle_groups.yaml"],
    )


# ------------------------------------------------------------------- compiling


def mirror(points: Iterable[Point], mirror_x: float) -> tuple[Point, ...]:
    """Reflect a polygon about the vertical line x = mirror_x (keeps winding order)."""
    return tuple((2 * mirror_x - x, y) for x, y in reversed(tuple(points)))


def sided_ids(spec: ZoneSpec) -> tuple[str, ...]:
    return (f"{spec.id}_l", f"{spec.id}_r") if spec.bilateral else (spec.id,)


def _sided_neighbours(spec: ZoneSpec, side: Side, specs: Mapping[str, ZoneSpec]) -> tuple[str, ...]:
    out: list[str] = []
    for other in spec.neighbours:
        other_spec = specs[other]
        if not other_spec.bilateral:
            out.append(other)
        elif side is Side.LEFT:
            out.append(f"{other}_l")
        elif side is Side.RIGHT:
            out.append(f"{other}_r")
        else:
            out.extend((f"{other}_l", f"{other}_r"))
    return tuple(out)


def _views(parsed: Parsed, specs: Mapping[str, ZoneSpec]) -> tuple[dict[str, View], dict[str, list[str]]]:
    views: dict[str, View] = {}
    zone_views: dict[str, list[str]] = {}
    for located in parsed.views:
        spec = located.item
        shapes: list[Shape] = []
        for base_id, poly in parsed.shapes.get(spec.id, {}).items():
            zone = specs[base_id]
            if zone.bilateral:
                drawn = f"{base_id}_l" if spec.drawn_side == "left" else f"{base_id}_r"
                other = f"{base_id}_r" if spec.drawn_side == "left" else f"{base_id}_l"
                shapes.append(Shape(drawn, spec.id, poly.item))
                shapes.append(Shape(other, spec.id, mirror(poly.item, spec.mirror_x)))
            else:
                shapes.append(Shape(base_id, spec.id, poly.item))
        for shape in shapes:
            zone_views.setdefault(shape.zone, []).append(spec.id)
        views[spec.id] = View(
            id=spec.id,
            label=spec.label,
            width=spec.width,
            height=spec.height,
            mirror_x=spec.mirror_x,
            silhouette=spec.silhouette,
            shapes=tuple(shapes),
        )
    return views, zone_views


SIDE_WORD = {Side.LEFT: "left", Side.RIGHT: "right"}


def _zones(specs: Mapping[str, ZoneSpec], zone_views: Mapping[str, list[str]]) -> dict[str, Zone]:
    zones: dict[str, Zone] = {}
    for spec in specs.values():
        sides = (Side.LEFT, Side.RIGHT) if spec.bilateral else (Side.MIDLINE,)
        for zone_id, side in zip(sided_ids(spec), sides, strict=True):
            label = f"{spec.name} ({SIDE_WORD[side]})" if side in SIDE_WORD else spec.name
            zones[zone_id] = Zone(
                id=zone_id,
                base_id=spec.id,
                side=side,
                name=spec.name,
                label=label,
                synonyms=spec.synonyms,
                region=spec.region,
                neighbours=_sided_neighbours(spec, side, specs),
                views=tuple(zone_views.get(zone_id, ())),
                sources=spec.sources,
                description=spec.description,
            )
    return zones


def _index(items: Iterable[Located[T]], key: str) -> Mapping[str, T]:
    return MappingProxyType({str(getattr(x.item, key)): x.item for x in items})


def compile_base(parsed: Parsed) -> KnowledgeBase:
    """Turn checked, parsed files into the frozen, indexed knowledge base."""
    specs = {z.item.id: z.item for z in parsed.zones}
    views, zone_views = _views(parsed, specs)
    return KnowledgeBase(
        semver=parsed.semver,
        content_hash=parsed.content_hash,
        sources=_index(parsed.sources, "id"),
        zone_specs=MappingProxyType(specs),
        zones=MappingProxyType(_zones(specs, zone_views)),
        views=MappingProxyType(views),
        nerves=_index(parsed.nerves, "id"),
        dermatomes=_index(parsed.dermatomes, "root"),
        myotomes=_index(parsed.myotomes, "root"),
        muscles=_index(parsed.muscles, "id"),
        conditions=_index(parsed.conditions, "id"),
        rom_norms=_index(parsed.rom_norms, "id"),
        techniques=_index(parsed.techniques, "id"),
        exercises=_index(parsed.exercises, "id"),
        red_flags=_index(parsed.red_flags, "id"),
        special_tests=_index(parsed.special_tests, "id"),
        instruments=_index(parsed.instruments, "id"),
        wellness=_index(parsed.wellness, "id"),
        files=parsed.files,
        movement_measures=_index(parsed.movement_measures, "id"),
        movement_findings=_index(parsed.movement_findings, "id"),
        movement_patterns=_index(parsed.movement_patterns, "id"),
        movement_curves=_index(parsed.movement_curves, "id"),
        muscle_groups=_index(parsed.muscle_groups, "id"),
    )


# ------------------------------------------------------------------- integrity
# Rules that span entries or files. Each error says which line to change and how.

SIDE_SUFFIX = re.compile(r"_(l|r)$")


def check_integrity(parsed: Parsed) -> list[KnowledgeBaseError]:
    """Every cross-reference and symmetry rule; an empty list means the base is sound."""
    errors: list[KnowledgeBaseError] = []
    errors += _unique_ids(parsed)
    zone_ids = {z.item.id for z in parsed.zones}
    errors += _zone_rules(parsed, zone_ids)
    errors += _source_refs(parsed)
    errors += _zone_refs(parsed, zone_ids)
    errors += _nerve_refs(parsed)
    errors += _other_refs(parsed)
    errors += _geometry_rules(parsed, zone_ids)
    errors += _movement_rules(parsed)
    errors += group_rules(
        parsed.muscle_groups, {m.item.id for m in parsed.muscles}, {s.item.id for s in parsed.sources}
    )
    return errors


def _unique_ids(parsed: Parsed) -> Iterator[KnowledgeBaseError]:
    groups: list[tuple[str, list[Located[Any]], str]] = [
        ("source", parsed.sources, "id"),
        ("zone", parsed.zones, "id"),
        ("view", parsed.views, "id"),
        ("nerve", parsed.nerves, "id"),
        ("dermatome", parsed.dermatomes, "root"),
        ("myotome", parsed.myotomes, "root"),
        ("muscle", parsed.muscles, "id"),
        ("condition", parsed.conditions, "id"),
        ("ROM norm", parsed.rom_norms, "id"),
        ("technique", parsed.techniques, "id"),
        ("exercise", parsed.exercises, "id"),
        ("red flag", parsed.red_flags, "id"),
        ("special test", parsed.special_tests, "id"),
        ("instrument", parsed.instruments, "id"),
        ("wellness domain", parsed.wellness, "id"),
        ("movement measure", parsed.movement_measures, "id"),
        ("movement finding", parsed.movement_findings, "id"),
        ("movement pattern", parsed.movement_patterns, "id"),
        ("movement curve", parsed.movement_curves, "id"),
    ]
    for kind, items, key in groups:
        first: dict[str, Located[Any]] = {}
        for located in items:
            value = str(getattr(located.item, key))
            if value in first:
                earlier = first[value]
                yield located.error(
                    (key,),
                    f"the {kind} {key} {value!r} is used twice (first at {earlier.file.name}:"
                    f"{earlier.file.line(earlier.loc)})",
                    f"give one of them a different {key}, or merge the two entries; ids must be unique"
                    " and, once published, never change",
                )
            else:
                first[value] = located


def _zone_rules(parsed: Parsed, zone_ids: set[str]) -> Iterator[KnowledgeBaseError]:
    specs = {z.item.id: z for z in parsed.zones}
    yield from _ambiguous_names(parsed)
    for located in parsed.zones:
        zone = located.item
        if SIDE_SUFFIX.search(zone.id):
            yield located.error(
                ("id",),
                f"the zone id {zone.id!r} ends in _l or _r, which are reserved for the sides",
                "write the zone once without the side suffix and set `bilateral: true`",
            )
        if not zone.sources:
            yield located.error(
                (),
                f"zone {zone.id!r} cites no source",
                "add `sources:` to the entry or to the file's `defaults:`",
            )
        for index, other in enumerate(zone.neighbours):
            if other == zone.id:
                yield located.error(
                    ("neighbours", index),
                    f"zone {zone.id!r} lists itself as a neighbour",
                    "remove it from `neighbours`",
                )
            elif other not in specs:
                yield located.error(
                    ("neighbours", index),
                    f"zone {zone.id!r} has an unknown neighbour {other!r}",
                    _unknown_zone_fix(other, zone_ids),
                )
            elif zone.id not in specs[other].item.neighbours:
                yield located.error(
                    ("neighbours", index),
                    f"neighbours are not symmetric: {zone.id!r} lists {other!r} but {other!r} does not"
                    f" list {zone.id!r}",
                    f"add {zone.id} to the neighbours of {other} (zones.yaml line"
                    f" {specs[other].file.line(specs[other].loc)}), or remove {other} here",
                )


def _ambiguous_names(parsed: Parsed) -> Iterator[KnowledgeBaseError]:
    """A name or synonym may belong to one zone only, or lookup would guess."""
    owner: dict[str, str] = {}
    for located in parsed.zones:
        zone = located.item
        names = [("name", zone.name), *((f"synonyms.{i}", s) for i, s in enumerate(zone.synonyms))]
        for where, name in names:
            key = normalise(name)
            if key in owner and owner[key] != zone.id:
                field, _, index = where.partition(".")
                sub: Loc = (field, int(index)) if index else (field,)
                yield located.error(
                    sub,
                    f"the name {name!r} of zone {zone.id!r} is already used by zone {owner[key]!r}",
                    "use a more specific wording in one of the two zones so lookup is never ambiguous",
                )
            owner.setdefault(key, zone.id)
        owner.setdefault(normalise(zone.id), zone.id)


def _unknown_zone_fix(ref: str, zone_ids: set[str]) -> str:
    base = SIDE_SUFFIX.sub("", ref)
    if base != ref and base in zone_ids:
        return f"refer to zones without a side: write {base!r}; the side comes from the client record"
    import difflib

    close = difflib.get_close_matches(ref, sorted(zone_ids), n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    return f"use a zone id from zones.yaml{hint}, or add the zone to zones.yaml with its geometry"


def _citations(located: Located[Any]) -> Iterator[tuple[Loc, str]]:
    """Every (loc, source id) cited by an entry, including nested ones."""
    item = located.item
    for index, ref in enumerate(getattr(item, "sources", ()) or ()):
        if isinstance(ref, str):  # movement files may cite a bare source id
            yield ("sources", index), ref
        else:
            yield ("sources", index, "source"), ref.source
    if isinstance(item, Condition):
        for index, evidence in enumerate(item.muscle_evidence):
            yield ("muscle_evidence", index, "source", "source"), evidence.source.source
    if isinstance(item, SpecialTest) and item.accuracy_source is not None:
        yield ("accuracy_source", "source"), item.accuracy_source.source
    if isinstance(item, Instrument):
        if item.mcid is not None:
            yield ("mcid", "source", "source"), item.mcid.source.source
        if item.bands_source is not None:
            yield ("bands_source", "source"), item.bands_source.source
    if isinstance(item, WellnessDomain):
        for a, advice in enumerate(item.advice):
            for index, ref in enumerate(advice.sources):
                yield ("advice", a, "sources", index, "source"), ref.source


def _source_refs(parsed: Parsed) -> Iterator[KnowledgeBaseError]:
    known = {s.item.id for s in parsed.sources}
    everything: list[Located[Any]] = [
        *parsed.zones,
        *parsed.nerves,
        *parsed.dermatomes,
        *parsed.myotomes,
        *parsed.muscles,
        *parsed.conditions,
        *parsed.rom_norms,
        *parsed.techniques,
        *parsed.exercises,
        *parsed.red_flags,
        *parsed.special_tests,
        *parsed.instruments,
        *parsed.wellness,
        *parsed.movement_measures,
        *parsed.movement_findings,
        *parsed.movement_patterns,
        *parsed.movement_curves,
    ]
    for located in everything:
        for loc, source in _citations(located):
            if source not in known:
                yield located.error(
                    loc,
                    f"the source {source!r} is not in sources.yaml",
                    "add the source to sources.yaml (id, kind, title, authors, year, and DOI or URL),"
                    " or correct the id",
                )


def _zone_fields(located: Located[Any]) -> Iterator[tuple[Loc, str]]:
    item = located.item
    if isinstance(item, Nerve):
        yield from ((("cutaneous_zones", i), z) for i, z in enumerate(item.cutaneous_zones))
        for s, site in enumerate(item.entrapment_sites):
            yield from ((("entrapment_sites", s, "zones", i), z) for i, z in enumerate(site.zones))
            yield from ((("entrapment_sites", s, "territory", i), z) for i, z in enumerate(site.territory))
    elif isinstance(item, Dermatome):
        yield from ((("zones", i), z) for i, z in enumerate(item.zones))
        if item.key_point_zone is not None:
            yield ("key_point_zone",), item.key_point_zone
    elif isinstance(item, Myotome | Condition):
        yield from ((("zones", i), z) for i, z in enumerate(item.zones))
    elif isinstance(item, Muscle):
        for t, tp in enumerate(item.trigger_points):
            yield from ((("trigger_points", t, "zones", i), z) for i, z in enumerate(tp.zones))
            if tp.referral is not None:
                for part in ("essential", "spillover"):
                    refs = getattr(tp.referral, part)
                    yield from ((("trigger_points", t, "referral", part, i), z) for i, z in enumerate(refs))
        for part in ("essential", "spillover"):
            yield from ((("referral", part, i), z) for i, z in enumerate(getattr(item.referral, part)))


def _zone_refs(parsed: Parsed, zone_ids: set[str]) -> Iterator[KnowledgeBaseError]:
    everything: list[Located[Any]] = [
        *parsed.nerves,
        *parsed.dermatomes,
        *parsed.myotomes,
        *parsed.muscles,
        *parsed.conditions,
    ]
    for located in everything:
        for loc, zone in _zone_fields(located):
            if zone not in zone_ids:
                yield located.error(loc, f"the zone {zone!r} is not in zones.yaml", _unknown_zone_fix(zone, zone_ids))


def _nerve_refs(parsed: Parsed) -> Iterator[KnowledgeBaseError]:
    known = {n.item.id for n in parsed.nerves}
    fix = "use a nerve id from nerves.yaml, or add the nerve there with its roots and sources"
    for located in parsed.nerves:
        parent = located.item.parent
        if parent is not None and parent not in known:
            yield located.error(("parent",), f"the parent nerve {parent!r} is not in nerves.yaml", fix)
        if parent == located.item.id:
            yield located.error(("parent",), "a nerve cannot be its own parent", "remove `parent`")
    cranial = {n.item.id for n in parsed.nerves if n.item.cranial is not None}
    for m in parsed.muscles:
        inn = m.item.innervation
        if inn.nerve not in known:
            yield m.error(("innervation", "nerve"), f"the nerve {inn.nerve!r} is not in nerves.yaml", fix)
        elif not inn.roots and inn.nerve not in cranial:
            yield m.error(
                ("innervation", "roots"),
                f"the innervation by the spinal nerve {inn.nerve!r} lists no roots",
                "add the spinal roots, e.g. `roots: [C5, C6]`; only a cranial nerve may leave them empty",
            )
        for i, other in enumerate(inn.also):
            if other not in known:
                yield m.error(("innervation", "also", i), f"the nerve {other!r} is not in nerves.yaml", fix)
            elif other == inn.nerve:
                yield m.error(
                    ("innervation", "also", i),
                    f"the nerve {other!r} is already the main nerve",
                    "remove it from `also`",
                )
        for i, nerve in enumerate(m.item.entrapped_nerves):
            if nerve not in known:
                yield m.error(("entrapped_nerves", i), f"the nerve {nerve!r} is not in nerves.yaml", fix)
    for c in parsed.conditions:
        for i, nerve in enumerate(c.item.nerves):
            if nerve not in known:
                yield c.error(("nerves", i), f"the nerve {nerve!r} is not in nerves.yaml", fix)
    for t in parsed.special_tests:
        for i, nerve in enumerate(t.item.targets.nerves):
            if nerve not in known:
                yield t.error(("targets", "nerves", i), f"the nerve {nerve!r} is not in nerves.yaml", fix)


def _other_refs(parsed: Parsed) -> Iterator[KnowledgeBaseError]:
    muscles = {m.item.id for m in parsed.muscles}
    conditions = {c.item.id for c in parsed.conditions}
    exercises = {e.item.id for e in parsed.exercises}
    yield from _condition_refs(parsed, muscles)
    for c in parsed.conditions:
        for i, other in enumerate(c.item.differentials):
            if other not in conditions:
                yield c.error(
                    ("differentials", i),
                    f"the condition {other!r} is not in conditions.yaml",
                    "add it to conditions.yaml or correct the id",
                )
    for e in parsed.exercises:
        for i, muscle in enumerate(e.item.muscles):
            if muscle not in muscles:
                yield e.error(
                    ("muscles", i),
                    f"the muscle {muscle!r} has no file in muscles/",
                    f"add muscles/{muscle}.yaml or correct the id",
                )
    for r in parsed.rom_norms:
        for i, muscle in enumerate(r.item.restricting_muscles):
            if muscle not in muscles:
                yield r.error(
                    ("restricting_muscles", i),
                    f"the muscle {muscle!r} has no file in muscles/",
                    f"add muscles/{muscle}.yaml or correct the id",
                )
    if parsed.exercises:  # self-care ids may stay unresolved until exercises.yaml exists
        for m in parsed.muscles:
            for i, ex in enumerate(m.item.selfcare_exercises):
                if ex not in exercises:
                    yield m.error(
                        ("selfcare_exercises", i),
                        f"the exercise {ex!r} is not in exercises.yaml",
                        "add the exercise to exercises.yaml or correct the id",
                    )
    for m in parsed.muscles:
        ids = [tp.id for tp in m.item.trigger_points]
        for i, tp_id in enumerate(ids):
            if tp_id in ids[:i]:
                yield m.error(
                    ("trigger_points", i, "id"),
                    f"trigger point id {tp_id!r} is used twice",
                    "give each trigger point of the muscle its own id",
                )


def _condition_refs(parsed: Parsed, muscles: set[str]) -> Iterator[KnowledgeBaseError]:
    """Muscles (listed and with evidence), red flags and mechanisms of each condition."""
    red_flags = {r.item.id for r in parsed.red_flags}
    for c in parsed.conditions:
        condition = c.item
        with_evidence = {e.muscle for e in condition.muscle_evidence}
        seen: set[tuple[str, str, str]] = set()
        for i, evidence in enumerate(condition.muscle_evidence):
            if evidence.muscle not in muscles:
                yield c.error(
                    ("muscle_evidence", i, "muscle"),
                    f"the muscle {evidence.muscle!r} has no file in muscles/",
                    f"add muscles/{evidence.muscle}.yaml or correct the id",
                )
            key = (evidence.muscle, evidence.source.source, evidence.source.locator)
            if key in seen:
                yield c.error(
                    ("muscle_evidence", i, "muscle"),
                    f"the muscle {evidence.muscle!r} is listed twice with the same source",
                    "keep one entry per muscle and source",
                )
            seen.add(key)
        for i, muscle in enumerate(condition.muscles):
            # Muscles with evidence were appended after the listed ones; report them once, above.
            if muscle not in muscles and muscle not in with_evidence:
                yield c.error(
                    ("muscles", i),
                    f"the muscle {muscle!r} has no file in muscles/",
                    f"add muscles/{muscle}.yaml or correct the id",
                )
        for i, flag in enumerate(condition.red_flags):
            if flag not in red_flags:
                yield c.error(
                    ("red_flags", i),
                    f"the red flag {flag!r} is not in red_flags.yaml",
                    "use a red-flag id from red_flags.yaml, or add the red flag there",
                )
        if condition.id in condition.differentials:
            yield c.error(
                ("differentials", condition.differentials.index(condition.id)),
                f"condition {condition.id!r} lists itself as a differential",
                "remove it from `differentials`",
            )


def _geometry_rules(parsed: Parsed, zone_ids: set[str]) -> Iterator[KnowledgeBaseError]:
    views = {v.item.id: v.item for v in parsed.views}
    specs = {z.item.id: z.item for z in parsed.zones}
    drawn: set[str] = set()
    for view_id, shapes in parsed.shapes.items():
        view = views.get(view_id)
        for zone_id, poly in shapes.items():
            if view is None:
                yield poly.error(
                    (),
                    f"shapes are given for an unknown view {view_id!r}",
                    f"add the view to `views:` or use one of: {', '.join(sorted(views))}",
                )
                break
            if zone_id not in specs:
                yield poly.error(
                    (), f"a shape is drawn for the unknown zone {zone_id!r}", _unknown_zone_fix(zone_id, zone_ids)
                )
                continue
            drawn.add(zone_id)
            yield from _shape_rules(poly, view, specs[zone_id])
    for located in parsed.zones:
        if located.item.id not in drawn:
            yield located.error(
                ("id",),
                f"zone {located.item.id!r} has no shape in geometry.yaml",
                "draw it: add `<zone id>: [[x, y], ...]` under a view in geometry.yaml",
            )


def _shape_rules(poly: Located[tuple[Point, ...]], view: ViewSpec, spec: ZoneSpec) -> Iterator[KnowledgeBaseError]:
    points = poly.item
    if any(not (0 <= x <= view.width and 0 <= y <= view.height) for x, y in points):
        yield poly.error(
            (),
            f"the shape of {spec.id!r} leaves the {view.id} view box (0..{view.width:g} x 0..{view.height:g})",
            "move its points inside the view box",
        )
    xs = [x for x, _ in points]
    tol = 1e-6
    if spec.bilateral:
        left_half = max(xs) <= view.mirror_x + tol
        right_half = min(xs) >= view.mirror_x - tol
        # The drawn side sits on the viewer's left of the mirror line in every view.
        if not left_half:
            yield poly.error(
                (),
                f"the bilateral zone {spec.id!r} crosses the mirror line x={view.mirror_x:g} or is drawn"
                " on the wrong half",
                f"draw only the {view.drawn_side} side, on the viewer's left of x={view.mirror_x:g};"
                " the loader mirrors it for the other side",
            )
        del right_half
    else:
        mirrored = sorted((round(2 * view.mirror_x - x, 3), round(y, 3)) for x, y in points)
        original = sorted((round(x, 3), round(y, 3)) for x, y in points)
        if mirrored != original:
            yield poly.error(
                (),
                f"the midline zone {spec.id!r} is not symmetric about x={view.mirror_x:g}",
                "make its points mirror each other across the midline, or set `bilateral: true` and draw one side only",
            )


def _movement_rules(parsed: Parsed) -> Iterator[KnowledgeBaseError]:
    """Views fit the kind, flags can fire, every referenced muscle, finding and pattern exists,
    and curves run forward through the cycle."""
    muscles = {m.item.id for m in parsed.muscles}
    findings = {f.item.id for f in parsed.movement_findings}
    patterns = {p.item.id for p in parsed.movement_patterns}
    finding_fix = "add the finding under `findings:` in a movement/*.yaml file, or correct the id"
    for m in parsed.movement_measures:
        measure = m.item
        allowed = MOVEMENT_VIEWS[measure.kind]
        for i, view in enumerate(measure.views):
            if view not in allowed:
                yield m.error(
                    ("views", i),
                    f"the view {view!r} does not fit a {measure.kind} measure",
                    f"use one of: {', '.join(allowed)}",
                )
        for side in ("low", "high"):
            flag = getattr(measure, side)
            if flag is None or flag.finding is None:
                continue
            if flag.finding not in findings:
                yield m.error((side, "finding"), f"the finding {flag.finding!r} is not defined", finding_fix)
            if getattr(measure.normal, side) is None:
                yield m.error(
                    (side, "finding"),
                    f"the `{side}` finding can never be raised because `normal.{side}` is null",
                    f"set `normal.{side}` to a number, or remove `{side}:`",
                )
    for f in parsed.movement_findings:
        yield from _muscle_lists(f, muscles)
        for i, pattern in enumerate(f.item.patterns):
            if pattern not in patterns:
                yield f.error(
                    ("patterns", i),
                    f"the pattern {pattern!r} is not defined",
                    "add the pattern under `patterns:` in a movement/*.yaml file, or correct the id",
                )
    for p in parsed.movement_patterns:
        yield from _muscle_lists(p, muscles)
        if p.item.min_findings > len(p.item.findings):
            yield p.error(
                ("min_findings",),
                f"`min_findings` ({p.item.min_findings}) exceeds the {len(p.item.findings)} finding(s) listed,"
                " so the pattern can never be suggested",
                "lower `min_findings` or list more findings",
            )
        for i, finding in enumerate(p.item.findings):
            if finding not in findings:
                yield p.error(("findings", i), f"the finding {finding!r} is not defined", finding_fix)
        for i, finding in enumerate(p.item.findings):
            if finding in p.item.findings[:i]:
                yield p.error(("findings", i), f"the finding {finding!r} is listed twice", "keep it once")
    for c in parsed.movement_curves:
        previous: float | None = None
        for i, (percent, _mean, sd) in enumerate(c.item.points):
            if not 0 <= percent <= 100:
                yield c.error(
                    ("points", i),
                    f"the point at {percent:g}% lies outside the gait cycle",
                    "write the percent of the cycle as a number from 0 to 100",
                )
            elif previous is not None and percent <= previous:
                yield c.error(
                    ("points", i),
                    f"the point at {percent:g}% does not come after the one at {previous:g}%",
                    "list the points in strictly increasing percent of the cycle, without repeats",
                )
            if sd < 0:
                yield c.error(("points", i), f"the sd {sd:g} is negative", "write the standard deviation as 0 or more")
            previous = percent


def _muscle_lists(located: Located[Any], muscles: set[str]) -> Iterator[KnowledgeBaseError]:
    for part in ("short", "long"):
        for i, muscle in enumerate(getattr(located.item, part)):
            if muscle not in muscles:
                yield located.error(
                    (part, i),
                    f"the muscle {muscle!r} has no file in muscles/",
                    f"add muscles/{muscle}.yaml or correct the id",
                )
