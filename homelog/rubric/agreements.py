"""A family's agreed baseline as people read it, and which agreed level was in force when.

Revisions are recorded by `services.revise_agreement` and never changed. A revision is in
force from its agreed-on date; a later revision replaces every earlier one from its own
agreed-on date onwards (so one recorded to correct a date or a level wins from that date).
Before the first agreement the rubric's good-enough levels apply.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from homelog.accounts.models import User
from homelog.extensions import db
from homelog.rubric.mapping import carry_levels
from homelog.rubric.models import AgreementRevision
from homelog.rubric.services import (
    Rubric,
    agreement_history,
    current_rubric,
    may_revise_agreement,
    rubric_by_id,
)
from homelog.rubric.versions import carried_sources


@dataclass(frozen=True)
class Step:
    """Levels in force from a date (None: from the start, the rubric's defaults)."""

    starts: dt.date | None
    levels: Mapping[str, int]


def steps_in_force(revisions: Iterable[tuple[int, dt.date, Mapping[str, int]]],
                   defaults: Mapping[str, int]) -> list[Step]:
    """The agreed levels over time, oldest first, from (revision, agreed_on, levels) rows.

    Each step holds a level for every domain of `defaults` (a revision's levels for
    domains it names, the defaults for the rest); domains the defaults do not know are
    left out.
    """
    steps = [Step(None, dict(defaults))]
    for _, agreed_on, levels in sorted(revisions, key=lambda row: row[0]):
        # A later revision rules from its date on, whatever earlier ones said after it.
        while len(steps) > 1 and steps[-1].starts >= agreed_on:  # type: ignore[operator]
            steps.pop()
        merged = dict(defaults)
        merged.update({key: value for key, value in levels.items() if key in defaults})
        steps.append(Step(agreed_on, merged))
    return steps


def level_on(steps: list[Step], day: dt.date, domain: str, fallback: int) -> int:
    """The level of `domain` in force on `day` (steps as `steps_in_force` gives them);
    `fallback` for a domain the steps do not know, or when there are none."""
    if not steps:
        return fallback
    starts = [step.starts.toordinal() for step in steps[1:]]  # type: ignore[union-attr]
    step = steps[bisect_right(starts, day.toordinal())]
    return step.levels.get(domain, fallback)


def family_steps(family_id: int, rubric: Rubric) -> list[Step]:
    """One family's agreed levels over time, against `rubric`'s domains and defaults (a
    revision made under an earlier rubric carried through its renames, splits and merges)."""
    rows = db.session.execute(
        select(AgreementRevision.revision, AgreementRevision.agreed_on,
               AgreementRevision.levels, AgreementRevision.rubric_version_id)
        .where(AgreementRevision.family_id == family_id)
    ).all()
    sources = carried_sources(rubric)
    return steps_in_force(
        [(revision, agreed_on, carry_levels(levels, sources[version])
          if version in sources else levels)
         for revision, agreed_on, levels, version in rows], rubric.default_levels())


# ---- the agreement as the API describes it ----------------------------------------------------


def _describe_levels(rubric: Rubric, levels: Mapping[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "domain_key": key,
            "domain_name": domain["name"],
            "expected_level": levels[key],
            "descriptor": rubric.descriptor(key, levels[key]),
        }
        for key, domain in rubric.domains.items()
        if key in levels
    ]


def _level_changes(rubric: Rubric, before: Mapping[str, int],
                   after: Mapping[str, int]) -> list[dict[str, Any]]:
    """The domains whose agreed level differs from the revision before (or the defaults)."""
    return [
        {"domain_key": key, "domain_name": domain["name"],
         "before": before[key], "after": after[key]}
        for key, domain in rubric.domains.items()
        if key in after and key in before and before[key] != after[key]
    ]


def _describe_revision(revision: AgreementRevision, before: Mapping[str, int],
                       names: dict[int, str]) -> dict[str, Any]:
    rubric = rubric_by_id(revision.rubric_version_id)
    return {
        "revision": revision.revision,
        "agreed_on": revision.agreed_on,
        "rubric_version": rubric.version,
        "levels": _describe_levels(rubric, revision.levels),
        "changes": _level_changes(rubric, before, revision.levels),
        "attendees": list(revision.attendees or []),
        "note": revision.note,
        "shared_with_parents_on": revision.shared_with_parents_on,
        "recorded_by": names.get(revision.recorded_by_id, ""),
        "recorded_at": revision.recorded_at,
    }


def _recorders(history: list[AgreementRevision]) -> dict[int, str]:
    ids = {revision.recorded_by_id for revision in history}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def describe_agreement(family_id: int, reader: User) -> dict[str, Any]:
    """The current agreement (or the rubric's defaults), its history with what each revision
    changed, and whether `reader` may record a revision."""
    history = agreement_history(family_id)
    names = _recorders(history)
    described = []
    for index, revision in enumerate(history):  # newest first
        earlier = history[index + 1] if index + 1 < len(history) else None
        before = (earlier.levels if earlier is not None
                  else rubric_by_id(revision.rubric_version_id).default_levels())
        described.append(_describe_revision(revision, before, names))
    may_revise = may_revise_agreement(reader)
    if described:
        return {"family_id": family_id, "is_default": False, "may_revise": may_revise,
                "current": described[0], "history": described}
    rubric = current_rubric()
    default = {
        "revision": 0, "agreed_on": None, "rubric_version": rubric.version,
        "levels": _describe_levels(rubric, rubric.default_levels()), "changes": [],
        "attendees": [], "note": "", "shared_with_parents_on": None, "recorded_by": "",
        "recorded_at": None,
    }
    return {"family_id": family_id, "is_default": True, "may_revise": may_revise,
            "current": default, "history": []}
