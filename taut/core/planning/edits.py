"""Pure edits of a plan: each returns a new plan with the change recorded in words."""

from __future__ import annotations

from dataclasses import replace

from taut.core.errors import UnknownEntryError
from taut.core.planning.model import Plan


def _check(plan: Plan, muscle: str) -> None:
    if muscle not in {i.muscle for i in plan.items}:
        raise UnknownEntryError("muscle in this plan", muscle, [i.muscle for i in plan.items])


def remove_muscle(plan: Plan, muscle: str) -> Plan:
    _check(plan, muscle)
    items = tuple(i for i in plan.items if i.muscle != muscle)
    return replace(plan, items=items, edits=(*plan.edits, f"removed {muscle}"))


def reorder_muscles(plan: Plan, order: tuple[str, ...]) -> Plan:
    for muscle in order:
        _check(plan, muscle)
    rank = {m: n for n, m in enumerate(order)}
    items = tuple(sorted(plan.items, key=lambda i: rank.get(i.muscle, len(rank))))
    return replace(plan, items=items, edits=(*plan.edits, f"reordered: {', '.join(order)}"))


def diff_plans(old: Plan, new: Plan) -> tuple[str, ...]:
    """What changed between two versions, in words."""
    before, after = [i.muscle for i in old.items], [i.muscle for i in new.items]
    out = [f"muscle removed: {m}" for m in before if m not in after]
    out += [f"muscle added: {m}" for m in after if m not in before]
    if [m for m in before if m in after] != [m for m in after if m in before]:
        out.append("treatment order changed")
    return tuple(out)
