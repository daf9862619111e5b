"""The parents' copy of the agreement: what "good enough" looks like in their home.

Plain English for a reading age of about 9 to 11: short sentences, everyday words, large
type, one idea per line. It holds the rubric's words for each agreed level, when it was
agreed, who was there and who wrote it down, and nothing else: no scores or level numbers,
no flags, no notes from any agency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from homelog.exports.pdf_pages import build_pdf, styles, text

# Headings in everyday words for the default rubric's domains; a partnership's own domains
# use the rubric's name.
PLAIN_HEADINGS = {
    "kitchen": "Your kitchen",
    "food": "Food, and feeds for babies",
    "floors": "Floors, and space to move around",
    "bathroom": "The bathroom and toilet",
    "sleep": "Where your child sleeps",
    "hazards": "Keeping dangerous things away from children",
    "air": "How the home smells",
    "warmth": "Heating, hot water, power and repairs",
    "animals": "Pets, and pests like mice or bugs",
    "presentation": "Your child's clothes and keeping clean",
}


@dataclass(frozen=True)
class AgreedDomain:
    key: str
    name: str
    words: str  # the rubric's descriptor of the agreed level


@dataclass(frozen=True)
class ParentsCopy:
    reference: str
    agreed_on: dt.date
    written_by: str
    shared_on: dt.date | None
    domains: list[AgreedDomain]
    attendees: tuple[str, ...] = ()  # who was at the meeting, as written down then


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _sentence(words: str) -> str:
    words = words.strip()
    return words if words.endswith((".", "!", "?")) else words + "."


def _who_was_there(copy: ParentsCopy, style: dict) -> list[Flowable]:
    if not copy.attendees:
        return []
    return [Paragraph("These people were there when we agreed it:", style["body"]),
            *(Paragraph(f"- {text(person)}", style["body"]) for person in copy.attendees)]


def agreement_pdf(copy: ParentsCopy) -> bytes:
    """The parents' copy as PDF bytes (one or two pages)."""
    style = styles(12.5)
    story: list[Flowable] = [
        Paragraph("What we agreed about your home", style["title"]),
        Paragraph(f"This copy is for you to keep. Family reference: {text(copy.reference)}",
                  style["small"]),
        Spacer(1, 6),
        Paragraph("Everyone who works with your family agreed what your home needs to be "
                  "like for your children. This letter tells you what we agreed, so that "
                  "you know what we look for when we visit.", style["body"]),
        Paragraph("For each part of the home below, it says what <b>good enough</b> looks "
                  "like. If your home is like this, or better, that is good enough.",
                  style["body"]),
    ]
    for domain in copy.domains:
        story.append(KeepTogether([
            Paragraph(text(PLAIN_HEADINGS.get(domain.key, domain.name)), style["h3"]),
            Paragraph(f"Good enough means: {text(_sentence(domain.words))}", style["body"]),
        ]))
    story += [
        Spacer(1, 8),
        Paragraph(f"We agreed this on <b>{_date(copy.agreed_on)}</b>.", style["body"]),
        *_who_was_there(copy, style),
        Paragraph(f"It was written down by {text(copy.written_by)}, for everyone who works "
                  "with your family.", style["body"]),
    ]
    if copy.shared_on:
        story.append(Paragraph(f"It was given to you on {_date(copy.shared_on)}.",
                               style["body"]))
    story.append(Paragraph(
        "If something here is not clear, or you need help to do it, please ask your social "
        "worker. You can ask for this letter in another language or in bigger writing.",
        style["body"]))
    return build_pdf(story, title="What we agreed about your home", header="",
                     footer="Your copy of what we agreed")
