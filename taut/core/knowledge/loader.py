"""Load the knowledge-base data files into a frozen, indexed :class:`KnowledgeBase`.

Every problem is reported with the file, the line, what is wrong and how to fix it.
Loading is cached: call :func:`load_base` as often as you like.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from taut.core.errors import InvalidKnowledgeBaseError, KnowledgeBaseError
from taut.core.knowledge.integrity import check_integrity
from taut.core.knowledge.parsed import DataFile, Loc, Located, Parsed
from taut.core.knowledge.schema import (
    LIST_FILES,
    MOVEMENT_KEYS,
    Dermatome,
    KnowledgeBase,
    Muscle,
    Myotome,
    Point,
    Shape,
    Side,
    View,
    ViewSpec,
    Zone,
    ZoneSpec,
)

DATA_DIR = Path(__file__).parent / "data"
SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$")
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

try:  # the C loader is much faster; fall back to pure Python where it is missing
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment,unused-ignore]
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader


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
            "anatomy_terms.yaml",
            "muscle_groups.yaml",
            "care.yaml",
            "precautions.yaml",
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
        anatomy_terms=optional["anatomy_terms.yaml"],
        muscle_groups=optional["muscle_groups.yaml"],
        care=optional["care.yaml"],
        precautions=optional["precautions.yaml"],
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
        anatomy_terms=_index(parsed.anatomy_terms, "id"),
        muscle_groups=_index(parsed.muscle_groups, "id"),
        care=_index(parsed.care, "condition"),
        precautions=_index(parsed.precautions, "id"),
    )
