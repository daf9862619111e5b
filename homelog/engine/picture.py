"""The family picture: two to four sentences from the concerns, for the top of the family
screen (and, later, the summary and the digest).

In order, as far as they apply: immediate concerns to respond to; where the family stands
against the agreement (which areas are worse, and how badly); where things are going (getting
worse, improvements not lasting or lasting); announced against unannounced visits; and who
has not visited or been seen. Words a practitioner uses; every number says what it counts.
Pure: concerns in, sentences out.
"""

from __future__ import annotations

from collections.abc import Sequence

from homelog.engine.analysis_types import FlagKind, Severity
from homelog.engine.analysis_wording import listing, number
from homelog.engine.concerns import Concern
from homelog.engine.concerns_wording import phrase_of

MAX_SENTENCES = 4


def family_picture(concerns: Sequence[Concern], *, has_visits: bool) -> list[str]:
    """Two to four sentences saying where the family stands, from its concerns."""
    sentences = [sentence for sentence in (
        _immediate(concerns), _standing(concerns, has_visits), _direction(concerns),
        _announced_gap(concerns), _visiting(concerns),
    ) if sentence]
    if not has_visits:
        sentences.insert(0, "No visit has been recorded yet.")
    if len(sentences) < 2:
        # Nothing about visiting was found: say so, rather than leave the reader guessing.
        sentences.append("Visits are up to date." if has_visits else "Nothing has been flagged.")
    return sentences[:MAX_SENTENCES]


def _immediate(concerns: Sequence[Concern]) -> str:
    immediate = [concern for concern in concerns if concern.immediate]
    if not immediate:
        return ""
    what = listing([phrase_of(concern.findings[0]) for concern in immediate[:3]])
    more = f", and {len(immediate) - 3} more" if len(immediate) > 3 else ""
    noun = "concern" if len(immediate) == 1 else "concerns"
    return f"{number(len(immediate)).capitalize()} immediate {noun} to respond to: {what}{more}."


def _domains_with(concerns: Sequence[Concern], kind: FlagKind,
                  severity: Severity | None = None) -> list[str]:
    return [concern.title for concern in concerns if concern.domain and any(
        finding.kind == kind and (severity is None or finding.severity == severity)
        for finding in concern.findings)]


def _standing(concerns: Sequence[Concern], has_visits: bool) -> str:
    at_concern = _domains_with(concerns, FlagKind.BELOW_AGREED, Severity.HIGH)
    borderline = [title for title in _domains_with(concerns, FlagKind.BELOW_AGREED)
                  + _domains_with(concerns, FlagKind.BORDERLINE) if title not in at_concern]
    if not at_concern and not borderline:
        return "Every area seen is at or better than the agreed level." if has_visits else ""
    count = len(at_concern) + len(borderline)
    parts = []
    if at_concern:
        parts.append(f"a concern (4 or 5) in {listing(at_concern)}")
    if borderline:
        parts.append(f"borderline in {listing(borderline)}")
    areas = "one area" if count == 1 else f"{number(count)} areas"
    return f"Worse than agreed in {areas}: {'; '.join(parts)}."


def _direction(concerns: Sequence[Concern]) -> str:
    parts = []
    if worse := _domains_with(concerns, FlagKind.WORSENING_TREND):
        parts.append(f"getting worse in {listing(worse)}")
    if unsteady := _domains_with(concerns, FlagKind.NOT_SUSTAINED):
        parts.append(f"improvements have not lasted in {listing(unsteady)}")
    if sudden := _domains_with(concerns, FlagKind.SWING):
        parts.append(f"sudden changes for the worse in {listing(sudden)}")
    if lasted := _domains_with(concerns, FlagKind.SUSTAINED_IMPROVEMENT):
        parts.append(f"the improvement has lasted in {listing(lasted)}")
    if not parts:
        return ""
    text = "; ".join(parts)
    return f"{text[0].upper()}{text[1:]}."


def _announced_gap(concerns: Sequence[Concern]) -> str:
    gap = next((concern for concern in concerns if concern.key == "announced_gap"), None)
    if gap is None:
        return ""
    text = phrase_of(gap.findings[0])
    return f"{text[0].upper()}{text[1:]}: the home may be got ready for expected visits."


def _visiting(concerns: Sequence[Concern]) -> str:
    phrases = [phrase_of(finding) for concern in concerns
               if concern.key in ("visiting", "father_or_partner")
               for finding in concern.findings if finding.kind != FlagKind.ROOM_NEVER_SEEN]
    rooms = [phrase_of(finding).removesuffix(" never seen") for concern in concerns
             if concern.key == "visiting" for finding in concern.findings
             if finding.kind == FlagKind.ROOM_NEVER_SEEN]
    if rooms:
        phrases.append(f"{listing(rooms)} never seen")
    if not phrases:
        return ""
    text = "; ".join(phrases)
    return f"{text[0].upper()}{text[1:]}."
