"""Trend charts for the printed summary, drawn server side with matplotlib.

Made to be read on a black-and-white printout: the agreed good-enough band is hatched, the
concern zone is shaded grey, announced and unannounced visits have different marker shapes
(open circle, filled triangle), and the rolling median is a dashed line. Score 1 (best) is at
the top, as on the app's charts. Only the object API is used (no pyplot), so charts can be
drawn in any thread of a web server.
"""

from __future__ import annotations

import datetime as dt

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from PIL import Image

from homelog.core.time import local_zone
from homelog.exports.report import DomainSeries

WIDTH_INCHES, HEIGHT_INCHES, DPI = 7.0, 1.85, 130


def _span(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = local_zone()
    return (dt.datetime.combine(start, dt.time(), zone),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone))


def trend_chart(series: DomainSeries, start: dt.date, end: dt.date,
                concern_level: int) -> Image.Image:
    """One domain's scores over the period, as a greyscale picture.

    A picture rather than a PNG file: the PDF stores the pixels compressed in its own
    way, so encoding and decoding a PNG in between would only cost time.
    """
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes((0.07, 0.17, 0.70, 0.78))
    left, right = _span(start, end)
    axes.axhspan(0.5, series.agreed_level + 0.5, facecolor="white", edgecolor="0.55",
                 hatch="///", linewidth=0, label=f"agreed: {series.agreed_level} or better")
    axes.axhspan(concern_level - 0.5, 5.5, facecolor="0.85", linewidth=0,
                 label=f"concern: {concern_level} or worse")
    zone = local_zone()
    for announced, marker, face, label in ((True, "o", "white", "announced visit"),
                                           (False, "^", "black", "unannounced visit")):
        points = [point for point in series.points if point.announced is announced]
        axes.plot([point.at.astimezone(zone) for point in points],
                  [point.score for point in points], linestyle="none", marker=marker,
                  markersize=5, markerfacecolor=face, markeredgecolor="black", label=label)
    if series.median:
        axes.plot([at.astimezone(zone) for at, _ in series.median],
                  [value for _, value in series.median], color="black", linestyle="--",
                  linewidth=1, label="rolling median")
    axes.set_xlim(left, right)
    axes.set_ylim(5.5, 0.5)
    axes.set_yticks([1, 2, 3, 4, 5])
    axes.set_ylabel("score", fontsize=7)
    locator = AutoDateLocator(minticks=3, maxticks=7, tz=zone)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator, tz=zone, show_offset=False))
    axes.tick_params(labelsize=7)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=6.5, frameon=False)
    canvas.draw()
    return Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("L")
