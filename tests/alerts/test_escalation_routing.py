"""Escalations go only to people who can open the family, or who may by break-glass."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from homelog.accounts.models import Profession, Role, User
from homelog.alerts import escalation
from homelog.alerts.models import InboxEntry
from homelog.extensions import db
from tests.engine.support import analyse, at_days_ago, flags_of
from tests.support import clock


def _high_flag(app, factory, lead, members=()):
    practitioner = factory.user()
    family = factory.family(lead, (practitioner, *members))
    factory.visit(family.id, practitioner.id, at_days_ago(2), {"kitchen": 5})
    raised = clock.now()
    analyse(app, [family.id], now=raised)
    flag = next(flag for flag in flags_of(app, family.id) if flag["severity"] == "high")
    return family, flag["id"], raised + dt.timedelta(hours=24)


def _lead_managed_by(app, factory, manager):
    lead = factory.lead(manager.agency_id)
    with app.app_context():
        db.session.execute(update(User).where(User.id == lead.id).values(manager_id=manager.id))
        db.session.commit()
    return lead


def _escalate(app, flag_id, when):
    with app.app_context():
        told = escalation.escalate(flag_id, when)
        db.session.commit()
        kinds = dict(db.session.execute(select(InboxEntry.user_id, InboxEntry.kind).where(
            InboxEntry.flag_id == flag_id, InboxEntry.kind.like("escalated%"))).all())
        return told, kinds


def test_a_manager_in_the_core_group_is_sent_to_the_flag(app, factory):
    manager = factory.user(Role.MANAGER, Profession.TEAM_MANAGER)
    lead = _lead_managed_by(app, factory, manager)
    _, flag_id, due = _high_flag(app, factory, lead, (manager,))
    assert _escalate(app, flag_id, due) == ([manager.id], {manager.id: "escalated"})


def test_a_manager_outside_it_is_sent_to_break_glass(app, factory, make_client):
    manager = factory.user(Role.MANAGER, Profession.TEAM_MANAGER)
    lead = _lead_managed_by(app, factory, manager)
    family, flag_id, due = _high_flag(app, factory, lead)
    assert _escalate(app, flag_id, due) == ([manager.id], {manager.id: "escalated_glass"})
    client = make_client()
    client.sign_in(manager.email)
    (entry,) = [e for e in client.get("/api/v1/inbox").json if e["kind"] == "escalated_glass"]
    assert entry["family"]["reference"] == family.reference  # what break-glass needs
    assert client.get(f"/api/v1/families/{family.id}").status_code == 404


def test_someone_who_could_not_open_the_family_is_not_told(app, factory):
    not_a_manager = factory.lead()  # a lead social worker named as another lead's manager
    lead = _lead_managed_by(app, factory, not_a_manager)
    _, flag_id, due = _high_flag(app, factory, lead)
    assert _escalate(app, flag_id, due) == ([], {})
