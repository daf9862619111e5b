"""A practitioner's caseload at a glance (the app's "My families"): each family with its
open flags and how long since anyone visited, counted as the family page counts them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from homelog.accounts.models import User
from homelog.engine.facts import load_facts
from homelog.engine.models import Flag, FlagState
from homelog.engine.parameters import analysis_parameters
from homelog.engine.steps import analysis
from homelog.engine.steps.types import Severity
from homelog.extensions import db
from homelog.families.services import families_of, record_family_list_view

_SEVERITY_ORDER = [severity.value for severity in Severity]  # least to most severe


def caseload(user: User, as_of: dt.datetime) -> list[dict[str, Any]]:
    """The families whose core group `user` is in, by reference, each with its open flags
    (how many, and the most severe) and the days since the last visit and since the last
    unannounced visit (the trends endpoint's figures). Audited as a family listing."""
    families = families_of(user)
    record_family_list_view(user, families)
    family_ids = [family.id for family in families]
    facts = load_facts(family_ids)
    params = analysis_parameters()
    flags = _open_flags(family_ids)
    entries = []
    for family in families:
        metrics = analysis.metrics(facts[family.id], params, as_of)
        counts = flags.get(family.id, {})
        entries.append({
            "family": family,
            "open_flags": sum(counts.values()),
            "most_severe_open_flag": max(counts, key=_SEVERITY_ORDER.index, default=None),
            "days_since_last_visit": metrics.days_since_last_visit,
            "days_since_last_unannounced": metrics.days_since_last_unannounced,
        })
    return entries


def _open_flags(family_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per family, the number of open flags of each severity (one query)."""
    if not family_ids:
        return {}
    rows = db.session.execute(
        select(Flag.family_id, Flag.severity, func.count())
        .where(Flag.family_id.in_(family_ids), Flag.state == FlagState.OPEN.value)
        .group_by(Flag.family_id, Flag.severity)
    ).all()
    found: dict[int, dict[str, int]] = {}
    for family_id, severity, count in rows:
        found.setdefault(family_id, {})[severity] = count
    return found
