"""Trend charts for the printed summary, drawn server side with matplotlib.

Made to be read on a black-and-white printout: the agreed good-enough band is hatched, the
concern zone is shaded grey, announced and unannounced visits have different marker shapes
(open circle, filled triangle), and the rolling median is a dashed line. Score 1 (best) is at
the top, as on the app's charts. Only the object API is used (no pyplot), so charts can be
drawn in any thread of a web server.

Every chart of one summary shares its axes (the same period, the same 1-5 scale), so the
frame, ticks, bands and key are drawn once per agreed level and kept as a picture; each
domain then only draws its own points and line on a copy of it. That makes ten charts cost
little more than one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from PIL import Image

from homelog.core.time import local_zone
from homelog.exports.report import DomainSeries

WIDTH_INCHES, HEIGHT_INCHES, DPI = 7.0, 1.85, 130


class TrendCharts:
    """Draws the trend charts of one period, one domain at a time."""

    def __init__(self, start: dt.date, end: dt.date, concern_level: int) -> None:
        zone = local_zone()
        self.figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        axes = self.axes = self.figure.add_axes((0.07, 0.17, 0.70, 0.78))
        axes.set_xlim(date2num(dt.datetime.combine(start, dt.time(), zone)),
                      date2num(dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone)))
        axes.set_ylim(5.5, 0.5)
        axes.set_yticks([1, 2, 3, 4, 5])
        axes.set_ylabel("score", fontsize=7)
        locator = AutoDateLocator(minticks=3, maxticks=7, tz=zone)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=zone,
                                                            show_offset=False))
        axes.tick_params(labelsize=7)
        self.band = axes.axhspan(0.5, 2.5, facecolor="white", edgecolor="0.55", hatch="///",
                                 linewidth=0)
        axes.axhspan(concern_level - 0.5, 5.5, facecolor="0.85", linewidth=0)
        # Drawn per domain on top of the kept frame ("animated": left out of the frame).
        self.announced = Line2D([], [], linestyle="none", marker="o", markersize=5,
                                markerfacecolor="white", markeredgecolor="black", animated=True)
        self.unannounced = Line2D([], [], linestyle="none", marker="^", markersize=5,
                                  markerfacecolor="black", markeredgecolor="black",
                                  animated=True)
        self.median = Line2D([], [], color="black", linestyle="--", linewidth=1, animated=True)
        for line in (self.announced, self.unannounced, self.median):
            axes.add_line(line)
        self.key = axes.legend(
            handles=[Patch(facecolor="white", edgecolor="0.55", hatch="///", label="agreed"),
                     Patch(facecolor="0.85", label=f"concern: {concern_level} or worse"),
                     Line2D([], [], linestyle="none", marker="o", markerfacecolor="white",
                            markeredgecolor="black", label="announced visit"),
                     Line2D([], [], linestyle="none", marker="^", markerfacecolor="black",
                            markeredgecolor="black", label="unannounced visit"),
                     Line2D([], [], color="black", linestyle="--", label="rolling median")],
            loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=6.5, frameon=False)
        self.frames: dict[int, Any] = {}

    def _frame(self, agreed_level: int) -> None:
        """Put the empty chart for this agreed level in the canvas (drawn once, then copied)."""
        if agreed_level in self.frames:
            self.canvas.restore_region(self.frames[agreed_level])
            return
        self.band.set_y(0.5)
        self.band.set_height(agreed_level)
        self.key.get_texts()[0].set_text(f"agreed: {agreed_level} or better")
        self.canvas.draw()
        self.frames[agreed_level] = self.canvas.copy_from_bbox(self.figure.bbox)

    def draw(self, series: DomainSeries) -> Image.Image:
        """One domain's chart as a greyscale picture (the PDF compresses the pixels itself,
        so a PNG in between would only cost time)."""
        self._frame(series.agreed_level)
        for line, announced in ((self.announced, True), (self.unannounced, False)):
            points = [point for point in series.points if point.announced is announced]
            line.set_data(date2num([point.at for point in points]),
                          [point.score for point in points])
        self.median.set_data(date2num([at for at, _ in series.median]),
                             [value for _, value in series.median])
        for line in (self.median, self.announced, self.unannounced):
            self.axes.draw_artist(line)
        width, height = self.canvas.get_width_height()
        return Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba()).convert("L")
