"""Special-test results weigh the neural differential.

A positive test that loads a finding's structure (its root, its nerve at that site) multiplies
the finding's score by the test's positive likelihood ratio, a negative test by its negative
likelihood ratio. Where the knowledge base cites a sensitivity and a specificity,
LR+ = sens / (1 - spec) and LR- = (1 - sens) / spec; otherwise a modest default (x2, x0.5) is
used and said so. An equivocal result is listed but not weighed. Each weighed finding explains
itself ("Phalen test positive (right): x2.0").

Side: a result on the left or right weighs only findings whose neural marks are on that side (or
in the midline); a midline result weighs every finding. When one test was done on several sides
that apply to a finding, a positive side counts once (a negative on the other side does not
cancel it), otherwise a negative side counts once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from taut.core.knowledge.queries import lookup, normalise
from taut.core.knowledge.schema import KnowledgeBase, SpecialTest
from taut.core.reasoning.chart import ChartError
from taut.core.reasoning.neural import NeuralFinding

__all__ = [
    "DEFAULT_LR_NEGATIVE",
    "DEFAULT_LR_POSITIVE",
    "SIDES",
    "Outcome",
    "SpecialResult",
    "likelihood_ratios",
    "read_results",
    "resolve_test",
    "weigh",
]

DEFAULT_LR_POSITIVE = 2.0
DEFAULT_LR_NEGATIVE = 0.5
LR_FLOOR, LR_CEILING = 0.05, 20.0  # a perfect published specificity must not make one test decide alone
SIDES = ("left", "right", "midline")
MAX_RESULTS = 200
MAX_NAME = 100


class Outcome(StrEnum):
    """The result of a special test (FHIR Observation interpretation words: POS, NEG, IND)."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    EQUIVOCAL = "equivocal"


@dataclass(frozen=True, slots=True)
class SpecialResult:
    """One special test done at a visit: the test's knowledge-base id, the side tested and the result."""

    test: str
    side: str
    result: Outcome


def resolve_test(base: KnowledgeBase, text: str, field_name: str = "tests") -> SpecialTest:
    """A special test by id, name or synonym ("Phalen's test", "SLR"); ChartError with suggestions if none."""
    if text in base.special_tests:
        return base.special_tests[text]
    if len(text) > MAX_NAME:  # no test has so long a name; and fuzzy matching a huge text is slow
        raise ChartError(
            field_name, f"{text[:40]!r}... is not a special test: names are at most {MAX_NAME} characters."
        )
    found, suggestions = lookup(base, "special_test", text)
    if found is not None:
        return base.special_tests[found]
    near = [f"{hit.name} ({hit.id})" for hit in suggestions]
    hint = f" Did you mean: {'; '.join(near)}?" if near else " See the list of special tests in the atlas."
    shown = text if len(text) <= 60 else text[:57] + "..."
    raise ChartError(field_name, f"{shown!r} is not a special test in the knowledge base.{hint}")


def _choice(value: Any, allowed: Iterable[str], field_name: str) -> str:
    options = tuple(allowed)
    text = value.strip().lower() if isinstance(value, str) else value
    if text not in options:
        shown = repr(value) if not isinstance(value, str) or len(value) <= 30 else repr(value[:27] + "...")
        raise ChartError(field_name, f"{shown} is not allowed; use one of: {', '.join(options)}.")
    return str(text)


def read_results(base: KnowledgeBase, raw: Iterable[SpecialResult | Mapping[str, Any]]) -> tuple[SpecialResult, ...]:
    """Check test results ({"test", "side", "result"}) against the knowledge base.

    Tests named by name or synonym are stored by id. A test recorded twice on the same side is
    refused; so are unknown tests (with suggestions), sides and results. Sorted by test, then side.
    """
    out: dict[tuple[str, str], SpecialResult] = {}
    for i, item in enumerate(raw):
        if i >= MAX_RESULTS:
            raise ChartError("tests", f"give at most {MAX_RESULTS} test results.")
        where = f"tests.{i}"
        test: Any
        side: Any
        result: Any
        if isinstance(item, SpecialResult):
            test, side, result = item.test, item.side, item.result
        elif isinstance(item, Mapping):
            test, side, result = item.get("test"), item.get("side", "midline"), item.get("result")
        else:
            raise ChartError(where, 'each test result needs "test", "side" and "result".')
        if not isinstance(test, str) or not test.strip():
            raise ChartError(f"{where}.test", "name a special test by its id, such as phalen.")
        found = resolve_test(base, test.strip(), f"{where}.test")
        side_id = _choice(side, SIDES, f"{where}.side")
        outcome = Outcome(_choice(result, (o.value for o in Outcome), f"{where}.result"))
        key = (found.id, side_id)
        if key in out:
            raise ChartError(f"{where}.test", f"{found.name} on the {side_id} side is given twice; keep one result.")
        out[key] = SpecialResult(found.id, side_id, outcome)
    return tuple(out[k] for k in sorted(out))


def likelihood_ratios(test: SpecialTest) -> tuple[float, float, bool]:
    """(LR+, LR-, from published accuracy?) for a test, within [LR_FLOOR, LR_CEILING]."""
    sens, spec = test.sensitivity, test.specificity
    if sens is None or spec is None:
        return DEFAULT_LR_POSITIVE, DEFAULT_LR_NEGATIVE, False
    positive = sens / (1 - spec) if spec < 1 else LR_CEILING
    negative = (1 - sens) / spec if spec > 0 else LR_CEILING
    return round(_clamp(positive), 3), round(_clamp(negative), 3), True


def _clamp(value: float) -> float:
    return min(LR_CEILING, max(LR_FLOOR, value))


def _lineage(base: KnowledgeBase, nerve_id: str) -> set[str]:
    """A nerve and the nerves it branches from."""
    out: set[str] = set()
    current: str | None = nerve_id
    while current is not None and current not in out and current in base.nerves:
        out.add(current)
        current = base.nerves[current].parent
    return out


def _aims_at(base: KnowledgeBase, test: SpecialTest, finding: NeuralFinding) -> bool:
    """Whether the test loads the finding's structure: its root; for a nerve site, the site when the
    test names sites (by its muscle or words of its name, as the differential does), else the nerve
    or the nerve it branches from. A test aimed at another site of the same nerve is not weighed:
    a positive Phalen says nothing for the pronator teres."""
    if finding.kind == "root":
        return finding.structure in test.targets.roots
    if test.targets.sites:
        name = f" {normalise(finding.site)} "
        return any(s == finding.muscle or f" {normalise(s)} " in name for s in test.targets.sites)
    return bool(_lineage(base, finding.structure) & set(test.targets.nerves))


def _applies(result: SpecialResult, finding: NeuralFinding) -> bool:
    return result.side == "midline" or not finding.sides or bool({result.side, "midline"} & set(finding.sides))


def weigh(
    base: KnowledgeBase, findings: Iterable[NeuralFinding], results: Iterable[SpecialResult]
) -> tuple[NeuralFinding, ...]:
    """The findings with each one's score multiplied by the likelihood ratios of the tests aimed at
    it, explained, best first. Without results the findings come back unchanged, in the same order."""
    done = tuple(results)
    out: list[NeuralFinding] = []
    for finding in findings:
        by_test: dict[str, list[SpecialResult]] = {}
        for r in done:
            if (
                r.test in base.special_tests
                and _aims_at(base, base.special_tests[r.test], finding)
                and _applies(r, finding)
            ):
                by_test.setdefault(r.test, []).append(r)
        if not by_test:
            out.append(finding)
            continue
        factor = 1.0
        confirmed: list[str] = []
        against: list[str] = []
        evidence: list[str] = []
        for test_id in sorted(by_test):
            test = base.special_tests[test_id]
            outcomes = {r.result for r in by_test[test_id]}
            sides = ", ".join(r.side for r in by_test[test_id])
            lr_pos, lr_neg, published = likelihood_ratios(test)
            basis = "from published sensitivity and specificity" if published else "default, no published accuracy"
            if Outcome.POSITIVE in outcomes:
                factor *= lr_pos
                confirmed.append(test_id)
                evidence.append(f"{test.name} positive ({sides}): x{lr_pos:g} ({basis})")
            elif Outcome.NEGATIVE in outcomes:
                factor *= lr_neg
                against.append(test_id)
                evidence.append(f"{test.name} negative ({sides}): x{lr_neg:g} ({basis})")
            else:
                evidence.append(f"{test.name} equivocal ({sides}): not weighed")
        out.append(
            replace(
                finding,
                score=round(finding.score * factor, 4),
                prior_score=finding.score,
                likelihood=round(factor, 4),
                confirmed_by=tuple(confirmed),
                argued_against_by=tuple(against),
                evidence=tuple(evidence),
            )
        )
    out.sort(key=lambda f: (-f.score, f.kind != "root", f.structure, f.site))
    return tuple(out)
