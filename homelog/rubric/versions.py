"""The rubric's versions as the administrator sees them, and how older versions' domains
carry on into the current one (read by charts and the engine; see rubric/mapping.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from homelog.accounts.models import User
from homelog.extensions import db
from homelog.rubric.concern_level import concern_level
from homelog.rubric.mapping import (
    DomainMapping,
    carry_levels,
    identity_mapping,
    is_identity,
    sources_back,
)
from homelog.rubric.models import AgreementRevision, RubricVersion
from homelog.rubric.services import (
    Rubric,
    current_rubric,
    forget_cached_versions,
    rubric_version,
)

Sources = dict[str, tuple[str, ...]]

_VERSIONS = (
    select(RubricVersion.id, RubricVersion.version, RubricVersion.name,
           RubricVersion.loaded_at, User.name.label("loaded_by"))
    .outerjoin(User, User.id == RubricVersion.loaded_by_id)
    .order_by(RubricVersion.version.desc())
)


def list_versions() -> dict[str, Any]:
    """Every version, newest first (number, name, loaded when and by whom), and which is
    in force."""
    current = current_rubric()
    rows = db.session.execute(_VERSIONS).all()
    return {
        "current_version": current.version,
        "versions": [{"version": row.version, "name": row.name, "loaded_at": row.loaded_at,
                      "loaded_by": row.loaded_by or "Homelog (the rubric shipped with it)",
                      "current": row.id == current.id} for row in rows],
    }


def _loader_name(row: RubricVersion) -> str:
    if row.loaded_by_id is None:
        return "Homelog (the rubric shipped with it)"
    user = db.session.get(User, row.loaded_by_id)
    return user.name if user else ""


def describe_version(version: int) -> dict[str, Any] | None:
    """One version in full: its content, when and by whom it was loaded, and how its
    domains continue the version before it (None: no such version)."""
    rubric = rubric_version(version)
    if rubric is None:
        return None
    row = db.session.get_one(RubricVersion, rubric.id)
    previous = rubric_version(version - 1)
    if previous is None:
        mapping = None
    elif row.continues is None:
        mapping = identity_mapping(list(rubric.domains), list(previous.domains))
    else:
        mapping = DomainMapping(row.continues, row.retired or [])
    return {
        **rubric.for_people(concern_level()),
        "loaded_at": row.loaded_at,
        "loaded_by": _loader_name(row),
        "current": rubric.id == current_rubric().id,
        "previous_version": previous.version if previous else None,
        "continues": [{"key": key, "continues": names}
                      for key, names in mapping.continues.items()] if mapping else [],
        "retired": mapping.retired if mapping else [],
    }


_STEPS = select(RubricVersion.id, RubricVersion.version, RubricVersion.content,
                RubricVersion.continues, RubricVersion.retired
                ).order_by(RubricVersion.version)
# Versions never change, so what an older version's domains are in the current one only
# changes when a new version is loaded: keyed by database and the current version's id.
_sources_cache: dict[tuple[str, int], dict[int, Sources]] = {}


def forget_cached_rubrics() -> None:
    """Forget the cached versions and what they carry, for a process whose database was
    replaced under it (a restore: ids start again)."""
    forget_cached_versions()
    _sources_cache.clear()


def carried_sources(current: Rubric) -> dict[int, Sources]:
    """For each older version (by rubric_version id) whose domains differ from the
    current's: current domain key -> that version's keys it continues. A version missing
    from the answer needs no mapping (same domains, other words)."""
    key = (str(db.engine.url), current.id)
    cached = _sources_cache.get(key)
    if cached is not None:
        return cached
    rows = [row for row in db.session.execute(_STEPS).all() if row.version <= current.version]
    found: dict[int, Sources] = {}
    steps: list[DomainMapping] = []
    for later, earlier in zip(reversed(rows), list(reversed(rows))[1:], strict=False):
        later_keys = [domain["key"] for domain in later.content["domains"]]
        earlier_keys = [domain["key"] for domain in earlier.content["domains"]]
        steps.append(identity_mapping(later_keys, earlier_keys) if later.continues is None
                     else DomainMapping(later.continues, later.retired or []))
        sources = sources_back(list(current.domains), steps)
        if not is_identity(sources) or set(earlier_keys) != set(current.domains):
            found[earlier.id] = sources
    _sources_cache[key] = found
    return found


def agreed_levels_now(family_id: int, current: Rubric) -> dict[str, int]:
    """The family's expected level per domain of the `current` rubric: the latest
    agreement's levels, carried through any rename, split or merge since it was made (a
    domain it did not cover keeps the rubric's good-enough default)."""
    levels = current.default_levels()
    latest = db.session.execute(
        select(AgreementRevision.levels, AgreementRevision.rubric_version_id)
        .where(AgreementRevision.family_id == family_id)
        .order_by(AgreementRevision.revision.desc()).limit(1)).first()
    if latest is not None:
        sources = carried_sources(current).get(latest.rubric_version_id)
        given = carry_levels(latest.levels, sources) if sources else latest.levels
        levels.update({key: value for key, value in given.items() if key in levels})
    return levels
