"""The core group summary as a PDF: read in a meeting, printed in black and white.

Sections: the family and period, the domains at a glance, flags with the responses
recorded, coverage, a trend chart per domain, the earliest and latest photo of each domain,
and every visit and event by date. Nothing relies on colour: statuses are words and
shading, charts use hatching and marker shapes.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    Flowable,
    Image,
    KeepTogether,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from homelog.core.time import local_zone
from homelog.exports.charts import HEIGHT_INCHES, WIDTH_INCHES, TrendCharts
from homelog.exports.pdf_pages import (
    BOLD,
    CONTENT_WIDTH,
    PAGE_HEIGHT,
    REGULAR,
    Para,
    build_pdf,
    register_fonts,
    styles,
    text,
)
from homelog.exports.report import (
    BORDERLINE,
    CONCERN,
    GOOD_ENOUGH,
    EventRow,
    PhotoPair,
    PhotoShot,
    SummaryReport,
    VisitRow,
    status_of,
)
from homelog.rubric.agreements import level_on

MARKING = "OFFICIAL-SENSITIVE"
_TIMELINE_CHUNK = 20  # visits and events per table
# Details (notes...) longer than this may not fit in a table row on one page.
_DETAILS_IN_A_ROW = 4000
_TIMELINE_WIDTHS = (2.3 * cm, 3.9 * cm, 2.4 * cm)  # when, who, visit; then the domains
_GRID = [("GRID", (0, 0), (-1, -1), 0.4, colors.black),
         ("VALIGN", (0, 0), (-1, -1), "TOP"),
         ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
         ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
# Status by words, a symbol and shading: legible on any printer, without colour.
_STATUS = {
    GOOD_ENOUGH: ("Good enough", None),
    BORDERLINE: ("(!) Borderline", colors.Color(0.82, 0.82, 0.82)),
    CONCERN: ("(!!) Concern", colors.black),
}


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _local(at: dt.datetime) -> dt.datetime:
    return at.astimezone(local_zone())


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


class SummaryPdf:
    """Lays one SummaryReport out as a PDF."""

    def __init__(self, report: SummaryReport, photos: dict[int, bytes]) -> None:
        self.report = report
        self.photos = photos
        self.style = styles(9)

    def para(self, value: str, style: str = "body") -> Paragraph:
        return Para(value, self.style[style])

    def build(self) -> bytes:
        report = self.report
        story = [*self._heading(), *self._picture(), *self._glance(), *self._flags(),
                 *self._coverage(),
                 *self._trends(), *self._photos(), *self._timeline()]
        return build_pdf(
            story, title=f"Home conditions summary: {report.reference}", header=MARKING,
            footer=f"{report.reference} · {long_date(report.period.start)} to "
                   f"{long_date(report.period.end)}")

    # --- the family and period ------------------------------------------------------------

    def _heading(self) -> list[Flowable]:
        report = self.report
        generated = _local(report.generated_at)
        rows = [
            ("Family reference", report.reference),
            ("Children (age today)", "; ".join(report.children) or "None recorded"),
            ("Plan", f"{report.plan}, started {long_date(report.plan_started_on)}"),
            ("Family record opened", long_date(report.opened_on)),
            ("Period", f"{long_date(report.period.start)} to {long_date(report.period.end)}"),
            ("Generated by", report.generated_by),
            ("Generated on", f"{long_date(generated.date())} at {generated:%H:%M}"),
        ]
        table = Table([[self.para(f"<b>{label}</b>", "small"), self.para(text(value), "small")]
                       for label, value in rows], colWidths=[4 * cm, CONTENT_WIDTH - 4 * cm])
        table.setStyle(TableStyle(_GRID))
        return [self.para("Home conditions summary", "title"), table,
                self.para("Scores run from 1 (best) to 5 (worst). Each domain is compared "
                          "with the level agreed for this family.", "small")]

    # --- the picture now ------------------------------------------------------------------

    def _picture(self) -> list[Flowable]:
        report = self.report
        made = long_date(_local(report.generated_at).date())
        out: list[Flowable] = [self.para(f"The picture on {made}", "h2"),
                               *[self.para(text(sentence)) for sentence in report.picture]]
        if report.concerns:
            out.append(self.para("Open concerns", "h3"))
        for concern in report.concerns:
            state = "" if concern.state == "open" else f" · {concern.state}"
            out.append(KeepTogether([
                self.para(f"<b>{text(concern.title)} · {concern.severity.upper()}{state}</b>"),
                self.para(text(concern.sentence), "small"), Spacer(1, 3)]))
        return out

    # --- at a glance ----------------------------------------------------------------------

    def _glance(self) -> list[Flowable]:
        header = ["Domain", "Agreed level", "Latest", "Worst", "Trend", "Latest compared "
                  "with agreed"]
        rows: list[list[Any]] = [[self.para(f"<b>{cell}</b>", "small") for cell in header]]
        # General styles first: a later command wins, so the per-status ones come after.
        commands: list[tuple[Any, ...]] = [
            *_GRID, ("FONTNAME", (2, 1), (5, -1), REGULAR), ("FONTSIZE", (2, 1), (5, -1), 8),
            ("ALIGN", (2, 1), (3, -1), "CENTER")]
        for index, item in enumerate(self.report.glance, start=1):
            words, shade = _STATUS.get(item.status, ("No score in this period", None))
            rows.append([
                self.para(text(item.name), "small"),
                self.para(f"{item.agreed_level}: {text(item.agreed_words)}", "small"),
                "-" if item.latest is None else str(item.latest),
                "-" if item.worst is None else str(item.worst),
                self.para(text(item.trend), "small"),
                words,
            ])
            if shade is not None:
                commands.append(("BACKGROUND", (5, index), (5, index), shade))
                commands.append(("FONTNAME", (5, index), (5, index), BOLD))
            if item.status == CONCERN:
                commands.append(("TEXTCOLOR", (5, index), (5, index), colors.white))
        widths = [4.2 * cm, 4.6 * cm, 1.3 * cm, 1.3 * cm, 2.6 * cm]
        table = Table(rows, colWidths=[*widths, CONTENT_WIDTH - sum(widths)], repeatRows=1)
        table.setStyle(TableStyle(commands))
        return [self.para("At a glance", "h2"), table,
                self.para("Good enough: the latest score is at or better than the agreed "
                          "level. (!) Borderline: worse than agreed. (!!) Concern: "
                          f"{self.report.concern_level} or worse. Trend: the rolling median "
                          "over the period.", "small")]

    # --- flags ----------------------------------------------------------------------------

    def _flags(self) -> list[Flowable]:
        out: list[Flowable] = [self.para("Flags in this period", "h2")]
        if not self.report.flags:
            return [*out, self.para("Homelog raised no flags in this period.")]
        for flag in self.report.flags:
            about = f" · {text(', '.join(flag.domains))}" if flag.domains else ""
            parts = [self.para(f"<b>{long_date(flag.raised_on)} · {flag.severity.upper()} · "
                               f"{flag.state}</b>{about}"),
                     self.para(text(flag.explanation))]
            responses = flag.responses or ["No response recorded yet."]
            parts += [self.para(f"<i>Response:</i> {text(response)}", "small")
                      for response in responses]
            out.append(KeepTogether([*parts, Spacer(1, 4)]))
        return out

    # --- coverage -------------------------------------------------------------------------

    def _coverage(self) -> list[Flowable]:
        coverage = self.report.coverage
        assert coverage is not None
        rows: list[list[Any]] = [[self.para(f"<b>{cell}</b>", "small") for cell in
                                  ("Agency", "Visits", "Unannounced", "In the core group")]]
        for agency in coverage.agencies:
            rows.append([self.para(text(agency.name), "small"), str(agency.visits),
                         str(agency.unannounced), "yes" if agency.in_core_group else "no"])
        table = Table(rows, colWidths=[8 * cm, 2.5 * cm, 2.8 * cm, 3.2 * cm], repeatRows=1)
        table.setStyle(TableStyle([*_GRID, ("FONTNAME", (1, 1), (-1, -1), REGULAR),
                                   ("FONTSIZE", (1, 1), (-1, -1), 8)]))
        father = (f"seen at {coverage.father_or_partner_seen} visit(s), last on "
                  f"{long_date(coverage.father_or_partner_last_seen)}"
                  if coverage.father_or_partner_last_seen else "not seen in this period")
        rooms = ", ".join(coverage.rooms_never_seen) or "none: every room was seen"
        silent = [agency.name for agency in coverage.agencies
                  if agency.in_core_group and not agency.visits]
        lines = [
            f"Visits: {coverage.visits}, of which unannounced: {coverage.unannounced}.",
            f"Rooms never seen in this period: {rooms}.",
            f"Father or partner: {father}.",
        ]
        if silent:
            lines.append("Core group agencies with no visit in this period: "
                         f"{', '.join(silent)}.")
        return [self.para("Coverage", "h2"), table, Spacer(1, 4),
                *[self.para(text(line)) for line in lines]]

    # --- trends ---------------------------------------------------------------------------

    def _trends(self) -> list[Flowable]:
        report = self.report
        out: list[Flowable] = [self.para("Trends by domain", "h2"), self.para(
            "Hatched band: the agreed level or better. Grey band: concern. Open circles: "
            "announced visits; black triangles: unannounced visits; dashed line: rolling "
            "median.", "small")]
        width = CONTENT_WIDTH
        height = width * HEIGHT_INCHES / WIDTH_INCHES
        charts: TrendCharts | None = None  # made only if a domain has scores
        for series in report.series:
            heading = self.para(text(series.name), "h3")
            if not series.points:
                out.append(KeepTogether([heading, self.para("No scores in this period.",
                                                            "small")]))
                continue
            charts = charts or TrendCharts(report.period.start, report.period.end,
                                           report.concern_level)
            out.append(KeepTogether([heading, Picture(charts.draw(series), width, height)]))
        return out

    # --- photos ---------------------------------------------------------------------------

    def _shot(self, shot: PhotoShot | None, label: str) -> list[Flowable]:
        if shot is None:
            return [self.para("Only one photo in this period.", "caption")]
        data = self.photos.get(shot.photo_id)
        caption = self.para(f"<b>{label}</b>: {long_date(shot.taken_on)}, "
                            f"{text(shot.agency)}", "caption")
        if data is None:
            return [self.para("This photo's file is not available.", "caption"), caption]
        with PILImage.open(io.BytesIO(data)) as picture:
            width, height = picture.size
            jpeg = io.BytesIO()
            picture.convert("RGB").save(jpeg, "JPEG", quality=85)
        scale = min(7.8 * cm / width, 6.2 * cm / height)
        jpeg.seek(0)
        return [Image(jpeg, width * scale, height * scale), caption]

    def _photos(self) -> list[Flowable]:
        if not self.report.photos:
            return [self.para("Photos", "h2"), self.para("No photos in this period.")]
        out: list[Flowable] = [self.para("Photos: earliest and latest in the period", "h2")]
        for pair in self.report.photos:
            out.append(KeepTogether([self.para(text(pair.domain), "h3"), self._pair(pair)]))
        return out

    def _pair(self, pair: PhotoPair) -> Table:
        table = Table([[self._shot(pair.earliest, "Earliest"),
                        self._shot(pair.latest, "Latest")]],
                      colWidths=[CONTENT_WIDTH / 2] * 2)
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("ALIGN", (0, 0), (-1, -1), "CENTER")]))
        return table

    # --- every visit and event ------------------------------------------------------------

    def _timeline(self) -> list[Flowable]:
        items = self.report.timeline()
        out: list[Flowable] = [self.para("Every visit and event, by date", "h2")]
        if not items:
            return [*out, self.para("No visits or events were recorded in this period.")]
        out.append(self.para(
            "Scores worse than the agreed level are in bold; concern scores are white on "
            "black; a dash means the domain was not seen. Each visit's second line holds who "
            "was present, the rooms seen, immediate concerns, the child's presentation and "
            "the notes.", "small"))
        # Several short tables rather than one long one: a table split across pages is laid
        # out again at every split, so one table of 300 visits would cost time squared. A
        # table row cannot run over a page, so very long details follow their table as text.
        chunk: list[VisitRow | EventRow] = []
        for item in items:
            chunk.append(item)
            details = self._details(item)
            if len(details) > _DETAILS_IN_A_ROW:
                out += [self._timeline_table(chunk, last_details=self.para(
                            "<i>The details of this visit follow the table.</i>", "small")),
                        Spacer(1, 3), self.para(details, "small")]
                chunk = []
            elif len(chunk) == _TIMELINE_CHUNK:
                out.append(self._timeline_table(chunk))
                chunk = []
        return out + ([self._timeline_table(chunk)] if chunk else [])

    def _timeline_table(self, items: list[VisitRow | EventRow],
                        last_details: Paragraph | None = None) -> Table:
        report = self.report
        names = list(report.domains.values())
        score_width = CONTENT_WIDTH - sum(_TIMELINE_WIDTHS)
        header = [*[self.para(f"<b>{cell}</b>", "small") for cell in ("When", "Who", "Visit")],
                  ScoreHeader(names, score_width)]
        rows: list[list[Any]] = [header]
        commands: list[tuple[Any, ...]] = [
            *_GRID, ("FONTNAME", (0, 1), (-1, -1), REGULAR), ("FONTSIZE", (0, 1), (2, -1), 7),
            ("LEADING", (0, 1), (2, -1), 8.5), ("VALIGN", (3, 0), (3, 0), "BOTTOM"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.9, 0.9, 0.9)),
            *[(name, (3, 0), (3, -1), 0) for name in
              ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")],
        ]
        for item in items:
            row = len(rows)
            details = (last_details if item is items[-1] and last_details
                       else self.para(self._details(item), "small"))
            if isinstance(item, VisitRow):
                rows += [self._visit_row(item, score_width), [details, "", "", ""]]
                if not item.announced:
                    commands.append(("FONTNAME", (2, row), (2, row), BOLD))
            else:
                rows += [self._event_row(item), [details, "", "", ""]]
                commands += [("SPAN", (2, row), (-1, row)), ("FONTNAME", (2, row), (2, row), BOLD),
                             ("LEFTPADDING", (2, row), (-1, row), 3),
                             ("TOPPADDING", (2, row), (-1, row), 2)]
            commands += [("SPAN", (0, row + 1), (-1, row + 1)),
                         ("LEFTPADDING", (0, row + 1), (-1, row + 1), 3),
                         ("RIGHTPADDING", (0, row + 1), (-1, row + 1), 3),
                         ("TOPPADDING", (0, row + 1), (-1, row + 1), 2),
                         ("BOTTOMPADDING", (0, row + 1), (-1, row + 1), 2),
                         ("NOSPLIT", (0, row), (-1, row + 1)),
                         ("LINEABOVE", (0, row), (-1, row), 1.2, colors.black)]
        table = Table(rows, colWidths=[*_TIMELINE_WIDTHS, score_width], repeatRows=1)
        table.setStyle(TableStyle(commands))
        return table

    @staticmethod
    def _when(at: dt.datetime) -> str:
        local = _local(at)
        return f"{local.day} {local:%b %Y}\n{local:%a %H:%M}"

    def _who(self, agency: str, role: str, author: str) -> str | Paragraph:
        """Plain lines when they fit the column (a paragraph costs far more to lay out)."""
        lines = [agency, f"{role}, {author}"]
        room = _TIMELINE_WIDTHS[1] - 6
        if all(stringWidth(line, REGULAR, 7) <= room for line in lines):
            return "\n".join(lines)
        return self.para(f"{text(agency)}<br/>{text(role)}, {text(author)}", "small")

    def _visit_row(self, visit: VisitRow, score_width: float) -> list[Any]:
        now = {item.key: item.agreed_level for item in self.report.glance}
        day = _local(visit.at).date()  # each score against the agreement then in force
        scores = [(score, status_of(score, level_on(self.report.agreed_steps, day, key,
                                                    now.get(key, 2)), self.report.concern_level))
                  for key in self.report.domains
                  for score in (visit.scores.get(key),)]
        who = self._who(visit.agency, visit.role, visit.author)
        # The strip fills its row: as tall as the "who" cell when that wraps (the paragraph
        # keeps this layout, so measuring it here costs nothing later).
        height = ScoreStrip.HEIGHT if isinstance(who, str) else max(
            ScoreStrip.HEIGHT, who.wrap(_TIMELINE_WIDTHS[1] - 6, PAGE_HEIGHT)[1] + 4)
        return [self._when(visit.at), who, "Announced" if visit.announced else "Unannounced",
                ScoreStrip(scores, score_width, height)]

    @staticmethod
    def _details(item: VisitRow | EventRow) -> str:
        """The second line of a visit or event, as paragraph markup."""
        if isinstance(item, EventRow):
            source = f" (source: {text(item.source)})" if item.source else ""
            return f"{text(item.summary)}{source}"
        details = [f"<b>Present:</b> {text(', '.join(item.present) or 'not recorded')}",
                   f"<b>Rooms seen:</b> {text(', '.join(item.rooms_seen) or 'none')}"]
        if item.concerns:
            details.append(f"<b>Immediate concerns:</b> {text(', '.join(item.concerns))}")
        if item.child_presentation:
            details.append(f"<b>Child's presentation:</b> {text(item.child_presentation)}")
        if item.notes:
            details.append(f"<b>Notes:</b> {text(item.notes)}")
        if item.supersedes_id:
            details.append(f"<i>Corrected record (replaces visit {item.supersedes_id}): "
                           f"{text(item.amendment_reason or '')}</i>")
        return " · ".join(details)

    def _event_row(self, event: EventRow) -> list[Any]:
        return [self._when(event.at), self._who(event.agency, event.role, event.author),
                f"Event: {event.kind}", ""]


def summary_pdf(report: SummaryReport, photos: dict[int, bytes]) -> bytes:
    """The summary as PDF bytes; `photos` holds each shown photo's stored thumbnail."""
    return SummaryPdf(report, photos).build()
