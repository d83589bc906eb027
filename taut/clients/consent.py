"""Versioned consent texts, kept as files beside this module, and the one rendered text a
client reads, signs and the clinic stores.

A consent file is Markdown with a ``{clinic}`` placeholder. `render` turns the Markdown the
files use (a heading, paragraphs, bold, a numbered list) into plain blocks and fills in the
clinic's name; the template ``clients/_consent_text.html`` draws those blocks as HTML (Django
escapes every piece of text) and the text that is signed and fingerprinted is that same HTML
with its tags stripped (`text_of`). So what is shown, what is signed and what is stored cannot
drift apart: a test strips a page's consent section with `text_of` and compares.
No Markdown library is used and no HTML from the file or the clinic is ever passed through.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.html import strip_tags

TEXTS = Path(__file__).with_name("consent_texts")
CURRENT = {"treatment-consent": "1.0"}
TEMPLATE = "clients/_consent_text.html"
PLACEHOLDER = "{clinic}"

LIST_ITEM = re.compile(r"^(\d+)\.\s+")
MARKUP = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`")


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


@dataclass(frozen=True)
class Block:
    kind: str  # heading, paragraph or list
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.lines)


@dataclass(frozen=True)
class RenderedConsent:
    text_id: str
    version: str
    blocks: tuple[Block, ...]

    @cached_property
    def html(self) -> str:
        """The blocks drawn by the one consent template (every text escaped by Django)."""
        return render_to_string(TEMPLATE, {"blocks": self.blocks})

    @cached_property
    def text(self) -> str:
        """The exact text the client signs: the shown HTML without its tags."""
        return text_of(self.html)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def text_of(markup: str) -> str:
    """The text of the consent's HTML as a reader sees it: tags stripped, entities decoded."""
    return html.unescape(strip_tags(markup)).strip()


def _plain(line: str, clinic_name: str) -> str:
    """One line without its Markdown marks, the clinic's name filled in (after the marks are
    taken out, so a name with ``*``, ``_``, ``<b>`` or ``{`` shows as typed)."""
    plain = " ".join(MARKUP.sub("", line).split())
    return plain.replace(PLACEHOLDER, " ".join(clinic_name.split()))


def _blocks(lines: list[str], clinic_name: str) -> list[Block]:
    out: list[Block] = []
    if lines and lines[0].startswith("#"):
        out.append(Block("heading", (_plain(lines[0].lstrip("#"), clinic_name),)))
        lines = lines[1:]
    head = next((i for i, line in enumerate(lines) if LIST_ITEM.match(line)), len(lines))
    if head:
        out.append(Block("paragraph", tuple(_plain(line, clinic_name) for line in lines[:head])))
    items: list[str] = []
    for line in lines[head:]:
        if LIST_ITEM.match(line):
            items.append(_plain(LIST_ITEM.sub("", line), clinic_name))
        else:
            items[-1] = f"{items[-1]} {_plain(line, clinic_name)}"
    if items:
        out.append(Block("list", tuple(items)))
    return out


def render_body(body: str, clinic_name: str, text_id: str = "", version: str = "") -> RenderedConsent:
    """A Markdown consent body, split into plain blocks with the clinic's name filled in."""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        blocks.extend(_blocks(lines, clinic_name))
    return RenderedConsent(text_id, version, tuple(b for b in blocks if any(b.lines)))


def render(text_id: str, clinic_name: str, version: str | None = None) -> RenderedConsent:
    """The current (or a given) version of a consent text, rendered for one clinic."""
    source = load(text_id, version)
    return render_body(source.body, clinic_name, source.text_id, source.version)
