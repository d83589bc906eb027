"""The input of the reasoning: a client's pain chart and the findings that go with it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from taut.core.errors import FieldError, UnknownZoneError
from taut.core.knowledge.schema import JointMotion, KnowledgeBase, Mechanism, Symptom

__all__ = ["ChartError", "Mechanism", "PainChart", "PainMark", "Quality", "build_chart"]


class Quality(StrEnum):
    """How the pain feels, as clients describe it."""

    ACHING = "aching"
    DEEP = "deep"
    DULL = "dull"
    SHARP = "sharp"
    BURNING = "burning"
    THROBBING = "throbbing"
    SHOOTING = "shooting"
    NUMBNESS = "numbness"
    TINGLING = "tingling"
    WEAKNESS = "weakness"
    STIFFNESS = "stiffness"
    CRAMPING = "cramping"


# Qualities that point at a nerve rather than a muscle.
NEURAL_QUALITIES = frozenset({Quality.BURNING, Quality.SHOOTING, Quality.NUMBNESS, Quality.TINGLING, Quality.WEAKNESS})


class ChartError(FieldError):
    """A pain chart that cannot be read; the message names the field and how to fix it."""


@dataclass(frozen=True, slots=True)
class PainMark:
    """One painful zone of the chart (a sided zone id), its intensity 0-10 and, optionally, its own quality."""

    zone: str
    intensity: int = 5
    quality: Quality | None = None


@dataclass(frozen=True)
class PainChart:
    marks: tuple[PainMark, ...]
    qualities: frozenset[Quality] = frozenset()
    mechanism: Mechanism | None = None
    aggravating: frozenset[JointMotion] = frozenset()
    easing: frozenset[JointMotion] = frozenset()  # recorded with the chart; not weighed in the ranking yet
    restricted: frozenset[JointMotion] = frozenset()
    symptoms: frozenset[Symptom] = frozenset()
    condition: str | None = None
    age: int | None = None
    sex: str | None = None
    red_flags: tuple[str, ...] = field(default=())

    def weight(self, mark: PainMark) -> float:
        """How much a mark counts: 0.5 for a faint mark up to 1.0 for the worst pain."""
        return 0.5 + mark.intensity / 20

    def neural_marks(self) -> tuple[PainMark, ...]:
        """Marks that feel neural: by their own quality, or all marks when the chart as a whole does."""
        own = tuple(m for m in self.marks if m.quality in NEURAL_QUALITIES)
        if own:
            return own
        if self.qualities & NEURAL_QUALITIES and not any(m.quality for m in self.marks):
            return self.marks
        return ()


def _enum(kind: type[StrEnum], value: object, field_name: str) -> StrEnum:
    try:
        return kind(str(value).strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise ChartError(field_name, f"{value!r} is not known; use one of: {allowed}.") from None


def build_chart(
    base: KnowledgeBase,
    marks: Iterable[tuple[str, int | None, str | None]],
    *,
    qualities: Iterable[str] = (),
    mechanism: str | None = None,
    aggravating: Iterable[str] = (),
    easing: Iterable[str] = (),
    restricted: Iterable[str] = (),
    symptoms: Iterable[str] = (),
    condition: str | None = None,
    age: int | None = None,
    sex: str | None = None,
    red_flags: Iterable[str] = (),
) -> PainChart:
    """Check every part of a chart against the knowledge base and build it.

    ``marks`` are (sided zone id, intensity or None, quality or None). A zone marked twice keeps
    its highest intensity. Raises UnknownZoneError or ChartError with a message a person can act on.
    """
    merged: dict[str, PainMark] = {}
    for zone, intensity, quality in marks:
        if zone not in base.zones:
            raise UnknownZoneError(zone)
        level = 5 if intensity is None else intensity
        if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 10:
            raise ChartError("intensity", f"{intensity!r} for {zone} is not a whole number from 0 to 10.")
        q = Quality(_enum(Quality, quality, "quality")) if quality else None
        previous = merged.get(zone)
        if previous is None or level > previous.intensity:
            merged[zone] = PainMark(zone, level, q or (previous.quality if previous else None))
    if not merged:
        raise ChartError("pain", "mark at least one painful zone.")
    if condition is not None and condition not in base.conditions:
        raise ChartError("condition", f"{condition!r} is not a condition in the knowledge base.")
    if age is not None and not 0 <= age <= 120:
        raise ChartError("age", f"{age} is not an age in years from 0 to 120.")
    if sex is not None and sex not in ("female", "male", "other", "unknown"):
        raise ChartError("sex", "use female, male, other or unknown.")
    return PainChart(
        marks=tuple(sorted(merged.values(), key=lambda m: m.zone)),
        qualities=frozenset(Quality(_enum(Quality, q, "quality")) for q in qualities),
        mechanism=Mechanism(_enum(Mechanism, mechanism, "mechanism")) if mechanism else None,
        aggravating=frozenset(JointMotion(_enum(JointMotion, m, "aggravating")) for m in aggravating),
        easing=frozenset(JointMotion(_enum(JointMotion, m, "easing")) for m in easing),
        restricted=frozenset(JointMotion(_enum(JointMotion, m, "restricted")) for m in restricted),
        symptoms=frozenset(Symptom(_enum(Symptom, s, "symptoms")) for s in symptoms),
        condition=condition,
        age=age,
        sex=sex,
        red_flags=tuple(red_flags),
    )
