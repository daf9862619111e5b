"""Administering people and agencies: the list of everyone with an account, changing a
person's role, agency, profession or manager, disabling and enabling, and renaming an
agency. Every change is audited, with what it was before.

Two guards keep a partnership from locking itself out: nobody disables or demotes
themselves (another administrator must), and the last active administrator stays one.
Services flush; the request commits.
"""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy import select

from homelog.accounts.models import Agency, Role, SecondFactor, User
from homelog.accounts.services import actor_of, set_active
from homelog.audit.services import record
from homelog.core.errors import ApiError, invalid, not_found
from homelog.extensions import db

# What a person's details PATCH may change besides `active`, in the order audited.
DETAILS = ("name", "role", "profession", "agency_id", "manager_id")


def people(search: str | None = None, agency_id: int | None = None,
           active: bool | None = None) -> list[dict[str, Any]]:
    """Everyone with an account, active or not, by name, as administrators see them:
    when they last signed in, whether they have set a password and two-step sign-in."""
    query = select(User).order_by(User.name, User.id)
    if search:
        pattern = f"%{search.strip().lower()}%"
        query = query.where(db.func.lower(User.name).like(pattern)
                            | db.func.lower(User.email).like(pattern))
    if agency_id is not None:
        query = query.where(User.agency_id == agency_id)
    if active is not None:
        query = query.where(User.active.is_(active))
    users = list(db.session.execute(query).scalars())
    return _described(users)


def person(user_id: int) -> dict[str, Any]:
    """One person as administrators see them; 404 if there is no such user."""
    return _described([_user(user_id)])[0]


def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise not_found("No such user.")
    return user


def _described(users: list[User]) -> list[dict[str, Any]]:
    ids = [user.id for user in users]
    # One query each for the whole page, not one per person.
    enrolled = set(db.session.execute(select(SecondFactor.user_id).where(
        SecondFactor.user_id.in_(ids), SecondFactor.confirmed_at.is_not(None))).scalars())
    manager_ids = {user.manager_id for user in users if user.manager_id is not None}
    managers = {row.id: row for row in db.session.execute(
        select(User.id, User.name).where(User.id.in_(manager_ids)))}
    return [{
        "id": user.id, "name": user.name, "email": user.email, "role": user.role,
        "profession": user.profession, "profession_label": user.profession_label,
        "agency": user.agency, "active": user.active, "manager_id": user.manager_id,
        "manager": managers.get(user.manager_id) if user.manager_id else None,
        "created_at": user.created_at, "last_signed_in_at": user.last_signed_in_at,
        "password_set": user.password_set, "second_factor_enrolled": user.id in enrolled,
    } for user in users]


def _other_active_administrators(user: User) -> int:
    return db.session.execute(select(db.func.count()).select_from(User).where(
        User.role == Role.ADMINISTRATOR, User.active.is_(True), User.id != user.id)
    ).scalar_one()


def _guard(actor: User, user: User, changes: dict[str, Any]) -> None:
    """Refuse (409, naming the field) what would lock the partnership out."""
    disabling = changes.get("active") is False and user.active
    demoting = "role" in changes and changes["role"] != user.role
    field = "active" if disabling else "role"
    removing = user.role == Role.ADMINISTRATOR and user.active and (disabling or demoting)
    if removing and _other_active_administrators(user) == 0:
        raise ApiError(409, "last_administrator", "This is the last active administrator: "
                       "make someone else an administrator first.",
                       {field: ["The partnership needs at least one active administrator."]})
    if user.id == actor.id and (disabling or demoting):
        what = "stop yourself signing in" if disabling else "change your own role"
        raise ApiError(409, "not_yourself", f"You cannot {what}: ask another administrator.",
                       {field: [f"You cannot {what}."]})


def _check_details(user: User, changes: dict[str, Any]) -> None:
    if "name" in changes and not changes["name"].strip():
        raise invalid({"name": ["Give the person's name."]})
    if "agency_id" in changes and db.session.get(Agency, changes["agency_id"]) is None:
        raise invalid({"agency_id": ["No such agency."]})
    manager_id = changes.get("manager_id")
    if manager_id is not None:
        if manager_id == user.id:
            raise invalid({"manager_id": ["Someone cannot be their own manager."]})
        if db.session.get(User, manager_id) is None:
            raise invalid({"manager_id": ["No such user."]})


def change_person(actor: User, user_id: int, changes: dict[str, Any]) -> dict[str, Any]:
    """Change a person's details, or disable or enable them (administrators).

    Disabling ends every session of theirs at once, so their next request is refused;
    enabling lets them sign in again with the password they had. Refuses disabling or
    demoting yourself, and removing the last active administrator (409). Audited: one
    entry for the details (each field from and to), one for disabling or enabling.
    """
    user = _user(user_id)
    _guard(actor, user, changes)
    _check_details(user, changes)
    before = {name: _plain(getattr(user, name)) for name in DETAILS}
    for name in DETAILS:
        if name in changes:
            value = changes[name].strip() if name == "name" else changes[name]
            setattr(user, name, value)
    db.session.flush()
    db.session.expire(user, ["agency"])  # the agency's name as now chosen
    changed = {name: {"from": before[name], "to": _plain(getattr(user, name))}
               for name in DETAILS if before[name] != _plain(getattr(user, name))}
    if changed:
        record(actor_of(actor), "user.change", basis="administrator", target_type="user",
               target_id=user.id, detail=changed)
    if "active" in changes and changes["active"] != user.active:
        set_active(actor, user, changes["active"])
    return person(user.id)


def _plain(value: Any) -> Any:
    """What the audit entry keeps: an enum's value, as the API shows it."""
    return value.value if isinstance(value, enum.Enum) else value


def rename_agency(actor: User, agency_id: int, name: str | None,
                  kind: str | None) -> Agency:
    """Rename an agency, or change its kind (administrators). Names stay unique (409).
    Its people and everything they recorded keep pointing at it. Audited, from and to."""
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise not_found("No such agency.")
    changed: dict[str, Any] = {}
    if name is not None:
        name = name.strip()
        if not name:
            raise invalid({"name": ["Give the agency a name."]})
        taken = db.session.execute(select(Agency.id).where(
            Agency.name == name, Agency.id != agency.id)).first()
        if taken:
            raise ApiError(409, "agency_exists", f"An agency called {name!r} already exists.",
                           {"name": ["Another agency has this name."]})
        if name != agency.name:
            changed["name"] = {"from": agency.name, "to": name}
            agency.name = name
    if kind is not None and (kind.strip() or "other") != agency.kind:
        changed["kind"] = {"from": agency.kind, "to": kind.strip() or "other"}
        agency.kind = changed["kind"]["to"]
    db.session.flush()
    if changed:
        record(actor_of(actor), "agency.rename", basis="administrator", target_type="agency",
               target_id=agency.id, detail=changed)
    return agency
