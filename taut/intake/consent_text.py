"""The consent as the client reads, signs and the clinic stores it: one rendered text.

The versioned consent file (taut/clients/consent_texts) is Markdown with a ``{clinic}``
placeholder. `render` fills the placeholder and turns the Markdown the files use (a heading,
paragraphs, bold, a numbered list) into plain text; the page shows that text as escaped HTML
built from the same blocks, and the fingerprint is the SHA-256 of the exact plain text. No
Markdown library is used and no HTML from the file is ever passed through.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from taut.clients import consent as consent_texts

LIST_ITEM = re.compile(r"^(\d+)\.\s+")
MARKUP = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`")


@dataclass(frozen=True)
class RenderedConsent:
    text_id: str
    version: str
    blocks: tuple[tuple[str, tuple[str, ...]], ...]  # (kind, lines): heading, paragraph, list

    @property
    def text(self) -> str:
        """The exact text the client signs: blocks separated by a blank line."""
        out = []
        for kind, lines in self.blocks:
            if kind == "list":
                out.append("\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1)))
            else:
                out.append(" ".join(lines))
        return "\n\n".join(out)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def html(self) -> SafeString:
        parts = []
        for kind, lines in self.blocks:
            if kind == "heading":
                parts.append(f"<h2>{escape(' '.join(lines))}</h2>")
            elif kind == "list":
                items = "".join(f"<li>{n}. {escape(line)}</li>" for n, line in enumerate(lines, start=1))
                parts.append(f'<ol class="consent-list">{items}</ol>')
            else:
                parts.append(f"<p>{escape(' '.join(lines))}</p>")
        return mark_safe("".join(parts))  # noqa: S308  # every piece of text is escaped above


def _plain(line: str) -> str:
    return " ".join(MARKUP.sub("", line).split())


def render_body(body: str, clinic_name: str, text_id: str = "", version: str = "") -> RenderedConsent:
    """Fill the placeholders of a Markdown consent body and split it into plain blocks."""
    filled = body.replace("{clinic}", clinic_name)
    blocks: list[tuple[str, tuple[str, ...]]] = []
    for chunk in re.split(r"\n\s*\n", filled.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("#"):
            blocks.append(("heading", (_plain(lines[0].lstrip("#")),)))
            lines = lines[1:]
            if not lines:
                continue
        if LIST_ITEM.match(lines[0]):
            items: list[str] = []
            lead: list[str] = []
            for line in lines:
                if LIST_ITEM.match(line):
                    items.append(_plain(LIST_ITEM.sub("", line)))
                elif items:
                    items[-1] = f"{items[-1]} {_plain(line)}"
                else:
                    lead.append(_plain(line))
            blocks.append(("list", tuple(items)))
            continue
        if any(LIST_ITEM.match(line) for line in lines):
            head = next(i for i, line in enumerate(lines) if LIST_ITEM.match(line))
            blocks.append(("paragraph", tuple(_plain(line) for line in lines[:head])))
            rest = render_body("\n".join(lines[head:]), clinic_name)
            blocks.extend(rest.blocks)
            continue
        blocks.append(("paragraph", tuple(_plain(line) for line in lines)))
    return RenderedConsent(text_id, version, tuple(blocks))


def render(text_id: str, clinic_name: str, version: str | None = None) -> RenderedConsent:
    """The current (or a given) version of a consent text, rendered for one clinic."""
    source = consent_texts.load(text_id, version)
    return render_body(source.body, clinic_name, source.text_id, source.version)
