"""The pieces of a summary PDF drawn directly rather than laid out as tables: the domains'
names over the score columns, a visit's score strip, and a picture held in memory.

Drawn, because ten table cells per visit cost far more to lay out on every page a table
reaches than one flowable that draws ten columns.
"""

from __future__ import annotations

from typing import Any

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from homelog.exports.pdf_pages import BOLD, REGULAR, register_fonts
from homelog.exports.report import BORDERLINE, CONCERN


class _FixedSize(Flowable):
    """A flowable that takes exactly its own width and height, whatever the space left."""

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height


class _Columns(_FixedSize):
    """Equal columns side by side with a rule between them: one flowable for a row of
    ten, far cheaper to lay out (on every page a table reaches) than ten table cells.
    A subclass sets items, width, height and cell, and draws one column."""

    items: list[Any]
    cell: float

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setLineWidth(0.4)
        for index, item in enumerate(self.items):
            left = index * self.cell
            self.draw_column(item, left)
            if index:
                canvas.line(left, 0, left, self.height)
        canvas.restoreState()

    def draw_column(self, item: Any, left: float) -> None:
        raise NotImplementedError


class ScoreHeader(_Columns):
    """The domains' names over the score columns, written bottom to top so that ten fit
    across a portrait page."""

    def __init__(self, names: list[str], width: float, size: float = 6.5) -> None:
        super().__init__()
        register_fonts()
        self.size, self.width, self.cell = size, width, width / max(1, len(names))
        self.items = [self._lines(name) for name in names]
        # Measured once: a header is laid out again on every page its table reaches.
        self.height = max((stringWidth(line, REGULAR, size) for lines in self.items
                           for line in lines), default=0) + 4

    @staticmethod
    def _lines(name: str) -> list[str]:
        words = name.split()
        half = (len(words) + 1) // 2 if len(name) > 18 else len(words)  # long: two lines
        return [line for line in (" ".join(words[:half]), " ".join(words[half:])) if line]

    def draw_column(self, item: list[str], left: float) -> None:
        canvas = self.canv
        lead = self.size + 1.2
        canvas.saveState()
        # Turned a quarter left: up the page is along the text, right is down the lines.
        canvas.translate(left + (self.cell - len(item) * lead) / 2, 2)
        canvas.rotate(90)
        canvas.setFont(REGULAR, self.size)
        for number, line in enumerate(item):
            canvas.drawString(0, -((number + 1) * lead - 1.5), line)
        canvas.restoreState()


class ScoreStrip(_Columns):
    """One visit's scores, a box per domain: plain when good enough, bold when worse than
    agreed, white on black at a concern, a dash when not seen."""

    HEIGHT = 20.0

    def __init__(self, scores: list[tuple[int | None, str]], width: float,
                 height: float = HEIGHT) -> None:
        super().__init__()
        self.items, self.width, self.height = scores, width, height
        self.cell = width / max(1, len(scores))

    def draw_column(self, item: tuple[int | None, str], left: float) -> None:
        canvas = self.canv
        score, status = item
        if status == CONCERN:
            canvas.setFillColor(colors.black)
            canvas.rect(left, 0, self.cell, self.height, stroke=0, fill=1)
            canvas.setFillColor(colors.white)
        else:
            canvas.setFillColor(colors.black)
        canvas.setFont(BOLD if status in (BORDERLINE, CONCERN) else REGULAR, 8)
        canvas.drawCentredString(left + self.cell / 2, self.height / 2 - 3,
                                 "-" if score is None else str(score))


class Picture(_FixedSize):
    """A picture already in memory (a chart), drawn at a given size."""

    def __init__(self, picture: PILImage.Image, width: float, height: float) -> None:
        super().__init__()
        self.picture = ImageReader(picture)
        self.width, self.height = width, height

    def draw(self) -> None:
        self.canv.drawImage(self.picture, 0, 0, self.width, self.height)
