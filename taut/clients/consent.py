"""Versioned consent texts, kept as files beside this module."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TEXTS = Path(__file__).with_name("consent_texts")
CURRENT = {"treatment-consent": "1.0"}


@dataclass(frozen=True)
class ConsentText:
    text_id: str
    version: str
    body: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body.encode()).hexdigest()


@lru_cache(maxsize=16)
def load(text_id: str, version: str | None = None) -> ConsentText:
    version = version or CURRENT.get(text_id)
    if version is None:
        raise KeyError(f"Unknown consent text {text_id!r}; known: {', '.join(CURRENT)}.")
    path = TEXTS / f"{text_id}-{version}.md"
    if not path.exists():
        raise KeyError(f"Consent text {text_id!r} has no version {version!r}.")
    return ConsentText(text_id, version, path.read_text(encoding="utf-8"))
