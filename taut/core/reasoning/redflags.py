"""Red flags: signs that mean stop and refer before any soft-tissue work."""

from __future__ import annotations

from dataclasses import dataclass

from taut.core.knowledge.queries import URGENCY_ORDER, lookup
from taut.core.knowledge.schema import KnowledgeBase, RedFlag
from taut.core.reasoning.chart import ChartError

ACTION = {
    "emergency": "Stop. Send the client to emergency care now.",
    "urgent": "Stop. The client should see a physician today.",
    "soon": "Do not treat until a physician has assessed this; refer now.",
}


@dataclass(frozen=True, slots=True)
class RedFlagHit:
    id: str
    name: str
    urgency: str
    why: str
    action: str


def resolve(base: KnowledgeBase, text: str) -> RedFlag:
    """A red flag by id, name or synonym ("night pain", "saddle anaesthesia")."""
    found, suggestions = lookup(base, "red_flag", text, accept_close=True)
    if found is not None:
        return base.red_flags[found]
    near = [hit.name for hit in suggestions]
    hint = f" Did you mean: {', '.join(near)}?" if near else ""
    raise ChartError("red_flags", f"{text!r} is not a red flag in the knowledge base.{hint}")


def screen(base: KnowledgeBase, flags: tuple[str, ...]) -> tuple[RedFlagHit, ...]:
    """The red flags present, most urgent first; raises ChartError for one that is not known."""
    found: dict[str, RedFlag] = {}
    for text in flags:
        if text.strip():
            flag = resolve(base, text)
            found[flag.id] = flag
    hits = [RedFlagHit(f.id, f.name, f.urgency, f.why, ACTION[f.urgency]) for f in found.values()]
    return tuple(sorted(hits, key=lambda h: (URGENCY_ORDER.index(h.urgency), h.id)))


def to_ask(base: KnowledgeBase, zones: tuple[str, ...], already: tuple[RedFlagHit, ...]) -> tuple[str, ...]:
    """Red flags worth asking about for the regions the chart covers (ids), most urgent first."""
    regions = {base.zones[z].region.value for z in zones}
    known = {h.id for h in already}
    flags = [
        f for f in base.red_flags.values()
        if f.id not in known and ("any" in f.applies_to or regions & {str(r) for r in f.applies_to})
    ]  # fmt: skip
    return tuple(f.id for f in sorted(flags, key=lambda f: (URGENCY_ORDER.index(f.urgency), f.id)))
