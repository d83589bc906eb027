"""Evaluate the Taut wellness questionnaire (``knowledge/data/wellness.yaml``).

The questionnaire is ours (CC BY 4.0): hydration, nutrition, breathing pattern, stress, sleep,
physical activity and work posture. Each answer may flag its domain for attention and add
advice items to the treatment plan. Pure: answers in, a frozen :class:`WellnessResult` out.

Answers are a mapping ``{domain: {question: option value}}`` or a flat mapping
``{"domain.question": option value}``; questions left out are listed as unanswered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from taut.core.errors import TautError
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.schema import KnowledgeBase, WellnessDomain

__all__ = ["Advice", "InvalidWellnessAnswerError", "WellnessResult", "evaluate"]

LICENSE = "CC BY 4.0"


class InvalidWellnessAnswerError(TautError, ValueError):
    """An answer naming an unknown domain, question or option."""

    def __init__(self, what: str, how_to_fix: str, *, key: str | None = None) -> None:
        self.what = what
        self.how_to_fix = how_to_fix
        self.key = key  # the question ("domain.question") at fault, when there is one
        super().__init__(f"{what}. How to fix: {how_to_fix}", field=None if key is None else f"answers.{key}")


@dataclass(frozen=True, slots=True)
class Advice:
    """One advice item for the plan, with the answers that raised it and its sources."""

    id: str
    domain: str
    text: str
    because: tuple[str, ...]  # "domain.question=value" for each answer that raised it
    sources: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "domain": self.domain,
            "text": self.text,
            "because": list(self.because),
            "sources": list(self.sources),
        }


@dataclass(frozen=True, slots=True)
class WellnessResult:
    advice: tuple[Advice, ...]
    flags: Mapping[str, bool]  # domain id -> marked for attention
    unanswered: tuple[str, ...]  # "domain.question"
    kb_version: str

    @property
    def flagged(self) -> tuple[str, ...]:
        return tuple(d for d, f in self.flags.items() if f)

    def to_dict(self) -> dict[str, Any]:
        return {
            "advice": [a.to_dict() for a in self.advice],
            "flags": dict(self.flags),
            "unanswered": list(self.unanswered),
            "kb_version": self.kb_version,
            "license": LICENSE,
        }


def evaluate(answers: Mapping[str, Any], *, base: KnowledgeBase | None = None) -> WellnessResult:
    """Advice items (in questionnaire order, each once) and per-domain flags for ``answers``."""
    kb = base or load_base()
    chosen = _flatten(answers, kb.wellness)
    flags: dict[str, bool] = {}
    raised: dict[tuple[str, str], list[str]] = {}
    unanswered: list[str] = []
    for domain in kb.wellness.values():
        flags[domain.id] = False
        for question in domain.questions:
            key = f"{domain.id}.{question.id}"
            if key not in chosen:
                unanswered.append(key)
                continue
            value = chosen[key]
            option = next((o for o in question.options if o.value == value), None)
            if option is None:
                allowed = ", ".join(o.value for o in question.options)
                raise InvalidWellnessAnswerError(
                    f"{value!r} is not an answer to {key}", f"use one of: {allowed}", key=key
                )
            flags[domain.id] = flags[domain.id] or option.flag
            for advice_id in option.advice:
                raised.setdefault((domain.id, advice_id), []).append(f"{key}={value}")
    advice: list[Advice] = []
    for domain in kb.wellness.values():
        for item in domain.advice:
            because = raised.get((domain.id, item.id))
            if because:
                advice.append(
                    Advice(
                        id=item.id,
                        domain=domain.id,
                        text=item.text,
                        because=tuple(because),
                        sources=tuple(dict.fromkeys(ref.source for ref in item.sources)),
                    )
                )
    return WellnessResult(tuple(advice), flags, tuple(unanswered), kb.version)


def _flatten(answers: Mapping[str, Any], domains: Mapping[str, WellnessDomain]) -> dict[str, str]:
    if not isinstance(answers, Mapping):
        raise InvalidWellnessAnswerError(
            f"the answers must be a mapping, found {type(answers).__name__}",
            "give {domain: {question: answer}} or {'domain.question': answer}",
        )
    flat: dict[str, str] = {}
    for key, value in answers.items():
        if isinstance(value, Mapping):
            for question, answer in value.items():
                flat[f"{key}.{question}"] = answer
        else:
            flat[str(key)] = value
    known = {f"{d.id}.{q.id}" for d in domains.values() for q in d.questions}
    for key, value in flat.items():
        if key not in known:
            import difflib

            close = difflib.get_close_matches(key, sorted(known), n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise InvalidWellnessAnswerError(
                f"{key!r} is not a question of the wellness questionnaire{hint}",
                "use domain.question ids from wellness.yaml",
                key=key,
            )
        if not isinstance(value, str):
            raise InvalidWellnessAnswerError(
                f"the answer to {key} must be an option value (text), found {value!r}",
                "give the option's value, e.g. 'under_6'",
                key=key,
            )
    return flat
