"""Score outcome measures (NDI, QuickDASH, LEFS ...) exactly by their published rules.

The instruments are data in ``knowledge/data/instruments.yaml``; this module applies their
scoring rule, missing-item rule, reverse-scored items and bands. It is pure: give it the
answers, get a frozen :class:`Score` that says how it was computed and what it rests on.

Answers are given in item order as a list (``None`` for an unanswered item), as a mapping of
1-based item numbers (ints or digit strings) to answers, or, for a one-item scale, as a number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from taut.core.errors import TautError, UnknownEntryError
from taut.core.knowledge.loader import load_base
from taut.core.knowledge.queries import normalise
from taut.core.knowledge.schema import Instrument, KnowledgeBase

__all__ = [
    "Change",
    "InvalidAnswersError",
    "Score",
    "change",
    "find_instrument",
    "score",
]

DECIMALS = 2


class InvalidAnswersError(TautError, ValueError):
    """Answers that cannot be scored: wrong count, out of range, or too many unanswered."""

    def __init__(self, instrument: str, what: str, how_to_fix: str, *, item: int | None = None) -> None:
        self.instrument = instrument
        self.what = what
        self.how_to_fix = how_to_fix
        self.item = item
        super().__init__(
            f"{instrument}: {what}. How to fix: {how_to_fix}", field="answers" if item is None else f"answers.{item}"
        )


@dataclass(frozen=True, slots=True)
class Score:
    """One scored questionnaire, with how it was computed and what it rests on."""

    instrument: str
    name: str
    value: float
    percent: float | None
    band: str | None
    answered: int
    items: int
    missing: tuple[int, ...]
    warnings: tuple[str, ...]
    higher_is: str
    score_min: float
    score_max: float
    why: str
    sources: tuple[str, ...]
    kb_version: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "name": self.name,
            "value": self.value,
            "percent": self.percent,
            "band": self.band,
            "answered": self.answered,
            "items": self.items,
            "missing": list(self.missing),
            "warnings": list(self.warnings),
            "higher_is": self.higher_is,
            "score_min": self.score_min,
            "score_max": self.score_max,
            "why": self.why,
            "sources": list(self.sources),
            "kb_version": self.kb_version,
        }


class Change(NamedTuple):
    """The change between two scores: ``after - before``, whether it reaches the MCID, and
    whether it is an improvement given the instrument's direction."""

    difference: float
    exceeds_mcid: bool
    improved: bool


# ------------------------------------------------------------------ public API


def find_instrument(name: str, base: KnowledgeBase | None = None) -> Instrument:
    """An instrument by id, name or synonym (``ndi``, ``NDI``, ``Neck Disability Index``)."""
    kb = base or load_base()
    if name in kb.instruments:
        return kb.instruments[name]
    wanted = normalise(name)
    for instrument in kb.instruments.values():
        names = (instrument.id, instrument.name, *instrument.synonyms)
        if any(normalise(n) == wanted for n in names):
            return instrument
    import difflib

    close = difflib.get_close_matches(name.lower(), sorted(kb.instruments), n=3)
    raise UnknownEntryError("instrument", name, close or sorted(kb.instruments))


def score(instrument_id: str, answers: object, *, base: KnowledgeBase | None = None) -> Score:
    """Score ``answers`` to an instrument by its published rules.

    Raises :class:`InvalidAnswersError` for a wrong number of items, an answer out of range or
    not a number, or more unanswered items than the instrument's missing-item rule allows, and
    :class:`~taut.core.errors.UnknownEntryError` for an unknown instrument.
    """
    kb = base or load_base()
    instrument = find_instrument(instrument_id, kb)
    raw = _normalise_answers(instrument, answers)
    warnings: list[str] = []
    given, missing = _apply_missing_rule(instrument, raw, warnings)
    scored = {n: _reverse(instrument, n, v) for n, v in given.items()}
    value, percent, why = _compute(instrument, scored, len(raw))
    value = _round(value)
    percent = None if percent is None else _round(percent)
    return Score(
        instrument=instrument.id,
        name=instrument.name,
        value=value,
        percent=percent,
        band=_band(instrument, value),
        answered=len(given) if instrument.missing.kind != "score_as_zero" else len(raw) - len(missing),
        items=len(raw),
        missing=tuple(missing),
        warnings=tuple(warnings),
        higher_is=instrument.higher_is,
        score_min=instrument.score_min,
        score_max=instrument.score_max,
        why=why,
        sources=tuple(dict.fromkeys(ref.source for ref in instrument.sources)),
        kb_version=kb.version,
    )


def change(
    instrument: str | Instrument,
    before: Score | float,
    after: Score | float,
    *,
    base: KnowledgeBase | None = None,
) -> Change:
    """The change from ``before`` to ``after`` on one instrument.

    ``difference`` is ``after - before`` in the score's units (percentage points when the
    instrument's MCID is given in percent); ``exceeds_mcid`` is true when the size of the change
    reaches the minimal clinically important difference (never, when none is published);
    ``improved`` follows the instrument's direction (a fall is better when higher is worse).
    """
    inst = instrument if isinstance(instrument, Instrument) else find_instrument(instrument, base)
    for label, given in (("before", before), ("after", after)):
        if isinstance(given, Score) and given.instrument != inst.id:
            raise InvalidAnswersError(
                inst.id,
                f"the {label} score belongs to {given.instrument!r}",
                "compare two scores of the same instrument",
            )
    in_percent = inst.mcid is not None and inst.mcid.unit == "percent"
    difference = _round(_as_value(after, in_percent) - _as_value(before, in_percent))
    exceeds = inst.mcid is not None and abs(difference) >= inst.mcid.value - 1e-9
    improved = difference < 0 if inst.higher_is == "worse" else difference > 0
    return Change(difference, exceeds, improved)


# ------------------------------------------------------------------ internals


def _as_value(given: Score | float, in_percent: bool) -> float:
    if isinstance(given, Score):
        if in_percent and given.percent is not None:
            return given.percent
        return given.value
    if isinstance(given, bool) or not isinstance(given, int | float) or not math.isfinite(given):
        raise TypeError(f"expected a Score or a number, found {given!r}")
    return float(given)


def _round(x: float) -> float:
    return round(x + 0.0, DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def _item_word(count: int) -> str:
    return "item" if count == 1 else "items"


def _normalise_answers(instrument: Instrument, answers: object) -> dict[int, float | None]:
    """Item number (1-based) -> answer or None, checked for count, type and range."""
    items = instrument.items
    fixed = items.count_min == items.count_max
    expected = (
        f"{items.count_max} {_item_word(items.count_max)}" if fixed else f"{items.count_min} to {items.count_max} items"
    )
    pairs: list[tuple[int, object]]
    if isinstance(answers, bool) or answers is None or isinstance(answers, str | bytes):
        raise InvalidAnswersError(
            instrument.id,
            f"the answers must be a list or a mapping of item numbers, found {answers!r}",
            f"give {expected} in order, e.g. [2, 0, 3, ...], using null for an unanswered item",
        )
    if isinstance(answers, int | float):
        if items.count_max != 1:
            raise InvalidAnswersError(
                instrument.id,
                f"a single number was given but the instrument has {expected}",
                f"give {expected} as a list in item order",
            )
        pairs = [(1, answers)]
    elif isinstance(answers, Mapping):
        pairs = []
        for key, value in answers.items():
            number = _item_number(instrument, key)
            pairs.append((number, value))
        if not fixed:
            numbers = sorted(n for n, _ in pairs)
            if numbers != list(range(1, len(numbers) + 1)):
                raise InvalidAnswersError(
                    instrument.id,
                    f"the item numbers {numbers} are not 1, 2, 3 ... in sequence",
                    "number the rated activities from 1 without gaps",
                )
    elif isinstance(answers, Sequence):
        pairs = [(index + 1, value) for index, value in enumerate(answers)]
    else:
        raise InvalidAnswersError(
            instrument.id,
            f"cannot read answers of type {type(answers).__name__}",
            f"give {expected} as a list in item order or as a mapping of item numbers",
        )
    count = len(pairs)
    if fixed and isinstance(answers, Mapping):
        count = items.count_max  # absent numbers are unanswered items
    if not items.count_min <= count <= items.count_max:
        raise InvalidAnswersError(
            instrument.id,
            f"{len(pairs)} {_item_word(len(pairs))} given but the instrument has {expected}",
            f"give exactly {expected} in item order, using null for an unanswered item",
        )
    out: dict[int, float | None] = dict.fromkeys(range(1, count + 1))
    for number, value in pairs:
        out[number] = _check_value(instrument, number, value)
    return out


def _item_number(instrument: Instrument, key: object) -> int:
    number: int | None = None
    if isinstance(key, int) and not isinstance(key, bool):
        number = key
    elif isinstance(key, str) and key.strip().isdigit():
        number = int(key.strip())
    if number is None or not 1 <= number <= instrument.items.count_max:
        raise InvalidAnswersError(
            instrument.id,
            f"{key!r} is not an item number of this instrument",
            f"use item numbers 1 to {instrument.items.count_max}",
        )
    return number


def _check_value(instrument: Instrument, number: int, value: object) -> float | None:
    items = instrument.items
    if value is None:
        return None
    low, high = items.min_value, items.max_value
    if isinstance(value, bool):
        if low == 0 and high == 1:
            return float(value)
        value_ok = False
    else:
        value_ok = isinstance(value, int | float) and math.isfinite(value)
    span = f"{low:g} to {high:g}"
    if not value_ok:
        raise InvalidAnswersError(
            instrument.id,
            f"item {number}: {value!r} is not a number",
            f"answer each item with a number from {span}, or null when it was left blank",
            item=number,
        )
    assert isinstance(value, int | float)
    number_value = float(value)
    if not low <= number_value <= high:
        raise InvalidAnswersError(
            instrument.id,
            f"item {number}: {value!r} is outside the range {span}",
            f"answer each item with a number from {span}",
            item=number,
        )
    if items.integer and not number_value.is_integer():
        raise InvalidAnswersError(
            instrument.id,
            f"item {number}: {value!r} is not a whole number",
            f"answer each item with a whole number from {span}",
            item=number,
        )
    return number_value


def _apply_missing_rule(
    instrument: Instrument, raw: Mapping[int, float | None], warnings: list[str]
) -> tuple[dict[int, float], list[int]]:
    rule = instrument.missing
    missing = [n for n, v in raw.items() if v is None]
    given = {n: v for n, v in raw.items() if v is not None}
    if not missing:
        return given, missing
    listed = ", ".join(str(n) for n in missing)
    if rule.kind == "none":
        raise InvalidAnswersError(
            instrument.id,
            f"{_item_word(len(missing))} {listed} {'is' if len(missing) == 1 else 'are'} unanswered and this"
            " instrument is scored only when every item is answered",
            "ask the client to complete the form; the score cannot be estimated",
            item=missing[0],
        )
    if rule.kind == "score_as_zero":
        warnings.append(f"{_item_word(len(missing)).capitalize()} {listed} left blank and counted as 0 (not ticked)")
        return {**given, **dict.fromkeys(missing, 0.0)}, missing
    if len(missing) > rule.max_missing:
        raise InvalidAnswersError(
            instrument.id,
            f"{len(missing)} items ({listed}) are unanswered; the scoring rule allows at most {rule.max_missing}",
            "ask the client to complete the missing items; with this many gaps the score is not valid",
        )
    warnings.append(
        f"{_item_word(len(missing)).capitalize()} {listed} unanswered; scored from the {len(given)} answered items"
        f" (at most {rule.max_missing} may be missing)"
    )
    return given, missing


def _reverse(instrument: Instrument, number: int, value: float) -> float:
    items = instrument.items
    if number in items.reverse_scored:
        return items.min_value + items.max_value - value
    return value


def _compute(instrument: Instrument, scored: Mapping[int, float], count: int) -> tuple[float, float | None, str]:
    """(value, percent, why) from reverse-scored, missing-handled item scores."""
    items = instrument.items
    answered = len(scored)
    total = sum(scored.values())
    rule = instrument.scoring_rule
    reversed_note = (
        f" after reversing items {', '.join(str(n) for n in items.reverse_scored)}" if items.reverse_scored else ""
    )
    if rule == "single":
        return total, None, f"the rating itself ({total:g})"
    if rule == "mean":
        value = total / answered
        return value, None, f"mean of {answered} ratings ({total:g} / {answered})"
    if rule == "dash":
        value = (total / answered - items.min_value) * 100 / (items.max_value - items.min_value)
        return value, None, f"(({total:g} / {answered}) - 1) x 25 from {answered} answered items"
    # sum and sum_percent: prorate to the full item count when items were left out
    value = total * count / answered
    prorated = f", prorated to {count} items (x {count}/{answered})" if answered < count else ""
    why = f"sum of {answered} items{reversed_note} = {total:g}{prorated}"
    if rule == "sum_percent":
        possible = (items.max_value - items.min_value) * answered
        percent = (total - items.min_value * answered) * 100 / possible
        return value, percent, f"{why}; percent = {total:g} / {possible:g} x 100"
    return value, None, why


def _band(instrument: Instrument, value: float) -> str | None:
    """The last band whose lower limit the score reaches (prorated scores can fall between bands)."""
    label: str | None = None
    for band in instrument.bands:
        if value >= band.low:
            label = band.label
    return label
