"""The contraindication screen (screen.yaml) and the red-flag questions of the knowledge base."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from taut.core.knowledge.loader import load_base
from taut.core.knowledge.queries import URGENCY_ORDER
from taut.core.reasoning.redflags import ACTION

SCREEN_FILE = Path(__file__).with_name("screen.yaml")
ACTIONS = ("caution", "refer")


@dataclass(frozen=True)
class ScreenItem:
    id: str
    question: str
    action: str
    why: str
    detail: str = ""
    detail_choices: tuple[str, ...] = ()
    sources: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Screen:
    version: str
    items: tuple[ScreenItem, ...]


@lru_cache(maxsize=1)
def load_screen() -> Screen:
    """Read screen.yaml; a malformed item raises ValueError naming it and what to fix."""
    raw = yaml.safe_load(SCREEN_FILE.read_text(encoding="utf-8"))
    known_sources = load_base().sources
    items = []
    for n, entry in enumerate(raw["items"]):
        where = f"{SCREEN_FILE.name} item {n} ({entry.get('id', '?')})"
        if entry.get("action") not in ACTIONS:
            raise ValueError(f"{where}: action must be one of {', '.join(ACTIONS)}.")
        sources = tuple((s["source"], s.get("locator", "")) for s in entry.get("sources", []))
        if not sources:
            raise ValueError(f"{where}: cite at least one source.")
        missing = [s for s, _ in sources if s not in known_sources]
        if missing:
            raise ValueError(f"{where}: unknown source {missing}; add it to the knowledge base's sources.yaml.")
        items.append(
            ScreenItem(
                id=str(entry["id"]),
                question=str(entry["question"]),
                action=str(entry["action"]),
                why=str(entry["why"]),
                detail=str(entry.get("detail", "")),
                detail_choices=tuple(str(c) for c in entry.get("detail_choices", ())),
                sources=sources,
            )
        )
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{SCREEN_FILE.name}: item ids must be unique.")
    return Screen(version=str(raw["version"]), items=tuple(items))


def red_flag_questions() -> list[tuple[str, str]]:
    """(id, plain-language question) of every red flag in the knowledge base, most urgent first."""
    flags = sorted(load_base().red_flags.values(), key=lambda f: (URGENCY_ORDER.index(f.urgency), f.id))
    return [(f.id, f.question) for f in flags]


def findings(answers: dict[str, Any]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The contraindications and the red flags a "yes" was given to, from the screen step's answers."""
    contraindications = [
        {
            "id": item.id,
            "question": item.question,
            "action": item.action,
            "why": item.why,
            "detail": str(answers.get(f"ci_{item.id}_detail", "")),
        }
        for item in load_screen().items
        if answers.get(f"ci_{item.id}") == "yes"
    ]
    contraindications.sort(key=lambda c: (ACTIONS.index(c["action"]) * -1, c["id"]))  # refer first
    base = load_base()
    flags = [
        {"id": f.id, "name": f.name, "urgency": f.urgency, "action": ACTION[f.urgency], "why": f.why}
        for fid, _ in red_flag_questions()
        if answers.get(f"rf_{fid}") == "yes"
        for f in (base.red_flags[fid],)
    ]
    return contraindications, flags
