"""The versioned rubric and family agreements."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from homelog.accounts.models import Role, User
from homelog.accounts.services import actor_of
from homelog.audit.services import record
from homelog.core.errors import ApiError, invalid
from homelog.core.signals import agreement_revised
from homelog.core.time import local_today, utcnow
from homelog.core.transactions import begin_writes
from homelog.extensions import db
from homelog.families.services import FamilyAccess
from homelog.rubric.mapping import Problem, check_mapping, resolve_mapping, split_declared
from homelog.rubric.models import AgreementRevision, RubricVersion
from homelog.rubric.scale import file_scale_in_force
from homelog.rubric.schemas import RubricFileSchema

_MAY_AGREE = {Role.LEAD_SOCIAL_WORKER, Role.MANAGER}


@dataclass(frozen=True)
class Rubric:
    """A loaded rubric version, with look-ups the rest of the code needs."""

    id: int
    version: int
    content: dict[str, Any]

    @cached_property
    def domains(self) -> dict[str, dict[str, Any]]:
        return {domain["key"]: domain for domain in self.content["domains"]}

    @cached_property
    def concerns(self) -> dict[str, dict[str, Any]]:
        return {concern["key"]: concern for concern in self.content["concerns"]}

    @cached_property
    def rooms(self) -> dict[str, dict[str, Any]]:
        return {room["key"]: room for room in self.content["rooms"]}

    def descriptor(self, domain_key: str, level: int) -> str:
        return self.domains[domain_key]["levels"][str(level)]

    def default_levels(self) -> dict[str, int]:
        return {key: domain["good_enough_level"] for key, domain in self.domains.items()}

    def for_people(self, concern_level: int) -> dict[str, Any]:
        """The version's number and content, its scale saying the concern level in force."""
        return {"version": self.version, **self.content,
                "scale": file_scale_in_force(self.content["scale"], concern_level)}


# Versions never change, so caching them is always right. Keyed by database as well as
# id: a process may serve more than one database (the test suite does).
_cache: dict[tuple[str, int], Rubric] = {}


def forget_cached_versions() -> None:
    """Forget every cached version, for a process whose database was replaced under it
    (ids start again after a restore, so the cache must not answer for them)."""
    _cache.clear()


def _database() -> str:
    return str(db.engine.url)


def _as_rubric(row: RubricVersion) -> Rubric:
    key = (_database(), row.id)
    if key not in _cache:
        _cache[key] = Rubric(row.id, row.version, row.content)
    return _cache[key]


def parse_rubric_file(raw: str) -> dict[str, Any]:
    """Read and validate rubric JSON; raises ApiError 422 naming the problems."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise invalid({"file": [f"Not valid JSON: {error}"]}) from error
    try:
        return RubricFileSchema().load(data)
    except ValidationError as error:
        raise invalid(error.messages_dict) from error


def default_rubric_content() -> dict[str, Any]:
    raw = resources.files("homelog.rubric").joinpath("data/default_rubric.json").read_text()
    return parse_rubric_file(raw)


def _content_hash(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _latest_row() -> RubricVersion | None:
    return db.session.execute(
        select(RubricVersion).order_by(RubricVersion.version.desc()).limit(1)
    ).scalar_one_or_none()


def _domain_keys(row: RubricVersion) -> list[str]:
    return [domain["key"] for domain in row.content["domains"]]


def latest_domains() -> tuple[list[str], int] | None:
    """The latest version's domain keys and number: what a new file's mapping continues."""
    latest = _latest_row()
    return (_domain_keys(latest), latest.version) if latest else None


def mapping_problems(content: dict[str, Any]) -> list[Problem]:
    """What is wrong with how `content` maps the current version's domains (rubric/mapping.py),
    each with its path in the file; none when `content` is the current version already."""
    plain, declared = split_declared(content)
    latest = _latest_row()
    if latest is not None and latest.content_hash == _content_hash(plain):
        return []
    return check_mapping(declared, _domain_keys(latest) if latest else None,
                         latest.version if latest else None)


def load_rubric(content: dict[str, Any], loaded_by: User | None = None) -> tuple[Rubric, bool]:
    """Make `content` the current rubric; returns (rubric, created). Same content twice: no-op.

    Its domains' mapping to the previous version (`continues`, `retired`) is checked and
    stored beside the content; the content itself is stored and served without it.
    """
    plain, declared = split_declared(content)
    digest = _content_hash(plain)
    latest = _latest_row()
    if latest is not None and latest.content_hash == digest:
        return _as_rubric(latest), False
    previous = _domain_keys(latest) if latest else None
    problems = check_mapping(declared, previous, latest.version if latest else None)
    if problems:
        raise invalid({"domains": [message for _, message in problems]})
    mapping = resolve_mapping(declared, previous) if previous is not None else None
    row = RubricVersion(
        version=(latest.version + 1) if latest else 1,
        name=plain["name"],
        content=plain,
        content_hash=digest,
        loaded_at=utcnow(),
        loaded_by_id=loaded_by.id if loaded_by else None,
        continues=mapping.continues if mapping else None,
        retired=mapping.retired if mapping else None,
    )
    db.session.add(row)
    db.session.flush()
    detail: dict[str, Any] = {"version": row.version}
    if mapping:  # what the audit trail should show: domains that did not simply carry on
        detail["mapped"] = {key: names for key, names in mapping.continues.items()
                            if names != [key]}
        detail["retired"] = mapping.retired
    record(actor_of(loaded_by), "rubric.load", basis="administrator",
           target_type="rubric_version", target_id=row.id, detail=detail)
    return _as_rubric(row), True


_LATEST_ID = select(RubricVersion.id).order_by(RubricVersion.version.desc()).limit(1)


def current_rubric() -> Rubric:
    """The rubric in force; the packaged default is loaded the first time none exists.

    Which version is current is read from the database on every call (one indexed row),
    so every server process agrees the moment a new version is loaded; the versions'
    contents, which never change, are cached (rubric_by_id).
    """
    latest_id = db.session.execute(_LATEST_ID).scalar()
    if latest_id is not None:
        return rubric_by_id(latest_id)
    begin_writes()
    try:
        with db.session.begin_nested():
            rubric, _ = load_rubric(default_rubric_content())
        return rubric
    except IntegrityError:  # another request loaded it first
        return _as_rubric(_latest_row())  # type: ignore[arg-type]


def rubric_version(version: int) -> Rubric | None:
    row = db.session.execute(
        select(RubricVersion).where(RubricVersion.version == version)
    ).scalar_one_or_none()
    return _as_rubric(row) if row else None


def rubric_by_id(rubric_id: int) -> Rubric:
    cached = _cache.get((_database(), rubric_id))
    if cached is not None:
        return cached
    return _as_rubric(db.session.get_one(RubricVersion, rubric_id))


def agreement_history(family_id: int) -> list[AgreementRevision]:
    """Every agreement revision of a family, newest first."""
    return list(
        db.session.execute(
            select(AgreementRevision)
            .where(AgreementRevision.family_id == family_id)
            .order_by(AgreementRevision.revision.desc())
        ).scalars()
    )


def _check_agreement(data: dict[str, Any], rubric: Rubric, access: FamilyAccess) -> None:
    problems: dict[str, list[str]] = {}
    unknown = sorted(set(data["levels"]) - set(rubric.domains))
    missing = sorted(set(rubric.domains) - set(data["levels"]))
    if unknown:
        problems["levels"] = [f"Unknown domain: {key}." for key in unknown]
    if missing:
        problems.setdefault("levels", []).append(
            f"Give an agreed level for every domain; missing: {', '.join(missing)}."
        )
    if data["agreed_on"] > local_today():
        problems["agreed_on"] = ["The agreement date cannot be in the future."]
    shared = data.get("shared_with_parents_on")
    if shared and shared < data["agreed_on"]:
        problems["shared_with_parents_on"] = ["Cannot be before the date it was agreed."]
    elif shared and shared > local_today():
        problems["shared_with_parents_on"] = ["The date the parents were given their copy "
                                              "cannot be in the future."]
    if problems:
        raise invalid(problems)


def may_revise_agreement(user: User) -> bool:
    """The one rule of who records a family's agreement (the API and the app's form both ask
    it): a lead social worker or a manager who may open the family."""
    return user.role in _MAY_AGREE


def revise_agreement(actor: User, access: FamilyAccess, data: dict[str, Any]) -> AgreementRevision:
    """Record a new revision of the family's agreement; earlier revisions stay as history."""
    if not may_revise_agreement(actor):
        raise ApiError(403, "forbidden",
                       "Only the lead social worker or a manager can record the agreement.")
    rubric = current_rubric()
    _check_agreement(data, rubric, access)
    family_id = access.family_id
    latest = db.session.execute(
        select(func.max(AgreementRevision.revision)).where(AgreementRevision.family_id == family_id)
    ).scalar()
    revision = AgreementRevision(
        family_id=family_id,
        revision=(latest or 0) + 1,
        agreed_on=data["agreed_on"],
        rubric_version_id=rubric.id,
        levels=dict(data["levels"]),
        note=data["note"],
        shared_with_parents_on=data.get("shared_with_parents_on"),
        attendees=list(data.get("attendees", [])),
        recorded_by_id=actor.id,
        recorded_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(revision)
    except IntegrityError as error:
        raise ApiError(409, "agreement_changed",
                       "Someone else recorded an agreement at the same moment; reload and retry."
                       ) from error
    record(actor_of(actor), "agreement.revise", basis=access.basis, family_id=family_id,
           target_type="agreement_revision", target_id=revision.id)
    agreement_revised.send(current_app._get_current_object(), family=access.family)
    return revision
