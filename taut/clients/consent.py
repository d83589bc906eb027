"""Versioned consent texts, kept as files beside this module, and the one rendered text a
client reads, signs and the clinic stores.

A consent file is Markdown with a ``{clinic}`` placeholder. `render` turns the Markdown the
files use (a heading, paragraphs, bold, a numbered list) into plain blocks and fills in the
clinic's name; the template ``clients/_consent_text.html`` draws those blocks as HTML (Django
escapes every piece of text) and the text that is signed and fingerprinted is that same HTML
with its tags stripped (`text_of`). So what is shown, what is signed and what is stored cannot
drift apart: a test strips a page's consent section with `text_of` and compares.
No Markdown library is used and no HTML from the file or the clinic is ever passed through.

A clinic's owner may write the clinic's own wording (`do_save_clinic_text`): each save is a new
version (``clinic-1``, ``clinic-2``...) kept in ``ConsentTextVersion`` and never changed; the
newest one is the clinic's current text. A clinic that never wrote its own uses the file's.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.html import strip_tags

from taut.access import capabilities
from taut.audit import service as audit
from taut.clients.models import ConsentTextVersion

TEXTS = Path(__file__).with_name("consent_texts")
CURRENT = {"treatment-consent": "1.0"}
TEMPLATE = "clients/_consent_text.html"
PLACEHOLDER = "{clinic}"
CLINIC_VERSION = "clinic-"  # the prefix of a clinic's own versions
MAX_BODY = 20_000  # characters of Markdown a clinic's consent text may have

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

    @property
    def label(self) -> str:
        """The version as a person reads it."""
        return version_label(self.version)


def version_label(version: str) -> str:
    if version.startswith(CLINIC_VERSION):
        return f"clinic version {version.removeprefix(CLINIC_VERSION)}"
    return f"standard version {version}"


def clinic_versions(clinic: Any, text_id: str) -> Any:
    """The clinic's own versions of a text, newest first (inside the active clinic scope)."""
    return ConsentTextVersion.objects.filter(clinic=clinic, text_id=text_id).select_related("created_by")


def load(text_id: str, version: str | None = None, clinic: Any = None) -> ConsentText:
    """A consent text: the clinic's current (or a given) own version when it has one, else the file's."""
    if text_id not in CURRENT:
        raise KeyError(f"Unknown consent text {text_id!r}; known: {', '.join(CURRENT)}.")
    if clinic is not None and (version is None or version.startswith(CLINIC_VERSION)):
        rows = clinic_versions(clinic, text_id)
        row = rows.first() if version is None else rows.filter(version=version).first()
        if row is not None:
            return ConsentText(text_id, row.version, row.body)
        if version is not None:
            raise KeyError(f"Consent text {text_id!r} has no version {version!r} in this clinic.")
    return load_file(text_id, version)


@lru_cache(maxsize=16)
def load_file(text_id: str, version: str | None = None) -> ConsentText:
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

    @property
    def label(self) -> str:
        return version_label(self.version) if self.version else "preview, not saved"

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


def render(text_id: str, clinic: Any, version: str | None = None) -> RenderedConsent:
    """The current (or a given) version of a consent text, rendered for one clinic. ``clinic`` is
    the clinic (its own versions count) or just a name (the files' texts only)."""
    if isinstance(clinic, str):
        source = load_file(text_id, version)
        return render_body(source.body, clinic, source.text_id, source.version)
    source = load(text_id, version, clinic)
    return render_body(source.body, clinic.name, source.text_id, source.version)


def body_problem(body: str, clinic_name: str) -> str | None:
    """Why a consent body cannot be saved (or previewed), in the owner's words; None when it can."""
    if "\x00" in body:
        return "The text contains a control character; paste it again as plain text."
    if not body.strip():
        return "Write the consent text: it cannot be empty."
    if len(body) > MAX_BODY:
        return f"The text is {len(body):,} characters long; a consent may have at most {MAX_BODY:,}. Shorten it."
    if len(render_body(body, clinic_name).text) < 40:
        return "The text is too short to be a consent: say what the client agrees to, in full sentences."
    return None


def do_save_clinic_text(
    clinic: Any, body: str, user: Any, role: str | None, text_id: str = "treatment-consent"
) -> ConsentTextVersion:
    """Save the clinic's own wording of a consent text as a new version (older ones are kept)."""
    capabilities.require(role, "can_manage_clinic")
    if text_id not in CURRENT:
        raise ValidationError({"text_id": f"Unknown consent text {text_id!r}."})
    body = body.replace("\r\n", "\n")
    problem = body_problem(body, clinic.name)
    if problem is None and body.strip() == load(text_id, clinic=clinic).body.strip():
        problem = "This is the text already in use; change it before saving a new version."
    if problem:
        raise ValidationError({"body": problem})
    with transaction.atomic():
        saved = clinic_versions(clinic, text_id).values_list("version", flat=True)
        number = max((int(v.removeprefix(CLINIC_VERSION)) for v in saved), default=0) + 1
        row = ConsentTextVersion.objects.create(
            clinic=clinic,
            text_id=text_id,
            version=f"{CLINIC_VERSION}{number}",
            body=body.strip() + "\n",
            created_by=user,
        )
        rendered = render_body(row.body, clinic.name, text_id, row.version)
        audit.record("create", row, detail={"text": f"{text_id}@{row.version}", "sha256": rendered.sha256})
    return row
