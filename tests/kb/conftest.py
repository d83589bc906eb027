"""Helpers to load a copy of the bundled data with one deliberate defect."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from taut.core.errors import InvalidKnowledgeBaseError, KnowledgeBaseError
from taut.core.knowledge import DATA_DIR, load_uncached

Breaker = Callable[[str, str, str], tuple[list[KnowledgeBaseError], str]]


def line_of(text: str, marker: str) -> int:
    """1-based line where ``marker`` first occurs in ``text``."""
    return text[: text.index(marker)].count("\n") + 1


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


@pytest.fixture
def break_file(data_copy: Path) -> Breaker:
    """Replace ``old`` by ``new`` in one data file, load, and return (errors, changed text)."""

    def run(name: str, old: str, new: str) -> tuple[list[KnowledgeBaseError], str]:
        path = data_copy / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"test setup: {old!r} not found in {name}"
        changed = text.replace(old, new, 1)
        path.write_text(changed, encoding="utf-8")
        try:
            load_uncached(data_copy)
        except InvalidKnowledgeBaseError as exc:
            return list(exc.errors), changed
        return [], changed

    return run
