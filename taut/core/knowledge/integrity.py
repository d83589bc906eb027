"""The knowledge base's integrity rules: checks that span entries or files (unique ids, references
that resolve, citations, zone geometry, movement entries). Each error says which line to change and how."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from taut.core.errors import KnowledgeBaseError
from taut.core.knowledge.group_rules import group_rules
from taut.core.knowledge.parsed import Loc, Located, Parsed
from taut.core.knowledge.queries import normalise
from taut.core.knowledge.schema import (
    MOVEMENT_VIEWS,
    Condition,
    Dermatome,
    Instrument,
    Muscle,
    Myotome,
    Nerve,
    Point,
    SpecialTest,
    ViewSpec,
    WellnessDomain,
    ZoneSpec,
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
    errors += _anatomy_term_rules(parsed, zone_ids)
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


def _anatomy_term_rules(parsed: Parsed, zone_ids: set[str]) -> Iterator[KnowledgeBaseError]:
    """anatomy_terms.yaml: known zones and sources, places that exist, and each word read one way."""
    known_sources = {s.item.id for s in parsed.sources}
    places = {t.item.id for t in parsed.anatomy_terms if t.item.kind == "place"}
    owner: dict[str, str] = {}
    for located in parsed.anatomy_terms:
        term = located.item
        for part in ("zones", "bare"):
            for i, zone in enumerate(getattr(term, part)):
                if zone not in zone_ids:
                    yield located.error(
                        (part, i), f"the zone {zone!r} is not in zones.yaml", _unknown_zone_fix(zone, zone_ids)
                    )
        for i, place in enumerate(term.as_place):
            if place not in places:
                yield located.error(
                    ("as_place", i),
                    f"{place!r} is not a place word of anatomy_terms.yaml",
                    f"use one of: {', '.join(sorted(places))}",
                )
        for i, ref in enumerate(term.sources):
            if ref.source not in known_sources:
                yield located.error(
                    ("sources", i, "source"),
                    f"the source {ref.source!r} is not in sources.yaml",
                    "add the source to sources.yaml, or correct the id",
                )
        for i, word in enumerate(term.words):
            key = normalise(word)
            if key in owner and owner[key] != term.id:
                yield located.error(
                    ("words", i),
                    f"the word {word!r} of {term.id!r} is already a word of {owner[key]!r}",
                    "keep each word in one entry so it is read one way",
                )
            owner.setdefault(key, term.id)
