"""The evaluation sets written in plain words are well formed: the unseen set (never used to set a
parameter) and the calibration set (used to set the ranking's calibration and evidence parameters).
Only their form is checked here; their cases are scored by `python -m evaluation.runner`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from taut.core.knowledge.loader import load_base

FOLDER = Path(__file__).parents[2] / "evaluation"
SETS = {name: yaml.safe_load((FOLDER / name).read_text(encoding="utf-8"))["cases"]
        for name in ("unseen_cases.yaml", "calibration_cases.yaml")}  # fmt: skip
CASES: list[dict[str, Any]] = [c for cases in SETS.values() for c in cases]
MUSCLES = set(load_base().muscles)


@pytest.mark.parametrize("name", sorted(SETS))
def test_each_set_is_large_enough_in_both_kinds(name: str) -> None:
    """At least 80 cases, with both kinds well represented."""
    kinds = [c["kind"] for c in SETS[name]]
    assert len(kinds) >= 80
    assert kinds.count("referral_pattern") >= 30
    assert kinds.count("clinical_study") >= 30
    assert set(kinds) == {"referral_pattern", "clinical_study"}


def test_ids_are_unique_slugs() -> None:
    """Every id is a slug and appears once, across both sets."""
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9_]+", i) for i in ids)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_each_case_is_cited_and_names_known_muscles(case: dict[str, Any]) -> None:
    """A citation with a DOI or URL and a locator, plain phrases, a valid side, and muscle ids that exist."""
    source = case["source"]
    assert source["citation"].strip()
    assert source.get("doi") or source.get("url")
    if source.get("doi"):
        assert re.fullmatch(r"10\.\d{4,9}/\S+", source["doi"])
    assert source["locator"].strip()
    assert case["where"]
    assert all(isinstance(p, str) and p.strip() for p in case["where"])
    assert case.get("side", "both") in {"left", "right", "both"}
    assert case["expected"]
    assert set(case["expected"]) <= MUSCLES, set(case["expected"]) - MUSCLES
