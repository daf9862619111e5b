"""Changing a family's core group: removing a member, making someone the lead, and finding
people to add (adding is services.add_member).

Who may: the family's lead and the managers in its core group (services.require_family_runner).
The lead is a lead social worker (product: the local authority social worker responsible
for the plan), one at a time. Removal takes effect at once: the next request by that person
finds no membership row and is refused (404); what they recorded stays, attributed to them.
Every change is an audit entry and a row of the family's history.
"""

from __future__ import annotations

from sqlalchemy import delete, or_, select

from homelog.accounts.models import Agency, Role, User
from homelog.accounts.services import actor_of
from homelog.audit.services import record
from homelog.core.errors import ApiError, invalid, not_found
from homelog.extensions import db
from homelog.families import history
from homelog.families.models import CoreGroupMember
from homelog.families.services import FamilyAccess, require_family_runner

PEOPLE_LIMIT = 50


def _member(family_id: int, user_id: int) -> CoreGroupMember | None:
    return db.session.execute(select(CoreGroupMember).where(
        CoreGroupMember.family_id == family_id, CoreGroupMember.user_id == user_id)
    ).scalar_one_or_none()


def _runners_left(family_id: int, leaving: int) -> int:
    """How many members other than `leaving` could still run the group (lead or manager)."""
    return len(db.session.execute(
        select(CoreGroupMember.id).join(User, User.id == CoreGroupMember.user_id)
        .where(CoreGroupMember.family_id == family_id, CoreGroupMember.user_id != leaving,
               or_(CoreGroupMember.is_lead.is_(True), User.role == Role.MANAGER.value))
    ).all())


def remove_member(actor: User, access: FamilyAccess, user_id: int) -> None:
    """Take a user out of the core group, at once. The lead cannot be removed (make someone
    else the lead first), nor the last person who could run the group."""
    require_family_runner(actor, access)
    member = _member(access.family_id, user_id)
    if member is None:
        raise not_found("This person is not in the family's core group.")
    if member.is_lead:
        raise ApiError(409, "is_lead", "This person is the family's lead: make someone else "
                       "the lead first.", {"user_id": ["The lead cannot be removed."]})
    if _runners_left(access.family_id, user_id) == 0:
        raise ApiError(409, "last_runner", "Nobody would be left to run this core group: add "
                       "a lead social worker or a manager first.",
                       {"user_id": ["The last person who can run the group."]})
    db.session.execute(delete(CoreGroupMember).where(CoreGroupMember.id == member.id))
    history.record_change(access.family_id, actor.id, history.MEMBER_LEFT, member_id=user_id)
    record(actor_of(actor), "core_group.remove", basis=access.basis,
           family_id=access.family_id, target_type="user", target_id=user_id)


def set_lead(actor: User, access: FamilyAccess, user_id: int) -> bool:
    """Make a member the family's lead (the previous lead stays a member); returns whether
    anything changed. The new lead must be a lead social worker in the core group."""
    require_family_runner(actor, access)
    member = _member(access.family_id, user_id)
    if member is None:
        raise invalid({"user_id": ["Add this person to the core group first."]})
    if member.is_lead:
        return False
    user = db.session.get_one(User, user_id)
    if user.role != Role.LEAD_SOCIAL_WORKER or not user.active:
        raise invalid({"user_id": ["Only an active lead social worker can lead a core group."]})
    previous = db.session.execute(
        select(CoreGroupMember, User.name).join(User, User.id == CoreGroupMember.user_id)
        .where(CoreGroupMember.family_id == access.family_id,
               CoreGroupMember.is_lead.is_(True))).all()
    for old, _ in previous:
        old.is_lead = False
    db.session.flush()  # one lead at a time, even for a moment
    member.is_lead = True
    db.session.flush()
    before = ", ".join(name for _, name in previous) or None
    history.record_change(access.family_id, actor.id, history.LEAD_CHANGED, member_id=user_id,
                          changes={"lead": {"from": before, "to": user.name}})
    record(actor_of(actor), "core_group.lead", basis=access.basis,
           family_id=access.family_id, target_type="user", target_id=user_id)
    return True


def _escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_people(actor: User, search: str, limit: int) -> list[tuple[User, Agency]]:
    """Active practitioners (administrators are not) whose name or agency contains every
    word of `search`, by name, at most `limit`: for adding to a core group, so only for
    those who may run one (lead social workers and managers; 403 for others)."""
    if actor.role not in (Role.LEAD_SOCIAL_WORKER, Role.MANAGER):
        raise ApiError(403, "forbidden",
                       "Only a lead social worker or a manager can look people up.")
    query = (select(User, Agency).join(Agency, Agency.id == User.agency_id)
             .where(User.active.is_(True), User.role != Role.ADMINISTRATOR.value))
    words = search.split()
    for word in words[:5]:
        pattern = f"%{_escaped(word)}%"
        query = query.where(or_(User.name.ilike(pattern, escape="\\"),
                                Agency.name.ilike(pattern, escape="\\")))
    rows = db.session.execute(query.order_by(User.name, User.id).limit(limit)).all()
    return [(user, agency) for user, agency in rows]

