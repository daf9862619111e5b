"""The CSV exports: scores in long format (one row per visit and domain) and one row per visit.

UTF-8 with a byte-order mark, so Excel reads accents and symbols correctly (LibreOffice and
Python's csv module ignore it with `utf-8-sig`), and CRLF line ends. Text typed by people
(notes, names, references) is neutralised against formula injection: a cell beginning with
= + - @ (or a tab or carriage return, which Excel skips before looking) gets a leading
apostrophe, so a spreadsheet shows it as text and never runs it. Numbers and dates are ours,
not typed, so they are written as they are (a negative number would stay a number).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Sequence

from homelog.core.time import local_zone
from homelog.exports.report import VisitRow, status_of

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
Cell = str | int | None

SUMMARY_HEADER = ("Family reference", "Visit id", "Date", "Time", "Agency", "Role",
                  "Announced", "Domain key", "Domain", "Score", "Agreed level", "Status")


def neutralise(text: str) -> str:
    """Text that a spreadsheet cannot mistake for a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _cell(value: Cell) -> str | int:
    if value is None:
        return ""
    return neutralise(value) if isinstance(value, str) else value


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """A CSV file: UTF-8 with BOM, CRLF, every text cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _when(visit: VisitRow) -> tuple[str, str]:
    local = visit.at.astimezone(local_zone())
    return local.date().isoformat(), local.strftime("%H:%M")


def summary_rows(reference: str, visits: list[VisitRow], domains: dict[str, str],
                 agreed: Callable[[str, dt.date], int | None],
                 concern_level: int) -> Iterable[list[Cell]]:
    """Long format: one row per visit and domain, "not seen" scores left empty. `agreed`
    gives a domain's agreed level in force on a date (a revision applies from its date)."""
    for visit in visits:
        date, time = _when(visit)
        day = dt.date.fromisoformat(date)
        common: list[Cell] = [reference, visit.id, date, time, visit.agency, visit.role,
                              "announced" if visit.announced else "unannounced"]
        for key in [*domains, *sorted(set(visit.scores) - set(domains))]:
            if key not in visit.scores:
                continue
            score = visit.scores[key]
            level = agreed(key, day)
            status = "not seen" if score is None else (
                status_of(score, level, concern_level) if level else "")
            yield [*common, key, domains.get(key, key), score, level, status]


def visits_header(domains: dict[str, str]) -> list[str]:
    return ["Family reference", "Visit id", "Date", "Time", "Agency", "Recorded by", "Role",
            "Announced", "Present", "Rooms seen", *domains.values(), "Immediate concerns",
            "Child's presentation", "Notes", "Corrects visit", "Reason for correction"]


def visits_rows(reference: str, visits: list[VisitRow],
                domains: dict[str, str]) -> Iterable[list[Cell]]:
    """One row per visit in force; a domain not seen is left empty."""
    for visit in visits:
        date, time = _when(visit)
        yield [reference, visit.id, date, time, visit.agency, visit.author, visit.role,
               "announced" if visit.announced else "unannounced",
               "; ".join(visit.present), "; ".join(visit.rooms_seen),
               *(visit.scores.get(key) for key in domains),
               "; ".join(visit.concerns), visit.child_presentation, visit.notes,
               visit.supersedes_id, visit.amendment_reason]
