"""The home programme as a PDF for the client: fpdf2, DejaVu Sans as matplotlib ships it.

The same font and cleaning as the reports' PDFs (`taut.core.pdftext`): every piece of text is drawn
as text, never as markdown or HTML.
"""

from __future__ import annotations

import io
import logging

from fpdf import FPDF

from taut.core.bodymap.figures import figure_svg
from taut.core.pdftext import FONT, clean, font_paths
from taut.homecare import services
from taut.homecare.models import HomeProgramme

logging.getLogger("fpdf.svg").setLevel(logging.ERROR)  # the figure's <title> and arrow markers are not drawn: known


def _line(pdf: FPDF, text: str, size: float = 10.5, style: str = "", height: float = 5.5) -> None:
    pdf.set_font(FONT, style, size)
    pdf.multi_cell(0, height, clean(text), new_x="LMARGIN", new_y="NEXT")


def render_programme(programme: HomeProgramme, clinic_name: str) -> bytes:
    pdf = FPDF(format="A4")
    regular, bold = font_paths()
    pdf.add_font(FONT, "", str(regular))
    pdf.add_font(FONT, "B", str(bold))
    pdf.set_auto_page_break(True, margin=15)
    pdf.set_title("Home programme")
    pdf.add_page()
    client = programme.client
    _line(pdf, clinic_name, 10, "B")
    _line(pdf, f"Home programme for {client.given_name} {client.family_name}", 16, "B", 8)
    _line(pdf, f"Given on {programme.created_at:%Y-%m-%d}", 9)
    if programme.notes:
        pdf.ln(2)
        _line(pdf, programme.notes)
    for n, shown in enumerate(services.shown_items(programme), start=1):
        ex = shown.exercise
        pdf.ln(4)
        _line(pdf, f"{n}. {ex.name}", 13, "B", 7)
        _line(pdf, f"How much: {shown.dose}", 10.5, "B")
        if ex.figure is not None:
            svg = figure_svg(ex.figure, title=ex.name, size=120)
            pdf.image(io.BytesIO(svg.encode()), w=35)
        for k, step in enumerate(ex.steps, start=1):
            _line(pdf, f"{k}. {step}")
        if shown.item.get("note"):
            _line(pdf, f"From your practitioner: {shown.item['note']}")
        if ex.contraindications:
            _line(pdf, "Stop and ask your practitioner if:", 10, "B")
            for c in ex.contraindications:
                _line(pdf, f"- {c}", 10)
    pdf.ln(4)
    _line(pdf, "Stop any exercise that causes sharp or worsening pain, and tell your practitioner.", 9)
    return bytes(pdf.output())
