"""What one engine run changed for a family, said concern by concern: the inbox's news.

A run that opens six flags about one kitchen has one piece of news: the kitchen concern is
new (or worse). The core group is told which concerns are new, worse, better (an
improvement that has lasted) or resolved, each with its sentence; not each flag. Immediate
concerns are told on their own, at once (alerts), and are left out here. Pure: the family's
findings after the run and what the run opened, made more severe and closed, in; news out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from homelog.engine.analysis_types import Finding, FlagKind
from homelog.engine.concerns import Concern, group

NEW, WORSE, BETTER, RESOLVED = "new", "worse", "better", "resolved"
_ORDER = {NEW: 0, WORSE: 1, RESOLVED: 2, BETTER: 3}


@dataclass(frozen=True)
class NewsItem:
    change: str        # new, worse, better, resolved
    title: str
    severity: str      # the concern's (for resolved: what it was)
    sentence: str

    def as_dict(self) -> dict[str, str]:
        return {"change": self.change, "title": self.title, "severity": self.severity,
                "sentence": self.sentence}


def concern_news(current: Sequence[Finding], opened: set[str], worsened: set[str],
                 ended: Sequence[Finding], domain_names: Mapping[str, str]) -> list[NewsItem]:
    """The family's news from one run: new, worse, better and resolved concerns.

    `current`: every finding true after the run; `opened`, `worsened`: keys of the flags
    the run opened or made more severe; `ended`: the findings of the flags it closed for
    good. A concern is new when all its findings were opened now, worse when some were
    opened or made more severe, better when all that opened is a lasting improvement;
    resolved when none of its domains (or, family-wide, its matter) has a concern any more.
    """
    now = [concern for concern in group(current, domain_names) if not concern.immediate]
    items = [item for concern in now
             if (item := _change(concern, opened, worsened)) is not None]
    still = {domain for concern in now for domain in concern.domains}
    still_keys = {concern.key for concern in now}
    for concern in group(ended, domain_names):
        gone = (not concern.immediate and not (set(concern.domains) & still)
                and (concern.domains or concern.key not in still_keys))
        if gone:
            items.append(NewsItem(RESOLVED, concern.title, concern.severity.value,
                                  f"No longer found: {concern.sentence}"))
    items.sort(key=lambda item: _ORDER[item.change])
    return items


def _change(concern: Concern, opened: set[str], worsened: set[str]) -> NewsItem | None:
    keys = {finding.key for finding in concern.findings}
    fresh = [finding for finding in concern.findings if finding.key in opened]
    if not fresh and not keys & worsened:
        return None
    if fresh and all(finding.kind == FlagKind.SUSTAINED_IMPROVEMENT for finding in fresh) \
            and not keys & worsened:
        change = BETTER
    else:
        change = NEW if keys <= opened else WORSE
    return NewsItem(change, concern.title, concern.severity.value, concern.sentence)
