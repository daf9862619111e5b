"""What one engine run changed for a family, said concern by concern: the inbox's news.

A run that opens six flags about one kitchen has one piece of news: the kitchen concern is
new (or worse). The core group is told which concerns are new, worse, better (an
improvement that has lasted) or resolved, each with its sentence; not each flag. Immediate
concerns are told on their own, at once (alerts), and are left out here.

A concern that the core group responded to, that closed and comes back within the engine's
window, is the same concern come back: it is news again ("back", not "new") only if it is
worse now than when they responded - more severe, or with a kind of finding they were not
told of then (a return that makes "improvements not lasting" true is news).

Pure: the family's findings after the run, what the run opened, made more severe and closed,
and the flags responded to and closed lately, in; news out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from homelog.engine.steps.concerns import SEVERITY_RANK, Concern, group
from homelog.engine.steps.types import Finding, FlagKind

NEW, BACK, WORSE, BETTER, RESOLVED = "new", "back", "worse", "better", "resolved"
_ORDER = {NEW: 0, BACK: 1, WORSE: 2, RESOLVED: 3, BETTER: 4}


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
                 ended: Sequence[Finding], domain_names: Mapping[str, str],
                 answered: Sequence[Finding] = ()) -> list[NewsItem]:
    """The family's news from one run: new, worse, better and resolved concerns.

    `current`: every finding true after the run; `opened`, `worsened`: keys of the flags
    the run opened or made more severe; `ended`: the findings of the flags it closed for
    good; `answered`: flags responded to and closed within the window. A concern is new
    when all its findings were opened now (back, when it was answered before and is worse
    now than then; not news at all when it is not worse), worse when some were opened or
    made more severe, better when all that opened is a lasting improvement; resolved when
    none of its domains (or, family-wide, its matter) has a concern any more.
    """
    now = [concern for concern in group(current, domain_names) if not concern.immediate]
    before = _answered_severity(answered)
    items = [item for concern in now
             if (item := _change(concern, opened, worsened, before)) is not None]
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


def merged_news(earlier: list[dict[str, str]], later: list[dict[str, str]]
                ) -> list[dict[str, str]]:
    """One day's news so far and a later run's, as one (the inbox keeps one entry per family
    a day): the latest word on each concern, except that a concern new today and worse
    since is still new today."""
    merged = {item["title"]: item for item in earlier}
    for item in later:
        before = merged.get(item["title"])
        if before and before["change"] == NEW and item["change"] == WORSE:
            item = {**item, "change": NEW}
        merged[item["title"]] = item
    return sorted(merged.values(), key=lambda item: _ORDER.get(item["change"], len(_ORDER)))


def _parts(concern: Concern) -> set[str]:
    """What a concern is about: its domains, or its family-wide matter."""
    return {f"domain:{domain}" for domain in concern.domains} or {concern.key}


def _answered_severity(answered: Sequence[Finding]) -> dict[str, tuple[int, set[FlagKind]]]:
    """Per domain or family-wide matter: the highest severity the core group responded to,
    and the kinds of finding they responded to."""
    highest: dict[str, tuple[int, set[FlagKind]]] = {}
    for concern in group(answered, {}):
        kinds = {finding.kind for finding in concern.findings}
        for part in _parts(concern):
            rank, seen = highest.get(part, (-1, set()))
            highest[part] = (max(rank, SEVERITY_RANK[concern.severity]), seen | kinds)
    return highest


def _no_worse_than_answered(concern: Concern,
                            answered: dict[str, tuple[int, set[FlagKind]]]) -> bool | None:
    """None if some of what the concern is about was never answered; else whether it is no
    more severe, and holds no other kind of finding, than what was."""
    then = [answered.get(part) for part in _parts(concern)]
    if any(part is None for part in then):
        return None
    kinds = {finding.kind for finding in concern.findings}
    return all(SEVERITY_RANK[concern.severity] <= rank and kinds <= seen
               for rank, seen in then if rank is not None)


def _change(concern: Concern, opened: set[str], worsened: set[str],
            answered: dict[str, tuple[int, set[FlagKind]]]) -> NewsItem | None:
    keys = {finding.key for finding in concern.findings}
    fresh = [finding for finding in concern.findings if finding.key in opened]
    if not fresh and not keys & worsened:
        return None
    if fresh and all(finding.kind == FlagKind.SUSTAINED_IMPROVEMENT for finding in fresh) \
            and not keys & worsened:
        change = BETTER
    elif keys <= opened:
        no_worse = _no_worse_than_answered(concern, answered)
        if no_worse:
            return None  # back, but no worse than when the core group responded
        change = NEW if no_worse is None else BACK
    else:
        change = WORSE
    return NewsItem(change, concern.title, concern.severity.value, concern.sentence)
