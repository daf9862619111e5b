"""A family's concerns and picture, read from its open and acknowledged flags.

The flags are what the engine last found (each keeps its finding's words and phrase); the
pure steps in `concerns` and `picture` group them and say the picture. Reading them back
from the flags, rather than analysing again, keeps what a practitioner reads the same as
what was raised, acknowledged and sent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exists, select

from homelog.engine.facts import rubric_labels
from homelog.engine.flag_store import finding_of
from homelog.engine.flags import describe_flags
from homelog.engine.models import Flag, FlagState
from homelog.engine.steps.analysis import Finding
from homelog.engine.steps.concerns import Concern, group
from homelog.engine.steps.picture import family_picture
from homelog.extensions import db
from homelog.rubric.concern_level import concern_level
from homelog.visits.models import Visit

_ACTIVE = (FlagState.OPEN.value, FlagState.ACKNOWLEDGED.value)


def family_concerns(family_id: int) -> dict[str, Any]:
    """The family's picture (two to four sentences) and its concerns, each with the flags
    behind it. The caller has checked that the user may see the family."""
    flags = list(db.session.execute(
        select(Flag).where(Flag.family_id == family_id, Flag.state.in_(_ACTIVE))
        .order_by(Flag.id)).scalars())
    by_finding = {finding_of(flag): flag for flag in flags}
    labels = rubric_labels()
    concerns = group(by_finding, labels.domain_names)
    described = {flag["id"]: flag for flag in describe_flags(flags)}
    has_visits = bool(db.session.execute(
        select(exists().where(Visit.family_id == family_id))).scalar())
    return {
        "family_id": family_id,
        "picture": family_picture(concerns, labels.domain_names, has_visits=has_visits,
                                  concern_level=concern_level()),
        "concerns": [_describe(concern, by_finding, described, labels.domain_names)
                     for concern in concerns],
    }


def _describe(concern: Concern, by_finding: dict[Finding, Flag],
              described: dict[int, dict[str, Any]],
              domain_names: dict[str, str]) -> dict[str, Any]:
    flags = [by_finding[finding] for finding in concern.findings]
    return {
        "key": concern.key, "title": concern.title, "severity": concern.severity.value,
        "sentence": concern.sentence,
        "domain": (None if concern.domain is None else
                   {"key": concern.domain, "name": domain_names.get(concern.domain,
                                                                    concern.domain)}),
        "domains": [{"key": domain, "name": domain_names.get(domain, domain)}
                    for domain in concern.domains],
        "immediate": concern.immediate, "safe_sleep": concern.safe_sleep,
        "state": (FlagState.OPEN.value if any(flag.state == FlagState.OPEN.value
                                              for flag in flags)
                  else FlagState.ACKNOWLEDGED.value),
        "flag_ids": [flag.id for flag in flags],
        "occurrence": max(flag.occurrence for flag in flags),
        "flags": [described[flag.id] for flag in flags],
    }
