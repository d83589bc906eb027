"""The words a client reads on an exercise come as whole sentences: a list item of steps, of
"when it gets easy" (progressions) or of stop signs (contraindications) starts with a capital,
so a sentence with a comma was not cut in two by the YAML list it sits in."""

from __future__ import annotations

import pytest

from taut.core.knowledge.loader import load_base

BASE = load_base()
FIELDS = ("steps", "progressions", "contraindications")


@pytest.mark.parametrize("field", FIELDS)
def test_every_item_is_a_whole_sentence(field: str) -> None:
    cut = [
        (e.id, item)
        for e in BASE.exercises.values()
        for item in getattr(e, field)
        if not item[:1].isupper() and not item[:1].isdigit()
    ]
    assert not cut, f"{field} items that start mid-sentence: {cut}"
