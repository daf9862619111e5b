"""What every Homelog PDF shares: fonts, text styles, and the page furniture (a marking at
the top and bottom of every page, and "page N of M"). Drawn with ReportLab.

The fonts are the DejaVu faces that ship inside matplotlib (already needed for the charts),
so every character people type (accents, Welsh, Polish...) prints, with no system package.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from reportlab import rl_config
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

REGULAR, BOLD, ITALIC = "HomelogSans", "HomelogSans-Bold", "HomelogSans-Oblique"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 1.6 * cm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
# Binary streams (images) as they are, not ASCII85-encoded: a quarter smaller and much faster.
rl_config.useA85 = 0


@cache
def register_fonts() -> None:
    """Register the DejaVu Sans faces with ReportLab (once per process)."""
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name, file in ((REGULAR, "DejaVuSans.ttf"), (BOLD, "DejaVuSans-Bold.ttf"),
                       (ITALIC, "DejaVuSans-Oblique.ttf")):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=ITALIC,
                                  boldItalic=BOLD)


def styles(base_size: float = 9) -> dict[str, ParagraphStyle]:
    """Paragraph styles for one document, scaled from its body text size."""
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=base_size,
                          leading=base_size * 1.3, spaceAfter=base_size * 0.4)
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=base_size - 1.5,
                                leading=(base_size - 1.5) * 1.25, spaceAfter=0),
        "title": ParagraphStyle("title", parent=body, fontName=BOLD,
                                fontSize=base_size * 1.9, leading=base_size * 2.3,
                                spaceAfter=base_size * 0.6),
        "h2": ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=base_size * 1.35,
                             leading=base_size * 1.7, spaceBefore=base_size * 1.2,
                             spaceAfter=base_size * 0.5, keepWithNext=True),
        "h3": ParagraphStyle("h3", parent=body, fontName=BOLD, fontSize=base_size * 1.1,
                             leading=base_size * 1.4, spaceBefore=base_size * 0.7,
                             spaceAfter=base_size * 0.3, keepWithNext=True),
        "caption": ParagraphStyle("caption", parent=body, fontSize=base_size - 1.5,
                                  leading=(base_size - 1.5) * 1.25, alignment=TA_CENTER),
    }


class Para(Paragraph):
    """A paragraph that remembers its layout for a width: a table cell is measured several
    times (to fit, to split across pages, to draw) always at its column's width, and
    breaking the lines again each time was most of a long summary's cost."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        known = self.__dict__
        if known.get("_wrapped_for") == (available_width, id(self.frags)) and "blPara" in known:
            return self.width, self.height
        size = super().wrap(available_width, available_height)
        self._wrapped_for = (available_width, id(self.frags))
        return size


def text(value: str) -> str:
    """People's text made safe for ReportLab's paragraph markup (which reads <b>, &amp;...)."""
    return escape(value).replace("\n", "<br/>")


def _numbered_canvas(header: str, footer: str) -> type[Canvas]:
    """A canvas that holds its pages until the end, so each can say "page N of M"."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # ReportLab names it so
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._furniture(number, total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _furniture(self, number: int, total: int) -> None:
            self.saveState()
            self.setFont(BOLD, 9)
            if header:
                self.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 0.9 * cm, header)
                self.drawCentredString(PAGE_WIDTH / 2, 0.65 * cm, header)
            self.setFont(REGULAR, 8)
            self.drawString(MARGIN, 1.1 * cm, footer)
            self.drawRightString(PAGE_WIDTH - MARGIN, 1.1 * cm, f"Page {number} of {total}")
            self.restoreState()

    return NumberedCanvas


def build_pdf(story: list[Flowable], *, title: str, header: str, footer: str,
              on_page: Callable[..., None] | None = None) -> bytes:
    """Lay `story` out on A4 pages with the page furniture; returns the PDF's bytes."""
    register_fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN, bottomMargin=MARGIN, title=title, author="Homelog",
        creator="Homelog", subject=header or title,
    )
    document.build(story, canvasmaker=_numbered_canvas(header, footer),
                   **({"onFirstPage": on_page, "onLaterPages": on_page} if on_page else {}))
    return buffer.getvalue()
