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
    group: str = ""
    meaning: str = ""
    red_flag: str = ""  # the knowledge base's red flag this item asks as well
    follow_up: str = ""  # asked after a "yes"; its own "yes" raises red_flag


@dataclass(frozen=True)
class Question:
    """One question the client is asked: a screen item, a follow-up or a red flag of the base."""

    name: str  # the form field
    text: str
    meaning: str


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    items: tuple[ScreenItem, ...]
    red_flags: tuple[tuple[str, str], ...]  # (id, question) of the red flags asked in this group


@dataclass(frozen=True)
class Screen:
    version: str
    items: tuple[ScreenItem, ...]
    groups: tuple[Group, ...] = ()
    red_flag_meanings: tuple[tuple[str, str], ...] = ()

    def covering(self, flag_id: str) -> ScreenItem | None:
        """The item that asks this red flag, if one does (its own question is then not asked)."""
        return next((i for i in self.items if i.red_flag == flag_id), None)

    def questions(self) -> list[Question]:
        """Every question the safety step asks, in order, each with its meaning."""
        meanings = dict(self.red_flag_meanings)
        out: list[Question] = []
        for group in self.groups:
            for item in group.items:
                out.append(Question(f"ci_{item.id}", item.question, item.meaning))
                if item.follow_up:
                    out.append(Question(f"rf_{item.red_flag}", item.follow_up, f"{item.meaning}: {item.follow_up}"))
            for fid, question in group.red_flags:
                out.append(Question(f"rf_{fid}", question, meanings.get(fid, fid.replace("_", " "))))
        return out


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
                group=str(entry.get("group", "")),
                meaning=str(entry.get("meaning") or entry["id"]).strip().lower(),
                red_flag=str(entry.get("red_flag", "")),
                follow_up=str(entry.get("follow_up", "")),
            )
        )
    ids = [i.id for i in items]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{SCREEN_FILE.name}: item ids must be unique.")
    screen = Screen(
        version=str(raw["version"]),
        items=tuple(items),
        groups=_groups(raw.get("groups") or [], items, known_flags=dict(_flag_questions())),
        red_flag_meanings=tuple(
            (str(k), str(v).strip().lower()) for k, v in (raw.get("red_flag_meanings") or {}).items()
        ),
    )
    meanings = [q.meaning for q in screen.questions()]
    twice = sorted({m for m in meanings if meanings.count(m) > 1})
    if twice:
        raise ValueError(f"{SCREEN_FILE.name}: more than one question means {', '.join(twice)}; ask each once.")
    return screen


def _groups(raw: list[dict[str, Any]], items: list[ScreenItem], known_flags: dict[str, str]) -> tuple[Group, ...]:
    """The short groups of the safety step; every item and every red flag not asked by an item
    belongs to exactly one group (a file without groups puts all in one)."""
    if not raw:
        raw = [{"id": "all", "title": "Is any of this true for you now?", "red_flags": list(known_flags)}]
        items = [ScreenItem(**{**i.__dict__, "group": "all"}) for i in items]
    covered = {i.red_flag for i in items if i.red_flag}
    unknown = sorted(covered - set(known_flags))
    if unknown:
        raise ValueError(f"{SCREEN_FILE.name}: red_flag {unknown} is not a red flag of the knowledge base.")
    ids = [str(g["id"]) for g in raw]
    stray = [i.id for i in items if i.group not in ids]
    if stray:
        raise ValueError(f"{SCREEN_FILE.name}: items {stray} name no group of {ids}.")
    listed = [str(f) for g in raw for f in g.get("red_flags", []) if str(f) not in covered]
    missing = sorted(set(known_flags) - covered - set(listed))
    if missing or len(set(listed)) != len(listed) or set(listed) - set(known_flags):
        raise ValueError(
            f"{SCREEN_FILE.name}: every red flag no item asks must be in exactly one group (missing: {missing})."
        )
    return tuple(
        Group(
            id=str(g["id"]),
            title=str(g["title"]),
            items=tuple(i for i in items if i.group == g["id"]),
            red_flags=tuple((str(f), known_flags[str(f)]) for f in g.get("red_flags", []) if str(f) not in covered),
        )
        for g in raw
    )


def _flag_questions() -> list[tuple[str, str]]:
    flags = sorted(load_base().red_flags.values(), key=lambda f: (URGENCY_ORDER.index(f.urgency), f.id))
    return [(f.id, f.question) for f in flags]


def red_flag_questions() -> list[tuple[str, str]]:
    """(id, plain-language question) of every red flag in the knowledge base, most urgent first."""
    return _flag_questions()


def flag_answer(answers: dict[str, Any], flag_id: str) -> str:
    """The answer to a red flag: its own question's, or through the screen item that asks it."""
    item = load_screen().covering(flag_id)
    if item is None:
        return str(answers.get(f"rf_{flag_id}", ""))
    asked = str(answers.get(f"ci_{item.id}", ""))
    if not item.follow_up or asked != "yes":
        return asked
    return str(answers.get(f"rf_{flag_id}", ""))


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
        if flag_answer(answers, fid) == "yes"
        for f in (base.red_flags[fid],)
    ]
    return contraindications, flags


def see_a_doctor(answers: dict[str, Any]) -> dict[str, Any] | None:
    """What to tell the client when an answer means a physician should see them before treatment:
    the same rules as the practitioner's banner (every red flag, and a contraindication to refer,
    stop treatment until resolved). None when nothing does."""
    contraindications, flags = findings(answers)
    refer = [c for c in contraindications if c["action"] == "refer"]
    if not flags and not refer:
        return None
    urgencies = {f["urgency"] for f in flags}
    when = "today" if urgencies & {"emergency", "urgent"} else "before your first treatment"
    reasons = [*(f["name"] for f in flags), *(c["question"] for c in refer)]
    return {"when": when, "emergency": "emergency" in urgencies, "reasons": reasons}
