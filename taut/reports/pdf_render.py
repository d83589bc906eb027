"""Turning a report's blocks into PDF bytes with fpdf2 and a DejaVu font shipped with matplotlib.

Every piece of text is drawn as text: fpdf2's markdown and HTML modes are never switched on, so
"**bold**" or "<script>" in a note prints as those characters. The font covers the Latin, Greek and
Cyrillic letters of every European language; nothing is fetched from the network.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from fpdf import FPDF

from taut.core import pdftext
from taut.core.pdftext import FONT, font_paths

PAGES_ALIAS = "{taut-page-count}"  # replaced by the number of pages; removed from user text


def clean(text: object) -> str:
    """User text made safe to draw (``pdftext.clean``), without the page-count alias."""
    return pdftext.clean(text).replace(PAGES_ALIAS, "")


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Para:
    text: str
    muted: bool = False


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Facts:
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Picture:
    png: bytes
    caption: str
    width_mm: float = 120.0


@dataclass(frozen=True)
class Drawing:
    """An exercise's stick figure (our own SVG, taut.core.bodymap.figures), drawn small."""

    svg: str
    width_mm: float = 35.0


Block = Heading | Para | Bullets | Facts | Picture | Drawing


@dataclass
class Document:
    """A report before it is drawn: a title, who it is about and for, and its blocks in order."""

    title: str
    clinic: str
    practitioner: str
    subtitle: str = ""
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> None:
        self.blocks.extend(blocks)


class _ReportPDF(FPDF):
    def __init__(self, doc: Document) -> None:
        super().__init__(format="A4", unit="mm")
        self.doc = doc
        regular, bold = font_paths()
        self.add_font(FONT, "", str(regular))
        self.add_font(FONT, "B", str(bold))
        self.alias_nb_pages(PAGES_ALIAS)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_margins(18, 18, 18)
        self.set_title(clean(doc.title))
        self.set_author(clean(doc.clinic))
        self.set_creator("Taut")

    def header(self) -> None:
        self.set_font(FONT, "B", 10)
        self.set_text_color(40, 40, 40)
        self.cell(0, 5, clean(self.doc.clinic), new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, "", 9)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, "Practitioner: " + clean(self.doc.practitioner), new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(160, 160, 160)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(5)
        self.set_text_color(0, 0, 0)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, "", 8)
        self.set_text_color(90, 90, 90)
        left = clean(self.doc.title) + (" · " + clean(self.doc.subtitle) if self.doc.subtitle else "")
        room = self.get_string_width("Page 999 of 999")
        self.cell(self.epw - room, 5, left, align="L")
        self.set_x(self.w - self.r_margin - room)
        self.cell(room, 5, f"Page {self.page_no()} of {PAGES_ALIAS}", align="L")


def _text(pdf: FPDF, text: str, size: float = 10.5, style: str = "", height: float = 5.5) -> None:
    pdf.set_font(FONT, style, size)
    pdf.multi_cell(0, height, clean(text), new_x="LMARGIN", new_y="NEXT", markdown=False, align="L")


def render(doc: Document) -> bytes:
    """The document as PDF bytes."""
    pdf = _ReportPDF(doc)
    pdf.add_page()
    _text(pdf, doc.title, 17, "B", 8)
    if doc.subtitle:
        _text(pdf, doc.subtitle, 11)
    pdf.ln(2)
    for block in doc.blocks:
        if isinstance(block, Heading):
            if pdf.get_y() > pdf.h - 45:
                pdf.add_page()
            pdf.ln(2)
            _text(pdf, block.text, 13, "B", 7)
        elif isinstance(block, Para):
            pdf.set_text_color(*((90, 90, 90) if block.muted else (0, 0, 0)))
            _text(pdf, block.text, 9.5 if block.muted else 10.5)
            pdf.set_text_color(0, 0, 0)
            pdf.ln(1)
        elif isinstance(block, Bullets):
            for item in block.items:
                pdf.set_font(FONT, "", 10.5)
                pdf.cell(5, 5.5, "•")
                pdf.multi_cell(0, 5.5, clean(item), new_x="LMARGIN", new_y="NEXT", markdown=False, align="L")
            pdf.ln(1)
        elif isinstance(block, Facts):
            for label, value in block.rows:
                pdf.set_font(FONT, "B", 10)
                pdf.cell(48, 5.5, clean(label))
                pdf.set_font(FONT, "", 10)
                pdf.multi_cell(0, 5.5, clean(value) or "—", new_x="LMARGIN", new_y="NEXT", markdown=False, align="L")
            pdf.ln(1)
        elif isinstance(block, Picture):
            _picture(pdf, block)
        elif isinstance(block, Drawing):
            if pdf.h - pdf.b_margin - pdf.get_y() < block.width_mm + 5:
                pdf.add_page()
            pdf.image(io.BytesIO(block.svg.encode()), x=pdf.l_margin, w=block.width_mm)
    return bytes(pdf.output())


def _picture(pdf: FPDF, block: Picture) -> None:
    from PIL import Image

    with Image.open(io.BytesIO(block.png)) as image:
        ratio = image.height / image.width if image.width else 1.0
    width = min(block.width_mm, pdf.epw)
    height = width * ratio
    room = pdf.h - pdf.b_margin - pdf.get_y()
    if height + 12 > room:
        if height + 12 > pdf.h - pdf.t_margin - pdf.b_margin - 20:  # too tall for any page: shrink it
            height = pdf.h - pdf.t_margin - pdf.b_margin - 40
            width = height / ratio
        pdf.add_page()
    pdf.image(io.BytesIO(block.png), x=pdf.l_margin, w=width, h=height)
    pdf.set_text_color(90, 90, 90)
    _text(pdf, block.caption, 9, height=4.5)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
