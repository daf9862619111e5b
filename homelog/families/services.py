"""Families and core groups, and the one rule of who may see a family."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, bindparam, case, exists, select, true
from sqlalchemy.orm import selectinload

from homelog.accounts.models import Agency, Role, User
from homelog.accounts.services import actor_of
from homelog.audit.models import AuditEntry
from homelog.audit.refusals import refused_family
from homelog.audit.services import record, record_each
from homelog.core.errors import ApiError, invalid, not_found
from homelog.core.time import local_today, utcnow
from homelog.extensions import db
from homelog.families import history
from homelog.families.models import Child, CoreGroupMember, Family
from homelog.families.signals import SharedReference, reference_shared

PLAN_CATEGORIES = ("neglect", "physical_abuse", "emotional_abuse", "sexual_abuse", "multiple")
_MAY_CREATE_FAMILIES = {Role.LEAD_SOCIAL_WORKER, Role.MANAGER}
_MAY_MANAGE_CORE_GROUP = {Role.LEAD_SOCIAL_WORKER, Role.MANAGER}

NOT_FOUND_MESSAGE = "No such family, or you are not in its core group."
#: The audit action that is itself a manager's break-glass grant (see break_glass.py).
BREAK_GLASS_ACTION = "family.break_glass"


@dataclass(frozen=True)
class FamilyAccess:
    """A family the user may see, and why (the basis recorded in the audit trail).

    It carries what the busiest paths need; the full record loads only when asked for.
    `is_lead` is None for a manager outside the core group admitted by a break-glass grant.
    """

    family_id: int
    opened_on: dt.date
    is_lead: bool | None
    closed_at: dt.datetime | None = None  # when the family's record was closed, if it is

    @property
    def family(self) -> Family:
        return db.session.get_one(Family, self.family_id)

    @property
    def by_break_glass(self) -> bool:
        return self.is_lead is None

    @property
    def basis(self) -> str:
        if self.is_lead is None:
            return "break_glass"
        return "core_group_lead" if self.is_lead else "core_group_member"


def described(user: User) -> str:
    """A person as a family's lead is to read them: name, profession and agency."""
    return f"{user.name}, {user.profession_label}, {user.agency.name}"


def break_glass_duration() -> dt.timedelta:
    """How long a break-glass grant lets a manager in (HOMELOG_BREAK_GLASS_HOURS)."""
    return dt.timedelta(hours=current_app.config["HOMELOG_BREAK_GLASS_HOURS"])


def _grants_since() -> dt.datetime:
    return utcnow() - break_glass_duration()


# A grant still running: the manager's own break-glass entry for this family, recent
# enough, while they are still an active manager. "Now" is read when the statement runs.
_LIVE_GRANT = (
    select(AuditEntry.id)
    .join(User, User.id == AuditEntry.user_id)
    .where(AuditEntry.family_id == bindparam("family_id"),
           AuditEntry.user_id == bindparam("user_id"),
           AuditEntry.action == BREAK_GLASS_ACTION,
           AuditEntry.at >= bindparam("grants_since", callable_=_grants_since,
                                      type_=AuditEntry.at.type),
           User.role == Role.MANAGER.value, User.active.is_(True))
)

# One row for a core-group member (is_lead true or false) or for a manager with a live
# break-glass grant (is_lead NULL); none for anyone else. The CASE keeps members from
# paying for the grant lookup.
_MEMBERSHIP = (
    select(Family.opened_on, CoreGroupMember.is_lead, Family.closed_at)
    .select_from(Family)
    .outerjoin(CoreGroupMember, and_(CoreGroupMember.family_id == Family.id,
                                     CoreGroupMember.user_id == bindparam("user_id")))
    .where(Family.id == bindparam("family_id"),
           case((CoreGroupMember.id.is_not(None), true()), else_=exists(_LIVE_GRANT)))
)


def _membership(user: User, family_id: int) -> FamilyAccess | None:
    row = db.session.connection().execute(
        _MEMBERSHIP, {"family_id": family_id, "user_id": user.id}
    ).first()
    return FamilyAccess(family_id, row.opened_on, row.is_lead, row.closed_at) if row else None


def membership(user: User, family_id: int) -> FamilyAccess | None:
    """The user's access to a family (core group, or a manager's live break-glass grant),
    or None; records nothing (for callers that record their own entry whatever the answer)."""
    return _membership(user, family_id)


def membership_statement() -> Select[Any]:
    """The membership read (bind parameters family_id and user_id; columns opened_on and
    is_lead, NULL under a break-glass grant; no row for anyone without access), for a
    caller that reads it in one statement with the family's data and then passes what
    it found to `admit`."""
    return _MEMBERSHIP


def open_family(
    user: User,
    family_id: int,
    action: str | None,
    *,
    target_type: str | None = None,
    target_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> FamilyAccess:
    """Check that `user` is in the family's core group (or a manager with a live
    break-glass grant) and record the access, with its basis.

    Every read or change of family data goes through here (or through `admit`), so no
    view can forget the access check or the audit entry. Outsiders get 404, not 403,
    so that the existence of a family is not disclosed. `action=None` is for
    changes whose service records its own, more specific, entry.
    """
    return admit(user, family_id, _membership(user, family_id), action,
                 target_type=target_type, target_id=target_id, detail=detail)


def admit(
    user: User,
    family_id: int,
    access: FamilyAccess | None,
    action: str | None,
    *,
    target_type: str | None = None,
    target_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> FamilyAccess:
    """open_family's rule for a membership read by the caller (see membership_statement):
    404 outside the core group (the attempt recorded on the family, if it exists),
    otherwise the access recorded."""
    if access is None:
        if db.session.get(Family, family_id) is not None:
            refused_family(family_id)
        raise not_found(NOT_FOUND_MESSAGE)
    if action is None:
        return access
    record(
        actor_of(user),
        action,
        basis=access.basis,
        family_id=family_id,
        target_type=target_type or "family",
        target_id=target_id if target_id is not None else family_id,
        detail=detail,
    )
    return access


def _check_dates(data: dict[str, Any]) -> None:
    today = local_today()
    problems: dict[str, list[str]] = {}
    if data["opened_on"] > today:
        problems["opened_on"] = ["The opened-on date cannot be in the future."]
    if data["plan"]["started_on"] > today:
        problems["plan.started_on"] = ["The plan start date cannot be in the future."]
    for index, child in enumerate(data["children"]):
        if child["date_of_birth"] > today:
            problems[f"children.{index}.date_of_birth"] = [
                "A date of birth cannot be in the future (record an unborn baby after birth)."
            ]
    if problems:
        raise invalid(problems)


def _same_reference(creator: User, reference: str) -> tuple[int | None, list[int]]:
    """Families already carrying `reference`: one the creator made or may open (or None),
    and the others, which the creator must not learn about."""
    found = db.session.execute(
        select(Family.id, Family.created_by_id).where(Family.reference == reference)
        .order_by(Family.id)).all()
    for family_id, created_by_id in found:
        if created_by_id == creator.id or _membership(creator, family_id) is not None:
            return family_id, []
    return None, [family_id for family_id, _ in found]


def create_family(creator: User, data: dict[str, Any]) -> Family:
    """Open a family record; the creator joins its core group (as lead if a lead social worker)."""
    if creator.role not in _MAY_CREATE_FAMILIES:
        raise ApiError(403, "forbidden", "Only a lead social worker or a manager can add a family.")
    _check_dates(data)
    reference = data["reference"].strip()
    known, hidden = _same_reference(creator, reference)
    if known is not None:
        raise ApiError(409, "family_exists", "A family you can open already has this "
                       "reference.", {"reference": ["Already in use."]})
    now = utcnow()
    family = Family(
        reference=reference,
        address=data.get("address", ""),
        opened_on=data["opened_on"],
        status="open",
        plan_category=data["plan"]["category"],
        plan_started_on=data["plan"]["started_on"],
        created_at=now,
        created_by_id=creator.id,
        children=[Child(**child) for child in data["children"]],
    )
    db.session.add(family)
    db.session.flush()
    db.session.add(
        CoreGroupMember(
            family_id=family.id,
            user_id=creator.id,
            is_lead=creator.role == Role.LEAD_SOCIAL_WORKER,
            added_at=now,
            added_by_id=creator.id,
        )
    )
    db.session.flush()
    record(actor_of(creator), "family.create", basis="creator", family_id=family.id,
           target_type="family", target_id=family.id)
    history.record_change(family.id, creator.id, history.OPENED, at=now)
    history.record_change(family.id, creator.id, history.MEMBER_JOINED, member_id=creator.id,
                          changes=_as_lead(creator.role == Role.LEAD_SOCIAL_WORKER), at=now)
    if hidden:
        _tell_of_shared_reference(creator, family, hidden, now)
    return family


def _tell_of_shared_reference(creator: User, family: Family, others: list[int],
                              now: dt.datetime) -> None:
    """A reference already on families the creator cannot open: the new family is made all
    the same (so the answer tells the creator nothing), and each earlier family's lead is
    told, on that family's record, so they can add the creator to its core group if it is
    the same household."""
    for other in others:
        record(actor_of(creator), "family.reference_shared", basis="creator",
               family_id=other, target_type="family", target_id=family.id)
        sharing = SharedReference(other, family.id, creator.id, described(creator))
        reference_shared.send(current_app._get_current_object(), sharing=sharing, now=now)


def families_of(user: User, status: str | None = "open") -> list[Family]:
    """The families whose core group includes `user`, by reference: the open ones (the
    active work: caseload, offline kit), or those with `status`, or all with None."""
    query = (
        select(Family)
        .join(CoreGroupMember, CoreGroupMember.family_id == Family.id)
        .where(CoreGroupMember.user_id == user.id)
        .options(selectinload(Family.children))
        .order_by(Family.reference)
    )
    if status is not None:
        query = query.where(Family.status == status)
    return list(db.session.execute(query).scalars())


def record_family_list_view(user: User, families: list[Family]) -> None:
    """Audit a listing of families: one entry on each family shown."""
    record_each(actor_of(user), "family.list", [family.id for family in families],
                basis="core_group_member")


@dataclass(frozen=True)
class CoreGroupEntry:
    user: User
    agency: Agency
    is_lead: bool
    added_at: dt.datetime


def core_group(family_id: int) -> list[CoreGroupEntry]:
    """Everyone in a family's core group, leads first."""
    rows = db.session.execute(
        select(CoreGroupMember, User, Agency)
        .join(User, User.id == CoreGroupMember.user_id)
        .join(Agency, Agency.id == User.agency_id)
        .where(CoreGroupMember.family_id == family_id)
        .order_by(CoreGroupMember.is_lead.desc(), User.name)
    ).all()
    return [CoreGroupEntry(user, agency, member.is_lead, member.added_at)
            for member, user, agency in rows]


def require_core_group_manager(user: User) -> None:
    """Refuse (403) anyone but a lead social worker or manager (who run the core group)."""
    if user.role not in _MAY_MANAGE_CORE_GROUP:
        raise ApiError(403, "forbidden", "Only the lead social worker or a manager can do this.")


def _as_lead(is_lead: bool) -> dict[str, Any]:
    return {"lead": {"from": None, "to": "yes"}} if is_lead else {}


def may_run_family(user: User, access: FamilyAccess) -> bool:
    """Whether `user` may change the family's record and core group: its lead, or a
    manager in its core group (not one in by break-glass, which is for reading)."""
    return not access.by_break_glass and (bool(access.is_lead) or user.role == Role.MANAGER)


def require_family_runner(user: User, access: FamilyAccess) -> None:
    """Refuse (403) anyone but the family's lead or a manager in its core group: they run
    the family's record and its core group. A manager in by break-glass reads only."""
    if access.by_break_glass:
        raise ApiError(403, "forbidden", "Break-glass access lets you read this family, not "
                       "change it: ask its lead social worker.")
    if not may_run_family(user, access):
        raise ApiError(403, "forbidden", "Only the family's lead social worker or a manager in "
                       "its core group can do this.")


def add_member(actor: User, access: FamilyAccess, user_id: int) -> tuple[CoreGroupMember, bool]:
    """Add a user to the core group; returns (membership, created). Adding twice is harmless."""
    require_family_runner(actor, access)
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise invalid({"user_id": ["No active user with this id."]})
    if user.role == Role.ADMINISTRATOR:
        raise invalid({"user_id": ["Administrators cannot join a core group."]})
    existing = db.session.execute(
        select(CoreGroupMember).where(
            CoreGroupMember.family_id == access.family_id, CoreGroupMember.user_id == user_id
        )
    ).scalar_one_or_none()
    if existing:
        return existing, False
    member = CoreGroupMember(
        family_id=access.family_id,
        user_id=user_id,
        is_lead=False,
        added_at=utcnow(),
        added_by_id=actor.id,
    )
    db.session.add(member)
    db.session.flush()
    record(actor_of(actor), "core_group.add", basis=access.basis, family_id=access.family_id,
           target_type="user", target_id=user_id)
    history.record_change(access.family_id, actor.id, history.MEMBER_JOINED, member_id=user_id,
                          at=member.added_at)
    return member, True


def core_group_agency_ids(family_id: int) -> set[int]:
    """The agencies represented in a family's core group."""
    return set(
        db.session.execute(
            select(User.agency_id)
            .join(CoreGroupMember, CoreGroupMember.user_id == User.id)
            .where(CoreGroupMember.family_id == family_id)
        ).scalars()
    )
